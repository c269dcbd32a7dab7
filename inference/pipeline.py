"""The product's main job: articles in, topics and stance toward every actor out.

>>> from foreign_desk.inference import Pipeline
>>> pipe = Pipeline.from_pretrained()            # the committed models under models/
>>> result = pipe("Beijing welcomed the letter...", headline="China welcomes letter")
>>> result.topics.labels, [(a.actor, a.stance) for a in result.actors]
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.article import Article
from foreign_desk.inference.int8 import CALIBRATION_NAME
from foreign_desk.inference.paths import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_STANCE_MODEL,
    DEFAULT_TOPIC_MODEL,
    default_models_dir,
)
from foreign_desk.inference.readers import InputRecord, record_to_article
from foreign_desk.inference.stance import ActorStance, StanceClassifier
from foreign_desk.inference.stance.article import ArticleStance
from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.inference.wire import PASSTHROUGH_FIELDS, RecordError, as_article, cut_text, sanitize_article

log = logging.getLogger(__name__)

DEFAULT_RELATION_MODEL = "relations-pairs"
"""The relation model :meth:`Pipeline.from_pretrained` loads when it is in the models folder."""

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_STANCE_MODEL", "DEFAULT_TOPIC_MODEL", "ArticleResult", "Pipeline", "TopicResult"]


@dataclass
class TopicResult:
    labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """For each predicted label, the passages that carried it: ``[{"text", "score"}]``, verbatim, highest first."""


@dataclass
class ArticleResult:
    """Everything foreign-desk says about one article. ``error`` is set (and the rest empty) when it failed."""

    id: str
    headline: str = ""
    topics: TopicResult = field(default_factory=TopicResult)
    actors: list[ActorStance] = field(default_factory=list)
    relations: list[Any] = field(default_factory=list)  # foreign_desk.inference.relations.Relation, sentence order
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # input fields passed through: date, source, url

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "headline": self.headline,
            **{key: self.meta.get(key) for key in PASSTHROUGH_FIELDS},
            "topics": {
                "labels": list(self.topics.labels),
                "scores": dict(self.topics.scores),
                "evidence": {k: [dict(e) for e in v] for k, v in self.topics.evidence.items()},
            },
            "actors": [a.to_dict() for a in self.actors],
            "relations": [r.to_dict() for r in self.relations],
            "relation_summary": _relation_summary(self.relations),
            "warnings": list(self.warnings),
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
        relation_model: Any | None = None,
    ) -> None:
        self.topic_model = topic_model
        self.relation_model = relation_model  # optional RelationModel: directed holder -> target stance
        self.stance_model = stance_model
        self.stance = ArticleStance(stance_model)
        self.extractor = extractor or ActorExtractor.default()
        # a topic model trained on the stance model's frozen encoder shares it: one encoder pass per sentence
        self.shared_encoder = topic_model.share_encoder(stance_model)

    @classmethod
    def from_pretrained(
        cls,
        models_dir: str | Path | None = None,
        topic_model: str = DEFAULT_TOPIC_MODEL,
        stance_model: str = DEFAULT_STANCE_MODEL,
        quantize: bool = False,
        actors_files: Sequence[str | Path] = (),
        allow_unverified: bool = False,
        relation_model: str | None = DEFAULT_RELATION_MODEL,
        quantize_stance: bool | None = None,
    ) -> Pipeline:
        """Load the topic and stance models from ``models_dir`` (default: the committed models).

        ``topic_model``/``stance_model`` are directory names inside ``models_dir`` or paths; ``quantize`` selects the
        int8 paths: the topic model's, and the stance and relation encoder's when the stance model stores an int8
        calibration (static int8: batched, batch-independent). ``quantize_stance`` overrides that for the stance
        encoder: ``False`` keeps it fp32; ``True`` quantizes it even without a calibration (dynamic int8, one sentence
        per pass to stay deterministic, slower than batched fp32);
        ``actors_files`` are user gazetteer files added to the shipped one;
        ``allow_unverified`` loads model directories without ``manifest.json`` (with a warning); ``relation_model``
        (directed holder -> target stance) is loaded when that directory exists (``None``: no relations).
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
        if quantize_stance is None:
            quantize_stance = (resolve(stance_model) / CALIBRATION_NAME).is_file()
        stance_int8 = quantize and quantize_stance
        stance = StanceClassifier.from_pretrained(
            resolve(stance_model), quantize=stance_int8, allow_unverified=allow_unverified
        )
        stance.model_dir = resolve(stance_model)
        relations = None
        relation_dir = Path(relation_model) if relation_model and Path(relation_model).is_dir() else root / (relation_model or "")
        if relation_model and (relation_dir / "config.json").is_file():
            from foreign_desk.inference.relations import RelationModel

            relations = RelationModel.from_pretrained(
                relation_dir, quantize=stance_int8, allow_unverified=allow_unverified
            )
            if resolve(stance_model).name == relations.config.get("encoder_model") and hasattr(stance, "tokenizer"):
                relations.attach(stance)  # one encoder for both: the relation step reuses the stance pass
        return cls(
            TopicClassifier.from_pretrained(resolve(topic_model), quantize=quantize, allow_unverified=allow_unverified),
            stance,
            extractor,
            relations,
        )

    @property
    def topic_labels(self) -> list[str]:
        return list(self.topic_model.labels)

    def __call__(self, text: str, headline: str = "", id: str | None = None) -> ArticleResult:
        """Predict for one article given as its body text."""
        return self.predict([Article.from_text(text, headline=headline, id=id)])[0]

    def predict(self, items: Iterable[ArticleLike], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ArticleResult]:
        """Predict for articles given as body strings, :class:`Article` objects or ``{"id","text","headline"}``
        dicts. Results come back in input order; a record that fails gets ``error`` set, the others are unaffected."""
        return list(self.predict_iter(items, batch_size=batch_size))

    def predict_iter(self, items: Iterable[ArticleLike], batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[ArticleResult]:
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
                good.append((i, sanitize_article(rec.article)))  # surrogates and size limits (a no-op when clean)
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
                            id=article.id,
                            headline=article.headline,
                            warnings=list(article.warnings),
                            meta=dict(article.meta),
                            error=_one_line(f"{type(one_exc).__name__}: {one_exc}"),
                        )
        return [results[i] for i in range(len(records))]

    def _predict_articles(self, articles: Sequence[Article]) -> list[ArticleResult]:
        """Three calls for the batch: actors, the stance toward every actor (all mentions of the batch in one
        classifier call, relations reusing its encoder states) and topics (reusing them too when the encoder is
        shared)."""
        read = [_bound_topic_text(article) for article in articles]  # what the topic model reads
        found = [self.extractor.extract(a.text, headline=a.headline) for a in articles]
        bounded = [_bound_mentions(result) for result in found]  # what the per-mention models read
        actors = [result for result, _ in bounded]
        notes = [note for _, note in bounded]
        # stance first: the relation step and (with a shared encoder) the topic step reuse its encoder states
        with self.topic_model.reuse_states() if self.shared_encoder else contextlib.nullcontext():
            if self.relation_model is not None:
                with self.relation_model.reuse_states():
                    stances = self.stance.predict(actors)
                    relations = self.relation_model.predict(actors)
            else:
                stances, relations = self.stance.predict(actors), [[] for _ in actors]
            topics = self.topic_model.predict([article for article, _ in read])
        for result, note, actor_stances in zip(found, notes, stances, strict=True):
            if note is not None:  # a sample of the mentions was read; the counts stay the true ones
                for actor, stance in zip(result.actors, actor_stances, strict=True):
                    stance.mentions = len(actor.mentions)
        return [
            ArticleResult(
                id=article.id,
                headline=article.headline,
                topics=TopicResult(labels=list(t.labels), scores=dict(t.scores), evidence=dict(t.evidence)),
                actors=actor_stances,
                relations=article_relations,
                warnings=list(article.warnings) + [n for n in (topic_note, note) if n],
                meta=dict(article.meta),
            )
            for article, t, actor_stances, article_relations, note, (_, topic_note) in zip(
                articles, topics, stances, relations, notes, read, strict=True
            )
        ]


