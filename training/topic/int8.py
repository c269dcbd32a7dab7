"""Calibrate static int8 for a saved passages topic model (``task: topic_int8``, no network training).

    foreign-desk train configs/topic-int8.yaml

Every Linear of the passages model's encoder gets its input range measured on sentences of *train* items of the
model's own split and written to ``<model_dir>/int8_calibration.json`` (a model with top layers on a shared
stance encoder calibrates the Linears of its top layers instead: the encoder takes the stance model's own int8 path,
so the stance pass's states can still be reused) (read by
``TopicClassifier.from_pretrained(..., quantize=True)``, also through an ensemble that has the model as a member).
The step then compares float and int8 on dev and test (core macro-F1 per source, identical label sets), checks that
an article's int8 scores do not depend on the other articles of its batch, and writes ``int8_metrics.json``, the
model card's int8 section and a regenerated manifest.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from foreign_desk.training.config_io import read_yaml_mapping, validate

METRICS_NAME = "int8_metrics.json"
CARD_MARKER = "## int8 (static calibration)"


class TopicInt8Config(BaseModel):
    """Which saved passages topic model is calibrated, on how many train sentences."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["topic_int8"] = "topic_int8"
    model_dir: Path = Field(Path("models/topic-passages"), description="the saved passages model; updated in place")
    calibration_sentences: int = Field(1500, gt=0, description="train sentences, evenly spaced, setting the ranges")
    invariance_items: int = Field(60, ge=0, description="test items scored alone and in one batch")
    evaluation_items: int | None = Field(None, gt=0, description="first N dev/test items compared (default: all)")
    num_threads: int | None = Field(None, ge=1)


def load_config(path: str | Path) -> TopicInt8Config:
    from foreign_desk.training.stance.article_rule import resolve

    config = validate(TopicInt8Config, read_yaml_mapping(path), str(path), "topic_int8 config")
    model_config = resolve(config.model_dir) / "config.json"
    if not model_config.is_file():
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a saved model directory")
    saved = json.loads(model_config.read_text(encoding="utf-8"))
    if saved.get("kind") != "passages" or not saved.get("encoder_model"):
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a passages topic model with its own encoder")
    return config


def _core_f1(gold: list[list[str]], predicted: list[list[str]], sources: list[str], core: list[str]) -> dict:
    from sklearn.metrics import f1_score

    out = {}
    for source in [*dict.fromkeys(sources), "all"]:
        rows = [i for i, s in enumerate(sources) if source in ("all", s)]
        y = np.array([[label in gold[i] for label in core] for i in rows])
        p = np.array([[label in predicted[i] for label in core] for i in rows])
        out[source] = float(f1_score(y, p, average="macro", zero_division=0)) if rows else 0.0
    return out


