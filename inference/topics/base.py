"""``TopicClassifier``: one interface over the saved topic model kinds (``tfidf``, ``minilm``, ``ensemble``), on the
saved-model seam of :mod:`foreign_desk.inference.saved_model`."""

from __future__ import annotations

import contextlib
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
    """Topics of one article: the labels over their decision threshold, every label's probability, and for each
    predicted label the passages that carried it (``{"text", "score"}``, verbatim article text, highest first; empty
    for kinds that do not score passages)."""

    labels: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "scores": dict(self.scores),
            "evidence": {k: [dict(e) for e in v] for k, v in self.evidence.items()},
        }


@dataclass
class PassageScores:
    """The passages of one article and their per-label probabilities ``scores`` (n_passages, n_labels); ``spans``:
    (start, end, is_headline) of each passage in the prepared headline/body."""

    texts: list[str]
    spans: list[tuple[int, int, bool]]
    scores: np.ndarray


def select_evidence(passages: PassageScores, column: int, threshold: float, max_n: int) -> list[dict[str, Any]]:
    """The passages that carried a label: the best one, then the next best at or above ``threshold`` that do not
    overlap those already chosen (windows share sentences), at most ``max_n``, highest first."""
    order = np.argsort(-passages.scores[:, column], kind="stable")
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= max_n:
            break
        score = float(passages.scores[i, column])
        if chosen and score < threshold:
            break
        if not passages.texts[i]:
            continue
        s, e, head = passages.spans[i]
        if any(head == passages.spans[j][2] and s < passages.spans[j][1] and passages.spans[j][0] < e for j in chosen):
            continue
        chosen.append(int(i))
    return [{"text": passages.texts[i], "score": round(float(passages.scores[i, column]), 4)} for i in chosen]


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

    def predict_details(
        self, articles: Sequence[ArticleLike], batch_size: int = 16
    ) -> tuple[np.ndarray, Sequence[PassageScores | None] | None]:
        """Probabilities and, for kinds that score passages, each article's passages with their probabilities
        (``None`` for an article whose scorer reads no passages, see the routed kind)."""
        return self.predict_proba(articles, batch_size=batch_size), None

    def predict(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> list[TopicPrediction]:
        """Topic labels, scores and evidence for each article (``Article`` objects, strings, or dicts with
        title/text)."""
        proba, passages = self.predict_details(articles, batch_size=batch_size)
        decided = self.decide(proba)
        max_n = int(self.config.get("max_evidence", 2))
        out = []
        for i, (row, row_on) in enumerate(zip(proba, decided, strict=True)):
            labels = [label for label, on in zip(self.labels, row_on, strict=True) if on]
            evidence = {}
            if passages is not None and passages[i] is not None:
                for label in labels:
                    j = self.labels.index(label)
                    evidence[label] = select_evidence(passages[i], j, self.thresholds[label], max_n)
            out.append(
                TopicPrediction(
                    labels=labels,
                    scores={label: round(float(p), 6) for label, p in zip(self.labels, row, strict=True)},
                    evidence=evidence,
                )
            )
        return out

    # ------------------------------------------------------------------ encoder sharing
    def share_encoder(self, stance_model: Any) -> bool:
        """Use ``stance_model``'s encoder when this model was trained on that very encoder (frozen); whether it did.
        Kinds without a frozen shared encoder keep their own."""
        return False

    def reuse_states(self) -> contextlib.AbstractContextManager[None]:
        """While active, sentences the shared encoder has already encoded (the stance pass) are not encoded again."""
        return contextlib.nullcontext()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(labels={self.labels})"
