"""Train the passage (multi-instance) topic model: a frozen fine-tuned encoder, a head trained on cached embeddings.

Every sentence of every article (headline first) is encoded once by the frozen encoder and cached on disk
(``<checkpoint_dir>/sentences-<key>.npz``, keyed by the encoder's sha256 and the texts); the head is then trained by
the shared loop (:mod:`foreign_desk.training.loop`) on bags of passage embeddings with BCE on the pooled article
logits. Article labels supervise bags (multi-instance); a single-sentence item (CAMEO) is a bag of one passage, an
exact instance label. Per-label thresholds are tuned on dev.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import numpy as np
import torch

from foreign_desk.inference.topics.passages import (
    PassageParams,
    PassageTopicClassifier,
    make_passages,
    passage_embeddings,
)
from foreign_desk.inference.topics.text import prepare
from foreign_desk.inference.topics.top_layers import TopLayer, TopLayers
from foreign_desk.training.loop import Evaluation, fit, length_grouped_batches
from foreign_desk.training.topic.config import PassagesParams, TopicConfig
from foreign_desk.training.topic.data import TopicData
from foreign_desk.training.topic.metrics import (
    balanced_score,
    decide,
    multilabel_report,
    selection_score,
    thresholds_for,
)

log = logging.getLogger(__name__)


def _sentences(clf: PassageTopicClassifier, title: str, text: str) -> list[str]:
    headline, body = prepare(title, text, remove_dateline=clf.strip_dateline)
    return make_passages(headline, body, PassageParams(size=1))[0]


def sentence_cache(
    clf: PassageTopicClassifier, items: list[tuple[str, str]], cache_dir: Path, batch_size: int = 64
) -> list[np.ndarray]:
    """Sentence embeddings (n_sentences, dim) of every ``(title, text)``, computed once and cached."""
    per_item = [_sentences(clf, t, b) for t, b in items]
    key = hashlib.sha256(
        (clf.config.get("encoder_sha256") or "base").encode()
        + str(clf.passage.max_tokens).encode()
        + "\x00".join("\x01".join(s) for s in per_item).encode()
    ).hexdigest()[:16]
    path = Path(cache_dir) / f"sentences-{key}.npz"
    if path.is_file():
        data = np.load(path)
        emb, offsets = data["emb"], data["offsets"]
        log.info("sentence embeddings from %s", path)
    else:
        flat = [s for sents in per_item for s in sents]
        log.info("encoding %d sentences of %d items (cached to %s)", len(flat), len(items), path)
        started = time.perf_counter()
        emb = np.zeros((len(flat), clf.encoder.config.hidden_size), dtype=np.float32)
        step = 2048
        for start in range(0, len(flat), step):
            emb[start : start + step] = clf.encode_sentences(flat[start : start + step], batch_size=batch_size)
            log.info("  %d/%d sentences, %.0f s", min(start + step, len(flat)), len(flat), time.perf_counter() - started)
        offsets = np.cumsum([0] + [len(s) for s in per_item])
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, emb=emb, offsets=offsets)
    return [emb[offsets[i] : offsets[i + 1]] for i in range(len(items))]


def token_state_cache(
    clf: PassageTopicClassifier, items: list[tuple[str, str]], cache_dir: Path, batch_size: int = 64
) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """The encoder's final token states of every sentence of every ``(title, text)`` (float16, padding dropped), for
    training top layers: ``(states (n_tokens, dim), token offsets per sentence, sentence offsets per item)``;
    computed once and cached."""
    per_item = [_sentences(clf, t, b) for t, b in items]
    key = hashlib.sha256(
        b"tokens\x00" + (clf.config.get("encoder_sha256") or "base").encode()
        + str(clf.passage.max_tokens).encode()
        + "\x00".join("\x01".join(s) for s in per_item).encode()
    ).hexdigest()[:16]
    path = Path(cache_dir) / f"tokens-{key}.npz"
    item_off = np.cumsum([0] + [len(s) for s in per_item])
    if path.is_file():
        data = np.load(path)
        log.info("token states from %s", path)
        return torch.from_numpy(data["states"]), data["tok_off"], item_off
    flat = [x for sents in per_item for x in sents]
    ids = clf.tokenizer(flat, truncation=True, max_length=clf.passage.max_tokens, verbose=False)["input_ids"]
    lengths = np.array([len(r) for r in ids])
    tok_off = np.concatenate([[0], np.cumsum(lengths)])
    states = np.zeros((int(tok_off[-1]), clf.encoder.config.hidden_size), dtype=np.float16)
    order = np.argsort(lengths, kind="stable")
    pad = clf.tokenizer.pad_token_id
    log.info("encoding %d sentences of %d items to token states (cached to %s)", len(flat), len(items), path)
    started = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            x = torch.full((len(idx), int(lengths[idx].max())), pad, dtype=torch.long)
            mask = torch.zeros_like(x)
            for row, i in enumerate(idx):
                x[row, : lengths[i]] = torch.tensor(ids[i])
                mask[row, : lengths[i]] = 1
            hidden = clf.encoder(input_ids=x, attention_mask=mask).last_hidden_state.float()
            for row, i in enumerate(idx):
                states[tok_off[i] : tok_off[i + 1]] = hidden[row, : lengths[i]].numpy()
            if start % (batch_size * 64) == 0:
                log.info("  %d/%d sentences, %.0f s", start, len(flat), time.perf_counter() - started)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, states=states, tok_off=tok_off)
    return torch.from_numpy(states), tok_off, item_off


def make_bags(
    clf: PassageTopicClassifier, items: list[tuple[str, str]], sentence_emb: list[np.ndarray], params: PassageParams
) -> list[torch.Tensor]:
    bags = []
    for (title, text), emb in zip(items, sentence_emb, strict=True):
        headline, body = prepare(title, text, remove_dateline=clf.strip_dateline)
        sentences, passages = make_passages(headline, body, params)
        if len(sentences) != len(emb):
            raise RuntimeError("sentence cache does not match the passages (stale cache?)")
        bags.append(passage_embeddings(emb, passages))
    return bags


class PassageAdapter:
    """The passage topic task for the shared loop: bags of cached passage embeddings, BCE on pooled logits."""

    def __init__(
        self, clf: PassageTopicClassifier, train_bags, y_train, dev_bags, y_dev, config: TopicConfig, pos_weight,
        dev_sources=(),
    ):
        self.clf = clf
        self.dev_sources = list(dev_sources)
        self.network = clf.network
        self.train_bags, self.dev_bags = train_bags, dev_bags
        self.y_train = torch.tensor(y_train, dtype=torch.float32)
        self.y_dev = y_dev
        self.config = config
        self.pos_weight = pos_weight

    def batches(self, epoch: int, batch_size: int, seed: int):
        return length_grouped_batches([len(b) for b in self.train_bags], batch_size, seed * 1000 + epoch)

    def loss(self, batch) -> torch.Tensor:
        logits = self.clf.head([self.train_bags[i] for i in batch])
        return torch.nn.functional.binary_cross_entropy_with_logits(
            logits, self.y_train[batch], pos_weight=self.pos_weight
        )

    def dev_proba(self) -> np.ndarray:
        return dev_proba(self.clf, self.dev_bags)

    def evaluate(self, batch_size: int) -> Evaluation:
        proba = self.dev_proba()
        labels = self.clf.labels
        thresholds = thresholds_for(self.config, self.y_dev, proba, labels, self.dev_sources)
        pred = decide(proba, thresholds, labels)
        report = multilabel_report(self.y_dev, pred, labels, self.config.core_labels)
        core = report["averages"].get("core_macro", {}).get("f1")
        score = selection_score(report, self.config.selection_metric)
        metrics = {"dev_macro_f1": report["macro_f1"], "dev_core_macro_f1": core}
        if self.config.balance_sources:
            core_labels = self.config.core_labels if self.config.selection_metric == "core_macro_f1" else []
            score = balanced_score(self.y_dev, pred, labels, core_labels, self.dev_sources)
            metrics["dev_source_mean"] = score
        return Evaluation(score=score, metrics=metrics, state={"thresholds": thresholds})


class TopPassageAdapter(PassageAdapter):
    """The passage task with top layers: each batch runs the top layers on the cached token states of its items'
    sentences (so they are trained with the head), then passages, head and BCE as :class:`PassageAdapter`."""

    def __init__(self, clf, states, tok_off, averaging, train_items, y_train, dev_items, y_dev, config, pos_weight,
                 dev_sources=()):
        super().__init__(clf, None, y_train, None, y_dev, config, pos_weight, dev_sources)
        self.network = _TopNetwork(clf.top, clf.head)
        self.states, self.tok_off, self.averaging = states, tok_off, averaging
        self.train_items, self.dev_items = train_items, dev_items

    def batches(self, epoch: int, batch_size: int, seed: int):
        sizes = [self.averaging[i][1].shape[1] for i in self.train_items]
        return length_grouped_batches(sizes, batch_size, seed * 1000 + epoch)

    def bags(self, items) -> list[torch.Tensor]:
        firsts = [self.averaging[i][0] for i in items]
        mats = [self.averaging[i][1] for i in items]
        sentences = np.concatenate([np.arange(f, f + m.shape[1]) for f, m in zip(firsts, mats, strict=True)])
        tokens = [self.states[self.tok_off[i] : self.tok_off[i + 1]] for i in sentences]
        emb = self.clf.top.embed(tokens, batch_size=128)  # with gradients while training
        out, pos = [], 0
        for m in mats:
            out.append(m @ emb[pos : pos + m.shape[1]])
            pos += m.shape[1]
        return out

    def loss(self, batch) -> torch.Tensor:
        logits = self.clf.head(self.bags([self.train_items[i] for i in batch]))
        return torch.nn.functional.binary_cross_entropy_with_logits(
            logits, self.y_train[batch], pos_weight=self.pos_weight
        )

    @torch.no_grad()
    def dev_proba(self) -> np.ndarray:
        out = []
        for start in range(0, len(self.dev_items), 32):
            out.append(torch.sigmoid(self.clf.head(self.bags(self.dev_items[start : start + 32]))).numpy())
        return np.concatenate(out).astype(np.float64)


class _TopNetwork(torch.nn.Module):
    """The trained part of a top-layers passage model for the shared loop: ``encoder`` (the top layers, at the
    encoder learning rate) and ``head``."""

    def __init__(self, top: TopLayers, head: torch.nn.Module):
        super().__init__()
        self.encoder = top
        self.head = head


def averaging_matrices(clf: PassageTopicClassifier, items: list[tuple[str, str]], item_off: np.ndarray):
    """Per item: (index of its first sentence, (n_passages, n_sentences) matrix averaging sentences into passages)."""
    out = []
    for k, (title, text) in enumerate(items):
        headline, body = prepare(title, text, remove_dateline=clf.strip_dateline)
        sentences, passages = make_passages(headline, body, clf.passage)
        n = int(item_off[k + 1] - item_off[k])
        if len(sentences) != n:
            raise RuntimeError("token-state cache does not match the passages (stale cache?)")
        a = torch.zeros((len(passages), n))
        for row, p in enumerate(passages):
            a[row, list(p.sentences)] = 1.0 / len(p.sentences)
        out.append((int(item_off[k]), a))
    return out


def train_top_passages(config: TopicConfig, data: TopicData, clf: PassageTopicClassifier, resume: bool):
    """Train the top layers and the head together on cached encoder token states (train and dev items only)."""
    items = data.texts("train") + data.texts("dev")
    states, tok_off, item_off = token_state_cache(clf, items, Path(config.checkpoint_dir or "runs") / "cache")
    averaging = averaging_matrices(clf, items, item_off)
    n_train = len(data.texts("train"))
    y_train = data.y("train")
    pos = y_train.sum(0)
    pos_weight = torch.tensor(np.sqrt((len(y_train) - pos) / np.maximum(pos, 1)), dtype=torch.float32)
    adapter = TopPassageAdapter(
        clf, states, tok_off, averaging, np.arange(n_train), y_train, np.arange(n_train, len(items)), data.y("dev"),
        config, pos_weight, data.splits["dev"]["source"],
    )
    assert config.training is not None
    clf.top.train()
    result = fit(adapter, config.training, config.seed, Path(config.checkpoint_dir), resume=resume,
                 desc="passages top layers + head")
    clf.top.eval()
    return result


@torch.no_grad()
def dev_proba(clf: PassageTopicClassifier, bags: list[torch.Tensor]) -> np.ndarray:
    was = clf.head.training
    clf.head.eval()
    out = [torch.sigmoid(clf.head(bags[i : i + 256])).numpy() for i in range(0, len(bags), 256)]
    clf.head.train(was)
    return np.concatenate(out).astype(np.float64)


def check_encoder_split(config: TopicConfig, data: TopicData) -> None:
    """Refuse an encoder (or a top-layer initialisation) trained on another split of the shared sources (its training
    data could hold dev/test)."""
    params: PassagesParams = config.model  # type: ignore[assignment]
    for model in (params.encoder, params.top_init):
        if model is not None:
            _check_split(Path(model), params.encoder_split_fingerprint, data)


def _check_split(model: Path, fingerprint: str | None, data: TopicData) -> None:
    import json

    saved = json.loads((model / "config.json").read_text("utf-8"))
    if saved.get("task") == "stance":
        return  # a stance encoder was trained on sentence-level stance data: none of the topic sources' items
    expected = fingerprint or saved.get("split_fingerprint")
    if saved.get("split_fingerprint") != expected:
        raise ValueError(f"encoder {model}: split fingerprint {saved.get('split_fingerprint')} != {expected}")
    actual = data.base_fingerprint or data.fingerprint
    if actual != expected:
        raise ValueError(
            f"encoder {model} was trained on split {expected}, this config splits its sources as {actual}: "
            "dev/test items may be in the encoder's training data (use data.separate_sources for new sources)"
        )


def build_classifier(config: TopicConfig) -> PassageTopicClassifier:
    params: PassagesParams = config.model  # type: ignore[assignment]
    torch.manual_seed(config.seed)
    passage = PassageParams(size=params.size, stride=params.stride, headline=params.headline, max_tokens=params.max_tokens)
    encoder_dir = Path(params.encoder) if params.encoder is not None else None
    out = Path(config.output_dir).resolve()
    import os

    rel = os.path.relpath(encoder_dir.resolve(), out) if encoder_dir is not None else None
    clf = PassageTopicClassifier.build(
        config.labels,
        passage,
        pooling=params.pooling,
        hidden=params.hidden,
        dropout=params.dropout,
        encoder_dir=encoder_dir,
        encoder_model=rel,
        strip_dateline=config.data.strip_dateline,
        max_evidence=params.max_evidence,
    )
    if params.top_layers:
        clf.top = initial_top_layers(clf.encoder, params.top_layers, params.top_init, params.dropout)
        clf.config["top_layers"] = params.top_layers
    return clf


def initial_top_layers(encoder: torch.nn.Module, n: int, init: Path | None, dropout: float) -> TopLayers:
    """``n`` top layers copied from the last ``n`` layers of ``init``'s encoder (a saved minilm topic model), or of
    ``encoder`` itself."""
    source = encoder
    if init is not None:
        from foreign_desk.inference.topics.passages import _encoder_of

        source, _ = _encoder_of(Path(init), quantize=False, allow_unverified=False)
    layers = list(source.encoder.layer)
    if n > len(layers):
        raise ValueError(f"top_layers {n} > the {len(layers)} layers of the initialising encoder")
    top = TopLayers(0)
    top.layers = torch.nn.ModuleList(TopLayer.from_bert(layer, dropout) for layer in layers[-n:])
    return top


def prepared_bags(config: TopicConfig, data: TopicData, clf: PassageTopicClassifier) -> dict[str, list[torch.Tensor]]:
    """Bags of every split (sentence embeddings cached under the checkpoint directory)."""
    splits = ("train", "dev", "test")
    items = {s: data.texts(s) for s in splits}
    flat = [it for s in splits for it in items[s]]
    emb = sentence_cache(clf, flat, Path(config.checkpoint_dir or "runs") / "cache")
    out, pos = {}, 0
    for s in splits:
        out[s] = make_bags(clf, items[s], emb[pos : pos + len(items[s])], clf.passage)
        pos += len(items[s])
    return out


def train_passages(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[PassageTopicClassifier, dict]:
    """Train the head on cached passage embeddings with the shared loop; thresholds of the best dev evaluation."""
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    started = time.perf_counter()
    check_encoder_split(config, data)
    clf = build_classifier(config)
    if clf.top is not None:
        result = train_top_passages(config, data, clf, resume)
        clf.thresholds = result.best_state.get("thresholds", clf.thresholds)
        clf.head.eval()
        summary = {"training_seconds": time.perf_counter() - started, **result.summary(), "history": result.history}
        return clf, summary
    bags = prepared_bags(config, data, clf)
    y_train = data.y("train")
    pos = y_train.sum(0)
    pos_weight = torch.tensor(np.sqrt((len(y_train) - pos) / np.maximum(pos, 1)), dtype=torch.float32)
    adapter = PassageAdapter(
        clf, bags["train"], y_train, bags["dev"], data.y("dev"), config, pos_weight, data.splits["dev"]["source"]
    )
    assert config.training is not None
    result = fit(adapter, config.training, config.seed, Path(config.checkpoint_dir), resume=resume, desc="passages head")
    clf.thresholds = result.best_state.get("thresholds", clf.thresholds)
    clf.head.eval()
    summary = {"training_seconds": time.perf_counter() - started, **result.summary(), "history": result.history}
    summary["history"] = [{**h, "epoch": h.get("epoch")} for h in result.history]
    return clf, summary
