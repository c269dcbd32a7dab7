"""Baseline topic model: TF-IDF word + character n-grams and one-vs-rest logistic regression, stored with skops
(vocabularies as JSON beside it, see :mod:`foreign_desk.inference.sklearn_io`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from foreign_desk.inference.sklearn_io import load_sklearn, save_sklearn
from foreign_desk.inference.topics.base import ArticleLike, TopicClassifier, TopicModelConfig
from foreign_desk.inference.topics.text import as_full_text

WEIGHTS_NAME = "model.skops"


class TfidfTopicConfig(TopicModelConfig):
    kind: Literal["tfidf"] = "tfidf"


class TfidfTopicClassifier(TopicClassifier):
    """``pipeline`` is a fitted scikit-learn estimator mapping a list of texts to ``predict_proba`` (n, n_labels)."""

    kind = "tfidf"
    config_class = TfidfTopicConfig

    def __init__(self, labels: Sequence[str], pipeline: Any, thresholds: dict[str, float] | None = None, **config: Any):
        super().__init__(labels, thresholds, **config)
        self.pipeline = pipeline

    def texts(self, articles: Sequence[ArticleLike]) -> list[str]:
        return [as_full_text(a, i, self.strip_dateline) for i, a in enumerate(articles)]

    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        if len(articles) == 0:
            return np.zeros((0, len(self.labels)))
        proba = np.asarray(self.pipeline.predict_proba(self.texts(articles)), dtype=np.float64)
        if proba.shape != (len(articles), len(self.labels)):
            raise ValueError(f"pipeline returned shape {proba.shape}, expected {(len(articles), len(self.labels))}")
        return proba

    def _save_weights(self, model_dir: Path) -> None:
        save_sklearn(self.pipeline, model_dir, WEIGHTS_NAME)

    @classmethod
    def _load(cls, model_dir: Path, config: TfidfTopicConfig, quantize: bool, allow_unverified: bool) -> TfidfTopicClassifier:
        labels, thresholds, rest = cls.split_config(config)
        return cls(labels, load_sklearn(model_dir, WEIGHTS_NAME), thresholds, **rest)
