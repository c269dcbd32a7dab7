"""Topics that read the whole article: every passage is scored, one strong passage anywhere can carry a label.

An article is cut into passages: the headline, then windows of ``size`` consecutive body sentences every ``stride``
sentences (Reuters bodies have no paragraphs, so sentence windows stand in for them). Each sentence is encoded once
by a fine-tuned MiniLM encoder (token-mean pooling); a passage's embedding is the mean of its sentences'. A small MLP
scores every passage for every label, and the passage logits are pooled per label into the article logit:

- ``lse`` (default): ``(logsumexp(r * z) - log n) / r`` with a learned per-label sharpness ``r``: close to the max
  when ``r`` is large, so one strong passage carries the label and many weak ones do not add up;
- ``max``, ``mean``, ``noisy_or`` (``1 - prod(1 - sigmoid(z))``) for comparison.

:meth:`PassageTopicClassifier.predict` returns, for every predicted label, the passages that carried it (verbatim
slices of the prepared article text, highest score first) as :attr:`TopicPrediction.evidence`.

The encoder is not stored here: ``encoder_model`` names a saved ``minilm`` topic model directory (relative to this one,
checked by its manifest and by the sha256 recorded here), whose fine-tuned encoder and tokenizer are reused frozen;
``encoder_model: null`` uses the packaged base MiniLM (tests).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field
from torch import nn

from foreign_desk.inference.encoder import capture_states
from foreign_desk.inference.int8 import load_calibration, quantize_model_encoder
from foreign_desk.inference.manifest import ModelLoadError, file_sha256
from foreign_desk.inference.sentences import split_sentences
from foreign_desk.inference.topics.base import ArticleLike, PassageScores, TopicClassifier, TopicModelConfig
from foreign_desk.inference.topics.text import as_headline_body, prepare
from foreign_desk.inference.topics.top_layers import TopLayers

HEAD_NAME = "head.safetensors"
TOP_NAME = "top_layers.safetensors"
POOLINGS = ("lse", "max", "mean", "noisy_or")


@dataclass(frozen=True)
class PassageParams:
    """How an article is cut into passages."""

    size: int = 2
    stride: int = 1
    headline: bool = True
    max_tokens: int = 128

    def __post_init__(self) -> None:
        if self.size < 1 or self.stride < 1:
            raise ValueError(f"passage size and stride must be >= 1, got {self.size}, {self.stride}")
        if self.max_tokens < 8:
            raise ValueError("max_tokens must be >= 8")


@dataclass(frozen=True)
class Passage:
    """``text`` is ``source[start:end]`` of the prepared headline (``headline=True``) or body; ``sentences`` are the
    indices of its sentences in the article's sentence list (headline first when present)."""

    text: str
    start: int
    end: int
    headline: bool
    sentences: tuple[int, ...]


def article_sentences(headline: str, body: str) -> tuple[list[str], list[tuple[int, int]], bool]:
    """Sentence texts of an article (headline first when non-empty), their body offsets, and whether a headline leads."""
    sents = split_sentences(body)
    texts = [s.text for s in sents]
    spans = [(s.start, s.end) for s in sents]
    if headline:
        return [headline, *texts], [(0, len(headline)), *spans], True
    return texts, spans, False


def make_passages(headline: str, body: str, params: PassageParams) -> tuple[list[str], list[Passage]]:
    """(sentences to encode, passages) of one prepared article. Every body sentence lies in at least one passage; an
    article without text gets one empty passage."""
    sentences, spans, has_head = article_sentences(headline, body)
    passages: list[Passage] = []
    if has_head and params.headline:
        passages.append(Passage(headline, 0, len(headline), True, (0,)))
    first = 1 if has_head else 0
    n_body = len(sentences) - first
    if n_body:
        starts = list(range(0, max(1, n_body - params.size + 1), params.stride))
        if starts[-1] + params.size < n_body:  # the tail is always covered
            starts.append(n_body - params.size)
        for s in starts:
            idx = tuple(range(first + s, first + min(s + params.size, n_body)))
            start, end = spans[idx[0]][0], spans[idx[-1]][1]
            passages.append(Passage(body[start:end], start, end, False, idx))
    if not passages:
        if has_head:  # headline only, headline passages switched off: still read it
            passages.append(Passage(headline, 0, len(headline), True, (0,)))
        else:
            sentences = [""]
            passages.append(Passage("", 0, 0, False, (0,)))
    return sentences, passages


