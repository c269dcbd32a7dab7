"""Route each article to one of several saved topic models by the length of its body.

Short items (news snippets, single sentences) and long wire stories are different inputs: a model whose passages and
thresholds suit a 20-paragraph Reuters story need not suit a two-line snippet. A routed model holds ``routes``, saved
topic models (paths relative to its directory) each with the longest body it takes (``max_chars``; the last route takes
the rest). Every article goes to exactly one route, decided by its prepared body length (normalised whitespace,
dateline removed), so a route costs nothing for articles it does not take.

Each route keeps its own per-label thresholds. Its probabilities (and its passages' scores) are rescaled per label,
piecewise-linearly, so that the route's threshold lands on 0.5: ``p < t -> 0.5 p / t``, ``p >= t -> 0.5 + 0.5 (p - t) /
(1 - t)``. The rescaling is monotone and keeps 0 and 1, so every article gets exactly the labels its route would give
and the routed model's own thresholds are all 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator

from foreign_desk.inference.topics.base import ArticleLike, PassageScores, TopicClassifier, TopicModelConfig
from foreign_desk.inference.topics.composed import ComposedTopicClassifier
from foreign_desk.inference.topics.text import as_headline_body, prepare

__all__ = ["RoutedTopicClassifier", "RoutedTopicConfig", "TopicRoute", "body_length", "rescale_to_half"]


class TopicRoute(BaseModel):
    path: str
    max_chars: int | None = Field(None, ge=0, description="longest prepared body this route takes; None: any")


class RoutedTopicConfig(TopicModelConfig):
    kind: Literal["routed"] = "routed"
    routes: list[TopicRoute] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> RoutedTopicConfig:
        check_routes([r.max_chars for r in self.routes])
        return self


def check_routes(limits: Sequence[int | None]) -> None:
    """Every route but the last has a ``max_chars``, strictly increasing; the last has none (it takes the rest)."""
    if not limits:
        raise ValueError("a routed model needs at least one route")
    if limits[-1] is not None:
        raise ValueError("the last route must take every longer article (max_chars: null)")
    bounded = list(limits[:-1])
    if any(m is None for m in bounded):
        raise ValueError("only the last route may leave max_chars unset")
    if any(b <= a for a, b in zip(bounded, bounded[1:], strict=False)):  # type: ignore[operator]
        raise ValueError(f"route max_chars must increase, got {bounded}")


def body_length(item: ArticleLike, index: int = 0, remove_dateline: bool = True) -> int:
    """Characters of the prepared body (whitespace normalised, dateline removed): what routing compares."""
    _, body = prepare(*as_headline_body(item, index), remove_dateline=remove_dateline)
    return len(body)


def rescale_to_half(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per column, the monotone piecewise-linear map that sends ``thresholds`` to 0.5 and keeps 0 and 1."""
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-9, 1 - 1e-9)
    p = np.asarray(proba, dtype=np.float64)
    low = 0.5 * p / t
    high = 0.5 + 0.5 * (p - t) / (1 - t)
    return np.clip(np.where(p >= t, high, low), 0.0, 1.0)


class RoutedTopicClassifier(ComposedTopicClassifier):
    """``routes``: (classifier, max_chars, path relative to the saved directory) triples, shortest first."""

    kind = "routed"
    config_class = RoutedTopicConfig
    part_key = "routes"
    part_name = "route model"

    def __init__(
        self,
        labels: Sequence[str],
        routes: Sequence[tuple[TopicClassifier, int | None, str]],
        thresholds: dict[str, float] | None = None,
        **config: Any,
    ):
        check_routes([m for _, m, _ in routes])
        for clf, _, path in routes:
            if list(clf.labels) != list(labels):
                raise ValueError(f"route {path} has labels {clf.labels}, expected {list(labels)}")
        config["routes"] = [{"path": path, "max_chars": m} for _, m, path in routes]
        # the routes' scores are rescaled so that each route's own thresholds sit at 0.5
        super().__init__(labels, {label: 0.5 for label in labels}, **config)
        self.routes = [(clf, m) for clf, m, _ in routes]

    def route_of(self, articles: Sequence[ArticleLike]) -> np.ndarray:
        """The index of the route each article goes to."""
        limits = [m for _, m in self.routes]
        out = np.empty(len(articles), dtype=np.int64)
        for i, article in enumerate(articles):
            n = body_length(article, i, self.strip_dateline)
            out[i] = next(k for k, m in enumerate(limits) if m is None or n <= m)
        return out

    def predict_proba(self, articles: Sequence[ArticleLike], batch_size: int = 16) -> np.ndarray:
        return self.predict_details(articles, batch_size)[0]

    def predict_details(
        self, articles: Sequence[ArticleLike], batch_size: int = 16
    ) -> tuple[np.ndarray, list[PassageScores | None] | None]:
        """Each article scored by its route only; probabilities and passage scores rescaled to the 0.5 threshold.
        Passages: ``None`` when no route scores passages, else one entry per article, ``None`` for an article whose
        route does not."""
        articles = list(articles)
        proba = np.zeros((len(articles), len(self.labels)))
        passages: list[PassageScores | None] = [None] * len(articles)
        any_passages = False
        which = self.route_of(articles)
        for k, (clf, _) in enumerate(self.routes):
            idx = np.flatnonzero(which == k)
            if len(idx) == 0:
                continue
            t = clf.threshold_vector()
            p, detail = clf.predict_details([articles[i] for i in idx], batch_size=batch_size)
            proba[idx] = rescale_to_half(p, t)
            if detail is not None:
                any_passages = True
                for i, d in zip(idx, detail, strict=True):
                    passages[i] = PassageScores(d.texts, d.spans, rescale_to_half(d.scores, t))
        return proba, (passages if any_passages else None)

    def parts(self) -> list[TopicClassifier]:
        return [clf for clf, _ in self.routes]

    @classmethod
    def _load(
        cls, model_dir: Path, config: RoutedTopicConfig, quantize: bool, allow_unverified: bool
    ) -> RoutedTopicClassifier:
        labels, _, rest = cls.split_config(config)
        rest.pop("routes", None)
        routes = []
        for entry in config.routes:
            routes.append((cls.load_part(model_dir, entry.path, quantize, allow_unverified), entry.max_chars, entry.path))
        return cls(labels, routes, **rest)
