"""Fine-tune MiniLM for multi-label topics: the topic adapter of the shared loop (:mod:`foreign_desk.training.loop`).

Articles are lists of token windows; BCE on article logits pooled over windows; the dev evaluation tunes per-label
thresholds and scores macro (or core macro) F1."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

import torch

from foreign_desk.inference.encoder import freeze_embeddings, load_compact_weights
from foreign_desk.inference.topics.minilm import WEIGHTS_NAME, MiniLMTopicClassifier
from foreign_desk.inference.topics.windows import WindowParams, make_windows
from foreign_desk.training.loop import Evaluation, fit, length_grouped_batches
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


class TopicAdapter:
    """The topic task for the shared loop: articles as window lists, BCE loss, dev thresholds and F1."""

    def __init__(self, clf: MiniLMTopicClassifier, config: TopicConfig, data: TopicData, params: MiniLMParams):
        self.clf, self.network, self.config = clf, clf.network, config
        self.labels = config.labels
        self.y_train = torch.tensor(data.y("train"), dtype=torch.float32)
        self.y_dev = data.y("dev")
        self.train_windows, self.dev_windows = self._windows(data, "train"), self._windows(data, "dev")
        self.costs = [sum(len(w) for w in art) for art in self.train_windows]
        pos = self.y_train.sum(0).clamp(min=1)
        pos_weight = ((len(self.y_train) - pos) / pos).sqrt().clamp(1.0, 10.0) if params.pos_weight == "sqrt" else None
        self.loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    def _windows(self, data: TopicData, split: str) -> list:
        pairs = data.texts(split)
        return make_windows(self.clf.tokenizer, [h for h, _ in pairs], [b for _, b in pairs], self.clf.window)

    def batches(self, epoch: int, batch_size: int, seed: int) -> list[list[int]]:
        return length_grouped_batches(self.costs, batch_size, seed * 1000 + epoch)

    def loss(self, batch: list[int]) -> torch.Tensor:
        return self.loss_fn(self.clf.logits_for_windows([self.train_windows[i] for i in batch]), self.y_train[batch])

    def evaluate(self, batch_size: int) -> Evaluation:
        proba = self.clf.proba_for_windows(self.dev_windows, batch_size)
        thresholds = tune_thresholds(self.y_dev, proba, self.labels)
        report = multilabel_report(self.y_dev, decide(proba, thresholds, self.labels), self.labels, self.config.core_labels)
        metrics = {"dev_macro_f1": report["macro_f1"], "dev_micro_f1": report["micro_f1"]}
        if "core_macro" in report["averages"]:
            metrics["dev_core_macro_f1"] = report["averages"]["core_macro"]["f1"]
        score = selection_score(report, self.config.selection_metric)
        return Evaluation(score, metrics, {"thresholds": thresholds})


def train_minilm(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[MiniLMTopicClassifier, dict]:
    """Train; return the classifier (best dev evaluation, thresholds tuned on dev) and a summary for the model card."""
    params: MiniLMParams = config.model  # type: ignore[assignment]
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    clf = MiniLMTopicClassifier.build(
        config.labels,
        window_params(params),
        pooling=params.pooling,
        dropout=params.dropout,
        strip_dateline=config.data.strip_dateline,
    )
    freeze_embeddings(clf.network)
    adapter = TopicAdapter(clf, config, data, params)
    if params.init_from is not None:
        _warm_start(clf, params, data, config.labels)
    else:
        prior = adapter.y_train.mean(0).clamp(1e-3, 1 - 1e-3)
        with torch.no_grad():
            clf.network.head.bias.copy_(torch.log(prior / (1 - prior)))
    n_windows = sum(len(w) for w in adapter.train_windows)
    log.info("training %d articles (%d windows), dev %d", len(adapter.train_windows), n_windows, len(adapter.dev_windows))
    result = fit(
        adapter,
        config.training,
        config.seed,
        config.checkpoint_dir,
        resume=resume,
        evaluate_first=params.init_from is not None,
        desc=f"topic-{params.kind}",
    )
    clf.thresholds = dict(result.best_state.get("thresholds") or {label: 0.5 for label in config.labels})
    summary = result.summary() | {"history": result.history, "train_windows": n_windows}
    return clf, summary
