"""Features and pipeline of the scikit-learn stance baseline (tf-idf of the target's context + logistic regression)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from foreign_desk.inference.stance.targets import StanceTarget

_WORD = re.compile(r"\w+|[^\w\s]")
TARGET_TOKEN = "tgtx"
FIELDS = ("left", "right", "sentence", "relative", "mention")

# Types a saved baseline may contain: ``skops.io.load`` refuses anything else.
TRUSTED_TYPES = [
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelEncoder",
    "builtins.str",
    "builtins.int",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
    "sklearn.utils._bunch.Bunch",
]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def target_fields(target: StanceTarget, window: int = 6) -> list[str]:
    """The five text fields of one target: left window, right window, sentence with the target masked,
    position-tagged neighbour words (``l1_said``, ``r2_by``...) and the mention itself."""
    left, right = _words(target.text[: target.start]), _words(target.text[target.end :])
    relative = [f"l{i}_{w}" for i, w in enumerate(reversed(left[-3:]), 1)]
    relative += [f"r{i}_{w}" for i, w in enumerate(right[:3], 1)]
    return [
        " ".join(left[-window:]),
        " ".join(right[:window]),
        " ".join([*left, TARGET_TOKEN, *right]),
        " ".join(relative),
        " ".join(_words(target.mention)),
    ]


def feature_matrix(targets: Sequence[StanceTarget], window: int = 6) -> np.ndarray:
    """An (n, 5) object array of :func:`target_fields`, the input of :func:`build_pipeline`."""
    rows = [target_fields(t, window) for t in targets]
    out = np.empty((len(rows), len(FIELDS)), dtype=object)
    for i, row in enumerate(rows):
        out[i, :] = row
    return out


def build_pipeline(c: float = 2.0, min_df: int = 2, max_iter: int = 3000):
    """Column-wise tf-idf of the five fields, then a class-balanced logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

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
