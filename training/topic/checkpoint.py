"""Resumable training checkpoints without pickle: weights and optimizer tensors in safetensors, the rest in JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from foreign_desk.inference.encoder import load_compact_weights, save_compact_weights

CHECKPOINT = "checkpoint"


def _flatten_optimizer(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for pid, entries in state["state"].items():
        for key, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"{pid}.{key}"] = value.detach().contiguous().cpu()
            else:
                scalars.setdefault(str(pid), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for name, tensor in tensors.items():
        pid, key = name.split(".", 1)
        state.setdefault(int(pid), {})[key] = tensor
    for pid, entries in meta["scalars"].items():
        state.setdefault(int(pid), {}).update(entries)
    return {"state": state, "param_groups": meta["param_groups"]}


def save_checkpoint(
    directory: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: dict[str, Any],
    best: nn.Module | dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write ``directory/checkpoint`` atomically (a temporary folder renamed over the old one)."""
    target = directory / CHECKPOINT
    tmp = directory / f"{CHECKPOINT}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_compact_weights(model, tmp / "model.safetensors", dtype=torch.float32)
    if isinstance(best, dict):
        save_file({k: v.contiguous() for k, v in best.items()}, str(tmp / "best.safetensors"))
    tensors, meta = _flatten_optimizer(optimizer)
    save_file(tensors, str(tmp / "optimizer.safetensors"))
    meta["scheduler"] = {k: v for k, v in scheduler.state_dict().items() if k != "lr_lambdas"}
    (tmp / "trainer_state.json").write_text(json.dumps({"state": state, "optimizer": meta}, indent=1), "utf-8")
    old = directory / f"{CHECKPOINT}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def has_checkpoint(directory: Path) -> bool:
    return (directory / CHECKPOINT / "trainer_state.json").is_file()


def load_checkpoint(
    directory: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> tuple[dict[str, Any], dict[str, torch.Tensor] | None]:
    """Restore model, optimizer and scheduler; return the saved trainer state and the best weights so far."""
    path = directory / CHECKPOINT
    if not has_checkpoint(directory):
        raise FileNotFoundError(f"no checkpoint to resume from in {directory} (train once without --resume)")
    saved = json.loads((path / "trainer_state.json").read_text("utf-8"))
    load_compact_weights(model, path / "model.safetensors")
    optimizer.load_state_dict(_unflatten_optimizer(load_file(str(path / "optimizer.safetensors")), saved["optimizer"]))
    scheduler.load_state_dict({**scheduler.state_dict(), **saved["optimizer"]["scheduler"]})
    best = load_file(str(path / "best.safetensors")) if (path / "best.safetensors").is_file() else None
    return saved["state"], best
