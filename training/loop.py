"""The one training loop of every transformer kind of every task.

A task supplies a small :class:`TaskAdapter`: the network to train (with ``encoder`` and ``head`` submodules), the
deterministic batches of an epoch, the loss of a batch, and a dev evaluation. The loop owns everything else, the same
for every task:

- AdamW with two learning rates (encoder / head; weight decay on encoder matrices only), gradient clipping;
- linear warmup then linear decay (``transformers.get_linear_schedule_with_warmup``);
- dev evaluation every ``eval_every`` steps (0: each epoch end) and at the last step; the best evaluation's weights
  are kept; early stopping after ``patience`` evaluations without improvement;
- the checkpoint format of :mod:`foreign_desk.training.checkpoint`, written every ``checkpoint_every`` steps and
  after every evaluation; ``resume`` continues mid-epoch to the same weights as an uninterrupted run (batches are a
  function of (seed, epoch), the torch RNG is re-seeded from (seed, step) before every step).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from foreign_desk.training.checkpoint import (
    has_checkpoint,
    load_checkpoint,
    load_trainable_state,
    save_checkpoint,
    trainable_state,
)
from foreign_desk.training.config import TrainingParams

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """A dev evaluation: ``score`` (higher is better) selects the best weights; ``metrics`` go to the history;
    ``state`` is JSON data that belongs to these weights (e.g. decision thresholds tuned on dev)."""

    score: float
    metrics: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


class TaskAdapter(Protocol):
    """What a task supplies to :func:`fit`."""

    network: nn.Module  # with ``encoder`` and ``head`` submodules

    def batches(self, epoch: int, batch_size: int, seed: int) -> Sequence[Any]:
        """The training batches of ``epoch``, the same for the same arguments (length-grouped and shuffled)."""
        ...

    def loss(self, batch: Any) -> torch.Tensor:
        """The training loss of one batch (the network is in train mode)."""
        ...

    def evaluate(self, batch_size: int) -> Evaluation:
        """Score the current weights on dev (called in eval mode, without gradients)."""
        ...


@dataclass
class FitResult:
    steps: int
    steps_per_epoch: int
    best_step: int
    best_score: float
    best_state: dict[str, Any]
    history: list[dict[str, Any]]
    stopped_early: bool
    training_seconds: float

    def summary(self) -> dict[str, Any]:
        """What goes into the saved model's ``config.json`` (``training``) and model card."""
        return {
            "training_seconds": round(self.training_seconds, 1),
            "steps": self.steps,
            "steps_per_epoch": self.steps_per_epoch,
            "best_step": self.best_step,
            "best_dev_score": self.best_score,
            "stopped_early": self.stopped_early,
        }


