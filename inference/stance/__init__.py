"""Stance toward actors: sentence-level target classifiers and article-level aggregation per actor.

One module per model kind (:mod:`.minilm`, :mod:`.tfidf`) on the saved-model seam (:mod:`.base`,
:mod:`foreign_desk.inference.saved_model`). ``MiniLMStanceClassifier`` is resolved lazily, so importing this package
does not import torch.
"""

from __future__ import annotations

from typing import Any

from foreign_desk.inference.stance.article import ActorStance, article_stances
from foreign_desk.inference.stance.base import StanceClassifier, default_model_dir, predictions_from_proba
from foreign_desk.inference.stance.targets import LABELS, StancePrediction, StanceTarget, TargetError, as_target
from foreign_desk.inference.stance.tfidf import TfidfStanceClassifier

__all__ = [
    "LABELS",
    "ActorStance",
    "MiniLMStanceClassifier",
    "StanceClassifier",
    "StancePrediction",
    "StanceTarget",
    "TargetError",
    "TfidfStanceClassifier",
    "article_stances",
    "as_target",
    "default_model_dir",
    "predictions_from_proba",
]
_LAZY = {"MiniLMStanceClassifier": "foreign_desk.inference.stance.minilm"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
