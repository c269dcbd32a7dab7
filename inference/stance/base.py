"""``StanceClassifier``: one interface over the saved stance model kinds (``minilm``, ``tfidf``), on the saved-model
seam of :mod:`foreign_desk.inference.saved_model`.

>>> clf = StanceClassifier.from_pretrained("models/stance-minilm")
>>> clf.predict([StanceTarget("Critics slammed Smith for the delay.", 16, 21)])
[StancePrediction(stance='negative', scores={...})]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import field_validator

from foreign_desk.inference.saved_model import ModelConfig, SavedModel
from foreign_desk.inference.stance.targets import LABELS, StancePrediction, StanceTarget, TargetLike, as_target

TASK = "stance"


def default_model_dir() -> Path:
    """``stance-minilm`` in the default models folder (``$FOREIGN_DESK_MODELS`` or the checkout's ``models/``)."""
    from foreign_desk.inference.paths import DEFAULT_STANCE_MODEL, default_models_dir

    return default_models_dir() / DEFAULT_STANCE_MODEL


class StanceModelConfig(ModelConfig):
    """``config.json`` fields every stance kind has."""

    task: Literal["stance"] = TASK

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: list[str]) -> list[str]:
        if tuple(labels) != LABELS:
            raise ValueError(f"labels {labels} differ from {list(LABELS)}")
        return labels


class StanceClassifier(SavedModel):
    """Stance (negative / neutral / positive) toward target spans. Use :meth:`from_pretrained` to load one."""

    task = TASK
    config_class = StanceModelConfig
    labels = LABELS

    def __init__(self, config: dict[str, Any] | None = None):
        self.config = {"task": TASK, "kind": self.kind, "labels": list(LABELS), **(config or {})}

    @classmethod
    def from_pretrained(
        cls, model_dir: str | Path | None = None, quantize: bool = False, allow_unverified: bool = False
    ) -> StanceClassifier:
        """Load a saved classifier of any kind (default: the committed ``stance-minilm``); see
        :meth:`SavedModel.from_pretrained`."""
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        return super().from_pretrained(model_dir, quantize=quantize, allow_unverified=allow_unverified)  # type: ignore[return-value]

    def to_config(self) -> dict[str, Any]:
        return self.config

    def predict_proba(self, targets: Iterable[TargetLike], batch_size: int = 32) -> np.ndarray:
        """Probabilities, shape ``(n, 3)`` in :data:`LABELS` order. Raises ``TargetError`` on an invalid target
        (validate records first with :func:`as_target` to keep the others)."""
        items = [as_target(t) for t in targets]
        if not items:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self._predict_proba(items, batch_size)

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        raise NotImplementedError

    def predict(self, targets: Iterable[TargetLike], batch_size: int = 32) -> list[StancePrediction]:
        """One :class:`StancePrediction` per target, in order."""
        return predictions_from_proba(self.predict_proba(targets, batch_size=batch_size))


def predictions_from_proba(proba: np.ndarray) -> list[StancePrediction]:
    out = []
    for row in proba:
        scores = {label: float(p) for label, p in zip(LABELS, row, strict=True)}
        out.append(StancePrediction(LABELS[int(np.argmax(row))], scores))
    return out
