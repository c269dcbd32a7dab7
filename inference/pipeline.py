"""The product's main job: articles in, topics and stance toward every actor out.

>>> from foreign_desk.inference import Pipeline
>>> pipe = Pipeline.from_pretrained()            # the committed models under models/
>>> result = pipe("Beijing welcomed the letter...", headline="China welcomes letter")
>>> result.topics.labels, [(a.actor, a.stance) for a in result.actors]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.article import Article
from foreign_desk.inference.paths import default_models_dir
from foreign_desk.inference.readers import InputRecord, record_to_article
from foreign_desk.inference.stance import ActorStance, StanceClassifier
from foreign_desk.inference.stance.article import aggregate_actors, collect_targets, rule_of
from foreign_desk.inference.stance.targets import LABELS as STANCE_LABELS
from foreign_desk.inference.topics import TopicClassifier

log = logging.getLogger(__name__)

DEFAULT_TOPIC_MODEL = "topic-ensemble"
DEFAULT_STANCE_MODEL = "stance-minilm"


@dataclass
class TopicResult:
    labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class ArticleResult:
    """Everything foreign-desk says about one article. ``error`` is set (and the rest empty) when it failed."""

    id: str
    headline: str = ""
    topics: TopicResult = field(default_factory=TopicResult)
    actors: list[ActorStance] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "headline": self.headline,
            "topics": {"labels": list(self.topics.labels), "scores": dict(self.topics.scores)},
            "actors": [a.to_dict() for a in self.actors],
            "error": self.error,
        }


ArticleLike = str | Article | dict | InputRecord


class Pipeline:
    """Actors, topics and stance for articles, with models loaded once."""

    def __init__(
        self,
        topic_model: TopicClassifier,
        stance_model: StanceClassifier,
        extractor: ActorExtractor | None = None,
    ) -> None:
        self.topic_model = topic_model
        self.stance_model = stance_model
        self.extractor = extractor or ActorExtractor.default()

    @classmethod
    def from_pretrained(
        cls,
        models_dir: str | Path | None = None,
        topic_model: str = DEFAULT_TOPIC_MODEL,
        stance_model: str = DEFAULT_STANCE_MODEL,
        quantize: bool = False,
        actors_files: Sequence[str | Path] = (),
    ) -> Pipeline:
        """Load the topic and stance models from ``models_dir`` (default: the committed models).

        ``topic_model``/``stance_model`` are directory names inside ``models_dir`` or paths; ``quantize`` selects the
        int8 path of the transformer models; ``actors_files`` are user gazetteer files added to the shipped one.
        """
        root = Path(models_dir) if models_dir is not None else default_models_dir()

        def resolve(name: str) -> Path:
            path = Path(name)
            candidate = path if path.is_dir() else root / name
            if not candidate.is_dir():
                raise FileNotFoundError(f"model directory not found: {candidate}")
            return candidate

        extractor = (
            ActorExtractor(user_files=[Path(p) for p in actors_files]) if actors_files else ActorExtractor.default()
        )
        return cls(
            TopicClassifier.from_pretrained(resolve(topic_model), quantize=quantize),
            StanceClassifier.from_pretrained(resolve(stance_model), quantize=quantize),
            extractor,
        )

    @property
    def topic_labels(self) -> list[str]:
        return list(self.topic_model.labels)

    def __call__(self, text: str, headline: str = "", id: str | None = None) -> ArticleResult:
        """Predict for one article given as its body text."""
        return self.predict([Article.from_text(text, headline=headline, id=id)])[0]

    def predict(self, items: Iterable[ArticleLike], batch_size: int = 16) -> list[ArticleResult]:
        """Predict for articles given as body strings, :class:`Article` objects or ``{"id","text","headline"}``
        dicts. Results come back in input order; a record that fails gets ``error`` set, the others are unaffected."""
        return list(self.predict_iter(items, batch_size=batch_size))

    def predict_iter(self, items: Iterable[ArticleLike], batch_size: int = 16) -> Iterator[ArticleResult]:
        """Streaming :meth:`predict`: consumes ``items`` lazily, ``batch_size`` articles at a time."""
        batch: list[InputRecord] = []
        for i, item in enumerate(items):
            batch.append(_as_record(item, i))
            if len(batch) >= batch_size:
                yield from self.predict_records(batch)
                batch = []
        if batch:
            yield from self.predict_records(batch)

    def predict_records(self, records: Sequence[InputRecord]) -> list[ArticleResult]:
        """Predict one batch of input records (records that carry a read error pass through as errors)."""
        results: dict[int, ArticleResult] = {}
        good: list[tuple[int, Article]] = []
        for i, rec in enumerate(records):
            if rec.article is None:
                results[i] = ArticleResult(id=rec.id, error=rec.error or "unreadable record")
            else:
                good.append((i, rec.article))
        if good:
            try:
                for (i, _), res in zip(good, self._predict_articles([a for _, a in good]), strict=True):
                    results[i] = res
            except Exception as exc:  # isolate the failing record(s) instead of losing the batch
                log.debug("batch failed (%s); retrying article by article", exc)
                for i, article in good:
                    try:
                        results[i] = self._predict_articles([article])[0]
                    except Exception as one_exc:  # noqa: BLE001 - reported per record
                        results[i] = ArticleResult(
                            id=article.id, headline=article.headline, error=f"{type(one_exc).__name__}: {one_exc}"
                        )
        return [results[i] for i in range(len(records))]

    def _predict_articles(self, articles: Sequence[Article]) -> list[ArticleResult]:
        """Topics for the batch in one call; actors per article; the stance of every mention of every actor of
        the whole batch in one classifier call (one forward pass per sentence, length-sorted batches)."""
        topic_predictions = self.topic_model.predict(list(articles))
        actor_results = [self.extractor.extract(a.text, headline=a.headline) for a in articles]
        targets: list = []
        spans: list[tuple[int, int, list]] = []
        for result in actor_results:
            article_targets, owners = collect_targets(result)
            spans.append((len(targets), len(targets) + len(article_targets), owners))
            targets.extend(article_targets)
        proba = self.stance_model.predict_proba(targets) if targets else np.zeros((0, len(STANCE_LABELS)))
        rule = rule_of(self.stance_model)
        out = []
        for article, topics, result, (lo, hi, owners) in zip(
            articles, topic_predictions, actor_results, spans, strict=True
        ):
            out.append(
                ArticleResult(
                    id=article.id,
                    headline=article.headline,
                    topics=TopicResult(labels=list(topics.labels), scores=dict(topics.scores)),
                    actors=aggregate_actors(result, np.asarray(proba[lo:hi]), owners, rule),
                )
            )
        return out


def _as_record(item: ArticleLike, index: int) -> InputRecord:
    if isinstance(item, InputRecord):
        return item
    if isinstance(item, Article):
        return InputRecord(id=item.id, source="api", article=item)
    if isinstance(item, str):
        if not item.strip():
            return InputRecord(id=f"item {index}", source="api", error=f"item {index}: empty text")
        article = Article.from_text(item)
        return InputRecord(id=article.id, source="api", article=article)
    if isinstance(item, dict):
        return record_to_article(item, f"item {index}")
    return InputRecord(id=f"item {index}", source="api", error=f"item {index}: unsupported type {type(item).__name__}")
