"""``evaluate(model_dir, split)``: re-create the held-out split from the saved config and seed, and score it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rich.console import Console

from foreign_desk.inference.topics.base import TopicClassifier
from foreign_desk.training.config import migrate_training_config, saved_config
from foreign_desk.training.metrics import evaluation_result, print_report
from foreign_desk.training.topic.config import TopicConfig, config_from_dict
from foreign_desk.training.topic.data import TopicData, load_splits
from foreign_desk.training.topic.metrics import decide, multilabel_report, per_source_reports, per_source_table

log = logging.getLogger(__name__)


def held_out_data(model_dir: Path) -> tuple[TopicConfig, TopicData]:
    """The training config of a saved topic model (older shapes migrated) and its re-created splits."""
    model_dir = Path(model_dir)
    saved = saved_config(model_dir)
    config = config_from_dict(migrate_training_config(saved, model_dir), source=f"{model_dir}/config.json")
    data = load_splits(config)
    if saved.get("split_fingerprint") and saved["split_fingerprint"] != data.fingerprint:
        raise ValueError(
            f"{model_dir}: the re-created dev/test split differs from the one used in training "
            f"(fingerprint {data.fingerprint} != {saved['split_fingerprint']}): the data files changed"
        )
    return config, data


def evaluate(
    model_dir: str | Path, split: str = "test", output: Path | None = None, batch_size: int = 16, quantize: bool = False,
    allow_unverified: bool = False,
) -> dict:
    """Print per-label precision/recall/F1 and macro/core-macro/micro F1 on ``split``; write JSON to ``output``.
    ``quantize`` evaluates the int8 path."""
    if split not in ("dev", "test"):
        raise ValueError(f"split must be 'dev' or 'test', got {split!r}")
    model_dir = Path(model_dir)
    clf = TopicClassifier.from_pretrained(model_dir, quantize=quantize, allow_unverified=allow_unverified)
    config, data = held_out_data(model_dir)
    started = time.perf_counter()
    proba = clf.predict_proba([{"title": h, "text": b} for h, b in data.texts(split)], batch_size=batch_size)
    pred = decide(proba, clf.thresholds, clf.labels)
    report = multilabel_report(data.y(split), pred, clf.labels, config.core_labels)
    title = f"topic {clf.kind}{' int8' if quantize else ''} on {split}"
    print_report(report, f"{title} ({report['n']} articles)")
    sources = per_source_reports(data.y(split), pred, data.splits[split]["source"], clf.labels, config.core_labels)
    if config.core_labels:
        Console().print(per_source_table({**sources, "overall": report}, config.core_labels, f"{title}, per source"))
    for name, r in sources.items():
        print_report(r, f"{title}: {name} ({r['n']} items)")
    seconds = time.perf_counter() - started
    return evaluation_result(
        {**report, "per_source": sources}, model_dir, "topic", clf.kind, split, quantize, seconds, output
    )
