"""``TopicClassifier``: one interface over the saved topic model kinds (``tfidf``, ``minilm``, ``ensemble``), on the
saved-model seam of :mod:`foreign_desk.inference.saved_model`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from foreign_desk.inference.article import Article
from foreign_desk.inference.saved_model import ModelConfig, SavedModel

ArticleLike = Article | str | Mapping[str, Any]
TASK = "topic"


@dataclass
class TopicPrediction:
    """Topics of one article: the labels over their decision threshold and every label's probability."""

    labels: list[str]
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "scores": dict(self.scores)}


class TopicModelConfig(ModelConfig):
    """``config.json`` fields every topic kind has."""

    task: Literal["topic"] = TASK
    thresholds: dict[str, float] | None = None
    strip_dateline: bool = True


class TopicClassifier(SavedModel):
    """Multi-label topic classifier. Load any saved kind with :meth:`from_pretrained`.

    Subclasses implement ``predict_proba`` and the weight (de)serialisation; this class holds the label set and the
    per-label decision thresholds (tuned on dev at training time) and turns probabilities into predictions.
    """

    task = TASK
    config_class = TopicModelConfig

    def __init__(self, labels: Sequence[str], thresholds: Mapping[str, float] | None = None, **config: Any):
        if not labels or len(set(labels)) != len(labels):
            raise ValueError(f"labels must be a non-empty list of distinct names, got {list(labels)}")
        self.labels: list[str] = list(labels)
        thresholds = dict(thresholds or {})
        unknown = set(thresholds) - set(self.labels)
        if unknown:
            raise ValueError(f"thresholds given for unknown labels {sorted(unknown)}")
        self.thresholds: dict[str, float] = {label: float(thresholds.get(label, 0.5)) for label in self.labels}
        self.config: dict[str, Any] = dict(config)

    @staticmethod
    def split_config(config: ModelConfig) -> tuple[list[str], dict[str, float] | None, dict[str, Any]]:
        """(labels, thresholds, the other settings) of a validated config, as the constructors take them."""
        rest = config.model_dump(exclude_unset=True)
        for key in ("task", "kind", "labels", "thresholds"):
            rest.pop(key, None)
        return list(config.labels), config.thresholds, rest  # type: ignore[attr-defined]

    def to_config(self) -> dict[str, Any]:
        return {"task": TASK, "kind": self.kind, "labels": self.labels, "thresholds": self.thresholds, **self.config}

    # ------------------------------------------------------------------ prediction
    @property
    def strip_dateline(self) -> bool:
        return bool(self.config.get("strip_dateline", True))

    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        """Probabilities, shape ``(n_articles, n_labels)`` in the order of :attr:`labels`."""
        raise NotImplementedError

    def threshold_vector(self) -> np.ndarray:
        return np.array([self.thresholds[label] for label in self.labels], dtype=np.float64)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Boolean label matrix from probabilities and the per-label thresholds."""
        return proba >= self.threshold_vector()[None, :]

    def predict(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> list[TopicPrediction]:
        """Topic labels and scores for each article (``Article`` objects, strings, or dicts with title/text)."""
        proba = self.predict_proba(articles, batch_size=batch_size)
        decided = self.decide(proba)
        return [
            TopicPrediction(
                labels=[label for label, on in zip(self.labels, row_on, strict=True) if on],
                scores={label: round(float(p), 6) for label, p in zip(self.labels, row, strict=True)},
            )
            for row, row_on in zip(proba, decided, strict=True)
        ]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(labels={self.labels})"
