"""Learning curve: train a topic config on growing fractions of its training split, score each on the same test split.

    python -m foreign_desk.training.topic.learning_curve configs/topic-tfidf.yaml --fractions 0.25 0.5 1.0 -o runs/lc/tfidf.json

Models go to ``runs/learning-curve/<name>-<fraction>`` (not ``models/``).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from rich.console import Console
from rich.table import Table

from foreign_desk.training.metrics import card_rows
from foreign_desk.training.topic.config import load_config
from foreign_desk.training.topic.evaluate import evaluate
from foreign_desk.training.topic.trainer import train


def learning_curve(config_path: Path, fractions: list[float], out_root: Path, split: str = "test") -> list[dict]:
    rows = []
    for fraction in fractions:
        base = load_config(config_path)
        name = f"{base.name}-{int(round(fraction * 100))}pct"
        data = base.data.model_dump() | {"train_fraction": fraction}
        config = load_config(
            config_path, data=data, name=name, output_dir=out_root / name, checkpoint_dir=out_root / f"ckpt-{name}"
        )
        model_dir = train(config)
        result = evaluate(model_dir, split=split, output=out_root / f"{name}.json")
        card = json.loads((model_dir / "config.json").read_text("utf-8"))
        rows.append(
            {
                "fraction": fraction,
                "train_seconds": card.get("training_seconds"),
                "metrics": card_rows(result),
                "core_labels": base.core_labels,
            }
        )
    return rows


def render(rows: list[dict], title: str) -> Table:
    core = rows[0]["core_labels"] if rows else []
    table = Table(title=title)
    for col in ["train fraction", *[f"F1 {c}" for c in core], "core macro-F1", "macro-F1", "micro-F1", "train s"]:
        table.add_column(col, justify="right")
    for r in rows:
        m = r["metrics"]
        table.add_row(
            f"{r['fraction']:.2f}",
            *[f"{m[c]['f1']:.3f}" for c in core],
            f"{m['core_macro']['f1']:.3f}" if "core_macro" in m else "",
            f"{m['macro']['f1']:.3f}",
            f"{m['micro']['f1']:.3f}",
            f"{r['train_seconds']:.0f}" if r["train_seconds"] is not None else "",
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 1.0])
    parser.add_argument("--out-root", default="runs/learning-curve")
    parser.add_argument("-o", "--output", help="write the curve as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rows = learning_curve(Path(args.config), args.fractions, Path(args.out_root))
    Console().print(render(rows, f"learning curve: {args.config} (held-out test split)"))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
