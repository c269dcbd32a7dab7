"""Fit an ensemble of saved topic models: choose the averaging weight and per-label thresholds on dev."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from foreign_desk.inference.topics.base import TopicClassifier
from foreign_desk.inference.topics.ensemble import EnsembleTopicClassifier
from foreign_desk.training.topic.config import EnsembleParams, TopicConfig
from foreign_desk.training.topic.data import TopicData
from foreign_desk.training.topic.metrics import balanced_score, decide, multilabel_report, thresholds_for

log = logging.getLogger(__name__)


def load_member(path: Path, config: TopicConfig, data: TopicData, role: str = "ensemble member") -> TopicClassifier:
    """A saved topic model a composed model is built from (``role`` names it in errors): same labels as the config,
    trained on the same split (fingerprint), so none of its training data is in this config's dev/test."""
    if not path.is_dir():
        raise FileNotFoundError(f"{role} not found: {path}")
    clf = TopicClassifier.from_pretrained(path)
    if list(clf.labels) != list(config.labels):
        raise ValueError(f"{role} {path} has labels {clf.labels}, the config has {config.labels}")
    if clf.config.get("split_fingerprint") != data.fingerprint:
        raise ValueError(
            f"{role} {path} was trained on a different train/dev/test split: its training data may hold "
            "this config's dev/test articles; retrain it with the same data, fractions and seed"
        )
    return clf


def train_ensemble(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[TopicClassifier, dict]:
    """Members must be trained on the same split (checked by fingerprint); nothing is fitted on test."""
    params = config.model
    assert isinstance(params, EnsembleParams)
    started = time.perf_counter()
    members = [load_member(Path(p), config, data) for p in params.members]
    dev = [{"title": h, "text": b} for h, b in data.texts("dev")]
    probas = [m.predict_proba(dev) for m in members]
    y = data.y("dev")
    sources = data.splits["dev"]["source"]
    history, best = [], None
    for w in params.first_weight_grid:
        proba = w * probas[0] + (1 - w) * probas[1]
        thresholds = thresholds_for(config, y, proba, config.labels, sources)
        pred = decide(proba, thresholds, config.labels)
        report = multilabel_report(y, pred, config.labels, config.core_labels)
        core = report["averages"].get("core_macro", {}).get("f1")
        score = core if config.selection_metric == "core_macro_f1" and core is not None else report["macro_f1"]
        entry = {"epoch": f"w={w:.2f}", "dev_macro_f1": report["macro_f1"], "dev_core_macro_f1": core}
        if config.balance_sources:
            core_labels = config.core_labels if config.selection_metric == "core_macro_f1" else []
            score = balanced_score(y, pred, config.labels, core_labels, sources)
            entry["dev_source_mean"] = score
        history.append(entry)
        log.info("weight %.2f: dev macro-F1 %.3f, core %s", w, report["macro_f1"], "n/a" if core is None else f"{core:.3f}")
        if best is None or score > best[0]:
            best = (score, w, thresholds)
    _, weight, thresholds = best
    out = Path(config.output_dir).resolve()
    rel = [os.path.relpath(Path(p).resolve(), out) for p in params.members]
    clf = EnsembleTopicClassifier(
        config.labels, [(members[0], weight, rel[0]), (members[1], 1 - weight, rel[1])], thresholds
    )
    summary = {"training_seconds": time.perf_counter() - started, "history": history, "best_epoch": f"w={weight:.2f}"}
    return clf, summary
