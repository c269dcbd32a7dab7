"""Calibrate static int8 for a saved MiniLM stance model (``task: stance_int8``, no network training).

    foreign-desk train configs/stance-int8.yaml

Every encoder Linear's input range is measured on NewsMTSC *train* targets of the model's own split and written to
``<model_dir>/int8_calibration.json`` (read by ``StanceClassifier.from_pretrained(..., quantize=True)``). The step
then compares float and int8 on the model's dev and test splits (macro-F1, label agreement, the largest probability
change), checks that int8 scores do not depend on batch composition, times both, and writes ``int8_metrics.json``,
the model card's int8 section and a regenerated manifest.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from foreign_desk.training.config_io import read_yaml_mapping, validate
from foreign_desk.training.int8 import calibrate, check_static, store_metrics
from foreign_desk.training.stance.article_rule import resolve

METRICS_NAME = "int8_metrics.json"
CARD_MARKER = "## int8 (static calibration)"


class Int8CalibrationConfig(BaseModel):
    """Which saved MiniLM stance model is calibrated, on how many NewsMTSC train targets."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["stance_int8"] = "stance_int8"
    model_dir: Path = Field(Path("models/stance-minilm"), description="the saved MiniLM stance model; updated in place")
    data: Path | None = Field(None, description="NewsMTSC jsonl (default: the one the model was trained on)")
    calibration_targets: int = Field(800, gt=0, description="train targets, evenly spaced, whose inputs set the ranges")
    invariance_targets: int = Field(200, ge=0, description="test targets scored alone and batched")
    batch_size: int = Field(32, ge=1)
    num_threads: int | None = Field(None, ge=1)


def load_config(path: str | Path) -> Int8CalibrationConfig:
    config = validate(Int8CalibrationConfig, read_yaml_mapping(path), str(path), "stance_int8 config")
    model_config = resolve(config.model_dir) / "config.json"
    if not model_config.is_file():
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a saved model directory")
    if json.loads(model_config.read_text(encoding="utf-8")).get("kind") != "minilm":
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a MiniLM stance model (int8 is for its encoder)")
    return config


def _splits(config: Int8CalibrationConfig, model_config: dict):
    from foreign_desk.training.stance.data import load_newsmtsc

    data = model_config.get("data") or {}
    path = resolve(Path(config.data or data.get("train") or "../shared/data/newsmtsc/train.jsonl"))
    if not path.is_file():
        raise ValueError(f"calibration data {path} not found")
    dsd = load_newsmtsc(path, int(data.get("seed", 13)), float(data.get("dev_fraction", 0.1)),
                        float(data.get("test_fraction", 0.1)), data.get("limit"))
    return path, dsd


def _compare(fp32, int8, targets, gold: list[str], batch_size: int) -> dict:
    from foreign_desk.inference.stance.targets import LABELS
    from foreign_desk.training.stance.metrics import stance_metrics

    p32 = fp32.predict_proba(targets, batch_size=batch_size)
    p8 = int8.predict_proba(targets, batch_size=batch_size)
    labels32 = [LABELS[i] for i in p32.argmax(1)]
    labels8 = [LABELS[i] for i in p8.argmax(1)]
    return {
        "n": len(targets),
        "macro_f1_fp32": stance_metrics(gold, labels32)["macro_f1"],
        "macro_f1_int8": stance_metrics(gold, labels8)["macro_f1"],
        "label_agreement": float(np.mean(p32.argmax(1) == p8.argmax(1))) if len(targets) else 1.0,
        "max_abs_proba_change": float(np.abs(p32 - p8).max()) if len(targets) else 0.0,
    }


def _throughput(clf, targets, batch_size: int) -> float:
    clf.predict_proba(targets[:8], batch_size=batch_size)  # warm-up
    t = time.perf_counter()
    clf.predict_proba(targets, batch_size=batch_size)
    return len(targets) / max(time.perf_counter() - t, 1e-9)


