"""Fitting the stance baseline: column-wise tf-idf of the target's context fields, class-balanced logistic regression.

The fitted pipeline is wrapped in the runtime's :class:`~foreign_desk.inference.stance.tfidf.TfidfStanceClassifier`,
which computes the same features at predict time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from foreign_desk.inference.stance.targets import LABELS, TargetLike, as_target
from foreign_desk.inference.stance.tfidf import TfidfStanceClassifier, feature_matrix


def build_pipeline(c: float = 2.0, min_df: int = 2, max_iter: int = 3000) -> Pipeline:
    """Column-wise tf-idf of the five fields of :func:`feature_matrix`, then a class-balanced logistic regression."""

    def tfidf(ngrams: tuple[int, int], min_count: int) -> TfidfVectorizer:
        return TfidfVectorizer(
            ngram_range=ngrams, min_df=min_count, sublinear_tf=True, token_pattern=r"\S+", lowercase=False
        )

    columns = ColumnTransformer(
        [
            ("left", tfidf((1, 2), min_df), 0),
            ("right", tfidf((1, 2), min_df), 1),
            ("sentence", tfidf((1, 2), min_df), 2),
            ("relative", tfidf((1, 1), 1), 3),
            ("mention", tfidf((1, 1), 1), 4),
        ]
    )
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=max_iter)
    return Pipeline([("features", columns), ("clf", clf)])


def fit_tfidf_stance(
    targets: Sequence[TargetLike],
    labels: Sequence[str],
    c: float = 2.0,
    window: int = 6,
    min_df: int = 2,
    pipeline: Pipeline | None = None,
) -> TfidfStanceClassifier:
    """Fit the baseline on targets and their labels (strings from :data:`LABELS`); ``pipeline`` overrides
    :func:`build_pipeline` (e.g. with other parameters)."""
    pipeline = pipeline if pipeline is not None else build_pipeline(c=c, min_df=min_df)
    items = [as_target(t) for t in targets]
    y = np.array([LABELS.index(label) for label in labels])
    pipeline.fit(feature_matrix(items, window), y)
    for _, vectorizer, _ in pipeline.named_steps["features"].transformers_:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_  # the terms pruned by min_df: only needed for introspection, and large
    return TfidfStanceClassifier(pipeline, {"C": c, "window": window, "min_df": min_df})
