"""Baseline topic model: TF-IDF word + character n-grams and one-vs-rest logistic regression, stored with skops.

The fitted vocabularies are written to ``vocabulary.json`` beside ``model.skops`` rather than inside it: skops
serialises a dict entry by entry (one schema node and one ``.npy`` member per term), which made a 60k-term model a
16 MB file that took 8-40 s to load. As JSON the same vocabulary loads in milliseconds. Directories saved before
this change (vocabulary inside the skops file) still load.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from inference.topics.base import ArticleLike, TopicClassifier
from inference.topics.text import as_full_text

WEIGHTS_NAME = "model.skops"
VOCAB_NAME = "vocabulary.json"
# Every type a saved pipeline may contain; anything else in the file is refused at load time.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


class TfidfTopicClassifier(TopicClassifier):
    """``pipeline`` is a fitted scikit-learn estimator mapping a list of texts to ``predict_proba`` (n, n_labels)."""

    kind = "tfidf"

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
        import skops.io as sio

        vectorizers = dict(_vectorizers(self.pipeline))
        vocab = {name: _terms(vec.vocabulary_) for name, vec in vectorizers.items() if hasattr(vec, "vocabulary_")}
        detached = {name: vectorizers[name].__dict__.pop("vocabulary_") for name in vocab}
        try:
            sio.dump(self.pipeline, model_dir / WEIGHTS_NAME, compression=8)
        finally:
            for name, mapping in detached.items():
                vectorizers[name].vocabulary_ = mapping
        vocab_path = model_dir / VOCAB_NAME
        if vocab:
            vocab_path.write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        elif vocab_path.exists():
            vocab_path.unlink()

    @classmethod
    def _load(cls, model_dir: Path, config: dict[str, Any], quantize: bool) -> TfidfTopicClassifier:
        import skops.io as sio

        path = model_dir / WEIGHTS_NAME
        if not path.is_file():
            raise FileNotFoundError(f"{model_dir}: no {WEIGHTS_NAME}")
        untrusted = sio.get_untrusted_types(file=path)
        refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if refused:
            raise ValueError(f"{path}: refusing to load untrusted types {refused}")
        pipeline = sio.load(path, trusted=untrusted)
        vocab_path = model_dir / VOCAB_NAME
        if vocab_path.is_file():
            _attach_vocabularies(pipeline, json.loads(vocab_path.read_text(encoding="utf-8")), vocab_path)
        config = dict(config)
        labels, thresholds = config.pop("labels"), config.pop("thresholds", None)
        config.pop("task", None), config.pop("kind", None)
        return cls(labels, pipeline, thresholds, **config)


def _vectorizers(estimator: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, vectorizer) for every scikit-learn count/TF-IDF vectorizer in a pipeline / feature union tree."""
    from sklearn.feature_extraction.text import CountVectorizer

    if isinstance(estimator, CountVectorizer):
        yield prefix or "vectorizer", estimator
        return
    children = getattr(estimator, "steps", None) or getattr(estimator, "transformer_list", None) or []
    for name, child in children:
        yield from _vectorizers(child, f"{prefix}/{name}" if prefix else name)


def _terms(vocabulary: dict[str, int]) -> list[str]:
    """The vocabulary as a list of terms ordered by column index."""
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[int(index)] = term
    return terms


def _attach_vocabularies(pipeline: Any, vocab: dict[str, list[str]], source: Path) -> None:
    vectorizers = dict(_vectorizers(pipeline))
    if set(vocab) != {name for name, vec in vectorizers.items() if not hasattr(vec, "vocabulary_")}:
        raise ValueError(f"{source}: vocabularies {sorted(vocab)} do not match the vectorizers {sorted(vectorizers)}")
    for name, terms in vocab.items():
        vec = vectorizers[name]
        mapping = {term: i for i, term in enumerate(terms)}
        n_idf = len(vec.idf_) if hasattr(vec, "idf_") else len(mapping)
        if len(mapping) != len(terms) or n_idf != len(terms):
            raise ValueError(f"{source}: vocabulary {name!r} has {len(terms)} terms, the model expects {n_idf}")
        vec.vocabulary_ = mapping
