"""The article-level stance head: mention vectors from the stance pass, the multi-instance head, its saved form, and
its use by ``ArticleStance`` (with evidence ranked for the decided stance)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.manifest import ModelLoadError, write_manifest
from foreign_desk.inference.stance import StanceClassifier, StanceTarget
from foreign_desk.inference.stance.article import FEATURES_V2, ActorMentions, ArticleStance
from foreign_desk.inference.stance.article_head import (
    CONFIG_KEY,
    POSITION_FEATURES,
    ArticleHead,
    ArticleHeadConfig,
    load_article_head,
    mention_inputs,
    save_article_head,
)
from tests.conftest import REPO

TEXT = (
    "Chile praised Peru on Tuesday for returning the stolen paintings. "
    "Peru said the paintings were handed over at the border. "
    "Officials in Chile thanked the Peruvian police for their help."
)
SECOND = TEXT.index("Peru said")
TARGETS = [StanceTarget(TEXT, 0, 5), StanceTarget(TEXT, 14, 18), StanceTarget(TEXT[SECOND:], 0, 4)]


@pytest.fixture(scope="module")
def stance() -> StanceClassifier:
    return StanceClassifier.from_pretrained(REPO / "models" / "stance-minilm")


def _head(vector_dim: int, positive_bias: float = 0.0, seed: int = 0) -> ArticleHead:
    torch.manual_seed(seed)
    head = ArticleHead(ArticleHeadConfig(vector_dim=vector_dim, hidden=8, feature_mean=[0.0] * len(FEATURES_V2),
                                         feature_scale=[1.0] * len(FEATURES_V2)))
    with torch.no_grad():
        head.members[0].out[1].bias += torch.tensor([0.0, 0.0, positive_bias])
    return head.eval()


def test_vectors_come_from_the_same_pass_as_the_probabilities(stance: StanceClassifier) -> None:
    proba, vectors = stance.scores_and_vectors(TARGETS)
    np.testing.assert_allclose(proba, stance.predict_proba(TARGETS), atol=1e-5)
    hidden = stance.model.encoder.config.hidden_size
    assert vectors.shape == (len(TARGETS), 2 * hidden + int(stance.config["head_hidden"]))
    # different mentions of one sentence get different span vectors, the same sentence vector
    assert not np.allclose(vectors[0, :hidden], vectors[1, :hidden])
    np.testing.assert_allclose(vectors[0, hidden : 2 * hidden], vectors[1, hidden : 2 * hidden], atol=1e-5)


def test_mention_inputs_carry_vector_probabilities_and_position() -> None:
    view = ActorMentions(np.array([[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]]), sentences=[0, 4], n_sentences=8)
    rows = mention_inputs(view, np.ones((2, 5)))
    assert rows.shape == (2, 5 + 3 + len(POSITION_FEATURES))
    np.testing.assert_allclose(rows[0, 5:], [0.1, 0.2, 0.7, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(rows[1, 5:], [0.3, 0.6, 0.1, 0.0, 0.0, 0.5])


def test_an_actor_without_scored_mentions_is_neutral() -> None:
    head = _head(4, positive_bias=50.0)
    views = [ActorMentions(np.zeros((0, 3))), ActorMentions(np.array([[0.2, 0.6, 0.2]]), sentences=[0])]
    proba = head.predict_proba(views, [np.zeros((0, 4)), np.ones((1, 4))])
    np.testing.assert_allclose(proba[0], [0.0, 1.0, 0.0])
    assert proba[1].argmax() == 2  # the head's positive bias decides the scored actor


def _model_copy(tmp_path: Path) -> Path:
    model = tmp_path / "stance-minilm"
    shutil.copytree(REPO / "models" / "stance-minilm", model)
    return model


def _install(model: Path, head: ArticleHead) -> None:
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config[CONFIG_KEY] = save_article_head(model, head)
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    write_manifest(model)


def test_saved_head_loads_with_the_model_and_decides_the_article_stance(tmp_path: Path, stance) -> None:
    model = _model_copy(tmp_path)
    vector_dim = 2 * stance.model.encoder.config.hidden_size + int(stance.config["head_hidden"])
    head = _head(vector_dim, positive_bias=50.0, seed=3)
    _install(model, head)
    loaded = StanceClassifier.from_pretrained(model)
    assert loaded.article_head is not None
    for name, tensor in head.state_dict().items():
        torch.testing.assert_close(loaded.article_head.state_dict()[name], tensor)

    result = ActorExtractor.default().extract(TEXT)
    assert {"Chile", "Peru"} <= {a.name for a in result.actors}
    stances = ArticleStance(loaded).predict([result])[0]
    assert {s.stance for s in stances} == {"positive"}  # the head, not the rule, decided
    for s in stances:
        assert s.evidence and all(e["stance"] == "positive" for e in s.evidence)
        scores = [e["score"] for e in s.evidence]
        assert scores == sorted(scores, reverse=True)
        assert all(e["sentence"] in TEXT for e in s.evidence)
    # the rule is still there: forced off, the head is not used
    by_rule = ArticleStance(loaded, use_head=False).predict([result])[0]
    assert by_rule == ArticleStance(StanceClassifier.from_pretrained(REPO / "models" / "stance-minilm"),
                                    use_head=False).predict([result])[0]


def test_a_damaged_head_is_a_load_error_naming_the_model(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    head = _head(6)
    entry = save_article_head(model, head)
    assert load_article_head(model, None) is None
    assert load_article_head(model, entry) is not None
    with pytest.raises(ModelLoadError, match=r"m is damaged: config.json article_head"):
        load_article_head(model, {**entry, "features": ["mean_negative"]})
    with pytest.raises(ModelLoadError, match=r"m is damaged: config.json article_head"):
        load_article_head(model, {**entry, "feature_mean": [0.0]})
    with pytest.raises(ModelLoadError, match=r"m is damaged: article_head.safetensors"):
        load_article_head(model, {**entry, "hidden": 16})  # weights of another shape
    (model / "article_head.safetensors").unlink()
    with pytest.raises(ModelLoadError, match=r"article_head.safetensors is missing"):
        load_article_head(model, entry)


def test_an_actors_scores_do_not_depend_on_the_other_actors_of_the_batch() -> None:
    head = _head(4, seed=5)
    rng = np.random.default_rng(0)
    views, vectors = [], []
    for m in (1, 4, 2, 7):
        proba = rng.dirichlet(np.ones(3), size=m)
        views.append(ActorMentions(proba, sentences=list(range(m)), n_sentences=9))
        vectors.append(rng.normal(size=(m, 4)))
    together = head.predict_proba(views, vectors)
    alone = np.array([head.predict_proba([v], [x])[0] for v, x in zip(views, vectors, strict=True)])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    # attention pooling: the order of an actor's mentions does not matter
    order = [3, 0, 6, 1, 5, 2, 4]
    shuffled = ActorMentions(views[3].proba[order], sentences=[views[3].sentences[i] for i in order], n_sentences=9)
    np.testing.assert_allclose(head.predict_proba([shuffled], [vectors[3][order]])[0], alone[3], atol=1e-5)
