"""The one resumable checkpoint format of the training loop, without pickle.

``<checkpoint_dir>/checkpoint/``:

- ``model.safetensors``: the trainable state (:func:`trainable_state`, float32) at the checkpoint;
- ``best.safetensors``: the trainable state of the best dev evaluation so far (absent before the first one);
- ``optimizer.safetensors``: the optimizer's tensors (AdamW moments), keyed ``<param index>.<name>``;
- ``trainer_state.json``: the loop state (step, best score, history...), optimizer scalars and param groups and the
  LR scheduler state.

The folder is written next to the old one and renamed over it, so a killed run leaves a complete checkpoint.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from foreign_desk.inference.encoder import FROZEN_KEY_MARKERS

CHECKPOINT = "checkpoint"
STATE = "trainer_state.json"
FILES = ("model.safetensors", "optimizer.safetensors", STATE)


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every weight and buffer except the frozen word embeddings (restored from the base model), float32 copies."""
    return {
        k: (v.detach().float() if v.is_floating_point() else v.detach()).cpu().contiguous().clone()
        for k, v in model.state_dict().items()
        if not any(m in k for m in FROZEN_KEY_MARKERS)
    }


def load_trainable_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not any(m in k for m in FROZEN_KEY_MARKERS)]
    if missing or unexpected:
        raise ValueError(f"checkpoint does not fit the model: missing {missing[:5]}, unexpected {unexpected[:5]}")


def _flatten_optimizer(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for pid, entries in state["state"].items():
        for key, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"{pid}.{key}"] = value.detach().cpu().contiguous()
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


def has_checkpoint(directory: Path) -> bool:
    return (Path(directory) / CHECKPOINT / STATE).is_file()


def save_checkpoint(
    directory: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: dict[str, Any],
    best: dict[str, torch.Tensor] | None,
) -> Path:
    """Write ``directory/checkpoint`` atomically; ``state`` must be JSON-serialisable."""
    directory = Path(directory)
    target, tmp, old = (directory / f"{CHECKPOINT}{s}" for s in ("", ".tmp", ".old"))
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(trainable_state(model), str(tmp / "model.safetensors"))
    if best is not None:
        save_file(best, str(tmp / "best.safetensors"))
    tensors, meta = _flatten_optimizer(optimizer)
    save_file(tensors, str(tmp / "optimizer.safetensors"))
    meta["scheduler"] = {k: v for k, v in scheduler.state_dict().items() if k != "lr_lambdas"}
    (tmp / STATE).write_text(json.dumps({"state": state, "optimizer": meta}, indent=1), "utf-8")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def load_checkpoint(
    directory: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> tuple[dict[str, Any], dict[str, torch.Tensor] | None]:
    """Restore model, optimizer and scheduler in place; return the loop state and the best weights so far."""
    path = Path(directory) / CHECKPOINT
    if not has_checkpoint(directory):
        raise FileNotFoundError(f"no checkpoint to resume from in {directory} (train once without --resume)")
    saved = json.loads((path / STATE).read_text("utf-8"))
    load_trainable_state(model, load_file(str(path / "model.safetensors")))
    optimizer.load_state_dict(_unflatten_optimizer(load_file(str(path / "optimizer.safetensors")), saved["optimizer"]))
    scheduler.load_state_dict({**scheduler.state_dict(), **saved["optimizer"]["scheduler"]})
    best = load_file(str(path / "best.safetensors")) if (path / "best.safetensors").is_file() else None
    return saved["state"], best
