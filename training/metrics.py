"""The one metrics report of every task: ``metrics.json`` beside every saved model, ``foreign-desk evaluate -o``.

A split report (``split_report``) has the same keys for every task::

    {"n": items, "macro_f1": ..., "micro_f1": ..., "accuracy": ...,   # accuracy: exact match for multi-label
     "per_label": {label: {"precision", "recall", "f1", "support"}},
     "averages": {"macro": {...}, "micro": {...}, ["core_macro": {...}]},
     "confusion": ...}   # single-label: {"labels", "matrix"}; multi-label: label -> {"tp", "fp", "fn", "tn"}

and ``metrics.json`` is ``{"task", "kind", "dev": report, "test": report}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)

METRICS_NAME = "metrics.json"
SPLIT_KEYS = ("n", "macro_f1", "micro_f1", "accuracy", "per_label", "averages", "confusion")


def _row(p: float, r: float, f: float, s: int) -> dict[str, float]:
    return {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}


def _average(per_label: Mapping[str, Mapping[str, float]], names: Sequence[str]) -> dict[str, float]:
    return {k: float(np.mean([per_label[n][k] for n in names])) for k in ("precision", "recall", "f1")} | {
        "support": int(sum(per_label[n]["support"] for n in names))
    }


def split_report(
    y: np.ndarray, pred: np.ndarray, labels: Sequence[str], core: Sequence[str] = (), multilabel: bool = False
) -> dict[str, Any]:
    """The report of one split. Single-label: ``y``/``pred`` are label indices ``(n,)``; multi-label: 0/1 indicator
    matrices ``(n, len(labels))``. ``core``: labels whose macro average is reported as ``core_macro``."""
    y, pred = np.asarray(y), np.asarray(pred)
    idx = list(range(len(labels)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=idx, average=None, zero_division=0)
    per_label = {label: _row(p[i], r[i], f[i], s[i]) for i, label in enumerate(labels)}
    mp, mr, mf, _ = precision_recall_fscore_support(y, pred, labels=idx, average="micro", zero_division=0)
    averages = {"macro": _average(per_label, labels)}
    if core:
        averages["core_macro"] = _average(per_label, core)
    averages["micro"] = _row(mp, mr, mf, sum(int(x) for x in s))
    if multilabel:
        cm = multilabel_confusion_matrix(y, pred, labels=idx) if len(y) else np.zeros((len(labels), 2, 2), int)
        confusion: Any = {
            label: {"tp": int(m[1, 1]), "fp": int(m[0, 1]), "fn": int(m[1, 0]), "tn": int(m[0, 0])}
            for label, m in zip(labels, cm, strict=True)
        }
    else:
        matrix = confusion_matrix(y, pred, labels=idx).tolist() if len(y) else [[0] * len(idx) for _ in idx]
        confusion = {"labels": list(labels), "matrix": matrix}
    return {
        "n": int(len(y)),
        "macro_f1": averages["macro"]["f1"],
        "micro_f1": averages["micro"]["f1"],
        "accuracy": float(accuracy_score(y, pred)) if len(y) else 0.0,
        "per_label": per_label,
        "averages": averages,
        "confusion": confusion,
    }


def card_rows(report: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Metric rows of a model card: every label, then the averages."""
    return {**report["per_label"], **report["averages"]}


def write_metrics(
    model_dir: Path, task: str, kind: str, dev: Mapping[str, Any], test: Mapping[str, Any] | None,
    per_source: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``model_dir/metrics.json`` (the caller refreshes the manifest). ``per_source``: ``{"dev": {source:
    report}, "test": {...}}`` where the data mixes sources (topic)."""
    path = Path(model_dir) / METRICS_NAME
    payload = {"task": task, "kind": kind, "dev": dev, "test": test}
    if per_source:
        payload["per_source"] = per_source
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def print_report(report: Mapping[str, Any], title: str) -> None:
    """A table of the per-label rows and the averages (bold)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title}: macro-F1 {report['macro_f1']:.3f}, accuracy {report['accuracy']:.3f}")
    for col in ("label", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for row, m in card_rows(report).items():
        style = "bold" if row in report["averages"] else None
        table.add_row(row, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]), style=style)
    Console().print(table)


def evaluation_result(
    report: Mapping[str, Any], model_dir: Path, task: str, kind: str, split: str, int8: bool, seconds: float,
    output: Path | None,
) -> dict[str, Any]:
    """What ``evaluate`` returns and writes to ``output``: the split report plus what was evaluated."""
    result = {"model": str(model_dir), "task": task, "kind": kind, "split": split, "int8": int8,
              "seconds": round(seconds, 2), **report}
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