def train(config: TopicInt8Config, resume: bool = False) -> Path:
    """Calibrate, compare and store (``resume`` has no meaning for this step: it takes a few minutes)."""
    import torch

    from foreign_desk.inference.topics import TopicClassifier
    from foreign_desk.training.int8 import calibrate, check_static, store_metrics
    from foreign_desk.training.stance.article_rule import resolve
    from foreign_desk.training.topic.evaluate import held_out_data

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    model_dir = resolve(config.model_dir)
    fp32 = TopicClassifier.from_pretrained(model_dir)
    topic_config, data = held_out_data(model_dir)
    train_items = [{"title": h, "text": b} for h, b in data.texts("train")]
    sentences = [s for sents, _ in fp32.article_passages(train_items) for s in sents]
    if not sentences:
        raise ValueError(f"{model_dir}: no train sentences to calibrate on")
    step = max(1, len(sentences) // config.calibration_sentences)
    calibration = sentences[::step][: config.calibration_sentences]
    # a model with top layers on a shared (stance) encoder calibrates its top layers: the encoder takes its own
    # model's int8 path, so its states stay those of the stance pass
    target = fp32.top if fp32.top is not None else fp32.encoder
    ranges = calibrate(model_dir, target, lambda: fp32.encode_sentences(calibration),
                       f"{len(calibration)} sentences of the model's train items")
    int8 = TopicClassifier.from_pretrained(model_dir, quantize=True)
    if fp32.top is not None:
        if int8.top_int8 != "static":
            raise RuntimeError(f"{model_dir}: the top-layer calibration was written but not used")
    else:
        check_static(int8, model_dir)

    metrics: dict = {"calibration_sentences": len(calibration), "linear_layers": len(ranges),
                     "calibrated": "top layers" if fp32.top is not None else "encoder"}  # fmt: skip
    core = list(topic_config.core)
    for split in ("dev", "test"):
        n = config.evaluation_items
        items = [{"title": h, "text": b} for h, b in data.texts(split)][:n]
        ds = data.splits[split]
        gold, sources = [list(t) for t in ds["topics"]][:n], list(ds["source"])[:n]
        t0 = time.perf_counter()
        p32 = fp32.predict(items)
        t32 = time.perf_counter() - t0
        t0 = time.perf_counter()
        p8 = int8.predict(items)
        t8 = time.perf_counter() - t0
        metrics[split] = {
            "n": len(items),
            "core_macro_f1_fp32": _core_f1(gold, [p.labels for p in p32], sources, core),
            "core_macro_f1_int8": _core_f1(gold, [p.labels for p in p8], sources, core),
            "same_label_set": float(np.mean([a.labels == b.labels for a, b in zip(p32, p8, strict=True)])),
            "articles_per_s": {"fp32": len(items) / t32, "int8": len(items) / t8},
        }
    probe = [{"title": h, "text": b} for h, b in data.texts("test")][: config.invariance_items]
    if probe:
        together = int8.predict(probe)
        alone = [int8.predict([item])[0] for item in probe]
        metrics["batch_invariance"] = {
            "n": len(probe),
            "label_sets_changed": int(sum(a.labels != b.labels for a, b in zip(together, alone, strict=True))),
            "max_abs_score_change": float(max(abs(a.scores[k] - b.scores[k]) for a, b in zip(together, alone, strict=True)
                                              for k in a.scores)),
        }
    metrics["threads"] = torch.get_num_threads()
    store_metrics(model_dir, METRICS_NAME, metrics, card_lines(metrics))
    test = metrics["test"]
    print(f"int8 calibrated on {len(calibration)} sentences: test core macro-F1 {test['core_macro_f1_int8']['all']:.3f} "
          f"(fp32 {test['core_macro_f1_fp32']['all']:.3f}), same label set {test['same_label_set']:.1%}")
    return model_dir


def card_lines(metrics: dict) -> list[str]:
    lines = [
        CARD_MARKER,
        "",
        f"`quantize=True` runs every {'top-layer' if metrics.get('calibrated') == 'top layers' else 'encoder'} "
        "Linear in int8 with a fixed input scale calibrated on "
        f"{metrics['calibration_sentences']} sentences of the train items (`int8_calibration.json`, "
        "`foreign-desk train configs/topic-int8.yaml`): an article's scores do not depend on the other articles of "
        "its batch.",
        "",
        "| split | source | core macro-F1 fp32 | core macro-F1 int8 |",
        "|---|---|---:|---:|",
    ]
    for split in ("dev", "test"):
        m = metrics[split]
        for source, f32 in m["core_macro_f1_fp32"].items():
            lines.append(f"| {split} | {source} | {f32:.3f} | {m['core_macro_f1_int8'][source]:.3f} |")
    lines.append("")
    lines.append(f"Same label set fp32 vs int8: dev {metrics['dev']['same_label_set']:.1%}, test "
                 f"{metrics['test']['same_label_set']:.1%}.")
    inv = metrics.get("batch_invariance")
    if inv:
        lines.append(f"Alone vs batched ({inv['n']} test articles): {inv['label_sets_changed']} label sets changed, "
                     f"largest score change {inv['max_abs_score_change']:.1e}.")
    return lines


def evaluate(model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False) -> dict:
    """The calibration has no split of its own: evaluate the topic model (task ``topic``) with ``--int8``."""
    raise ValueError("evaluate the topic model itself (task 'topic', with --int8 for the calibrated int8 path)")
