"""Static-scale int8 for encoders: every ``nn.Linear`` runs int8 GEMMs with a *fixed* (calibrated) input scale.

Dynamic int8 (:func:`foreign_desk.inference.encoder.quantize_int8`) computes each Linear's input scale from the
whole batch, padding included, so an item's output depends on the other items of its batch. Here the scale of every
Linear's input is measured once on calibration sentences and stored beside the model (``int8_calibration.json``);
weights are int8 per output channel, outputs float. Each row is then computed on its own: the same text gets the
same scores in any batch, and batches stay batched (faster than dynamic int8 run one text at a time).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from foreign_desk.inference.manifest import damaged

CALIBRATION_NAME = "int8_calibration.json"
FORMAT = 1


class StaticInt8Linear(nn.Module):
    """``nn.Linear`` with int8 weights (per output channel) and a fixed uint8 input scale; float in, float out."""

    def __init__(self, linear: nn.Linear, low: float, high: float) -> None:
        super().__init__()
        low, high = min(float(low), 0.0), max(float(high), 0.0)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.scale = max((high - low) / 255.0, 1e-8)
        self.zero_point = int(min(255, max(0, round(-low / self.scale))))
        weight = linear.weight.detach().float()
        channel_scale = (weight.abs().amax(dim=1) / 127.0).clamp(min=1e-8).double()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qweight = torch.quantize_per_channel(
                weight, channel_scale, torch.zeros(weight.shape[0], dtype=torch.long), 0, torch.qint8
            )
        bias = linear.bias.detach().float() if linear.bias is not None else None
        self._packed = torch.ops.quantized.linear_prepack(qweight, bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        flat = x.reshape(-1, shape[-1]).float().contiguous()
        y = torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32(
            flat, self.scale, self.zero_point, self._packed
        )
        return y.reshape(*shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return f"in={self.in_features}, out={self.out_features}, scale={self.scale:.4g}, zero_point={self.zero_point}"


def linear_names(model: nn.Module) -> list[str]:
    return [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]


@torch.inference_mode()
def activation_ranges(model: nn.Module, run: Callable[[], Any]) -> dict[str, tuple[float, float]]:
    """``{linear name: (min, max)}`` of every ``nn.Linear``'s input over what ``run()`` feeds ``model`` (padding rows
    included: they pass through the Linears too)."""
    ranges: dict[str, tuple[float, float]] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):

            def hook(_module, inputs, _output, name=name) -> None:
                x = inputs[0]
                low, high = ranges.get(name, (0.0, 0.0))
                ranges[name] = (min(low, float(x.min())), max(high, float(x.max())))

            hooks.append(module.register_forward_hook(hook))
    try:
        run()
    finally:
        for h in hooks:
            h.remove()
    missing = [n for n in linear_names(model) if n not in ranges]
    if missing:
        raise ValueError(f"calibration never reached {len(missing)} Linear layers (first: {missing[0]})")
    return ranges


def quantize_static_int8(model: nn.Module, ranges: dict[str, tuple[float, float]]) -> nn.Module:
    """Replace every ``nn.Linear`` of ``model`` (in place) by a :class:`StaticInt8Linear` with its calibrated range."""
    names = linear_names(model)
    missing = [n for n in names if n not in ranges]
    if missing:
        raise ValueError(f"no calibrated input range for {len(missing)} Linear layers (first: {missing[0]})")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, StaticInt8Linear(getattr(parent, child), *ranges[name]))
    return model


def quantize_model_encoder(encoder: nn.Module, ranges: dict[str, tuple[float, float]], model_dir: Path) -> nn.Module:
    """:func:`quantize_static_int8` for a loaded model: a calibration that does not fit its encoder is a
    ``ModelLoadError`` naming the model directory."""
    try:
        return quantize_static_int8(encoder, ranges)
    except ValueError as exc:
        raise damaged(Path(model_dir), CALIBRATION_NAME, exc) from exc


def save_calibration(model_dir: Path, ranges: dict[str, tuple[float, float]], source: str) -> Path:
    path = Path(model_dir) / CALIBRATION_NAME
    data = {"format": FORMAT, "calibrated_on": source, "ranges": {k: [lo, hi] for k, (lo, hi) in ranges.items()}}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def load_calibration(model_dir: Path) -> dict[str, tuple[float, float]] | None:
    """The stored input ranges, ``None`` when the model has none; a damaged file is a ``ModelLoadError`` naming the
    model directory."""
    path = Path(model_dir) / CALIBRATION_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        ranges = {}
        for name, pair in data["ranges"].items():
            low, high = (float(v) for v in pair)
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise ValueError(f"bad range {pair!r} for {name}")
            ranges[name] = (low, high)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise damaged(Path(model_dir), CALIBRATION_NAME, exc) from exc
    return ranges
