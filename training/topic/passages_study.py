"""Measure the passage model's choices on dev from the cached sentence embeddings: pooling, window size, and the
learning curve (25/50/100 % of the training split). Each variant trains a fresh head with the shared loop.

    python -m foreign_desk.training.topic.passages_study configs/topic-passages.yaml -o runs/passages/study.json
    python -m foreign_desk.training.topic.passages_study configs/topic-passages.yaml --curve -o runs/passages/lc.json

The encoder is frozen, so every variant reads the same sentence cache (``<checkpoint_dir>/cache``): minutes on CPU.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from foreign_desk.inference.topics.passages import PassageParams
from foreign_desk.training.loop import fit
from foreign_desk.training.topic.config import load_config
from foreign_desk.training.topic.data import load_splits
from foreign_desk.training.topic.metrics import decide, multilabel_report, per_source_reports
from foreign_desk.training.topic.train_passages import (
    PassageAdapter,
    build_classifier,
    check_encoder_split,
    dev_proba,
    make_bags,
    sentence_cache,
)

log = logging.getLogger(__name__)


def _variant(config, data, emb, pooling: str, size: int, fraction: float, name: str) -> dict:
    params = config.model.model_copy(update={"pooling": pooling, "size": size})
    cfg = config.model_copy(update={"model": params, "checkpoint_dir": Path(config.checkpoint_dir) / "study" / name})
    torch.manual_seed(config.seed)
    clf = build_classifier(cfg)
    clf.passage = PassageParams(size=size, stride=params.stride, headline=params.headline, max_tokens=params.max_tokens)
    bags = {s: make_bags(clf, data.texts(s), emb[s], clf.passage) for s in ("train", "dev", "test")}
    y_train = data.y("train")
    keep = np.arange(len(y_train))
    if fraction < 1.0:
        keep = np.sort(np.random.default_rng(config.seed + 1).permutation(len(y_train))[: round(fraction * len(y_train))])
    pos = y_train[keep].sum(0)
    pos_weight = torch.tensor(np.sqrt((len(keep) - pos) / np.maximum(pos, 1)), dtype=torch.float32)
    adapter = PassageAdapter(
        clf, [bags["train"][i] for i in keep], y_train[keep], bags["dev"], data.y("dev"), cfg, pos_weight,
        data.splits["dev"]["source"],
    )
    started = time.perf_counter()
    result = fit(adapter, cfg.training, cfg.seed, Path(cfg.checkpoint_dir), desc=name)
    seconds = time.perf_counter() - started
    thresholds = result.best_state["thresholds"]
    row = {"name": name, "pooling": pooling, "size": size, "fraction": fraction, "train_items": int(len(keep)),
           "seconds": round(seconds, 1), "best_step": result.best_step, "dev_score": result.best_score}
    for split in ("dev", "test"):
        proba = dev_proba(clf, bags[split])
        pred = decide(proba, thresholds, clf.labels)
        report = multilabel_report(data.y(split), pred, clf.labels, config.core_labels)
        sources = per_source_reports(data.y(split), pred, data.splits[split]["source"], clf.labels, config.core_labels)
        row[split] = {
            "overall": report["averages"]["core_macro"]["f1"],
            **{s: r["averages"]["core_macro"]["f1"] for s, r in sources.items()},
            "sanctions_recall_reuters": {
                s: r["per_label"]["sanctions"]["recall"] for s, r in sources.items() if s.startswith("reuters")
            },
        }
    log.info("%s", row)
    return row


def run(
    config_path: Path, curve: bool, only: list[str] | None = None, epochs: float | None = None, patience: int | None = None
) -> list[dict]:
    config = load_config(config_path)
    changes = {k: v for k, v in (("epochs", epochs), ("patience", patience)) if v is not None}
    if changes:
        config = config.model_copy(update={"training": config.training.model_copy(update=changes)})
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    data = load_splits(config)
    check_encoder_split(config, data)
    clf = build_classifier(config)
    splits = ("train", "dev", "test")
    flat = [it for s in splits for it in data.texts(s)]
    cached = sentence_cache(clf, flat, Path(config.checkpoint_dir) / "cache")
    emb, pos = {}, 0
    for s in splits:
        emb[s] = cached[pos : pos + len(data.texts(s))]
        pos += len(data.texts(s))
    p = config.model
    if curve:
        variants = [(p.pooling, p.size, f, f"curve-{int(f * 100)}") for f in (0.25, 0.5, 1.0)]
    else:
        variants = [(pool, p.size, 1.0, f"{pool}-k{p.size}") for pool in ("lse", "max", "mean", "noisy_or")]
        variants += [(p.pooling, k, 1.0, f"{p.pooling}-k{k}") for k in (1, 2, 3) if k != p.size]
    if only:
        variants = [v for v in variants if v[3] in only]
    return [_variant(config, data, emb, pool, k, f, name) for pool, k, f, name in variants]


def render(rows: list[dict], split: str) -> Table:
    sources = [k for k in rows[0][split] if k not in ("overall", "sanctions_recall_reuters")]
    table = Table(title=f"passages variants: core macro-F1 on {split}")
    for c in ["variant", "train items", *sources, "overall", "sanctions R (reuters)", "train s"]:
        table.add_column(c, justify="left" if c == "variant" else "right")
    for r in rows:
        m = r[split]
        rec = ", ".join(f"{v:.2f}" for v in m["sanctions_recall_reuters"].values())
        table.add_row(r["name"], str(r["train_items"]), *[f"{m[s]:.3f}" for s in sources], f"{m['overall']:.3f}", rec,
                      f"{r['seconds']:.0f}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("--curve", action="store_true", help="learning curve instead of pooling/window variants")
    parser.add_argument("--only", nargs="+", help="run only these variants (e.g. max-k2 mean-k2 curve-25)")
    parser.add_argument("--epochs", type=float, help="override training.epochs (quicker comparisons)")
    parser.add_argument("--patience", type=int, help="override training.patience")
    parser.add_argument("-o", "--output")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rows = run(Path(args.config), args.curve, args.only, epochs=args.epochs, patience=args.patience)
    for split in ("dev", "test"):
        Console().print(render(rows, split))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
