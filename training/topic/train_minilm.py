"""Fine-tune MiniLM for multi-label topics: BCE on article logits pooled over windows, early stopping on dev."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from foreign_desk.inference.encoder import freeze_embeddings, load_compact_weights
from foreign_desk.inference.topics.minilm import WEIGHTS_NAME, MiniLMTopicClassifier
from foreign_desk.inference.topics.windows import WindowParams, make_windows
from foreign_desk.training.topic.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from foreign_desk.training.topic.config import MiniLMParams, TopicConfig
from foreign_desk.training.topic.data import TopicData
from foreign_desk.training.topic.metrics import decide, multilabel_report, selection_score, tune_thresholds

log = logging.getLogger(__name__)


def window_params(params: MiniLMParams) -> WindowParams:
    return WindowParams(
        max_length=params.max_length,
        max_windows=params.max_windows,
        stride=params.stride,
        max_headline_tokens=params.max_headline_tokens,
        selection=params.window_selection,
    )


def _batches(windows: list, batch_size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of articles of similar length (length-grouped mega-batches), deterministic per seed."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(windows))
    cost = np.array([sum(len(w) for w in art) for art in windows])
    mega = batch_size * 8
    batches = []
    for start in range(0, len(perm), mega):
        chunk = sorted(perm[start : start + mega].tolist(), key=lambda i: -cost[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _optimizer(clf: MiniLMTopicClassifier, params: MiniLMParams) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for p in clf.network.encoder.parameters():
        if p.requires_grad:
            (no_decay if p.ndim == 1 else decay).append(p)
    groups = [
        {"params": decay, "lr": params.learning_rate, "weight_decay": params.weight_decay},
        {"params": no_decay, "lr": params.learning_rate, "weight_decay": 0.0},
        {"params": list(clf.network.head.parameters()), "lr": params.head_learning_rate, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups)


def _trainable_state(clf: MiniLMTopicClassifier) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in clf.network.state_dict().items() if "word_embeddings." not in k}


def _warm_start(clf: MiniLMTopicClassifier, params: MiniLMParams, data: TopicData, labels: list[str]) -> None:
    """Load the weights of a saved model; refuse one whose labels, windows or data split differ (a different split
    would mean dev/test articles were in its training data)."""
    src = params.init_from
    cfg_path = src / "config.json"
    if not cfg_path.is_file():
        raise FileNotFoundError(f"init_from {src}: no config.json")
    saved = json.loads(cfg_path.read_text("utf-8"))
    problems = []
    if saved.get("task") != "topic" or saved.get("kind") != "minilm":
        problems.append(f"not a minilm topic model ({saved.get('task')}/{saved.get('kind')})")
    if saved.get("labels") != list(labels):
        problems.append(f"labels {saved.get('labels')} != {list(labels)}")
    if saved.get("window") != asdict(clf.window) or saved.get("pooling") != clf.network.pooling:
        problems.append("window or pooling settings differ")
    if saved.get("split_fingerprint") != data.fingerprint:
        problems.append(f"split fingerprint {saved.get('split_fingerprint')} != {data.fingerprint} (possible leakage)")
    if problems:
        raise ValueError(f"init_from {src}: " + "; ".join(problems))
    load_compact_weights(clf.network, src / WEIGHTS_NAME)
    log.info("warm start from %s", src)


def train_minilm(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[MiniLMTopicClassifier, dict]:
    """Train; return the classifier (best dev epoch, thresholds tuned on dev) and a summary for the model card."""
    params: MiniLMParams = config.model  # type: ignore[assignment]
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    labels = config.labels
    clf = MiniLMTopicClassifier.build(
        labels,
        window_params(params),
        pooling=params.pooling,
        dropout=params.dropout,
        strip_dateline=config.data.strip_dateline,
    )
    freeze_embeddings(clf.network)
    y_train = torch.tensor(data.y("train"), dtype=torch.float32)
    y_dev = data.y("dev")
    if params.init_from is not None:
        _warm_start(clf, params, data, labels)
    else:
        prior = y_train.mean(0).clamp(1e-3, 1 - 1e-3)
        with torch.no_grad():
            clf.network.head.bias.copy_(torch.log(prior / (1 - prior)))
    pos = y_train.sum(0).clamp(min=1)
    pos_weight = ((len(y_train) - pos) / pos).sqrt().clamp(1.0, 10.0) if params.pos_weight == "sqrt" else None
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    def windows_of(split: str) -> list:
        pairs = data.texts(split)
        return make_windows(clf.tokenizer, [h for h, _ in pairs], [b for _, b in pairs], clf.window)

    train_windows, dev_windows = windows_of("train"), windows_of("dev")
    n_windows = sum(len(w) for w in train_windows)
    steps_per_epoch = math.ceil(len(train_windows) / params.batch_size)
    total_steps = min(params.epochs * steps_per_epoch, params.max_steps or 10**12)
    warmup = int(params.warmup_ratio * total_steps)
    optimizer = _optimizer(clf, params)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(1, warmup), max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    )
    ckpt_dir = config.checkpoint_dir
    state: dict[str, Any] = {
        "epoch": 0,
        "step_in_epoch": 0,
        "global_step": 0,
        "best_score": -1.0,
        "best_epoch": -1,
        "best_thresholds": None,
        "bad_epochs": 0,
        "history": [],
        "elapsed": 0.0,
        "stopped_early": False,
    }
    best_weights: dict[str, torch.Tensor] | None = None
    if resume:
        state, best_weights = load_checkpoint(ckpt_dir, clf.network, optimizer, scheduler)
        state.setdefault("stopped_early", False)
        log.info("resumed from %s at epoch %d step %d", ckpt_dir, state["epoch"] + 1, state["step_in_epoch"])
    elif has_checkpoint(ckpt_dir):
        log.warning("%s holds a checkpoint; starting over (use --resume to continue it)", ckpt_dir)
    log.info(
        "training %d articles (%d windows), dev %d; %d steps/epoch, up to %d epochs (%d steps)",
        len(train_windows),
        n_windows,
        len(dev_windows),
        steps_per_epoch,
        params.epochs,
        total_steps,
    )
    started = time.perf_counter() - state["elapsed"]

    def checkpoint() -> None:
        state["elapsed"] = time.perf_counter() - started
        save_checkpoint(ckpt_dir, clf.network, optimizer, scheduler, state, best_weights)

    if params.init_from is not None and not resume:
        # The warm-start model is the baseline: it is kept unless a later epoch beats it on dev.
        proba = clf.proba_for_windows(dev_windows, params.eval_batch_size)
        thresholds = tune_thresholds(y_dev, proba, labels)
        report = multilabel_report(y_dev, decide(proba, thresholds, labels), labels, config.core_labels)
        entry = {
            "epoch": 0,
            "step": 0,
            "train_loss": None,
            "dev_macro_f1": report["macro"]["f1"],
            "dev_core_macro_f1": report.get("core_macro", {}).get("f1"),
            "dev_micro_f1": report["micro"]["f1"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        state["history"].append(entry)
        log.info("warm start %s: %s", params.init_from, json.dumps(entry))
        state.update(
            best_score=selection_score(report, config.selection_metric), best_epoch=0, best_thresholds=thresholds
        )
        best_weights = _trainable_state(clf)
        checkpoint()

    clf.network.train()
    while not state["stopped_early"] and state["epoch"] < params.epochs and state["global_step"] < total_steps:
        epoch = state["epoch"]
        batches = _batches(train_windows, params.batch_size, config.seed * 1000 + epoch)
        torch.manual_seed(config.seed * 1000 + epoch * 10_000 + state["step_in_epoch"])
        bar = tqdm(
            batches,
            desc=f"epoch {epoch + 1}/{params.epochs}",
            initial=state["step_in_epoch"],
            total=len(batches),
            dynamic_ncols=True,
        )
        running = []
        for batch in batches[state["step_in_epoch"] :]:
            logits = clf.logits_for_windows([train_windows[i] for i in batch])
            loss = loss_fn(logits, y_train[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(clf.network.parameters(), params.max_grad_norm)
            optimizer.step()
            scheduler.step()
            state["step_in_epoch"] += 1
            state["global_step"] += 1
            running.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(running[-20:]):.4f}")
            if state["global_step"] >= total_steps:
                break
            if state["global_step"] % params.save_steps == 0:
                checkpoint()
        bar.close()
        proba = clf.proba_for_windows(dev_windows, params.eval_batch_size)
        thresholds = tune_thresholds(y_dev, proba, labels)
        report = multilabel_report(y_dev, decide(proba, thresholds, labels), labels, config.core_labels)
        score = selection_score(report, config.selection_metric)
        entry = {
            "epoch": epoch + 1,
            "step": state["global_step"],
            "train_loss": float(np.mean(running)) if running else None,
            "dev_macro_f1": report["macro"]["f1"],
            "dev_core_macro_f1": report.get("core_macro", {}).get("f1"),
            "dev_micro_f1": report["micro"]["f1"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        state["history"].append(entry)
        log.info("epoch %d: %s", epoch + 1, json.dumps(entry))
        if score > state["best_score"]:
            state.update(best_score=score, best_epoch=epoch + 1, best_thresholds=thresholds, bad_epochs=0)
            best_weights = _trainable_state(clf)
        else:
            state["bad_epochs"] += 1
            if state["bad_epochs"] >= params.patience:
                log.info("early stopping: no dev improvement for %d epoch(s)", state["bad_epochs"])
                state["stopped_early"] = True
        state["epoch"] += 1
        state["step_in_epoch"] = 0
        checkpoint()
    if best_weights is not None:
        clf.network.load_state_dict(best_weights, strict=False)
    clf.network.eval()
    clf.thresholds = dict(state["best_thresholds"] or {label: 0.5 for label in labels})
    summary = {
        "training_seconds": time.perf_counter() - started,
        "history": state["history"],
        "best_epoch": state["best_epoch"],
        "train_windows": n_windows,
    }
    return clf, summary
