"""``evaluate(model_dir, split)``: re-create the held-out split from the saved config and seed, and score it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from rich.console import Console
from rich.table import Table

from foreign_desk.inference.topics.base import TopicClassifier
from foreign_desk.training.topic.config import config_from_dict
from foreign_desk.training.topic.data import load_splits
from foreign_desk.training.topic.metrics import decide, multilabel_report

log = logging.getLogger(__name__)


def render_table(report: dict[str, dict[str, float]], title: str) -> Table:
    table = Table(title=title)
    for col in ("label", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for row, m in report.items():
        style = "bold" if row in ("macro", "core_macro", "micro") else None
        table.add_row(
            row, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]), style=style
        )
    return table


def evaluate(
    model_dir: str | Path, split: str = "test", output: Path | None = None, batch_size: int = 16, quantize: bool = False
) -> dict:
    """Print per-label precision/recall/F1 and macro/core-macro/micro F1 on ``split``; write JSON to ``output``.
    ``quantize`` evaluates the int8 path."""
    model_dir = Path(model_dir)
    clf = TopicClassifier.from_pretrained(model_dir, quantize=quantize)
    saved = json.loads((model_dir / "config.json").read_text("utf-8"))
    if "training_config" not in saved:
        raise ValueError(f"{model_dir}: config.json has no training_config; cannot re-create its held-out split")
    config = config_from_dict(saved["training_config"], source=f"{model_dir}/config.json")
    data = load_splits(config)
    if saved.get("split_fingerprint") and saved["split_fingerprint"] != data.fingerprint:
        raise ValueError(
            f"{model_dir}: the re-created dev/test split differs from the one used in training "
            f"(fingerprint {data.fingerprint} != {saved['split_fingerprint']}): the data files changed"
        )
    if split not in ("dev", "test"):
        raise ValueError(f"split must be 'dev' or 'test', got {split!r}")
    pairs = data.texts(split)
    proba = clf.predict_proba([{"title": h, "text": b} for h, b in pairs], batch_size=batch_size)
    report = multilabel_report(data.y(split), decide(proba, clf.thresholds, clf.labels), clf.labels, config.core_labels)
    Console().print(render_table(report, f"{model_dir} ({clf.kind}{', int8' if quantize else ''}) on {split} ({len(pairs)} articles)"))
    result = {"model_dir": str(model_dir), "kind": clf.kind, "int8": quantize, "split": split, "n": len(pairs), "metrics": report}
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
