"""Stance metrics: macro-F1 over the three labels, accuracy, per-label precision/recall/F1, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from foreign_desk.inference.stance.targets import LABELS


def stance_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    labels = list(LABELS)
    p, r, f, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, predicted)) if len(gold) else 0.0,
        "per_label": {
            label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": labels, "matrix": np.asarray(confusion_matrix(gold, predicted, labels=labels)).tolist()},
    }


def card_rows(metrics: dict) -> dict[str, dict[str, float]]:
    """Metric rows for a :class:`ModelCard` table."""
    rows = {label: {k: v for k, v in m.items()} for label, m in metrics["per_label"].items()}
    rows["macro"] = {"f1": metrics["macro_f1"], "accuracy": metrics["accuracy"], "support": metrics["n"]}
    return rows
