"""The config shape every task shares, and reading the training config stored in a saved model.

Every training config (``configs/*.yaml``) has the same top level::

    task: topic | stance          # which task module trains it
    name: stance-minilm           # run name (default checkpoint folder runs/<name>)
    data: {...}                   # task specific: sources and split fractions
    seed: 13
    output_dir: models/stance-minilm
    checkpoint_dir: runs/stance-minilm   # optional
    num_threads: 1                # optional, torch.set_num_threads
    model: {kind: minilm, ...}    # the model kind and its own parameters
    training: {epochs, batch_size, learning_rate, head_learning_rate, warmup_ratio, weight_decay, patience,
               eval_every, checkpoint_every, ...}   # the shared loop (transformer kinds only)

Unknown keys are refused with a message naming them; keys of the old per-task shapes get a hint to the new place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Kinds trained by the shared gradient loop (:mod:`foreign_desk.training.loop`); other kinds take no ``training``.
LOOP_KINDS = frozenset({"minilm", "passages"})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrainingParams(Strict):
    """Hyper-parameters of the shared training loop, the same for every task and transformer kind."""

    epochs: float = Field(5, gt=0, description="passes over the training data (fractions allowed)")
    max_steps: int | None = Field(None, ge=1, description="stop after this many optimizer steps (smoke tests)")
    batch_size: int = Field(16, ge=1)
    eval_batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(5e-5, gt=0, description="encoder learning rate")
    head_learning_rate: float = Field(1e-3, gt=0, description="learning rate of the freshly initialised head")
    warmup_ratio: float = Field(0.06, ge=0, lt=1, description="linear warmup share of the steps, then linear decay")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay of encoder matrices")
    max_grad_norm: float = Field(1.0, gt=0)
    patience: int = Field(2, ge=1, description="early stopping: evaluations on dev without improvement")
    eval_every: int = Field(0, ge=0, description="evaluate on dev every N steps (0: at the end of every epoch)")
    checkpoint_every: int = Field(50, ge=1, description="write a resumable checkpoint every N steps")


# Old per-task keys -> where they live now (a clearer message than "extra inputs are not permitted").
RENAMED = {
    "kind": "model.kind",
    "minilm": "model (kind: minilm) and training",
    "tfidf": "model (kind: tfidf)",
    "model.save_steps": "training.checkpoint_every",
    **{f"model.{k}": f"training.{k}" for k in TrainingParams.model_fields},
}


def refuse_old_keys(data: dict[str, Any], source: str) -> None:
    """``ValueError`` naming every key of an old config shape and its new place."""
    found = [k for k in data if k in RENAMED]
    model = data.get("model")
    if isinstance(model, dict):
        found += [f"model.{k}" for k in model if f"model.{k}" in RENAMED]
    if found:
        hints = "; ".join(f"'{k}' is an old-style key, use '{RENAMED[k]}'" for k in found)
        raise ValueError(f"{source}: invalid config: {hints}")


def refuse_training_for(kind: str, data: dict[str, Any], source: str) -> None:
    if kind not in LOOP_KINDS and data.get("training") is not None:
        raise ValueError(f"{source}: invalid config: training: kind {kind!r} is not trained by the loop; remove it")


def saved_config(model_dir: Path) -> dict[str, Any]:
    """The ``config.json`` of a saved model; ``FileNotFoundError`` naming the folder otherwise."""
    path = Path(model_dir) / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: not a saved model directory (no config.json)")
    return json.loads(path.read_text("utf-8"))


def migrate_training_config(saved: dict[str, Any], model_dir: Path) -> dict[str, Any]:
    """The training config stored in a saved model, in today's shape.

    Models saved before the shared loop stored older shapes: topic ``training_config`` with the loop settings
    inside ``model`` (``save_steps`` for ``checkpoint_every``); stance only ``data`` (with the seed) and a top-level
    ``kind``. They are read through this function so ``evaluate`` re-creates their held-out splits unchanged.
    """
    if "training_config" in saved:
        cfg = json.loads(json.dumps(saved["training_config"]))
        model = cfg.get("model") or {}
        if any(k in model for k in (*TrainingParams.model_fields, "save_steps")):
            training = {k: model.pop(k) for k in list(model) if k in TrainingParams.model_fields}
            if "save_steps" in model:
                training["checkpoint_every"] = model.pop("save_steps")
            cfg["training"] = training
        return cfg
    if saved.get("task") == "stance" and "data" in saved:
        data = dict(saved["data"])
        seed = int(data.pop("seed"))
        return {
            "task": "stance",
            "name": Path(model_dir).name,
            "data": data,
            "seed": seed,
            "output_dir": str(model_dir),
            "model": {"kind": saved.get("kind", "minilm")},
        }
    raise ValueError(f"{model_dir}: config.json records no training config; cannot re-create its held-out split")
