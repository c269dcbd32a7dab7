"""Per-label decision thresholds (tuned on dev) and multi-label metrics."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import fbeta_score

from foreign_desk.training.metrics import split_report

log = logging.getLogger(__name__)
GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
DEFAULT_THRESHOLD = 0.5


def _best_threshold(f1: np.ndarray, smooth: int) -> float:
    """The grid threshold at the middle of the maximum of the F1 curve (smoothed over +-``smooth`` grid steps)."""
    if smooth:
        kernel = np.ones(2 * smooth + 1) / (2 * smooth + 1)
        f1 = np.convolve(np.pad(f1, smooth, mode="edge"), kernel, mode="valid")
    best = np.flatnonzero(np.isclose(f1, f1.max()))
    return float(GRID[best[len(best) // 2]])


def tune_thresholds(
    y: np.ndarray, proba: np.ndarray, labels: Sequence[str], smooth: int = 2, beta: dict[str, float] | None = None
) -> dict[str, float]:
    """Per-label threshold maximising dev F1 (F1 curve smoothed over +-``smooth`` grid steps against tiny-sample noise);
    a label in ``beta`` maximises F-beta instead (recall weighs ``beta`` times precision).

    A label without dev positives keeps :data:`DEFAULT_THRESHOLD`, with a warning.
    """
    beta = beta or {}
    out: dict[str, float] = {}
    for j, label in enumerate(labels):
        if y[:, j].sum() == 0:
            log.warning("label %r: no dev positives, threshold falls back to %.2f", label, DEFAULT_THRESHOLD)
            out[label] = DEFAULT_THRESHOLD
            continue
        b = beta.get(label, 1.0)  # F-beta with beta 1 is F1
        score = np.array([fbeta_score(y[:, j], proba[:, j] >= t, beta=b, zero_division=0) for t in GRID])
        out[label] = _best_threshold(score, smooth)
    return out


def tune_thresholds_balanced(
    y: np.ndarray, proba: np.ndarray, labels: Sequence[str], sources: Sequence[str], smooth: int = 2,
    beta: dict[str, float] | None = None,
) -> dict[str, float]:
    """Per-label threshold maximising the MEAN over sources of that label's dev F1 (sources without a dev positive
    of the label are left out), so that no source is sacrificed to the largest one; F-beta for a label in ``beta``."""
    src = np.asarray(sources)
    beta = beta or {}
    out: dict[str, float] = {}
    for j, label in enumerate(labels):
        names = [s for s in dict.fromkeys(sources) if y[src == s, j].sum() > 0]
        if not names:
            log.warning("label %r: no dev positives, threshold falls back to %.2f", label, DEFAULT_THRESHOLD)
            out[label] = DEFAULT_THRESHOLD
            continue
        b = beta.get(label, 1.0)
        score = np.array(
            [np.mean([fbeta_score(y[src == s, j], proba[src == s, j] >= t, beta=b, zero_division=0) for s in names])
             for t in GRID]
        )
        out[label] = _best_threshold(score, smooth)
    return out


def thresholds_for(config, y: np.ndarray, proba: np.ndarray, labels: Sequence[str], sources: Sequence[str]) -> dict[str, float]:
    """Thresholds as the config asks: pooled dev F1, or the mean of per-source F1 (``balance_sources``); F-beta for
    the labels of ``threshold_beta``."""
    beta = dict(getattr(config, "threshold_beta", None) or {})
    if getattr(config, "balance_sources", False) and len(set(sources)) > 1:
        return tune_thresholds_balanced(y, proba, labels, sources, beta=beta)
    return tune_thresholds(y, proba, labels, beta=beta)


def balanced_score(y: np.ndarray, pred: np.ndarray, labels: Sequence[str], core: Sequence[str], sources: Sequence[str]) -> float:
    """Mean over sources of the macro-F1 over the core labels (all labels without core), each source averaging only
    the labels it has positives of (a label a source never shows would count as 0 whatever the model does)."""
    reports = per_source_reports(y, pred, sources, labels, core)
    names = list(core) or list(labels)
    means = []
    for r in reports.values():
        present = [r["per_label"][n]["f1"] for n in names if r["per_label"][n]["support"] > 0]
        if present:
            means.append(float(np.mean(present)))
    return float(np.mean(means)) if means else 0.0


def decide(proba: np.ndarray, thresholds: dict[str, float], labels: Sequence[str]) -> np.ndarray:
    return (proba >= np.array([thresholds[label] for label in labels])[None, :]).astype(np.int64)


def multilabel_report(y: np.ndarray, pred: np.ndarray, labels: Sequence[str], core: Sequence[str] = ()) -> dict:
    """The shared split report (:func:`foreign_desk.training.metrics.split_report`) of 0/1 label matrices."""
    return split_report(y, pred, labels, core, multilabel=True)


def selection_score(report: dict, metric: str) -> float:
    averages = report["averages"]
    return averages["core_macro" if metric == "core_macro_f1" and "core_macro" in averages else "macro"]["f1"]


SOURCE_ORDER = ("reuters_world", "reuters2017", "agnews_world", "conflibert_cameo")


def source_order(sources) -> list[str]:
    """Sources in report order: Reuters world, Reuters politics, snippets, sentences, then any other."""
    present = list(dict.fromkeys(sources))
    return [s for s in SOURCE_ORDER if s in present] + sorted(s for s in present if s not in SOURCE_ORDER)


def per_source_reports(
    y: np.ndarray, pred: np.ndarray, sources: Sequence[str], labels: Sequence[str], core: Sequence[str] = ()
) -> dict[str, dict]:
    """The split report of each source's items (``sources[i]`` names item i's source)."""
    src = np.asarray(sources)
    return {s: multilabel_report(y[src == s], pred[src == s], labels, core) for s in source_order(sources)}


def per_source_table(reports: dict[str, dict], core: Sequence[str], title: str):
    """A rich table: one row per source, core macro-F1, per-core-label F1 (and sanctions recall), macro-F1."""
    from rich.table import Table

    table = Table(title=title)
    cols = ["source", "n", "core macro-F1", *[f"F1 {c}" for c in core]]
    if "sanctions" in core:
        cols.append("R sanctions")
    cols.append("macro-F1")
    for c in cols:
        table.add_column(c, justify="left" if c == "source" else "right")
    for name, r in reports.items():
        pl = r["per_label"]
        row = [name, str(r["n"]), f"{r['averages']['core_macro']['f1']:.3f}" if "core_macro" in r["averages"] else ""]
        row += [f"{pl[c]['f1']:.3f}" for c in core]
        if "sanctions" in core:
            row.append(f"{pl['sanctions']['recall']:.3f}")
        row.append(f"{r['macro_f1']:.3f}")
        table.add_row(*row)
    return table
