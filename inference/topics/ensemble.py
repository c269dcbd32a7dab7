"""Weighted average of saved topic models' probabilities, with its own per-label thresholds.

The ensemble directory holds only ``config.json`` (members as paths relative to it, their weights, labels and
thresholds tuned on dev), a model card and a manifest; each member is loaded from its own directory and checks its
own manifest. The default ``models/topic-ensemble`` averages the fine-tuned MiniLM and the TF-IDF baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from foreign_desk.inference.topics.base import ArticleLike, PassageScores, TopicClassifier, TopicModelConfig
from foreign_desk.inference.topics.composed import ComposedTopicClassifier


class EnsembleMember(BaseModel):
    path: str
    weight: float = Field(ge=0.0)


class EnsembleTopicConfig(TopicModelConfig):
    kind: Literal["ensemble"] = "ensemble"
    members: list[EnsembleMember] = Field(min_length=1)


class EnsembleTopicClassifier(ComposedTopicClassifier):
    """``members``: (classifier, weight, path relative to the saved directory) triples; weights sum to 1."""

    kind = "ensemble"
    config_class = EnsembleTopicConfig
    part_key = "members"
    part_name = "ensemble member"

    def __init__(
        self,
        labels: Sequence[str],
        members: Sequence[tuple[TopicClassifier, float, str]],
        thresholds: dict[str, float] | None = None,
        **config: Any,
    ):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        for clf, _, path in members:
            if list(clf.labels) != list(labels):
                raise ValueError(f"ensemble member {path} has labels {clf.labels}, expected {list(labels)}")
        total = sum(w for _, w, _ in members)
        if total <= 0 or any(w < 0 for _, w, _ in members):
            raise ValueError("ensemble weights must be non-negative and not all zero")
        config["members"] = [{"path": path, "weight": w / total} for _, w, path in members]
        super().__init__(labels, thresholds, **config)
        self.members = [(clf, w / total) for clf, w, _ in members]

    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        return self.predict_details(articles, batch_size)[0]

    def predict_details(
        self, articles: Sequence[ArticleLike], batch_size: int = 16
    ) -> tuple[np.ndarray, list[PassageScores] | None]:
        """The weighted probabilities; the passages (evidence) of the first member that scores passages."""
        proba = np.zeros((len(articles), len(self.labels)))
        passages = None
        for clf, weight in self.members:
            if weight > 0:
                p, detail = clf.predict_details(articles, batch_size=batch_size)
                proba += weight * p
                if passages is None:
                    passages = detail
        return proba, passages

    def parts(self) -> list[TopicClassifier]:
        return [clf for clf, _ in self.members]

    @classmethod
    def _load(
        cls, model_dir: Path, config: EnsembleTopicConfig, quantize: bool, allow_unverified: bool
    ) -> EnsembleTopicClassifier:
        labels, thresholds, rest = cls.split_config(config)
        rest.pop("members", None)
        members = []
        for entry in config.members:
            member = cls.load_part(model_dir, entry.path, quantize, allow_unverified)
            members.append((member, entry.weight, entry.path))
        return cls(labels, members, thresholds, **rest)
