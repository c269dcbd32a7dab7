"""Article-level stance toward each canonical actor, aggregated over the actor's mentions.

Every mention of every actor is scored by the sentence-level classifier in one call, which groups targets by
sentence: all mentions in one sentence share one forward pass. Per actor, the mention probabilities are combined by
an :class:`AggregationRule` calibrated on article-level labels (stored in the model's ``config.json``), and the
evidence is the most confident non-neutral mentions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
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


SPEAKER_WORDS = frozenset(
    "said says say told tells added adds wrote writes tweeted asked argued warned stated noted insisted denied "
    "declined urged called announced according spokesman spokeswoman".split()
)
TYPES = ("country", "person", "organisation")
# Article-level features that see more than the probabilities: where and how the actor is mentioned.
FEATURES_V2 = (
    *FEATURES,
    "top2_negative", "top2_positive", "mass_negative", "mass_positive", "min_neutral",
    "lead_negative", "lead_positive", "in_first_sentence", "in_lead",
    "share_speaker", "quoted_negative", "quoted_positive", "other_negative", "other_positive",
    "share_of_article", "first_position", "log_sentences",
    "type_country", "type_person", "type_organisation",
)  # fmt: skip
WINDOW = 6  # words left and right of a mention that the lexical features see


@dataclass
class ActorMentions:
    """What the article-level decision sees of one actor: its mention probabilities ``(m, 3)`` and, per mention,
    the sentence index, whether the actor speaks there (a speech verb right after it, "according to" before it) and
    the words around it (target masked); plus the actor's type and name and the article's size."""

    proba: np.ndarray
    sentences: list[int] = field(default_factory=list)
    speaker: list[bool] = field(default_factory=list)
    windows: list[list[str]] = field(default_factory=list)
    type: str = "organisation"
    n_sentences: int = 1
    article_mentions: int = 0
    name: str = ""  # the canonical actor name (the article head's actor prior reads it)


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def mention_context(target: StanceTarget) -> tuple[bool, list[str]]:
    """(the target speaks in its sentence, the lower-cased words around it)."""
    left = _WORD.findall(target.text[: target.start])[-WINDOW:]
    right = _WORD.findall(target.text[target.end :])[:WINDOW]
    after = [w.lower() for w in right[:3]]
    before = " ".join(w.lower() for w in left[-2:])
    speaker = any(w in SPEAKER_WORDS for w in after) or before == "according to"
    near = [f"<{w.lower()}" for w in left[-3:]] + [f">{w.lower()}" for w in right[:3]]  # side-aware, nearest
    return speaker, [w.lower() for w in left] + [w.lower() for w in right] + near


def _stats(proba: np.ndarray, k: int) -> float:
    return float(np.sort(proba)[-k:].mean()) if len(proba) else 0.0


def actor_features_v2(view: ActorMentions) -> np.ndarray:
    """:data:`FEATURES_V2` of one actor."""
    proba = np.asarray(view.proba, dtype=float).reshape(-1, len(LABELS))
    neg, neu, pos = 0, 1, 2
    base = actor_features(proba)
    m = len(proba)
    if m == 0:
        extra = [0.0] * (len(FEATURES_V2) - len(FEATURES) - len(TYPES))
    else:
        sents = np.asarray(view.sentences[:m] if view.sentences else [0] * m)
        speaker = np.asarray(view.speaker[:m] if view.speaker else [False] * m, dtype=bool)
        lead = sents <= 1
        quoted, other = proba[speaker], proba[~speaker]
        extra = [
            _stats(proba[:, neg], 2), _stats(proba[:, pos], 2),
            float(np.log1p(proba[:, neg].sum())), float(np.log1p(proba[:, pos].sum())), float(proba[:, neu].min()),
            float(proba[lead, neg].max()) if lead.any() else 0.0, float(proba[lead, pos].max()) if lead.any() else 0.0,
            float((sents == 0).any()), float(lead.any()),
            float(speaker.mean()),
            float(quoted[:, neg].mean()) if len(quoted) else 0.0, float(quoted[:, pos].mean()) if len(quoted) else 0.0,
            float(other[:, neg].mean()) if len(other) else 0.0, float(other[:, pos].mean()) if len(other) else 0.0,
            m / max(1, view.article_mentions), float(sents.min()) / max(1, view.n_sentences),
            float(np.log1p(view.n_sentences)),
        ]
    types = [float(view.type == t) for t in TYPES]
    return np.concatenate([base, np.asarray(extra, dtype=float), types])


def actor_words(view: ActorMentions) -> set[str]:
    """The words around the actor's mentions (lexical features)."""
    return {w for window in view.windows for w in window}