def passage_embeddings(sentence_emb: np.ndarray | torch.Tensor, passages: Sequence[Passage]) -> torch.Tensor:
    """(n_passages, dim): the mean of each passage's sentence embeddings."""
    emb = torch.as_tensor(sentence_emb, dtype=torch.float32)
    return torch.stack([emb[list(p.sentences)].mean(0) for p in passages])


# ---------------------------------------------------------------------------------------------------- network
class PassageHead(nn.Module):
    """Per-passage MLP logits, pooled per article and label."""

    def __init__(self, dim: int, n_labels: int, hidden: int = 256, dropout: float = 0.1, pooling: str = "lse"):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.pooling = pooling
        self.mlp = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, n_labels)
        )
        self.sharpness = nn.Parameter(torch.full((n_labels,), 2.0))

    def passage_logits(self, emb: torch.Tensor) -> torch.Tensor:
        return self.mlp(emb)

    def pool(self, z: torch.Tensor) -> torch.Tensor:
        """Article logits (n_labels,) from the passage logits (n_passages, n_labels) of one article."""
        if self.pooling == "max":
            return z.max(0).values
        if self.pooling == "mean":
            return z.mean(0)
        if self.pooling == "noisy_or":  # logit of 1 - prod(1 - sigmoid(z)), computed stably
            s = nn.functional.softplus(z).sum(0).clamp(min=1e-6)
            return s + torch.log(-torch.expm1(-s))
        r = nn.functional.softplus(self.sharpness) + 0.5
        return (torch.logsumexp(r * z, 0) - math.log(len(z))) / r

    def forward(self, bags: Sequence[torch.Tensor]) -> torch.Tensor:
        """Article logits (n_articles, n_labels) of a batch of passage-embedding bags (padded, pooled in one go;
        the same values as :meth:`pool` per bag)."""
        n = torch.tensor([len(b) for b in bags])
        z = self.passage_logits(nn.utils.rnn.pad_sequence(list(bags), batch_first=True))  # (B, P, L)
        mask = (torch.arange(z.shape[1])[None, :] < n[:, None]).unsqueeze(-1)
        if self.pooling == "max":
            return z.masked_fill(~mask, float("-inf")).max(1).values
        if self.pooling == "mean":
            return (z * mask).sum(1) / n[:, None]
        if self.pooling == "noisy_or":
            s = (nn.functional.softplus(z) * mask).sum(1).clamp(min=1e-6)
            return s + torch.log(-torch.expm1(-s))
        r = nn.functional.softplus(self.sharpness) + 0.5
        lse = torch.logsumexp((r * z).masked_fill(~mask, float("-inf")), 1)
        return (lse - torch.log(n.to(z.dtype))[:, None]) / r


class _Network(nn.Module):
    """``encoder`` (frozen) + ``head``: the shape the shared training loop expects."""

    def __init__(self, encoder: nn.Module, head: PassageHead):
        super().__init__()
        self.encoder = encoder
        self.head = head


# ---------------------------------------------------------------------------------------------------- classifier
class PassageTopicConfig(TopicModelConfig):
    kind: Literal["passages"] = "passages"
    passage: PassageParams
    pooling: Literal["lse", "max", "mean", "noisy_or"] = "lse"
    hidden: int = Field(256, ge=1)
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    encoder_model: str | None = None
    encoder_sha256: str | None = None
    max_evidence: int = Field(2, ge=1)
    top_layers: int = Field(0, ge=0, le=6, description="transformer layers of its own on the encoder's final states")


