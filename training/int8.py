"""Shared steps of the int8 calibration tasks (``stance_int8``, ``topic_int8``): measure and store the input ranges
of an encoder, then store the comparison figures with the model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn


def calibrate(model_dir: Path, encoder: nn.Module, run: Callable[[], Any], source: str) -> dict:
    """Measure every Linear's input range of ``encoder`` over what ``run()`` feeds it, store them as the model's
    ``int8_calibration.json`` and regenerate the manifest (the calibration is part of the model from then on)."""
    from foreign_desk.inference.int8 import activation_ranges, save_calibration
    from foreign_desk.inference.manifest import write_manifest

    ranges = activation_ranges(encoder, run)
    save_calibration(model_dir, ranges, source)
    write_manifest(model_dir)
    return ranges


def check_static(model: Any, model_dir: Path) -> None:
    if getattr(model, "int8", None) != "static":
        raise RuntimeError(f"{model_dir}: the calibration was written but not used")


def store_metrics(model_dir: Path, metrics_name: str, metrics: dict, card_lines: list[str]) -> None:
    """``metrics_name`` (JSON), the model card section ``card_lines`` and a regenerated manifest."""
    from foreign_desk.inference.manifest import write_manifest
    from foreign_desk.training.stance.article_rule import compact_json, write_card_section

    (model_dir / metrics_name).write_text(compact_json(metrics) + "\n", encoding="utf-8")
    write_card_section(model_dir, card_lines)
    write_manifest(model_dir)
