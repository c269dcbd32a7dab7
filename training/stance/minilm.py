"""Fine-tuning the MiniLM span-pooling stance model: sentence batches, all targets of a sentence in one pass."""

from __future__ import annotations

import logging
import math
import random
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from foreign_desk.inference.stance.classifier import MiniLMStanceClassifier
from foreign_desk.inference.stance.encoding import Window, build_windows, collate
from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.training.stance.checkpoint import load_checkpoint, save_checkpoint, trainable_state
from foreign_desk.training.stance.config import StanceConfig
from foreign_desk.training.stance.data import targets_of
from foreign_desk.training.stance.metrics import stance_metrics

log = logging.getLogger(__name__)


def _epoch_batches(windows: list[Window], batch_size: int, seed: int, epoch: int) -> list[list[Window]]:
    """Length-bucketed, shuffled batches; the same for the same (seed, epoch), so a resumed run replays them."""
    rng = random.Random(seed * 1009 + epoch)
    ordered = sorted(windows, key=lambda w: len(w.input_ids) + rng.uniform(0, 12))
    chunks = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    rng.shuffle(chunks)
    return chunks


def _lr_factor(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / max(warmup, 1)
    return max(0.0, (total - step) / max(total - warmup, 1))


def evaluate_classifier(clf, ds, batch_size: int = 64) -> dict:
    """Metrics of any stance classifier on a split dataset."""
    preds = [p.stance for p in clf.predict(targets_of(ds), batch_size=batch_size)] if len(ds) else []
    return stance_metrics(list(ds["label"]), preds)


def train_minilm(config: StanceConfig, dsd, resume: bool = False) -> tuple[MiniLMStanceClassifier, dict]:
    """Fine-tune; returns the classifier with the best dev weights and a training summary."""
    args = config.minilm
    torch.manual_seed(config.seed)
    clf = MiniLMStanceClassifier.new(max_length=args.max_length, head_hidden=args.head_hidden, dropout=args.dropout)
    clf.config.update({"kind": "minilm"})
    model = clf.model
    train_ds = dsd["train"]
    train_targets = targets_of(train_ds)
    label_ids = torch.tensor([LABELS.index(x) for x in train_ds["label"]])
    windows = build_windows(clf.tokenizer, train_targets, args.max_length)

    steps_per_epoch = math.ceil(len(windows) / args.batch_size)
    total = math.ceil(args.epochs * steps_per_epoch)
    if args.max_steps is not None:
        total = min(total, args.max_steps)
    warmup = int(args.warmup_ratio * total)

    head_params = list(model.head.parameters())
    enc_params = [p for p in model.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": args.learning_rate, "base_lr": args.learning_rate},
            {"params": head_params, "lr": args.head_learning_rate, "base_lr": args.head_learning_rate},
        ],
        weight_decay=args.weight_decay,
    )
    weight = None
    if args.class_weights:
        counts = torch.bincount(label_ids, minlength=len(LABELS)).float().clamp(min=1)
        weight = counts.sum() / (len(LABELS) * counts)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=args.label_smoothing)

    loop = {"step": 0, "best_f1": -1.0, "best_step": 0, "bad_evals": 0, "seconds": 0.0, "history": [], "done": False}
    best: dict[str, torch.Tensor] | None = None
    ckpt = config.checkpoints / "last"
    if resume and (ckpt / "state.json").is_file():
        loop, best = load_checkpoint(ckpt, model, optimizer)
        log.info("resumed from %s at step %d (best dev macro-F1 %.4f)", ckpt, loop["step"], loop["best_f1"])
    elif resume:
        log.info("no checkpoint in %s; starting from scratch", ckpt)

    eval_every = args.eval_every or steps_per_epoch
    started = time.perf_counter() - loop["seconds"]
    bar = tqdm(total=total, initial=loop["step"], desc="stance-minilm", unit="step", mininterval=5)
    model.train()
    running: float | None = None
    while loop["step"] < total and not loop["done"]:
        epoch, offset = divmod(loop["step"], steps_per_epoch)
        for group in _epoch_batches(windows, args.batch_size, config.seed, epoch)[offset:]:
            if loop["step"] >= total:
                break
            factor = _lr_factor(loop["step"], total, warmup)
            for g in optimizer.param_groups:
                g["lr"] = g["base_lr"] * factor
            b = collate(group, pad_id=clf.tokenizer.pad_token_id or 0)
            logits = model(b.input_ids, b.attention_mask, b.target_window, b.target_mask)
            loss = loss_fn(logits, label_ids[torch.tensor(b.targets)])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], 1.0)
            optimizer.step()
            loop["step"] += 1
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}", best=f"{loop['best_f1']:.3f}")
            at_eval = loop["step"] % eval_every == 0 or loop["step"] == total
            if at_eval:
                metrics = evaluate_classifier(clf, dsd["dev"], args.eval_batch_size)
                model.train()
                loop["history"].append({"step": loop["step"], "dev_macro_f1": metrics["macro_f1"], "loss": running or 0.0})
                log.info("step %d: dev macro-F1 %.4f acc %.4f", loop["step"], metrics["macro_f1"], metrics["accuracy"])
                if metrics["macro_f1"] > loop["best_f1"]:
                    loop.update(best_f1=metrics["macro_f1"], best_step=loop["step"], bad_evals=0)
                    best = trainable_state(model)
                else:
                    loop["bad_evals"] += 1
                    if loop["bad_evals"] >= args.patience:
                        log.info("early stop at step %d (best step %d)", loop["step"], loop["best_step"])
                        loop["done"] = True
            if at_eval or loop["step"] % args.checkpoint_every == 0:
                loop["seconds"] = time.perf_counter() - started
                save_checkpoint(ckpt, model, optimizer, loop, best)
            if loop["done"]:
                break
    bar.close()
    loop["seconds"] = time.perf_counter() - started
    if best is not None:
        model.load_state_dict(best, strict=False)
    model.eval()
    summary = {
        "training_seconds": loop["seconds"],
        "steps": loop["step"],
        "best_step": loop["best_step"],
        "best_dev_macro_f1": loop["best_f1"],
        "steps_per_epoch": steps_per_epoch,
        "history": loop["history"],
    }
    return clf, summary


def checkpoint_path(config: StanceConfig) -> Path:
    return config.checkpoints / "last"
