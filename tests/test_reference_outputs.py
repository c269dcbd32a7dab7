"""Predictions must not change when the code is restructured: compare with the stored reference outputs
(``tests/reference``, written by ``python -m tests.reference.capture`` with the committed models)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from tests.reference.capture import HERE, ROOT, key_of, stance_items, topic_items

MODELS = ROOT / "models"
ATOL = 1e-4


def _round_scores(record: dict) -> dict:
    return json.loads(json.dumps(record), parse_float=lambda s: round(float(s), 3))


def test_sample_dump_predictions_match_reference():
    from foreign_desk.inference import Pipeline
    from foreign_desk.inference.segment import read_dump

    expected = [json.loads(line) for line in (HERE / "sample_predict.jsonl").read_text("utf-8").splitlines()]
    got = [r.to_dict() for r in Pipeline.from_pretrained(MODELS).predict(read_dump(ROOT / "samples" / "sample_dump.txt"))]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g["id"] == e["id"] and g["headline"] == e["headline"]
        assert g["topics"]["labels"] == e["topics"]["labels"]
        assert [(a["actor"], a["stance"], a["mentions"]) for a in g["actors"]] == [
            (a["actor"], a["stance"], a["mentions"]) for a in e["actors"]
        ]
        assert _round_scores(g) == _round_scores(e)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared/data (the held-out splits)")
@pytest.mark.parametrize("name", ["topic-tfidf", "topic-minilm", "topic-ensemble"])
def test_topic_test_split_matches_reference(name):
    from foreign_desk.inference.topics import TopicClassifier

    ref = json.loads((HERE / "topic_test.json").read_text("utf-8"))[name]
    items = topic_items(MODELS / "topic-ensemble")
    assert [x["id"] for x in items] == ref["ids"]
    clf = TopicClassifier.from_pretrained(MODELS / name)
    assert clf.labels == ref["labels"]
    proba = clf.predict_proba(items)
    np.testing.assert_allclose(proba, np.array(ref["proba"]), atol=ATOL)
    assert (clf.decide(proba) == clf.decide(np.array(ref["proba"]))).all()


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared/data (the held-out splits)")
@pytest.mark.parametrize("name", ["stance-minilm", "stance-tfidf"])
def test_stance_test_split_matches_reference(name):
    from foreign_desk.inference.stance import StanceClassifier

    ref = json.loads((HERE / "stance_test.json").read_text("utf-8"))[name]
    targets = stance_items(MODELS / "stance-minilm")
    assert [key_of(t) for t in targets] == ref["keys"]
    proba = StanceClassifier.from_pretrained(MODELS / name).predict_proba(targets)
    np.testing.assert_allclose(proba, np.array(ref["proba"]), atol=ATOL)
    assert (proba.argmax(1) == np.array(ref["proba"]).argmax(1)).all()
