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
    PRIOR_FEATURES,
    ArticleHead,
    ArticleHeadConfig,
    load_article_head,
    mention_inputs,
    prior_features,
    prior_key,
    save_article_head,
)
from foreign_desk.inference.stance.targets import LABELS
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


def _prior_head(vector_dim: int, prior: dict[str, list[float]]) -> ArticleHead:
    """A head that reads the actor prior and nothing else: its last layer sees only the prior_negative feature."""
    features = [*FEATURES_V2, *PRIOR_FEATURES]
    torch.manual_seed(0)
    head = ArticleHead(ArticleHeadConfig(vector_dim=vector_dim, hidden=8, features=features,
                                         feature_mean=[0.0] * len(features), feature_scale=[1.0] * len(features),
                                         actor_prior=prior, class_rates=[0.25, 0.65, 0.10], prior_alpha=3.0))
    with torch.no_grad():
        out = head.members[0].out[1]
        out.weight.zero_()
        out.bias.zero_()
        out.weight[0, out.weight.shape[1] - len(PRIOR_FEATURES)] = 10.0  # negative logit <- prior_negative
        out.bias[0] = 5.0  # prior_negative of an unknown actor is log(0.25 / 0.65) = -0.96: not negative
    return head.eval()


def test_prior_features_smooth_the_labelled_counts_toward_the_class_rates() -> None:
    rates = [0.25, 0.65, 0.10]
    unknown = prior_features(None, rates, 3.0)
    np.testing.assert_allclose(unknown, [np.log(0.25 / 0.65), np.log(0.10 / 0.65), 0.0])
    hostile = prior_features([9, 1, 0], rates, 3.0)  # (9 + 0.75) / (1 + 1.95) negative against neutral
    np.testing.assert_allclose(hostile, [np.log(9.75 / 2.95), np.log(0.3 / 2.95), np.log(11)])
    assert prior_key("  Islamic   STATE ") == prior_key("Islamic State") == "islamic state"


def test_the_actor_prior_decides_by_the_actors_name() -> None:
    head = _prior_head(4, {prior_key("Ruritania"): [20.0, 1.0, 0.0], prior_key("Freedonia"): [0.0, 20.0, 1.0]})
    proba = np.array([[0.2, 0.6, 0.2], [0.3, 0.5, 0.2]])
    vectors = np.ones((2, 4))
    views = [ActorMentions(proba, sentences=[0, 1], n_sentences=5, name=name)
             for name in ("Ruritania", "Freedonia", "Elbonia", "RURITANIA")]
    labels = head.predict_proba(views, [vectors] * 4).argmax(1)
    # same mentions, different names: the labelled history of the name decides (unknown names get the class rates)
    assert [LABELS[i] for i in labels] == ["negative", "neutral", "neutral", "negative"]


def test_actor_views_hand_each_actors_canonical_name_to_the_head() -> None:
    from foreign_desk.inference.stance.article import actor_views

    result = ActorExtractor.default().extract(TEXT)
    views = actor_views(result, np.zeros((0, 3)), [])
    assert [v.name for v in views] == [a.name for a in result.actors]
    assert {"Chile", "Peru"} <= {v.name for v in views}


def test_a_prior_head_round_trips_and_refuses_a_damaged_prior(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    head = _prior_head(6, {"ruritania": [20.0, 1.0, 0.0]})
    entry = save_article_head(model, head)
    loaded = load_article_head(model, json.loads(json.dumps(entry)))
    assert loaded.config.uses_prior and loaded.config.actor_prior == {"ruritania": [20.0, 1.0, 0.0]}
    view = ActorMentions(np.array([[0.2, 0.6, 0.2]]), sentences=[0], name="Ruritania")
    np.testing.assert_allclose(loaded.predict_proba([view], [np.ones((1, 6))]),
                               head.predict_proba([view], [np.ones((1, 6))]), atol=1e-6)
    with pytest.raises(ModelLoadError, match=r"m is damaged: config.json article_head.*ruritania"):
        load_article_head(model, {**entry, "actor_prior": {"ruritania": [1.0, -2.0, 0.0]}})
    with pytest.raises(ModelLoadError, match=r"m is damaged: config.json article_head.*ruritania"):
        load_article_head(model, {**entry, "actor_prior": {"ruritania": [float("nan"), 1.0, 0.0]}})
    with pytest.raises(ModelLoadError, match=r"m is damaged: config.json article_head.*class_rates"):
        load_article_head(model, {**entry, "class_rates": None})
