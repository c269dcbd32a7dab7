"""Transformer stance model: fine-tuned MiniLM encoding each text once and pooling every target's token span."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field

from foreign_desk.inference.encoder import (
    BASE_MODEL_NAME,
    freeze_embeddings,
    load_base_encoder,
    load_compact_weights,
    load_tokenizer,
    quantize_int8,
    save_compact_weights,
)
from foreign_desk.inference.int8 import load_calibration, quantize_model_encoder, save_calibration
from foreign_desk.inference.stance.article_head import load_article_head, save_article_head
from foreign_desk.inference.stance.base import StanceClassifier, StanceModelConfig
from foreign_desk.inference.stance.encoding import batches, build_windows, collate
from foreign_desk.inference.stance.network import SpanStanceNet
from foreign_desk.inference.stance.targets import LABELS, StanceTarget, as_target

WEIGHTS_NAME = "model.safetensors"


class MiniLMStanceConfig(StanceModelConfig):
    kind: Literal["minilm"] = "minilm"
    max_length: int = Field(256, ge=8)
    head_hidden: int = Field(256, ge=1)
    pooling: str = "span-mean+sentence-mean"


class MiniLMStanceClassifier(StanceClassifier):
    """Fine-tuned MiniLM encoding each text once and pooling every target's token span."""

    kind = "minilm"
    config_class = MiniLMStanceConfig

    def __init__(self, model, tokenizer, config: dict[str, Any] | None = None):
        defaults = {"max_length": 256, "pooling": "span-mean+sentence-mean", "head_hidden": 256}
        super().__init__({**defaults, **(config or {})})
        self.model = model
        self.tokenizer = tokenizer
        # Dynamic int8 quantization scales each Linear's input by its max over the whole batch (every token of every
        # text, padding included), so a quantized model's output for a text depended on the other texts of its batch
        # (7.6 % of mention labels changed). Quantized models therefore encode each text alone, unpadded, and keep
        # the head in float (its input rows are the text's targets): the same target always gets the same scores.
        self.per_text = False
        # None (float), "static" (calibrated int8, see foreign_desk.inference.int8: batch-independent, stays batched)
        # or "dynamic" (no calibration stored: dynamic int8, one text per pass, as above)
        self.int8: str | None = None
        self.int8_ranges: dict[str, tuple[float, float]] | None = None  # calibration for static int8, if stored
        self.article_head = None  # ArticleHead fitted on labelled actor stances (config ``article_head``), if any

    @classmethod
    def build(cls, max_length: int = 256, head_hidden: int = 256, dropout: float = 0.1) -> MiniLMStanceClassifier:
        """A fresh classifier on the packaged base encoder (word embeddings frozen), ready to fine-tune."""
        encoder = load_base_encoder()
        freeze_embeddings(encoder)
        model = SpanStanceNet(encoder, head_hidden=head_hidden, dropout=dropout)
        config = {"max_length": max_length, "head_hidden": head_hidden, "dropout": dropout, "base_model": BASE_MODEL_NAME}
        return cls(model, load_tokenizer(), config)

    @classmethod
    def _load(
        cls, model_dir: Path, config: MiniLMStanceConfig, quantize: bool, allow_unverified: bool
    ) -> MiniLMStanceClassifier:
        model = SpanStanceNet(load_base_encoder(), head_hidden=config.head_hidden)
        load_compact_weights(model, model_dir / WEIGHTS_NAME)
        model.eval()
        ranges = load_calibration(model_dir)  # validated either way; kept so that save_pretrained writes it back
        if quantize and ranges is not None:  # static int8: calibrated fixed input scales, rows independent, batched
            model.encoder = quantize_model_encoder(model.encoder, ranges, model_dir)
        elif quantize:  # the encoder only: the small head scores each target in float, whatever its siblings
            model.encoder = quantize_int8(model.encoder)
        clf = cls(model, load_tokenizer(model_dir), config.model_dump(exclude_unset=True))
        clf.int8 = None if not quantize else ("static" if ranges is not None else "dynamic")
        clf.int8_ranges = ranges
        clf.per_text = clf.int8 == "dynamic"
        head = load_article_head(model_dir, getattr(config, "article_head", None))  # validated either way
        # the head was fitted on fp32 mention vectors. Static int8 keeps them close (2-fold CV macro-F1 within 0.006 of
        # fp32 on every source, 97.7 % of actor labels the same); dynamic int8 shifted its probabilities by up to 0.3,
        # so a dynamic-int8 model decides article-level stance by its aggregation rule instead
        clf.article_head = None if clf.int8 == "dynamic" else head
        return clf

    def _save_weights(self, model_dir: Path) -> None:
        if self.int8 is not None:
            raise ValueError(f"an int8 ({self.int8}) stance model cannot be saved: load it without quantize and save that")
        save_compact_weights(self.model, model_dir / WEIGHTS_NAME)
        self.tokenizer.save_pretrained(str(model_dir))
        if self.article_head is not None:
            save_article_head(model_dir, self.article_head)
        if self.int8_ranges is not None:
            save_calibration(model_dir, self.int8_ranges, "copied with the weights it was calibrated for")

    def _passes(
        self, targets: Sequence[StanceTarget], batch_size: int, share_texts: bool = True
    ) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """Per forward pass: the caller's indices of its targets, their logits and their mention vectors
        (:meth:`SpanStanceNet.features`); int8 models encode one text per pass (see ``per_text``)."""
        windows = build_windows(self.tokenizer, targets, int(self.config["max_length"]), share_texts=share_texts)
        for group in batches(windows, 1 if self.per_text else batch_size):
            b = collate(group, pad_id=self.tokenizer.pad_token_id or 0)
            logits, vectors = self.model.features(b.input_ids, b.attention_mask, b.target_window, b.target_mask)
            yield b.targets, logits.float(), vectors.float()

    @torch.no_grad()
    def scores_and_vectors(self, targets: Sequence[StanceTarget], batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
        """``(probabilities (n, 3), mention vectors (n, d))`` from one pass per text: what the article-level head
        reads; the probabilities equal :meth:`predict_proba`'s."""
        self.model.eval()
        items = [as_target(t) for t in targets]
        proba = np.zeros((len(items), len(LABELS)), dtype=np.float32)
        vectors = np.zeros((len(items), 0), dtype=np.float32)
        with torch.inference_mode():
            for rows, logits, vecs in self._passes(items, batch_size):
                if vectors.shape[1] != vecs.shape[1]:
                    vectors = np.zeros((len(items), vecs.shape[1]), dtype=np.float32)
                proba[rows] = torch.softmax(logits, dim=-1).numpy()
                vectors[rows] = vecs.numpy()
        return proba, vectors

    @torch.no_grad()
    def logits(self, targets: Sequence[StanceTarget], batch_size: int = 32, share_texts: bool = True) -> torch.Tensor:
        """Raw logits ``(n, 3)`` (inference only); every distinct text is encoded once for all its targets
        (``share_texts=False``: once per target, as one-pass-per-target models do)."""
        out = torch.empty((len(targets), len(LABELS)))
        for rows, logits, _ in self._passes(targets, batch_size, share_texts):
            out[torch.tensor(rows)] = logits
        return out

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        self.model.eval()
        with torch.inference_mode():
            return torch.softmax(self.logits(targets, batch_size), dim=-1).numpy()
