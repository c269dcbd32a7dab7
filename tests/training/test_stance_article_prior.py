"""The article head's actor prior as the training step counts it: labelled stances per actor name, each training
actor's own label left out of what it sees."""

from __future__ import annotations

import importlib.util

import numpy as np
import torch

from foreign_desk.inference.stance.article import ActorMentions
from foreign_desk.inference.stance.article_head import PRIOR_FEATURES, prior_features
from foreign_desk.training.stance.article_head import (
    ArticleHeadTrainingConfig,
    Example,
    actor_prior,
    fit_head,
    prior_inputs,
)
from foreign_desk.training.stance.article_rule import Item, half
from tests.conftest import REPO

NEG, NEU, POS = 0, 1, 2


def _example(name: str, gold: int, item: str, vector: float = 0.0) -> Example:
    view = ActorMentions(np.array([[0.3, 0.5, 0.2]]), sentences=[0], n_sentences=6, name=name, type="country")
    return Example("reuters_world", item, 0, gold, view, np.full((1, 4), vector, dtype=np.float32))


def test_the_prior_counts_labels_per_name_and_leaves_each_actors_own_label_out() -> None:
    examples = [_example("Ruritania", NEG, "a"), _example("ruritania", NEG, "b"), _example("Ruritania", NEU, "c"),
                _example("Freedonia", POS, "a"), _example("", NEU, "d")]
    table, rates = actor_prior(examples)
    assert {k: v.tolist() for k, v in table.items()} == {"ruritania": [2.0, 1.0, 0.0], "freedonia": [0.0, 0.0, 1.0]}
    np.testing.assert_allclose(rates, [0.4, 0.4, 0.2])
    x = prior_inputs(examples, table, rates, 3.0)
    assert x.shape == (5, len(PRIOR_FEATURES))
    np.testing.assert_allclose(x[0], prior_features([1.0, 1.0, 0.0], rates, 3.0))  # its own negative left out
    np.testing.assert_allclose(x[2], prior_features([2.0, 0.0, 0.0], rates, 3.0))
    # labelled once: with its own label out it is unknown, as an unseen actor will be at run time
    np.testing.assert_allclose(x[3], prior_features(None, rates, 3.0))
    np.testing.assert_allclose(x[4], prior_features(None, rates, 3.0))


def test_a_head_fitted_with_the_prior_learns_the_names_history() -> None:
    # mentions carry no signal: only the name tells the label (Ruritania hostile, Freedonia praised, others neutral)
    examples = []
    for i in range(60):
        examples.append(_example("Ruritania", NEG, f"r{i}"))
        examples.append(_example("Freedonia", POS, f"f{i}"))
        examples += [_example(f"Actor {i} {j}", NEU, f"n{i}{j}") for j in range(2)]
    config = ArticleHeadTrainingConfig(members=1, hidden=8, epochs=20, batch_size=16, learning_rate=1e-2)
    head = fit_head(examples, config, seed=1)
    assert head.config.uses_prior and head.config.actor_prior["ruritania"] == [60.0, 0.0, 0.0]
    views = [_example(name, NEU, "new").view for name in ("Ruritania", "Freedonia", "Elbonia")]
    labels = head.predict_proba(views, [np.zeros((1, 4), np.float32)] * 3).argmax(1).tolist()
    assert labels == [NEG, POS, NEU]
    # without the prior the same examples cannot be told apart
    torch.manual_seed(0)
    plain = fit_head(examples, config.model_copy(update={"actor_prior": False}), seed=1)
    assert not plain.config.uses_prior
    assert len(set(plain.predict_proba(views, [np.zeros((1, 4), np.float32)] * 3).argmax(1).tolist())) == 1


def test_the_prior_benchmark_redraws_halves_by_item() -> None:
    spec = importlib.util.spec_from_file_location("stance_article_prior", REPO / "benchmarks" / "stance_article_prior.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    examples = [_example(f"Actor {j}", NEU, f"item{i}") for i in range(40) for j in range(3)]
    bench.redraw_halves(examples, 0)
    assert [e.half for e in examples] == [half(Item("reuters_world", e.item, {}, None, None, [])) for e in examples]
    assert len({e.half for e in examples}) == 2  # salt 0: the training step's halves
    bench.redraw_halves(examples, 1)
    by_item = {}
    for e in examples:
        by_item.setdefault(e.item, set()).add(e.half)
    assert all(len(h) == 1 for h in by_item.values())  # an item's actors stay together
    assert 10 < sum(h == {1} for h in by_item.values()) < 30
    first = [e.half for e in examples]
    bench.redraw_halves(examples, 2)
    assert [e.half for e in examples] != first
