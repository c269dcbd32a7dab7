"""Per-label decision thresholds (tuned on dev) and multi-label metrics."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score

from foreign_desk.training.metrics import split_report

log = logging.getLogger(__name__)
GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
DEFAULT_THRESHOLD = 0.5


def tune_thresholds(y: np.ndarray, proba: np.ndarray, labels: Sequence[str], smooth: int = 2) -> dict[str, float]:
    """Per-label threshold maximising dev F1 (F1 curve smoothed over +-``smooth`` grid steps against tiny-sample noise).

    A label without dev positives keeps :data:`DEFAULT_THRESHOLD`, with a warning.
    """
    out: dict[str, float] = {}
    for j, label in enumerate(labels):
        if y[:, j].sum() == 0:
            log.warning("label %r: no dev positives, threshold falls back to %.2f", label, DEFAULT_THRESHOLD)
            out[label] = DEFAULT_THRESHOLD
            continue
        f1 = np.array([f1_score(y[:, j], proba[:, j] >= t, zero_division=0) for t in GRID])
        if smooth:
            kernel = np.ones(2 * smooth + 1) / (2 * smooth + 1)
            f1 = np.convolve(np.pad(f1, smooth, mode="edge"), kernel, mode="valid")
        best = np.flatnonzero(np.isclose(f1, f1.max()))
        out[label] = float(GRID[best[len(best) // 2]])
    return out


def decide(proba: np.ndarray, thresholds: dict[str, float], labels: Sequence[str]) -> np.ndarray:
    return (proba >= np.array([thresholds[label] for label in labels])[None, :]).astype(np.int64)


def multilabel_report(y: np.ndarray, pred: np.ndarray, labels: Sequence[str], core: Sequence[str] = ()) -> dict:
    """The shared split report (:func:`foreign_desk.training.metrics.split_report`) of 0/1 label matrices."""
    return split_report(y, pred, labels, core, multilabel=True)


def selection_score(report: dict, metric: str) -> float:
    averages = report["averages"]
    return averages["core_macro" if metric == "core_macro_f1" and "core_macro" in averages else "macro"]["f1"]
