"""Article-level stance toward each canonical actor, aggregated over the actor's mentions.

Every mention of every actor is scored by the sentence-level classifier in one call, which groups targets by
sentence: all mentions in one sentence share one forward pass. Per actor, the mention probabilities are combined by
an :class:`AggregationRule` calibrated on article-level labels (stored in the model's ``config.json``), and the
evidence is the most confident non-neutral mentions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from foreign_desk.inference.stance.targets import LABELS, StanceTarget

log = logging.getLogger(__name__)
MAX_EVIDENCE = 3


class _Classifier(Protocol):
    def predict_proba(self, targets, batch_size: int = 32) -> np.ndarray: ...


FEATURES = (
    "mean_negative", "mean_neutral", "mean_positive",
    "weighted_negative", "weighted_neutral", "weighted_positive",
    "max_negative", "max_positive", "share_negative", "share_positive", "log_mentions",
)  # fmt: skip


def _weighted_mean(proba: np.ndarray, weighting: str) -> np.ndarray:
    if len(proba) == 0:
        return np.array([0.0, 1.0, 0.0])
    if weighting == "mean":
        weights = np.ones(len(proba))
    elif weighting == "confidence":
        weights = 1.0 - proba[:, LABELS.index("neutral")] + 1e-3
    else:
        raise ValueError(f"unknown weighting {weighting!r}; expected 'mean' or 'confidence'")
    return (proba * weights[:, None]).sum(0) / weights.sum()


def actor_features(proba: np.ndarray) -> np.ndarray:
    """Summary of an actor's mention probabilities ``(m, 3)`` (names in :data:`FEATURES`)."""
    neg, neu, pos = (LABELS.index(x) for x in LABELS)
    if len(proba) == 0:
        return np.array([0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    top = proba.argmax(1)
    return np.concatenate(
        [
            proba.mean(0),
            _weighted_mean(proba, "confidence"),
            [proba[:, neg].max(), proba[:, pos].max(), float(np.mean(top == neg)), float(np.mean(top == pos))],
            [np.log1p(len(proba))],
        ]
    )


@dataclass(frozen=True)
class AggregationRule:
    """How mention probabilities become one actor stance.

    Two kinds, both fitted on the article-level labels by the training step ``foreign-desk train
    configs/stance-article-rule.yaml`` (:mod:`foreign_desk.training.stance.article_rule`):

    - averaging: ``weighting`` ``"mean"`` (plain mean) or ``"confidence"`` (each mention weighted by
      ``1 - p(neutral)``, so clear non-neutral mentions dominate factual ones); ``bias`` multiplies the averaged
      probabilities before the argmax (per label, in :data:`LABELS` order);
    - logistic: ``coef`` (3 x len(FEATURES)) and ``intercept`` of a multinomial logistic regression over
      :func:`actor_features`; the scores are its probabilities (``bias`` still applies to the decision).
    """

    weighting: str = "confidence"
    bias: tuple[float, float, float] = (1.0, 1.0, 1.0)
    coef: tuple[tuple[float, ...], ...] | None = None
    intercept: tuple[float, ...] | None = None

    def aggregate(self, proba: np.ndarray) -> np.ndarray:
        """Article-level probabilities of one actor from its mention probabilities ``(m, 3)``."""
        if self.coef is None:
            return _weighted_mean(proba, self.weighting)
        z = np.asarray(self.coef) @ actor_features(proba) + np.asarray(self.intercept)
        e = np.exp(z - z.max())
        return e / e.sum()

    def decide(self, scores: np.ndarray) -> str:
        return LABELS[int(np.argmax(scores * np.asarray(self.bias)))]

    def to_config(self) -> dict[str, Any]:
        out: dict[str, Any] = {"weighting": self.weighting, "bias": [float(b) for b in self.bias]}
        if self.coef is not None:
            out.update(features=list(FEATURES), coef=[list(map(float, r)) for r in self.coef],
                       intercept=[float(x) for x in self.intercept or ()])
        return out

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> AggregationRule:
        coef = data.get("coef")
        if coef is not None:
            if list(data.get("features", FEATURES)) != list(FEATURES):
                raise ValueError("aggregation rule was fitted on different actor features")
            if len(coef) != len(LABELS) or any(len(r) != len(FEATURES) for r in coef) or len(data["intercept"]) != 3:
                raise ValueError("aggregation rule coef/intercept have the wrong shape")
        return cls(
            weighting=data.get("weighting", "confidence"),
            bias=tuple(float(b) for b in data.get("bias", (1.0, 1.0, 1.0))),
            coef=tuple(tuple(float(x) for x in r) for r in coef) if coef is not None else None,
            intercept=tuple(float(x) for x in data["intercept"]) if coef is not None else None,
        )


DEFAULT_RULE = AggregationRule()


@dataclass
class ActorStance:
    """The article's stance toward one actor."""

    actor: str
    type: str
    affiliation: str | None
    mentions: int
    stance: str
    scores: dict[str, float]
    evidence: list[dict[str, Any]] = field(default_factory=list)  # [{"sentence", "stance", "score"}]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mention_target(mention, sentences: dict[int, Any]) -> tuple[StanceTarget, Any] | None:
    sentence = sentences.get(mention.sentence)
    if sentence is None or not (sentence.start <= mention.start < mention.end <= sentence.end):
        sentence = next((s for s in sentences.values() if s.start <= mention.start < mention.end <= s.end), None)
    if sentence is None:
        log.warning("mention %r [%d, %d) lies in no sentence; skipped", mention.text, mention.start, mention.end)
        return None
    target = StanceTarget(sentence.text, mention.start - sentence.start, mention.end - sentence.start)
    try:
        return target.validate(), sentence
    except ValueError as exc:
        log.warning("mention %r skipped: %s", mention.text, exc)
        return None


def rule_of(classifier) -> AggregationRule:
    """The aggregation rule a saved model was calibrated with (``config.json`` ``aggregation``), else the default."""
    saved = (getattr(classifier, "config", None) or {}).get("aggregation")
    return AggregationRule.from_config(saved) if saved else DEFAULT_RULE


def collect_targets(result) -> tuple[list[StanceTarget], list[tuple[int, Any]]]:
    """Every usable mention of every actor as a sentence-level target, with its (actor index, sentence)."""
    sentences = {s.index: s for s in result.sentences}
    targets: list[StanceTarget] = []
    owners: list[tuple[int, Any]] = []
    for a_idx, actor in enumerate(result.actors):
        for mention in actor.mentions:
            found = _mention_target(mention, sentences)
            if found is not None:
                targets.append(found[0])
                owners.append((a_idx, found[1]))
    return targets, owners


def aggregate_actors(result, proba: np.ndarray, owners: list[tuple[int, Any]], rule: AggregationRule) -> list[ActorStance]:
    """Actor stances from the mention probabilities ``proba`` (rows aligned with ``owners``)."""
    rows_of: dict[int, list[int]] = {}
    for i, (owner, _) in enumerate(owners):
        rows_of.setdefault(owner, []).append(i)
    out = []
    for a_idx, actor in enumerate(result.actors):
        rows = rows_of.get(a_idx, [])
        mention_proba = proba[rows] if rows else np.zeros((0, len(LABELS)))
        scores = rule.aggregate(mention_proba)
        out.append(
            ActorStance(
                actor=actor.name,
                type=actor.type,
                affiliation=actor.affiliation,
                mentions=len(actor.mentions),
                stance=rule.decide(scores),
                scores={label: round(float(p), 4) for label, p in zip(LABELS, scores, strict=True)},
                evidence=_evidence(mention_proba, [owners[i][1] for i in rows]),
            )
        )
    return out


class ArticleStance:
    """Article-level stance as a pipeline component: the sentence-level ``classifier`` and the aggregation ``rule``
    (default: the one calibrated for the classifier, its config's ``aggregation``).

    :meth:`predict` scores every mention of every actor of a batch of articles in one classifier call (grouped by
    sentence: one forward pass per sentence) and aggregates them per actor.
    """

    def __init__(self, classifier: _Classifier, rule: AggregationRule | None = None, batch_size: int | None = None):
        self.classifier = classifier
        self.rule = rule or rule_of(classifier)
        self.batch_size = batch_size  # None: the classifier's default

    def predict(self, actor_results: Sequence[Any]) -> list[list[ActorStance]]:
        """Stances toward the actors of each ``ActorResult`` (from ``foreign_desk.inference.actors``), in the order of
        the results and of their actors."""
        targets: list[StanceTarget] = []
        owned: list[tuple[int, list[tuple[int, Any]]]] = []  # (first row, owners) per article
        for result in actor_results:
            article_targets, owners = collect_targets(result)
            owned.append((len(targets), owners))
            targets.extend(article_targets)
        if targets:
            kwargs = {} if self.batch_size is None else {"batch_size": self.batch_size}
            proba = np.asarray(self.classifier.predict_proba(targets, **kwargs))
        else:
            proba = np.zeros((0, len(LABELS)))
        return [
            aggregate_actors(result, proba[lo : lo + len(owners)], owners, self.rule)
            for result, (lo, owners) in zip(actor_results, owned, strict=True)
        ]


def article_stances(
    result, classifier: _Classifier, rule: AggregationRule | None = None, batch_size: int = 32
) -> list[ActorStance]:
    """Stance toward every actor of one ``ActorResult``, in the order of its actors (:class:`ArticleStance` for one
    article)."""
    return ArticleStance(classifier, rule, batch_size).predict([result])[0]


def _evidence(proba: np.ndarray, sentences: list[Any]) -> list[dict[str, Any]]:
    neutral = LABELS.index("neutral")
    candidates = []
    for p, sentence in zip(proba, sentences, strict=True):
        label = int(np.argmax(p))
        if label != neutral:
            candidates.append((float(p[label]), LABELS[label], sentence))
    candidates.sort(key=lambda c: -c[0])
    evidence, seen = [], set()
    for score, label, sentence in candidates:
        if sentence.index in seen:
            continue
        seen.add(sentence.index)
        evidence.append({"sentence": sentence.text, "stance": label, "score": round(score, 4)})
        if len(evidence) == MAX_EVIDENCE:
            break
    return evidence
