"""Article-level stance: aggregation of mention probabilities per actor, evidence, one pass per sentence."""

from __future__ import annotations

import numpy as np
import pytest

from foreign_desk.inference.actors import Actor, ActorResult, Mention
from foreign_desk.inference.sentences import Sentence
from foreign_desk.inference.stance import ActorStance, StanceTarget, article_stances
from foreign_desk.inference.stance.article import AggregationRule

SENTENCES = [
    "Ruritania praised Freedonia for the deal.",
    "Freedonia later attacked Ruritania.",
    "Governor Vale spoke in Freedonia.",
]

# fake sentence-level probabilities per (sentence, mention) pair
PROBA = {
    (0, "Ruritania"): [0.1, 0.8, 0.1],
    (0, "Freedonia"): [0.05, 0.15, 0.8],
    (1, "Freedonia"): [0.7, 0.2, 0.1],
    (1, "Ruritania"): [0.25, 0.6, 0.15],
    (2, "Governor Vale"): [0.1, 0.8, 0.1],
    (2, "Freedonia"): [0.1, 0.6, 0.3],
}


class FakeClassifier:
    """Returns fixed probabilities and records every call (to check that an article is scored in one call)."""

    def __init__(self):
        self.calls: list[list[StanceTarget]] = []

    def predict_proba(self, targets, batch_size: int = 32) -> np.ndarray:
        targets = list(targets)
        self.calls.append(targets)
        index = {s: i for i, s in enumerate(SENTENCES)}
        return np.array([PROBA[(index[t.text], t.mention)] for t in targets], dtype=float)


def build_result() -> tuple[str, ActorResult]:
    text = " ".join(SENTENCES)
    sentences, pos = [], 0
    for i, s in enumerate(SENTENCES):
        start = text.index(s, pos)
        sentences.append(Sentence(i, start, start + len(s), s))
        pos = start + len(s)

    def mentions(name: str) -> list[Mention]:
        out = []
        for s in sentences:
            k = s.text.find(name)
            if k >= 0:
                out.append(Mention(s.start + k, s.start + k + len(name), name, s.index))
        return out

    actors = [
        Actor("Ruritania", "country", mentions=mentions("Ruritania")),
        Actor("Freedonia", "country", mentions=mentions("Freedonia")),
        Actor("Jane Vale", "person", affiliation="Ruritania", role="governor", mentions=mentions("Governor Vale")),
    ]
    return text, ActorResult(sentences, actors)


def test_every_mention_scored_in_one_call_grouped_by_sentence():
    _, result = build_result()
    clf = FakeClassifier()
    stances = article_stances(result, clf)
    assert len(clf.calls) == 1
    assert len(clf.calls[0]) == 6
    assert {t.text for t in clf.calls[0]} == set(SENTENCES)
    assert [s.actor for s in stances] == ["Ruritania", "Freedonia", "Jane Vale"]


def test_confidence_weighted_aggregation_and_labels():
    _, result = build_result()
    by_actor = {s.actor: s for s in article_stances(result, FakeClassifier())}
    fr = by_actor["Freedonia"]
    assert fr.mentions == 3
    p = np.array([PROBA[(0, "Freedonia")], PROBA[(1, "Freedonia")], PROBA[(2, "Freedonia")]])
    w = 1 - p[:, 1] + 1e-3
    expected = (p * w[:, None]).sum(0) / w.sum()
    assert list(fr.scores.values()) == pytest.approx(expected.tolist(), abs=1e-4)
    assert fr.stance == "positive"
    assert by_actor["Ruritania"].stance == "neutral"
    vale = by_actor["Jane Vale"]
    assert (vale.type, vale.affiliation, vale.mentions, vale.stance) == ("person", "Ruritania", 1, "neutral")


def test_mean_rule_and_bias_change_the_decision():
    _, result = build_result()
    mean = {s.actor: s for s in article_stances(result, FakeClassifier(), AggregationRule(weighting="mean"))}
    assert mean["Freedonia"].scores["neutral"] == pytest.approx((0.15 + 0.2 + 0.6) / 3, abs=1e-4)
    biased = AggregationRule(weighting="mean", bias=(1.0, 0.2, 1.0))
    assert {s.actor: s.stance for s in article_stances(result, FakeClassifier(), biased)}["Ruritania"] == "negative"