def length_grouped_batches(costs: Sequence[float], batch_size: int, seed: int, group: int = 8) -> list[list[int]]:
    """Indices in shuffled batches of similar cost (length): shuffle, sort within mega-batches of ``group`` batches,
    cut, shuffle the batches. Little padding, still random; deterministic per ``seed``."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(costs))
    mega = batch_size * group
    batches: list[list[int]] = []
    for start in range(0, len(perm), mega):
        chunk = sorted(perm[start : start + mega].tolist(), key=lambda i: -costs[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def make_optimizer(network: nn.Module, params: TrainingParams) -> torch.optim.AdamW:
    """AdamW: encoder matrices with weight decay, encoder vectors (biases, norms) without, head at its own rate."""
    decay, no_decay = [], []
    for p in network.encoder.parameters():
        if p.requires_grad:
            (no_decay if p.ndim == 1 else decay).append(p)
    head = [p for p in network.head.parameters() if p.requires_grad]
    return torch.optim.AdamW(
        [
            {"params": decay, "lr": params.learning_rate, "weight_decay": params.weight_decay},
            {"params": no_decay, "lr": params.learning_rate, "weight_decay": 0.0},
            {"params": head, "lr": params.head_learning_rate, "weight_decay": 0.0},
        ]
    )


def fit(
    adapter: TaskAdapter,
    params: TrainingParams,
    seed: int,
    checkpoint_dir: Path,
    resume: bool = False,
    evaluate_first: bool = False,
    desc: str = "training",
) -> FitResult:
    """Train ``adapter.network`` in place; on return it holds the best dev weights (in eval mode).

    ``evaluate_first``: score the initial weights as step 0 (a warm start is kept unless beaten).
    """
    network = adapter.network
    checkpoint_dir = Path(checkpoint_dir)
    steps_per_epoch = len(adapter.batches(0, params.batch_size, seed))
    if steps_per_epoch == 0:
        raise ValueError("no training batches")
    total = math.ceil(params.epochs * steps_per_epoch)
    if params.max_steps is not None:
        total = min(total, params.max_steps)
    optimizer = make_optimizer(network, params)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(params.warmup_ratio * total), total)
    state: dict[str, Any] = {
        "step": 0,
        "best_score": -1.0,
        "best_step": -1,
        "best_state": {},
        "bad_evals": 0,
        "stopped_early": False,
        "history": [],
        "seconds": 0.0,
    }
    best: dict[str, torch.Tensor] | None = None
    if resume:
        state, best = load_checkpoint(checkpoint_dir, network, optimizer, scheduler)
        log.info("resumed from %s at step %d", checkpoint_dir, state["step"])
    elif has_checkpoint(checkpoint_dir):
        log.warning("%s holds a checkpoint; starting over (use --resume to continue it)", checkpoint_dir)
    started = time.perf_counter() - state["seconds"]

    def checkpoint() -> None:
        state["seconds"] = time.perf_counter() - started
        save_checkpoint(checkpoint_dir, network, optimizer, scheduler, state, best)

    def evaluate(train_loss: float | None) -> None:
        nonlocal best
        network.eval()
        with torch.no_grad():
            result = adapter.evaluate(params.eval_batch_size)
        network.train()
        entry = {
            "step": state["step"],
            "epoch": round(state["step"] / steps_per_epoch, 3),
            "train_loss": train_loss,
            "dev_score": result.score,
            **result.metrics,
            "seconds": round(time.perf_counter() - started, 1),
        }
        state["history"].append(entry)
        log.info("step %d: dev score %.4f %s", state["step"], result.score, result.metrics)
        if result.score > state["best_score"]:
            state.update(best_score=result.score, best_step=state["step"], best_state=result.state, bad_evals=0)
            best = trainable_state(network)
        else:
            state["bad_evals"] += 1
            if state["bad_evals"] >= params.patience:
                log.info("early stopping at step %d (best step %d)", state["step"], state["best_step"])
                state["stopped_early"] = True
        checkpoint()

    log.info("%s: %d steps/epoch, up to %d steps", desc, steps_per_epoch, total)
    if evaluate_first and not resume:
        evaluate(None)
    network.train()
    bar = tqdm(total=total, initial=state["step"], desc=desc, unit="step", dynamic_ncols=True, mininterval=2)
    running: list[float] = []
    while state["step"] < total and not state["stopped_early"]:
        epoch, offset = divmod(state["step"], steps_per_epoch)
        for batch in adapter.batches(epoch, params.batch_size, seed)[offset:]:
            torch.manual_seed(seed * 1_000_003 + state["step"])  # dropout masks depend on the step only
            loss = adapter.loss(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], params.max_grad_norm)
            optimizer.step()
            scheduler.step()
            state["step"] += 1
            running.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(running[-20:]):.4f}")
            step = state["step"]
            epoch_end = step % steps_per_epoch == 0
            if step == total or (params.eval_every and step % params.eval_every == 0) or (
                not params.eval_every and epoch_end
            ):
                evaluate(float(np.mean(running)) if running else None)
                running = []
            elif step % params.checkpoint_every == 0:
                checkpoint()
            if step >= total or state["stopped_early"]:
                break
    bar.close()
    if best is not None:
        load_trainable_state(network, best)
    network.eval()
    return FitResult(
        steps=state["step"],
        steps_per_epoch=steps_per_epoch,
        best_step=state["best_step"],
        best_score=state["best_score"],
        best_state=state["best_state"],
        history=state["history"],
        stopped_early=state["stopped_early"],
        training_seconds=time.perf_counter() - started,
    )
