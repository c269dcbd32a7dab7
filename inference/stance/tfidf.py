"""Stance baseline: tf-idf of the target's context fields + logistic regression (scikit-learn, saved with skops).

The features computed at predict time live here; fitting (the pipeline and ``fit``) is in
``foreign_desk.training.stance.tfidf``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from foreign_desk.inference.sklearn_io import load_sklearn, save_sklearn
from foreign_desk.inference.stance.base import StanceClassifier, StanceModelConfig
from foreign_desk.inference.stance.targets import LABELS, StanceTarget

_WORD = re.compile(r"\w+|[^\w\s]")
TARGET_TOKEN = "tgtx"
FIELDS = ("left", "right", "sentence", "relative", "mention")
SKOPS_NAME = "model.skops"

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
    """An (n, 5) object array of :func:`target_fields`, the input of the fitted pipeline."""
    rows = [target_fields(t, window) for t in targets]
    out = np.empty((len(rows), len(FIELDS)), dtype=object)
    for i, row in enumerate(rows):
        out[i, :] = row
    return out


class TfidfStanceConfig(StanceModelConfig):
    kind: Literal["tfidf"] = "tfidf"
    window: int = Field(6, ge=1)


class TfidfStanceClassifier(StanceClassifier):
    """Baseline: tf-idf of the target's left/right context, the masked sentence and neighbour words; logistic
    regression. ``pipeline`` is fitted on :func:`feature_matrix` rows (see ``foreign_desk.training.stance.tfidf``)."""

    kind = "tfidf"
    config_class = TfidfStanceConfig

    def __init__(self, pipeline: Any, config: dict[str, Any] | None = None):
        super().__init__({"window": 6, "C": 2.0, **(config or {})})
        self.pipeline = pipeline

    @classmethod
    def _load(
        cls, model_dir: Path, config: TfidfStanceConfig, quantize: bool, allow_unverified: bool
    ) -> TfidfStanceClassifier:
        return cls(load_sklearn(model_dir, SKOPS_NAME), config.model_dump(exclude_unset=True))

    def _save_weights(self, model_dir: Path) -> None:
        save_sklearn(self.pipeline, model_dir, SKOPS_NAME)

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        proba = self.pipeline.predict_proba(feature_matrix(targets, int(self.config["window"])))
        out = np.zeros((len(targets), len(LABELS)), dtype=np.float32)
        out[:, self.pipeline.classes_.astype(int)] = proba
        return out