class PassageTopicClassifier(TopicClassifier):
    """Frozen MiniLM sentence embeddings -> passages -> per-passage MLP -> pooled article logits; with evidence."""

    kind = "passages"
    config_class = PassageTopicConfig

    def __init__(
        self,
        labels: Sequence[str],
        encoder: nn.Module,
        tokenizer: Any,
        head: PassageHead,
        passage: PassageParams,
        thresholds: dict[str, float] | None = None,
        top: TopLayers | None = None,
        **config: Any,
    ):
        super().__init__(labels, thresholds, **config)
        self.encoder = encoder.eval()
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        self.tokenizer = tokenizer
        self.head = head
        self.top = top.eval() if top is not None and len(top.layers) else None
        self.config["top_layers"] = len(self.top.layers) if self.top is not None else 0
        self.passage = passage
        self.config["passage"] = asdict(passage)
        self.config["pooling"] = head.pooling
        self.config.setdefault("max_evidence", 2)
        self.quantized = False  # int8 encoder (set by from_pretrained)
        self.int8: str | None = None  # "static" (int8_calibration.json beside the head: batch-independent) or "dynamic"
        # top layers: "static" int8 when quantized with int8_calibration.json (then it holds their ranges), else float
        self.top_int8: str | None = None
        self._states: dict[tuple[int, ...], torch.Tensor] | None = None  # encoder states by input ids (reuse_states)

    @property
    def network(self) -> _Network:
        return _Network(self.encoder, self.head)

    @classmethod
    def build(
        cls,
        labels: Sequence[str],
        passage: PassageParams | None = None,
        pooling: str = "lse",
        hidden: int = 256,
        dropout: float = 0.1,
        encoder_dir: Path | None = None,
        top: TopLayers | None = None,
        **config: Any,
    ) -> PassageTopicClassifier:
        """A fresh head on the encoder of a saved minilm topic (or stance) model (``encoder_dir``) or on the base
        MiniLM; ``top``: layers of its own between the encoder's final states and the token mean."""
        if encoder_dir is not None:
            encoder, tokenizer = _encoder_of(Path(encoder_dir), quantize=False, allow_unverified=False)
            config["encoder_sha256"] = file_sha256(Path(encoder_dir) / "model.safetensors")
        else:
            from foreign_desk.inference.encoder import load_base_encoder, load_tokenizer

            encoder, tokenizer = load_base_encoder(), load_tokenizer()
        head = PassageHead(encoder.config.hidden_size, len(labels), hidden=hidden, dropout=dropout, pooling=pooling)
        config.update(hidden=hidden, dropout=dropout)
        return cls(labels, encoder, tokenizer, head, passage or PassageParams(), top=top, **config)

    # ------------------------------------------------------------------ features
    def article_passages(self, articles: Sequence[ArticleLike]) -> list[tuple[list[str], list[Passage]]]:
        out = []
        for i, a in enumerate(articles):
            headline, body = prepare(*as_headline_body(a, i), remove_dateline=self.strip_dateline)
            out.append(make_passages(headline, body, self.passage))
        return out

    @torch.inference_mode()
    def encode_sentences(self, sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Token-mean embeddings (n, dim) of sentences, in length-sorted, dynamically padded batches."""
        dim = self.encoder.config.hidden_size
        out = np.zeros((len(sentences), dim), dtype=np.float32)
        if not sentences:
            return out
        ids = self.tokenizer(
            list(sentences), truncation=True, max_length=self.passage.max_tokens, verbose=False
        )["input_ids"]
        todo = range(len(ids))
        if self._states:  # sentences the shared encoder has encoded already (the stance pass)
            todo, reused = [], []
            for i, row in enumerate(ids):
                cached = self._states.get(tuple(row))
                if cached is None:
                    todo.append(i)
                elif self.top is not None:
                    reused.append((i, cached))
                else:
                    out[i] = cached.mean(0).numpy()  # token-mean, as below (the cached rows hold no padding)
            if reused:
                out[[i for i, _ in reused]] = self.top.embed([c for _, c in reused], batch_size).numpy()
        order = sorted(todo, key=lambda i: len(ids[i]))
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            length = max(len(ids[i]) for i in idx)
            x = torch.full((len(idx), length), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), length), dtype=torch.long)
            for row, i in enumerate(idx):
                x[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            hidden = self.encoder(input_ids=x, attention_mask=mask).last_hidden_state.float()
            if self.top is not None:
                out[idx] = self.top(hidden, mask == 0).numpy()
                continue
            m = mask.unsqueeze(-1).to(hidden.dtype)
            out[idx] = ((hidden * m).sum(1) / m.sum(1).clamp(min=1.0)).numpy()
        return out

    def bags(self, articles: Sequence[ArticleLike], batch_size: int = 64) -> tuple[list[list[Passage]], list[torch.Tensor]]:
        """Passages and passage embeddings of every article (all sentences of the batch encoded in one pass)."""
        cut = self.article_passages(articles)
        flat = [s for sentences, _ in cut for s in sentences]
        emb = self.encode_sentences(flat, batch_size=max(batch_size, 32))
        bags, pos = [], 0
        for sentences, passages in cut:
            bags.append(passage_embeddings(emb[pos : pos + len(sentences)], passages))
            pos += len(sentences)
        return [p for _, p in cut], bags

    @torch.inference_mode()
    def predict_details(
        self, articles: Sequence[ArticleLike], batch_size: int = 16
    ) -> tuple[np.ndarray, list[PassageScores] | None]:
        if len(articles) == 0:
            return np.zeros((0, len(self.labels))), []
        was_training = self.head.training
        self.head.eval()
        try:
            passages, bags = self.bags(articles)
            z = self.head.passage_logits(torch.cat(bags))
            chunks = torch.split(z, [len(b) for b in bags])
            proba = torch.sigmoid(torch.stack([self.head.pool(c) for c in chunks])).double().numpy()
        finally:
            self.head.train(was_training)
        details = [
            PassageScores(
                texts=[p.text for p in ps],
                spans=[(p.start, p.end, p.headline) for p in ps],
                scores=torch.sigmoid(c).double().numpy(),
            )
            for ps, c in zip(passages, chunks, strict=True)
        ]
        return proba, details

    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        return self.predict_details(articles, batch_size)[0]

    # ------------------------------------------------------------------ persistence
    def _save_weights(self, model_dir: Path) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().contiguous() for k, v in self.head.state_dict().items()}, str(model_dir / HEAD_NAME))
        if self.top is not None:
            save_file({k: v.detach().contiguous() for k, v in self.top.state_dict().items()}, str(model_dir / TOP_NAME))

    @classmethod
    def _load(
        cls, model_dir: Path, config: PassageTopicConfig, quantize: bool, allow_unverified: bool
    ) -> PassageTopicClassifier:
        from safetensors.torch import load_file

        labels, thresholds, rest = cls.split_config(config)
        for key in ("passage", "pooling"):
            rest.pop(key, None)
        ranges = None
        if config.encoder_model is not None:
            enc_dir = (model_dir / config.encoder_model).resolve()
            if not (enc_dir / "config.json").is_file():
                raise ModelLoadError(f"{model_dir}: encoder model not found: {enc_dir}")
            if config.encoder_sha256 and file_sha256(enc_dir / "model.safetensors") != config.encoder_sha256:
                raise ModelLoadError(
                    f"{model_dir}: the encoder model {enc_dir} is not the one this head was trained on "
                    "(sha256 differs): retrain the passages model"
                )
            ranges = load_calibration(model_dir)  # validated either way
            # static int8: calibrated on this model's passages. With top layers the calibration is theirs: the
            # shared encoder takes its own model's int8 path, so its states match the stance pass's
            static = quantize and ranges is not None and not config.top_layers
            encoder, tokenizer, encoder_int8 = _encoder_and_int8(enc_dir, quantize=quantize and not static,
                                                                 allow_unverified=allow_unverified)
            if static:
                encoder = quantize_model_encoder(encoder, ranges, model_dir)
                encoder_int8 = "static"
        else:
            from foreign_desk.inference.encoder import load_base_encoder, load_tokenizer, quantize_int8

            encoder, tokenizer = load_base_encoder(), load_tokenizer()
            if quantize:
                encoder = quantize_int8(encoder)
        head = PassageHead(
            encoder.config.hidden_size, len(labels), hidden=config.hidden, dropout=config.dropout, pooling=config.pooling
        )
        state = load_file(str(model_dir / HEAD_NAME))
        missing, unexpected = head.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ModelLoadError(f"{model_dir}: {HEAD_NAME} does not match the head (missing {missing}, unexpected {unexpected})")
        head.eval()
        top = None
        rest.pop("top_layers", None)
        if config.top_layers:
            if not (model_dir / TOP_NAME).is_file():
                raise ModelLoadError(f"{model_dir}: {TOP_NAME} is missing (config.json says top_layers "
                                     f"{config.top_layers})")
            dim = encoder.config.hidden_size
            top = TopLayers(config.top_layers, dim, encoder.config.num_attention_heads, encoder.config.intermediate_size,
                            encoder.config.hidden_dropout_prob)
            missing, unexpected = top.load_state_dict(load_file(str(model_dir / TOP_NAME)), strict=False)
            if missing or unexpected:
                raise ModelLoadError(f"{model_dir}: {TOP_NAME} does not match {config.top_layers} top layers "
                                     f"(missing {missing}, unexpected {unexpected})")
            if quantize and ranges is not None:
                top = quantize_model_encoder(top, ranges, model_dir)  # static int8 top layers
        clf = cls(labels, encoder, tokenizer, head, config.passage, thresholds, top=top, **rest)
        clf.quantized = quantize
        clf.top_int8 = "static" if top is not None and quantize and ranges is not None else None
        if config.encoder_model is None:
            encoder_int8 = "dynamic" if quantize else None
        clf.int8 = encoder_int8 if quantize else None
        return clf

    # ------------------------------------------------------------------ encoder sharing
    def share_encoder(self, stance_model: Any) -> bool:
        """Use the encoder of ``stance_model`` (a loaded MiniLM stance model whose ``model_dir`` holds the very weights
        this head was trained on, quantized alike): then one encoder pass per sentence serves stance and topics."""
        network = getattr(stance_model, "model", None)
        source = getattr(stance_model, "model_dir", None)
        expected = self.config.get("encoder_sha256")
        if network is None or not hasattr(network, "encoder") or source is None or not expected:
            return False
        stance_int8 = getattr(stance_model, "int8", "dynamic" if getattr(stance_model, "per_text", False) else None)
        if stance_int8 != self.int8:
            return False  # int8 states differ from fp32 ones (and static from dynamic): each keeps its own encoder
        weights = Path(source) / "model.safetensors"
        if not weights.is_file() or file_sha256(weights) != expected:
            return False
        self.encoder = network.encoder
        self.tokenizer = stance_model.tokenizer
        return True

    @contextlib.contextmanager
    def reuse_states(self) -> Iterator[None]:
        """While active, every forward pass of the encoder (the stance pass, when it is shared) leaves its states
        here, and :meth:`encode_sentences` takes a sentence's token-mean embedding from there instead of encoding it
        again (the same input ids give the same states)."""
        with capture_states(self.encoder) as cache:
            self._states = cache.states
            try:
                yield
            finally:
                self._states = None


def _encoder_of(enc_dir: Path, quantize: bool, allow_unverified: bool) -> tuple[nn.Module, Any]:
    """The (frozen) encoder and tokenizer of a saved minilm topic model, or of a saved minilm stance model (one
    encoder pass per sentence can then serve both tasks)."""
    encoder, tokenizer, _ = _encoder_and_int8(enc_dir, quantize, allow_unverified)
    return encoder, tokenizer


def _encoder_and_int8(enc_dir: Path, quantize: bool, allow_unverified: bool) -> tuple[nn.Module, Any, str | None]:
    """:func:`_encoder_of` and the int8 path the encoder took (``None``: float; a stance model's encoder is static
    int8 when that model stores a calibration, as in the stance step)."""
    import json

    from foreign_desk.inference.topics.minilm import MiniLMTopicClassifier

    try:
        task = json.loads((enc_dir / "config.json").read_text(encoding="utf-8")).get("task")
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{enc_dir}: unreadable config.json of the passages encoder: {exc}") from exc
    if task == "stance":
        from foreign_desk.inference.stance import StanceClassifier
        from foreign_desk.inference.stance.minilm import MiniLMStanceClassifier

        stance = StanceClassifier.from_pretrained(enc_dir, quantize=quantize, allow_unverified=allow_unverified)
        if not isinstance(stance, MiniLMStanceClassifier):
            raise ModelLoadError(f"{enc_dir}: the passages encoder must be a minilm model, got kind {stance.kind!r}")
        mode = getattr(stance, "int8", "dynamic" if getattr(stance, "per_text", False) else None)
        return stance.model.encoder, stance.tokenizer, mode if quantize else None
    clf = TopicClassifier.from_pretrained(enc_dir, quantize=quantize, allow_unverified=allow_unverified)
    if not isinstance(clf, MiniLMTopicClassifier):
        raise ModelLoadError(f"{enc_dir}: the passages encoder must be a minilm topic model, got kind {clf.kind!r}")
    return clf.network.encoder, clf.tokenizer, "dynamic" if quantize else None
