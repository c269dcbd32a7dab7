"""Article-level stance quality: macro-F1 of per-actor stances against the shared labels (reuters_world, reuters2017, agnews_world, conflibert_cameo).

    .venv/bin/python benchmarks/stance_article_eval.py [--model models/stance-minilm] [--int8] [--limit N]
        [--cache runs/stance-mention-proba.npz] [--datasets ...] [--threads 1] [--output metrics.json]

Actors come from ``ActorExtractor.default()``; every labelled actor the extractor misses counts as a wrong
prediction (it is scored as the non-label "missing"). Macro-F1 is over negative/neutral/positive. The model's
article-level head (the default decision) is cross-validated when it is trained
(``foreign-desk train configs/stance-article-head.yaml``); its figures are printed from ``article_head_metrics.json``.
The saved aggregation rule (the fallback) is evaluated as it is: fitting it is the training step ``foreign-desk train
configs/stance-article-rule.yaml`` (:mod:`foreign_desk.training.stance.article_rule`), which shares this
benchmark's item loading and scoring. ``--cache`` keeps the mention probabilities (numeric arrays, no pickle).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from foreign_desk.inference.stance import StanceClassifier, default_model_dir
from foreign_desk.inference.stance.article import rule_of
from foreign_desk.training.stance.article_rule import DATASETS, ProbaCache, load_items, score_by_dataset

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def print_table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n## {title}\n")
    print("| set | pairs | found | macro-F1 | accuracy | macro-F1 (found only) | F1 neg | F1 neu | F1 pos |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in rows.items():
        f = m["per_label_f1"]
        print(
            f"| {name} | {m['pairs']} | {m['found']} | **{m['macro_f1']:.3f}** | {m['accuracy']:.3f} | "
            f"{m['macro_f1_found']:.3f} | {f['negative']:.3f} | {f['neutral']:.3f} | {f['positive']:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="stance model dir (default models/stance-minilm)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="first N items of each dataset")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--output", type=Path, help="write all metrics as JSON")
    parser.add_argument("--cache", type=Path, help="mention probabilities cache (.npz) for this model")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"shared data not found at {args.data}")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    clf = StanceClassifier.from_pretrained(args.model, quantize=args.int8)
    datasets = {d: DATASETS[d] for d in args.datasets}
    items, timing = load_items(args.data, clf, args.limit, args.batch_size, ProbaCache(args.cache), datasets)
    scored = timing["targets"] - timing["cached_targets"]
    speed = f"{scored / timing['stance_s']:.1f} targets/s" if scored else "from the cache"
    print(
        f"\nmodel {args.model or 'models/stance-minilm'} ({clf.kind}{', int8' if args.int8 else ''}): "
        f"{len(items)} items, {timing['targets']} mention targets, extraction {timing['extract_s']:.1f} s, "
        f"stance {timing['stance_s']:.1f} s ({speed})"
    )
    current = rule_of(clf)
    rows = score_by_dataset(items, current)
    if current.coef is None:
        name = f"{current.weighting}, bias {current.bias}"
    else:
        name = f"logistic over features {current.features}" + (f" + {len(current.lexicon)} words" if current.lexicon else "")
    print_table(f"model's aggregation rule ({name}), fitted on these same sets: in-sample figures", rows)
    saved = Path(args.model or default_model_dir()) / "rule_metrics.json"
    if saved.is_file():
        metrics = json.loads(saved.read_text(encoding="utf-8"))
        print_table(f"aggregation rule, 2-fold cross-validated ({metrics['method']}, from {saved.name})",
                    metrics["cv"][metrics["method"]])
    head_metrics = Path(args.model or default_model_dir()) / "article_head_metrics.json"
    if head_metrics.is_file() and getattr(clf, "article_head", None) is not None:
        metrics = json.loads(head_metrics.read_text(encoding="utf-8"))
        print_table(f"article head (the default decision), 2-fold cross-validated, from {head_metrics.name}: the "
                    "figures to quote (refit: foreign-desk train configs/stance-article-head.yaml)", metrics["cv"])
    if args.output:
        report = {"model": args.model, "kind": clf.kind, "timing": timing, "rule": current.to_config(), "results": rows}
        args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