FEATURE_SETS = {"v1": FEATURES, "v2": FEATURES_V2}


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
    features: str = "v1"  # the feature set of ``coef``: "v1" (:data:`FEATURES`) or "v2" (:data:`FEATURES_V2`)
    scale: tuple[float, ...] | None = None  # features are divided by these before ``coef`` (standardisation)
    lexicon: tuple[tuple[str, tuple[float, float, float]], ...] = ()  # word -> coef per label (words near mentions)

    def aggregate(self, mentions: np.ndarray | ActorMentions) -> np.ndarray:
        """Article-level probabilities of one actor from its mentions (an :class:`ActorMentions`, or only their
        probabilities ``(m, 3)``)."""
        view = mentions if isinstance(mentions, ActorMentions) else ActorMentions(np.asarray(mentions))
        proba = np.asarray(view.proba).reshape(-1, len(LABELS))
        if self.coef is None:
            return _weighted_mean(proba, self.weighting)
        x = actor_features(proba) if self.features == "v1" else actor_features_v2(view)
        if self.scale is not None:
            x = x / np.asarray(self.scale)
        z = np.asarray(self.coef) @ x + np.asarray(self.intercept)
        if self.lexicon:
            table = self._lexicon_table
            for word in actor_words(view):
                if word in table:
                    z = z + table[word]
        e = np.exp(z - z.max())
        return e / e.sum()

    @cached_property
    def _lexicon_table(self) -> dict[str, np.ndarray]:
        return {word: np.asarray(c) for word, c in self.lexicon}

    def decide(self, scores: np.ndarray) -> str:
        return LABELS[int(np.argmax(scores * np.asarray(self.bias)))]

    def to_config(self) -> dict[str, Any]:
        out: dict[str, Any] = {"weighting": self.weighting, "bias": [float(b) for b in self.bias]}
        if self.coef is not None:
            out.update(features=list(FEATURE_SETS[self.features]), coef=[list(map(float, r)) for r in self.coef],
                       intercept=[float(x) for x in self.intercept or ()])
            if self.scale is not None:
                out["scale"] = [float(x) for x in self.scale]
            if self.lexicon:
                out["lexicon"] = {w: [round(float(x), 5) for x in c] for w, c in self.lexicon}
        return out

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> AggregationRule:
        coef = data.get("coef")
        features = "v1"
        if coef is not None:
            names = list(data.get("features", FEATURES))
            matching = [k for k, v in FEATURE_SETS.items() if list(v) == names]
            if not matching:
                raise ValueError("aggregation rule was fitted on different actor features")
            features = matching[0]
            width = len(FEATURE_SETS[features])
            if len(coef) != len(LABELS) or any(len(r) != width for r in coef) or len(data["intercept"]) != 3:
                raise ValueError("aggregation rule coef/intercept have the wrong shape")
            if data.get("scale") is not None and len(data["scale"]) != width:
                raise ValueError("aggregation rule scale has the wrong shape")
        lexicon = data.get("lexicon") or {}
        if any(len(c) != len(LABELS) for c in lexicon.values()):
            raise ValueError("aggregation rule lexicon entries need one coefficient per label")
        return cls(
            weighting=data.get("weighting", "confidence"),
            bias=tuple(float(b) for b in data.get("bias", (1.0, 1.0, 1.0))),
            coef=tuple(tuple(float(x) for x in r) for r in coef) if coef is not None else None,
            intercept=tuple(float(x) for x in data["intercept"]) if coef is not None else None,
            features=features,
            scale=tuple(float(x) for x in data["scale"]) if coef is not None and data.get("scale") else None,
            lexicon=tuple((str(w), tuple(float(x) for x in c)) for w, c in lexicon.items()),
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


def actor_views(result, proba: np.ndarray, owners: list[tuple[int, Any]], targets: Sequence[StanceTarget] | None = None
                ) -> list[ActorMentions]:
    """One :class:`ActorMentions` per actor of ``result`` (rows of ``proba``/``targets`` aligned with ``owners``)."""
    rows_of = _rows_of(owners)
    n_sentences = max(1, len(result.sentences))
    views = []
    for a_idx, actor in enumerate(result.actors):
        rows = rows_of.get(a_idx, [])
        context = [mention_context(targets[i]) for i in rows] if targets is not None else []
        views.append(ActorMentions(
            proba=proba[rows] if rows else np.zeros((0, len(LABELS))),
            sentences=[owners[i][1].index for i in rows],
            speaker=[c[0] for c in context],
            windows=[c[1] for c in context],
            type=actor.type,
            n_sentences=n_sentences,
            article_mentions=len(owners),
            name=actor.name,
        ))
    return views


def _rows_of(owners: list[tuple[int, Any]]) -> dict[int, list[int]]:
    rows_of: dict[int, list[int]] = {}
    for i, (owner, _) in enumerate(owners):
        rows_of.setdefault(owner, []).append(i)
    return rows_of


def _actor_vectors(views: list[ActorMentions], vectors: np.ndarray, rows_of: dict[int, list[int]]) -> list[np.ndarray]:
    return [vectors[rows_of.get(a, [])] for a in range(len(views))]


def aggregate_actors(
    result, proba: np.ndarray, owners: list[tuple[int, Any]], rule: AggregationRule,
    targets: Sequence[StanceTarget] | None = None, vectors: np.ndarray | None = None, head: Any = None,
    views: list[ActorMentions] | None = None, head_scores: np.ndarray | None = None,
) -> list[ActorStance]:
    """Actor stances from the mention probabilities ``proba`` (rows aligned with ``owners`` and ``targets``): by the
    article-level ``head`` from the mention ``vectors`` when both are given, else by the aggregation ``rule``.
    ``views`` and ``head_scores`` are the actors' :func:`actor_views` and head probabilities when already computed
    (:class:`ArticleStance` runs the head once for a whole batch of articles)."""
    rows_of = _rows_of(owners)
    views = views if views is not None else actor_views(result, proba, owners, targets)
    if head is not None and vectors is not None:
        all_scores = head_scores if head_scores is not None else head.predict_proba(views, _actor_vectors(views, vectors, rows_of))
        decide = lambda scores: LABELS[int(np.argmax(scores))]  # noqa: E731
    else:
        all_scores = [rule.aggregate(view) for view in views]
        decide = rule.decide
    out = []
    for a_idx, (actor, view, scores) in enumerate(zip(result.actors, views, all_scores, strict=True)):
        rows = rows_of.get(a_idx, [])
        stance = decide(scores)
        out.append(
            ActorStance(
                actor=actor.name,
                type=actor.type,
                affiliation=actor.affiliation,
                mentions=len(actor.mentions),
                stance=stance,
                scores={label: round(float(p), 4) for label, p in zip(LABELS, scores, strict=True)},
                evidence=_evidence(view.proba, [owners[i][1] for i in rows], stance if head is not None else None),
            )
        )
    return out


class ArticleStance:
    """Article-level stance as a pipeline component: the sentence-level ``classifier`` and the aggregation ``rule``
    (default: the one calibrated for the classifier, its config's ``aggregation``).

    :meth:`predict` scores every mention of every actor of a batch of articles in one classifier call (grouped by
    sentence: one forward pass per sentence) and aggregates them per actor.
    """

    def __init__(
        self, classifier: _Classifier, rule: AggregationRule | None = None, batch_size: int | None = None,
        use_head: bool = True,
    ):
        self.classifier = classifier
        self.rule = rule or rule_of(classifier)
        self.batch_size = batch_size  # None: the classifier's default
        # the classifier's article-level head (:mod:`.article_head`), unless a rule is forced or ``use_head`` is off
        self.head = getattr(classifier, "article_head", None) if use_head and rule is None else None

    def predict(self, actor_results: Sequence[Any]) -> list[list[ActorStance]]:
        """Stances toward the actors of each ``ActorResult`` (from ``foreign_desk.inference.actors``), in the order of
        the results and of their actors."""
        targets: list[StanceTarget] = []
        owned: list[tuple[int, list[tuple[int, Any]]]] = []  # (first row, owners) per article
        for result in actor_results:
            article_targets, owners = collect_targets(result)
            owned.append((len(targets), owners))
            targets.extend(article_targets)
        vectors = None
        if targets:
            kwargs = {} if self.batch_size is None else {"batch_size": self.batch_size}
            if self.head is not None:
                proba, vectors = self.classifier.scores_and_vectors(targets, **kwargs)  # type: ignore[attr-defined]
            else:
                proba = np.asarray(self.classifier.predict_proba(targets, **kwargs))
        else:
            proba = np.zeros((0, len(LABELS)))
        parts = [
            (result, proba[lo : lo + len(owners)], owners, targets[lo : lo + len(owners)],
             vectors[lo : lo + len(owners)] if vectors is not None else None)
            for result, (lo, owners) in zip(actor_results, owned, strict=True)
        ]  # fmt: skip
        views = [actor_views(result, p, owners, t) for result, p, owners, t, _ in parts]
        head_scores: list[np.ndarray | None] = [None] * len(parts)
        if self.head is not None and vectors is not None:  # one head call for every actor of the batch
            bags = [v for (_, _, owners, _, vecs), vs in zip(parts, views, strict=True)
                    for v in _actor_vectors(vs, vecs, _rows_of(owners))]  # fmt: skip
            scores = self.head.predict_proba([v for vs in views for v in vs], bags)
            cuts = np.cumsum([0, *(len(vs) for vs in views)])
            head_scores = [scores[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        return [
            aggregate_actors(result, p, owners, self.rule, t, vecs, self.head, views=vs, head_scores=hs)
            for (result, p, owners, t, vecs), vs, hs in zip(parts, views, head_scores, strict=True)
        ]


def article_stances(
    result, classifier: _Classifier, rule: AggregationRule | None = None, batch_size: int = 32
) -> list[ActorStance]:
    """Stance toward every actor of one ``ActorResult``, in the order of its actors (:class:`ArticleStance` for one
    article)."""
    return ArticleStance(classifier, rule, batch_size).predict([result])[0]


def _evidence(proba: np.ndarray, sentences: list[Any], decided: str | None = None) -> list[dict[str, Any]]:
    """The most confident non-neutral mention sentences, one per sentence; with ``decided`` (a non-neutral article
    stance, decided by the article-level head) the actor's mention sentences ranked by that stance's sentence-level
    probability."""
    neutral = LABELS.index("neutral")
    candidates = []
    for p, sentence in zip(proba, sentences, strict=True):
        label = int(np.argmax(p))
        if decided is not None and decided != "neutral":
            candidates.append((float(p[LABELS.index(decided)]), decided, sentence))
        elif label != neutral:
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