def train(config: Int8CalibrationConfig, resume: bool = False) -> Path:
    """Calibrate, compare and store (``resume`` has no meaning for this step: it takes a minute or two)."""
    import torch

    from foreign_desk.inference.stance import StanceClassifier
    from foreign_desk.training.stance.data import targets_of

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    model_dir = resolve(config.model_dir)
    fp32 = StanceClassifier.from_pretrained(model_dir)
    path, dsd = _splits(config, fp32.config)
    train_targets = targets_of(dsd["train"])
    if not train_targets:
        raise ValueError(f"{path}: no train targets to calibrate on")
    step = max(1, len(train_targets) // config.calibration_targets)
    calibration = train_targets[::step][: config.calibration_targets]
    ranges = calibrate(model_dir, fp32.model.encoder,
                       lambda: fp32.predict_proba(calibration, batch_size=config.batch_size),
                       f"{len(calibration)} NewsMTSC train targets of the model's split ({path.name})")
    int8 = StanceClassifier.from_pretrained(model_dir, quantize=True)
    check_static(int8, model_dir)

    metrics: dict = {"calibration_targets": len(calibration), "linear_layers": len(ranges), "data": str(path)}
    for split in ("dev", "test"):
        ds = dsd[split]
        metrics[split] = _compare(fp32, int8, targets_of(ds), list(ds["label"]), config.batch_size)
    probe = targets_of(dsd["test"])[: config.invariance_targets]
    if probe:
        together = int8.predict_proba(probe, batch_size=config.batch_size)
        alone = np.vstack([int8.predict_proba([t], batch_size=1) for t in probe])
        metrics["batch_invariance"] = {
            "n": len(probe),
            "labels_changed": int((together.argmax(1) != alone.argmax(1)).sum()),
            "max_abs_proba_change": float(np.abs(together - alone).max()),
        }
        metrics["targets_per_s"] = {
            "fp32": _throughput(fp32, targets_of(dsd["test"]), config.batch_size),
            "int8": _throughput(int8, targets_of(dsd["test"]), config.batch_size),
            "threads": torch.get_num_threads(),
        }
    store_metrics(model_dir, METRICS_NAME, metrics, card_lines(metrics))
    test = metrics["test"]
    print(f"int8 calibrated on {len(calibration)} targets: test macro-F1 {test['macro_f1_int8']:.3f} "
          f"(fp32 {test['macro_f1_fp32']:.3f}), labels agree {test['label_agreement']:.1%}")
    return model_dir


def card_lines(metrics: dict) -> list[str]:
    lines = [
        CARD_MARKER,
        "",
        "`quantize=True` runs every encoder Linear in int8 with a fixed input scale calibrated on "
        f"{metrics['calibration_targets']} NewsMTSC train targets (`int8_calibration.json`, "
        "`foreign-desk train configs/stance-int8.yaml`): each text's scores do not depend on its batch, and batches "
        "stay batched.",
        "",
        "| split | targets | macro-F1 fp32 | macro-F1 int8 | same label | largest probability change |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for split in ("dev", "test"):
        m = metrics[split]
        lines.append(f"| {split} | {m['n']} | {m['macro_f1_fp32']:.3f} | {m['macro_f1_int8']:.3f} | "
                     f"{m['label_agreement']:.1%} | {m['max_abs_proba_change']:.3f} |")
    inv = metrics.get("batch_invariance")
    if inv:
        lines += ["", f"Alone vs batched ({inv['n']} test targets): {inv['labels_changed']} labels changed, largest "
                  f"probability change {inv['max_abs_proba_change']:.1e}."]
    speed = metrics.get("targets_per_s")
    if speed:
        lines += [f"Speed on the test split ({speed['threads']} threads, one target per sentence mostly): "
                  f"{speed['fp32']:.0f} targets/s fp32, {speed['int8']:.0f} int8."]
    return lines


def evaluate(model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False) -> dict:
    """The calibration has no split of its own: evaluate the stance model (task ``stance``) with ``--int8``."""
    raise ValueError("evaluate the stance model itself (task 'stance', with --int8 for the calibrated int8 path)")