def test_evidence_is_most_confident_non_neutral_mentions():
    _, result = build_result()
    fr = {s.actor: s for s in article_stances(result, FakeClassifier())}["Freedonia"]
    assert fr.evidence == [
        {"sentence": SENTENCES[0], "stance": "positive", "score": 0.8},
        {"sentence": SENTENCES[1], "stance": "negative", "score": 0.7},
    ]
    ruritania = {s.actor: s for s in article_stances(result, FakeClassifier())}["Ruritania"]
    assert ruritania.evidence == []  # only neutral mentions


def test_to_dict_and_actor_without_usable_mentions():
    text, result = build_result()
    result.actors.append(Actor("Latveria", "country", mentions=[]))
    result.actors.append(Actor("Nowhere", "country", mentions=[Mention(9999, 10005, "Nowher", 7)]))
    stances = article_stances(result, FakeClassifier())
    d = stances[3].to_dict()
    assert d == {
        "actor": "Latveria",
        "type": "country",
        "affiliation": None,
        "mentions": 0,
        "stance": "neutral",
        "scores": {"negative": 0.0, "neutral": 1.0, "positive": 0.0},
        "evidence": [],
    }
    assert stances[4].stance == "neutral" and stances[4].mentions == 1  # mention outside every sentence is skipped
    assert isinstance(stances[0], ActorStance)


def test_unknown_weighting_is_rejected():
    with pytest.raises(ValueError, match="unknown weighting"):
        AggregationRule(weighting="max").aggregate(np.ones((1, 3)) / 3)


def test_article_stances_with_a_real_model():
    from foreign_desk.inference.stance import MiniLMStanceClassifier

    _, result = build_result()
    stances = article_stances(result, MiniLMStanceClassifier.build(max_length=32))
    for s in stances:
        assert sum(s.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert s.stance in {"negative", "neutral", "positive"}


def test_rule_saved_in_the_model_config_is_used():
    from foreign_desk.inference.stance.article import DEFAULT_RULE, rule_of

    clf = FakeClassifier()
    assert rule_of(clf) == DEFAULT_RULE
    clf.config = {"aggregation": {"weighting": "mean", "bias": [1.0, 0.2, 1.0]}}
    assert rule_of(clf) == AggregationRule("mean", (1.0, 0.2, 1.0))
    _, result = build_result()
    assert {s.actor: s.stance for s in article_stances(result, clf)}["Ruritania"] == "negative"


def test_logistic_rule_round_trips_through_the_config():
    from foreign_desk.inference.stance.article import FEATURES, actor_features

    coef = np.zeros((3, len(FEATURES)))
    coef[0, FEATURES.index("max_negative")] = 10.0  # "any strongly negative mention makes the actor negative"
    rule = AggregationRule(coef=tuple(map(tuple, coef)), intercept=(-5.0, 0.0, -5.0))
    again = AggregationRule.from_config(rule.to_config())
    assert again == rule
    _, result = build_result()
    by_actor = {s.actor: s for s in article_stances(result, FakeClassifier(), again)}
    assert by_actor["Freedonia"].stance == "negative"  # one mention with p(negative) = 0.7
    assert sum(by_actor["Freedonia"].scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert by_actor["Jane Vale"].stance == "neutral"
    assert actor_features(np.zeros((0, 3))).shape == (len(FEATURES),)
    with pytest.raises(ValueError, match="wrong shape"):
        AggregationRule.from_config({"coef": [[1.0]], "intercept": [0.0, 0.0, 0.0]})


def test_article_stance_component_scores_a_batch_in_one_call():
    from foreign_desk.inference.stance.article import ArticleStance

    _, result = build_result()
    empty = ActorResult(result.sentences, [])
    clf = FakeClassifier()
    component = ArticleStance(clf)
    batch = component.predict([result, empty, result])
    assert len(clf.calls) == 1 and len(clf.calls[0]) == 2 * sum(len(a.mentions) for a in result.actors)
    single = article_stances(result, FakeClassifier())
    assert batch[0] == single and batch[2] == single and batch[1] == []
    assert component.predict([]) == [] and len(clf.calls) == 1  # nothing to score: no call
    assert ArticleStance(clf, AggregationRule(weighting="mean")).rule.weighting == "mean"
