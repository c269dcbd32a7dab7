"""``benchmarks/stance_article_branch.py`` fine-tunes a copy of the stance encoder's top layers fed by cached token
states; its figures mean something only if that copy, untrained, computes what the stance pass computes."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
import torch

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.inference.stance.article import actor_views, collect_targets
from foreign_desk.training.stance.article_head import Example
from foreign_desk.training.stance.article_rule import Item
from tests.conftest import REPO

TEXT = (
    "Chile condemned Peru on Monday for shelling a border town, a charge Peru denied. "
    "Peru said Chile had provoked the clash and that Bolivia backed its account. "
    "The United Nations urged both sides to talk."
)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("stance_article_branch",
                                                  REPO / "benchmarks" / "stance_article_branch.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses resolve their annotations through it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.mark.parametrize("from_layer", [2, 4])
def test_the_untrained_branch_reproduces_the_stance_pass(bench, from_layer: int) -> None:
    clf = StanceClassifier.from_pretrained(REPO / "models" / "stance-minilm")
    result = ActorExtractor.default().extract(TEXT)
    targets, owners = collect_targets(result)
    proba, vectors = clf.scores_and_vectors(targets)
    views = actor_views(result, proba, owners, targets)
    item = Item("reuters_world", "t1", {}, result, proba, owners, targets)
    actors = []
    for k in range(len(result.actors)):
        rows = [r for r, (owner, _) in enumerate(owners) if owner == k]
        actors.append(bench.Labelled(Example("reuters_world", "t1", 0, 1, views[k], vectors[rows]), 0, rows))
    assert sum(len(a.rows) for a in actors) == len(targets) >= 5

    data = bench.BranchData(clf, [item], actors, from_layer)
    branch = bench.Branch(clf, from_layer).eval()
    assert len(branch.layers) == 6 - from_layer
    with torch.no_grad():
        out = branch(data, actors)
    for a, (p, v) in zip(actors, out, strict=True):
        # the cached states are float16: the copy matches the pass to that precision
        np.testing.assert_allclose(v.numpy(), a.example.vectors, atol=5e-3)
        np.testing.assert_allclose(p.numpy(), a.example.view.proba, atol=2e-3)
        inputs = bench.mention_rows(a.example, p, v)
        assert inputs.shape == (len(a.rows), vectors.shape[1] + 3 + 3)


def test_an_evidence_note_points_at_the_mention_sentence_it_paraphrases(bench) -> None:
    sentences = ["Chile condemned Peru on Monday for shelling a border town.",
                 "Peru said Chile had provoked the clash.",
                 "Officials in Peru praised the army's quick response to the shelling."]
    assert bench.evidence_mention("praised army's 'quick response'", sentences) == 2
    assert bench.evidence_mention("accused of shelling a border town", sentences) == 0
    assert bench.evidence_mention("no overlap whatsoever here", sentences) is None  # under 30 % of the note's words
    assert bench.evidence_mention("", sentences) is None
    assert bench.evidence_mention("shelling", []) is None
