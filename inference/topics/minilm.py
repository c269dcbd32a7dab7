"""Transformer topic model: all-MiniLM-L6-v2 fine-tuned for multi-label topics over headline + body windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field

from foreign_desk.inference.encoder import (
    load_base_encoder,
    load_compact_weights,
    load_tokenizer,
    quantize_int8,
    save_compact_weights,
)
from foreign_desk.inference.topics.base import ArticleLike, TopicClassifier, TopicModelConfig
from foreign_desk.inference.topics.network import WindowPooledClassifier, collate
from foreign_desk.inference.topics.text import as_headline_body, prepare
from foreign_desk.inference.topics.windows import WindowParams, make_windows

WEIGHTS_NAME = "model.safetensors"


class MiniLMTopicConfig(TopicModelConfig):
    kind: Literal["minilm"] = "minilm"
    window: WindowParams
    pooling: str = "mean_max"
    dropout: float = Field(0.1, ge=0.0, lt=1.0)


class MiniLMTopicClassifier(TopicClassifier):
    """MiniLM encoder, token-mean window embeddings pooled per article (mean+max), linear head, sigmoid."""

    kind = "minilm"
    config_class = MiniLMTopicConfig

    def __init__(
        self,
        labels: Sequence[str],
        network: WindowPooledClassifier,
        tokenizer: Any,
        window: WindowParams,
        thresholds: dict[str, float] | None = None,
        **config: Any,
    ):
        super().__init__(labels, thresholds, **config)
        self.network = network
        self.tokenizer = tokenizer
        self.window = window
        self.config["window"] = asdict(window)
        self.config["pooling"] = network.pooling
        self.config["max_length"] = window.max_length

    @classmethod
    def build(
        cls,
        labels: Sequence[str],
        window: WindowParams | None = None,
        pooling: str = "mean_max",
        dropout: float = 0.1,
        **config: Any,
    ) -> MiniLMTopicClassifier:
        """A fresh (untrained head) classifier on the packaged base encoder."""
        network = WindowPooledClassifier(load_base_encoder(), len(labels), pooling=pooling, dropout=dropout)
        config["dropout"] = dropout
        return cls(labels, network, load_tokenizer(), window or WindowParams(), **config)

    # ------------------------------------------------------------------ features
    def encode_windows(self, articles: Sequence[ArticleLike]) -> list[list[list[int]]]:
        """Token-id windows of each article (headline + body chunks)."""
        pairs = [prepare(*as_headline_body(a, i), remove_dateline=self.strip_dateline) for i, a in enumerate(articles)]
        return make_windows(self.tokenizer, [h for h, _ in pairs], [b for _, b in pairs], self.window)

    def logits_for_windows(self, windows: list[list[list[int]]]) -> torch.Tensor:
        ids, mask, counts = collate(windows, self.tokenizer.pad_token_id)
        return self.network(ids, mask, counts)

    @torch.inference_mode()
    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        if len(articles) == 0:
            return np.zeros((0, len(self.labels)))
        return self.proba_for_windows(self.encode_windows(articles), batch_size)

    @torch.inference_mode()
    def proba_for_windows(self, windows: list[list[list[int]]], batch_size: int = 16) -> np.ndarray:
        """Probabilities from pre-computed windows; batches are length-sorted and dynamically padded."""
        was_training = self.network.training
        self.network.eval()
        order = sorted(range(len(windows)), key=lambda i: (sum(len(w) for w in windows[i]), len(windows[i])))
        out = np.zeros((len(windows), len(self.labels)), dtype=np.float64)
        try:
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                logits = self.logits_for_windows([windows[i] for i in idx])
                out[idx] = torch.sigmoid(logits.float()).numpy()
        finally:
            self.network.train(was_training)
        return out

    # ------------------------------------------------------------------ persistence
    def _save_weights(self, model_dir: Path) -> None:
        save_compact_weights(self.network, model_dir / WEIGHTS_NAME)
        self.tokenizer.save_pretrained(str(model_dir))

    @classmethod
    def _load(cls, model_dir: Path, config: MiniLMTopicConfig, quantize: bool, allow_unverified: bool) -> MiniLMTopicClassifier:
        labels, thresholds, rest = cls.split_config(config)
        for key in ("window", "pooling", "max_length"):
            rest.pop(key, None)
        network = WindowPooledClassifier(load_base_encoder(), len(labels), pooling=config.pooling, dropout=config.dropout)
        load_compact_weights(network, model_dir / WEIGHTS_NAME)
        network.eval()
        if quantize:
            network = quantize_int8(network)
        return cls(labels, network, load_tokenizer(model_dir), config.window, thresholds, **rest)
