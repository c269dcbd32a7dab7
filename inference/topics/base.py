"""``TopicClassifier``: one interface over the saved topic model kinds (``tfidf``, ``minilm``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from foreign_desk.inference.article import Article
from foreign_desk.inference.manifest import verify_manifest

ArticleLike = Article | str | Mapping[str, Any]
CONFIG_NAME = "config.json"
TASK = "topic"


@dataclass
class TopicPrediction:
    """Topics of one article: the labels over their decision threshold and every label's probability."""

    labels: list[str]
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "scores": dict(self.scores)}


class TopicClassifier:
    """Multi-label topic classifier. Load any saved kind with :meth:`from_pretrained`.

    Subclasses implement ``predict_proba`` and the weight (de)serialisation; this class holds the label set and the
    per-label decision thresholds (tuned on dev at training time) and turns probabilities into predictions.
    """

    kind: ClassVar[str] = ""
    _kinds: ClassVar[dict[str, type[TopicClassifier]]] = {}

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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            TopicClassifier._kinds[cls.kind] = cls

    # ------------------------------------------------------------------ loading / saving
    @classmethod
    def from_pretrained(cls, model_dir: str | Path, quantize: bool = False) -> TopicClassifier:
        """Load a saved topic model of any kind (``config.json`` ``kind``), after checking ``manifest.json``.

        ``quantize=True`` applies dynamic int8 quantization to transformer models (ignored for ``tfidf``).
        """
        model_dir = Path(model_dir)
        path = model_dir / CONFIG_NAME
        if not path.is_file():
            raise FileNotFoundError(f"{model_dir}: not a saved model directory (no {CONFIG_NAME})")
        verify_manifest(model_dir)
        config = json.loads(path.read_text(encoding="utf-8"))
        if config.get("task") != TASK:
            raise ValueError(f"{model_dir}: a {config.get('task')!r} model, not a topic model")
        kind = config.get("kind")
        _register_kind(kind)
        if kind not in cls._kinds:
            raise ValueError(f"{model_dir}: unknown topic model kind {kind!r}; expected one of {sorted(KIND_MODULES)}")
        return cls._kinds[kind]._load(model_dir, config, quantize=quantize)

    @classmethod
    def _load(cls, model_dir: Path, config: dict[str, Any], quantize: bool) -> TopicClassifier:
        raise NotImplementedError

    def save_pretrained(self, model_dir: str | Path) -> Path:
        """Write ``config.json`` and the weights to ``model_dir`` (created if needed)."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        self._save_weights(model_dir)
        config = {"task": TASK, "kind": self.kind, "labels": self.labels, "thresholds": self.thresholds, **self.config}
        (model_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return model_dir

    def _save_weights(self, model_dir: Path) -> None:
        raise NotImplementedError

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


KIND_MODULES = {
    "tfidf": "foreign_desk.inference.topics.tfidf",
    "minilm": "foreign_desk.inference.topics.minilm",
    "ensemble": "foreign_desk.inference.topics.ensemble",
}


def _register_kind(kind: object) -> None:
    """Import the module of ``kind`` so that it registers itself (lazily: torch only loads for ``minilm``)."""
    import importlib

    if isinstance(kind, str) and kind in KIND_MODULES:
        importlib.import_module(KIND_MODULES[kind])
