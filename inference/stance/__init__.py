"""Stance toward actors: sentence-level target classifiers and article-level aggregation per actor."""

from foreign_desk.inference.stance.article import ActorStance, article_stances
from foreign_desk.inference.stance.classifier import (
    MiniLMStanceClassifier,
    StanceClassifier,
    TfidfStanceClassifier,
    default_model_dir,
)
from foreign_desk.inference.stance.targets import LABELS, StancePrediction, StanceTarget, TargetError, as_target

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
]
