"""Fit a length-routed topic model: choose on dev the longest body the first (short-item) route takes."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from foreign_desk.inference.topics.routed import RoutedTopicClassifier, body_length, rescale_to_half
from foreign_desk.training.topic.config import RoutedParams, TopicConfig
from foreign_desk.training.topic.data import TopicData
from foreign_desk.training.topic.metrics import balanced_score, decide, multilabel_report
from foreign_desk.training.topic.train_ensemble import load_member

log = logging.getLogger(__name__)


def train_routed(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[RoutedTopicClassifier, dict]:
    """Routes must be trained on the same split (checked by fingerprint); each keeps its own thresholds; nothing is
    fitted on test. Every route scores every dev item once; each candidate limit then only picks rows."""
    params = config.model
    assert isinstance(params, RoutedParams)
    started = time.perf_counter()
    routes = [load_member(Path(p), config, data, role="route model") for p in params.routes]
    dev = [{"title": h, "text": b} for h, b in data.texts("dev")]
    scored = [rescale_to_half(r.predict_proba(dev), r.threshold_vector()) for r in routes]
    strip = routes[0].strip_dateline
    lengths = np.array([body_length(item, i, strip) for i, item in enumerate(dev)])
    y = data.y("dev")
    sources = data.splits["dev"]["source"]
    half = {label: 0.5 for label in config.labels}
    core_labels = config.core_labels if config.selection_metric == "core_macro_f1" else []
    history, best = [], None
    for limit in params.max_chars_grid:
        short = lengths <= limit
        proba = np.where(short[:, None], scored[0], scored[1])
        pred = decide(proba, half, config.labels)
        report = multilabel_report(y, pred, config.labels, config.core_labels)
        core = report["averages"].get("core_macro", {}).get("f1")
        score = core if core_labels and core is not None else report["macro_f1"]
        entry = {"epoch": f"max_chars={limit}", "dev_macro_f1": report["macro_f1"], "dev_core_macro_f1": core,
                 "dev_short_items": int(short.sum())}  # fmt: skip
        if config.balance_sources:
            score = balanced_score(y, pred, config.labels, core_labels, sources)
            entry["dev_source_mean"] = score
        history.append(entry)
        log.info("max_chars %d: %d of %d dev items short, dev score %.4f", limit, short.sum(), len(dev), score)
        if best is None or score > best[0]:
            best = (score, limit)
    _, limit = best
    out = Path(config.output_dir).resolve()
    rel = [os.path.relpath(Path(p).resolve(), out) for p in params.routes]
    clf = RoutedTopicClassifier(config.labels, [(routes[0], limit, rel[0]), (routes[1], None, rel[1])])
    notes = [
        f"Routing: articles whose prepared body has at most {limit} characters go to `{rel[0]}`, the others to "
        f"`{rel[1]}`; each route keeps its own per-label thresholds (its scores are rescaled so they sit at 0.5)."
    ]
    summary = {"training_seconds": time.perf_counter() - started, "history": history, "best_epoch": f"max_chars={limit}",
               "notes": notes}  # fmt: skip
    return clf, summary
