"""Resumable training checkpoints without pickle: tensors in safetensors, the rest in JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from foreign_desk.inference.encoder import FROZEN_KEY_MARKERS


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Every weight except the frozen word embeddings, as contiguous float32 CPU copies."""
    return {
        k: v.detach().float().cpu().contiguous().clone()
        for k, v in model.state_dict().items()
        if not any(m in k for m in FROZEN_KEY_MARKERS)
    }


def save_checkpoint(directory: Path, model, optimizer, state: dict[str, Any], best: dict[str, torch.Tensor] | None):
    """Write model, optimizer and loop state; the previous checkpoint is replaced only once all files are written."""
    tmp = directory.with_name(directory.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(trainable_state(model), str(tmp / "model.safetensors"))
    if best is not None:
        save_file(best, str(tmp / "best.safetensors"))
    opt = optimizer.state_dict()
    tensors, scalars = {}, {}
    for idx, entry in opt["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"{idx}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{idx}.{key}"] = value
    save_file(tensors or {"_empty": torch.zeros(1)}, str(tmp / "optimizer.safetensors"))
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in opt["param_groups"]]
    payload = {"loop": state, "optimizer": {"param_groups": groups, "scalars": scalars}}
    (tmp / "state.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    if directory.exists():
        old = directory.with_name(directory.name + ".old")
        directory.rename(old)
        tmp.rename(directory)
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    else:
        tmp.rename(directory)


def load_checkpoint(directory: Path, model, optimizer) -> tuple[dict[str, Any], dict[str, torch.Tensor] | None]:
    """Restore model and optimizer in place; returns the loop state and the best weights so far (if any)."""
    payload = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    model.load_state_dict(load_file(str(directory / "model.safetensors")), strict=False)
    tensors = load_file(str(directory / "optimizer.safetensors"))
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name == "_empty":
            continue
        idx, key = name.split(".", 1)
        state.setdefault(int(idx), {})[key] = value
    for name, value in payload["optimizer"]["scalars"].items():
        idx, key = name.split(".", 1)
        state.setdefault(int(idx), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": payload["optimizer"]["param_groups"]})
    best_path = directory / "best.safetensors"
    best = load_file(str(best_path)) if best_path.is_file() else None
    return payload["loop"], best
