"""Article-level decision over richer actor features (v2), the lexicon and the content-keyed probability cache."""

from __future__ import annotations

import numpy as np
import pytest

from foreign_desk.inference.stance.article import (
    FEATURES_V2,
    ActorMentions,
    AggregationRule,
    actor_features_v2,
    mention_context,
)
from foreign_desk.inference.stance.targets import StanceTarget


def _view(proba, speaker=None, windows=None, type_="country") -> ActorMentions:
    proba = np.asarray(proba, dtype=float)
    return ActorMentions(proba, sentences=list(range(len(proba))), speaker=speaker or [False] * len(proba),
                         windows=windows or [[] for _ in proba], type=type_, n_sentences=10,
                         article_mentions=2 * len(proba))


def test_features_v2_have_their_names_and_handle_no_mentions() -> None:
    x = actor_features_v2(_view([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], speaker=[True, False]))
    assert x.shape == (len(FEATURES_V2),)
    named = dict(zip(FEATURES_V2, x, strict=True))
    assert named["share_speaker"] == 0.5 and named["quoted_positive"] == pytest.approx(0.7)
    assert named["other_negative"] == pytest.approx(0.6) and named["type_country"] == 1.0
    assert named["in_first_sentence"] == 1.0 and named["share_of_article"] == 0.5
    assert actor_features_v2(_view(np.zeros((0, 3)))).shape == (len(FEATURES_V2),)


def test_speaker_and_window_of_a_mention() -> None:
    text = "Officials in Ruritania said on Monday that the talks had stalled."
    speaker, words = mention_context(StanceTarget(text, 13, 22))
    assert speaker and "officials" in words and "<in" in words and ">said" in words
    speaker, _ = mention_context(StanceTarget("According to Freedonia, the talks failed.", 13, 22))
    assert speaker
    speaker, _ = mention_context(StanceTarget("Critics praised Freedonia for its restraint.", 16, 25))
    assert not speaker


def test_v2_rule_with_lexicon_round_trips_and_uses_the_words() -> None:
    coef = np.zeros((3, len(FEATURES_V2)))
    rule = AggregationRule(coef=tuple(map(tuple, coef)), intercept=(0.0, 1.0, 0.0), features="v2",
                           scale=tuple([1.0] * len(FEATURES_V2)), lexicon=(("<praised", (0.0, 0.0, 5.0)),))
    again = AggregationRule.from_config(rule.to_config())
    assert again == rule
    plain = _view([[0.2, 0.6, 0.2]])
    praised = _view([[0.2, 0.6, 0.2]], windows=[["<praised", "critics"]])
    assert rule.decide(again.aggregate(plain)) == "neutral"
    assert rule.decide(again.aggregate(praised)) == "positive"
    # a bare probability array still works (no context: no words, default type)
    assert again.aggregate(np.array([[0.2, 0.6, 0.2]])).shape == (3,)


def test_v2_rule_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="different actor features"):
        AggregationRule.from_config({"coef": [[0.0]] * 3, "intercept": [0, 0, 0], "features": ["x"]})
    with pytest.raises(ValueError, match="lexicon"):
        AggregationRule.from_config({"lexicon": {"good": [1.0]}})


def test_probability_cache_is_keyed_by_content(tmp_path) -> None:
    from foreign_desk.training.stance.article_rule import ProbaCache

    class Counting:
        calls = 0

        def predict_proba(self, targets, batch_size=32):
            Counting.calls += len(targets)
            return np.tile([0.2, 0.5, 0.3], (len(targets), 1))

    path = tmp_path / "cache.npz"
    cache = ProbaCache(path)
    a, b = StanceTarget("Ruritania spoke.", 0, 9), StanceTarget("Freedonia spoke.", 0, 9)
    proba, cached = cache.score(Counting(), [a, b], 8)
    assert cached == 0 and proba.shape == (2, 3) and Counting.calls == 2
    cache.save()
    again = ProbaCache(path)
    proba2, cached2 = again.score(Counting(), [b, a, StanceTarget("Latveria spoke.", 0, 8)], 8)
    assert cached2 == 2 and Counting.calls == 3
    np.testing.assert_allclose(proba2[:2], proba[::-1])