MAX_TOPIC_CHARS = 30_000
"""The most body characters the topic model reads (the longest wire stories have ~10,000): every sentence costs one
transformer pass, so a 100,000-character record would otherwise cost seconds of topic encoding alone."""


def _bound_topic_text(article: Article) -> tuple[Article, str | None]:
    """``article`` with its body cut to :data:`MAX_TOPIC_CHARS` (at a space) and a warning saying so; ``article``
    itself and ``None`` when it is not longer."""
    if len(article.text) <= MAX_TOPIC_CHARS:
        return article, None
    text = cut_text(article.text, MAX_TOPIC_CHARS)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    note = f"topics read the first {len(text)} of {len(article.text)} characters"
    return replace(article, text=text, paragraphs=paragraphs), note


MAX_STANCE_MENTIONS = 128
"""The most mentions of one article whose sentences the stance (and relation) model reads (a wire story has ~20): a
text crafted with thousands of mentions would otherwise cost one transformer window each."""


def _bound_mentions(result: Any) -> tuple[Any, str | None]:
    """``result`` with at most :data:`MAX_STANCE_MENTIONS` mentions, taken fairly (the first of every actor, then the
    second...), and a warning saying so; ``result`` itself and ``None`` when it has no more."""
    total = sum(len(actor.mentions) for actor in result.actors)
    if total <= MAX_STANCE_MENTIONS:
        return result, None
    keep = [0] * len(result.actors)
    budget, depth = MAX_STANCE_MENTIONS, 0
    while budget > 0:
        for k, actor in enumerate(result.actors):
            if budget > 0 and depth < len(actor.mentions):
                keep[k] += 1
                budget -= 1
        depth += 1
    actors = [replace(actor, mentions=actor.mentions[:n]) for actor, n in zip(result.actors, keep, strict=True)]
    note = f"stance read {MAX_STANCE_MENTIONS} of {total} actor mentions"
    return replace(result, actors=actors), note


def _relation_summary(relations: Sequence[Any]) -> list[dict[str, Any]]:
    if not relations:
        return []
    from foreign_desk.inference.relations import relation_summary

    return relation_summary(relations)


def _one_line(message: str, limit: int = 500) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _as_record(item: ArticleLike, index: int) -> InputRecord:
    if isinstance(item, InputRecord):
        return item
    if isinstance(item, dict):
        return record_to_article(item, f"item {index}")
    if not isinstance(item, str | Article):
        return InputRecord(id=f"item {index}", source="api", error=f"item {index}: unsupported type {type(item).__name__}")
    try:
        article = as_article(item, f"item {index}")
    except RecordError as exc:
        return InputRecord(id=f"item {index}", source="api", error=str(exc))
    return InputRecord(id=article.id, source="api", article=article)
