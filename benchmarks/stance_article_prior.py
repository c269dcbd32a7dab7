"""Does the article head's actor prior help, on more than one split? 2-fold CV of the committed head recipe with and
without the prior, on the training step's halves and on halves re-drawn by hashing the item ids with other salts.

    .venv/bin/python benchmarks/stance_article_prior.py [--salts 0 1 2] [--seeds 0] [--alpha 3.0] [--members 12]
        [--epochs 8] [--limit N] [--cache runs/stance-mention-vectors.npz] [--threads 2] [--int8]

Salt 0 is the halves of ``foreign-desk train configs/stance-article-head.yaml``; every other salt re-draws both halves
(an item's actors stay together). The prior is counted on the training half only, each training actor's own label left
out (:func:`foreign_desk.training.stance.article_head.prior_inputs`). Missed actors count as wrong. Prints one row per
split and seed and the mean change per source; ~2 min per CV on 2 cores once the mention vectors are cached.

``--int8`` also checks the prior head under static int8 on the training step's halves: heads fitted on the fp32 mention
vectors of one half decide the other half from the static-int8 model's probabilities and vectors (what
``StanceClassifier.from_pretrained(quantize=True)`` feeds the head at run time).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import torch

from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.training.stance.article_head import (
    ArticleHeadTrainingConfig,
    VectorCache,
    cross_validate_head,
    examples_of,
    fit_head,
    predict,
    scores,
)
from foreign_desk.training.stance.article_rule import DATASETS, load_items, model_fingerprint

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def redraw_halves(examples: list, salt: int) -> None:
    """Give every example the half of its item under ``salt`` (0: the training step's own halves, as ``half``)."""
    for e in examples:
        key = e.item if salt == 0 else f"{salt}:{e.dataset}:{e.item}"
        e.half = hashlib.sha256(key.encode()).digest()[0] % 2


def int8_check(examples: list, quantized: list, config: ArticleHeadTrainingConfig) -> tuple[dict, dict, float]:
    """(fp32 scores, int8 scores, share of actors with the same label): each half decided by a head fitted on the
    other half's fp32 examples, from fp32 and from int8 inputs (``quantized`` aligned with ``examples``)."""
    fp32: dict[int, int | None] = {}
    int8: dict[int, int | None] = {}
    for k in (0, 1):
        head = fit_head([e for e in examples if e.half != k], config, config.seed)
        held = [j for j, e in enumerate(examples) if e.half == k]
        fp32.update(zip(held, predict(head, [examples[j] for j in held]), strict=True))
        int8.update(zip(held, predict(head, [quantized[j] for j in held]), strict=True))
    order = range(len(examples))
    same = float(np.mean([fp32[j] == int8[j] for j in order if fp32[j] is not None]))
    return scores(examples, [fp32[j] for j in order]), scores(examples, [int8[j] for j in order]), same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("models/stance-minilm"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--salts", type=int, nargs="*", default=[0, 1, 2], help="none: only the --int8 check")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--alpha", type=float, default=3.0)
    parser.add_argument("--members", type=int, default=ArticleHeadTrainingConfig().members, help="the shipped recipe's")
    parser.add_argument("--epochs", type=int, default=ArticleHeadTrainingConfig().epochs, help="the shipped recipe's")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--int8", action="store_true", help="also the prior head fed by the static-int8 model")
    args = parser.parse_args()
    if not (args.data / "reuters_world" / "labels.jsonl").is_file():
        raise SystemExit(f"{args.data} has no labelled sets (../shared/data is needed)")
    torch.set_num_threads(args.threads)
    clf = StanceClassifier.from_pretrained(args.model)
    cache = VectorCache(args.cache, model_fingerprint(args.model))
    items, _ = load_items(args.data, clf, args.limit, 32, cache, DATASETS)
    cache.save()
    examples = examples_of(items, cache)
    sets = list(dict.fromkeys(e.dataset for e in examples))
    print("\n| split (salt) | seed | prior | " + " | ".join(sets) + " |")
    print("|---|---:|---|" + "---:|" * len(sets))
    gains: list[list[float]] = []
    for salt in args.salts:
        redraw_halves(examples, salt)
        for seed in args.seeds:
            row = {}
            for prior in (False, True):
                config = ArticleHeadTrainingConfig(members=args.members, epochs=args.epochs, seed=seed,
                                                   actor_prior=prior, prior_alpha=args.alpha)
                row[prior] = cross_validate_head(examples, config)
                cells = [f"{row[prior][s]['macro_f1']:.3f} (pos {row[prior][s]['per_label_f1']['positive']:.3f})"
                         for s in sets]
                print(f"| {salt} | {seed} | {'yes' if prior else 'no'} | " + " | ".join(cells) + " |", flush=True)
            gains.append([row[True][s]["macro_f1"] - row[False][s]["macro_f1"] for s in sets])
    g = np.array(gains).reshape(-1, len(sets))
    if len(g):
        print("| mean change (min, max) | | | " + " | ".join(
            f"{m:+.3f} ({lo:+.3f}, {hi:+.3f})" for m, lo, hi in zip(g.mean(0), g.min(0), g.max(0), strict=True)) + " |")
    if args.int8:
        redraw_halves(examples, 0)
        quantized_clf = StanceClassifier.from_pretrained(args.model, quantize=True)
        if quantized_clf.int8 != "static":
            raise SystemExit(f"{args.model} has no int8 calibration: nothing to check")
        q_cache = VectorCache(None, None)
        q_items, _ = load_items(args.data, quantized_clf, args.limit, 32, q_cache, DATASETS)
        quantized = examples_of(q_items, q_cache)
        config = ArticleHeadTrainingConfig(members=args.members, epochs=args.epochs, seed=args.seeds[0],
                                           prior_alpha=args.alpha)
        fp32, int8, same = int8_check(examples, quantized, config)
        print("\n| prior head fed by | " + " | ".join(sets) + " |")
        print("|---|" + "---:|" * len(sets))
        for name, m in (("fp32", fp32), ("static int8", int8)):
            print(f"| {name} | " + " | ".join(f"{m[s]['macro_f1']:.3f}" for s in sets) + " |")
        print(f"\n{same:.1%} of found actors get the same label from int8 inputs")


if __name__ == "__main__":
    main()
