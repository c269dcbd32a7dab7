"""Fitting the article-level stance head is a training step: ``foreign-desk train`` with a ``stance_article_head``
config, on a copy of the committed MiniLM stance model and a tiny labelled set written here (the committed models are
never touched)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main
from foreign_desk.inference.manifest import verify_manifest, write_manifest
from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.inference.stance.article import ArticleStance
from foreign_desk.inference.stance.article_head import CONFIG_KEY, HEAD_WEIGHTS
from foreign_desk.training.commands import task_module
from tests.conftest import REPO
from tests.training.test_stance_rule import _dataset

pytestmark = pytest.mark.slow


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "stance-minilm"
    shutil.copytree(REPO / "models" / "stance-minilm", model)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config.pop(CONFIG_KEY, None)
    (model / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (model / HEAD_WEIGHTS).unlink(missing_ok=True)
    write_manifest(model)
    data = tmp_path / "data"
    _dataset(data)
    cfg = tmp_path / "head.yaml"
    cfg.write_text(
        f"task: stance_article_head\nmodel_dir: {model}\ndata_dir: {data}\nlimit: 6\nseed: 3\n"
        "datasets: {reuters2017: articles.jsonl, agnews_world: items.jsonl}\n"
        "hidden: 8\nepochs: 2\nbatch_size: 4\ncompare_rule: logistic\n"
        f"cache: {tmp_path / 'vectors.npz'}\n",
        encoding="utf-8",
    )
    return model, cfg


def test_train_fits_the_head_beside_the_stance_model(setup: tuple[Path, Path]) -> None:
    model, cfg = setup
    assert StanceClassifier.from_pretrained(model).article_head is None
    assert main(["train", str(cfg)]) == 0
    verify_manifest(model)  # regenerated over the new config and weights
    assert (model / HEAD_WEIGHTS).is_file()
    clf = StanceClassifier.from_pretrained(model)
    assert clf.article_head is not None and clf.article_head.config.hidden == 8
    metrics = json.loads((model / "article_head_metrics.json").read_text(encoding="utf-8"))
    assert metrics["items"] == 12 and metrics["labelled_actors"] == 24
    assert set(metrics["cv"]) == {"reuters2017", "agnews_world", "all"} == set(metrics["rule_cv"])
    for row in metrics["cv"].values():
        assert 0.0 <= row["macro_f1"] <= 1.0 and row["found"] <= row["pairs"]
    card = (model / "README.md").read_text(encoding="utf-8")
    assert "## Article-level head" in card
    assert clf.article_head.config.uses_prior and clf.article_head.config.actor_prior  # the config default
    assert f"labelled stance counts of {len(clf.article_head.config.actor_prior):,} actor names" in card
    assert f"{clf.article_head.config.members} heads trained from different seeds" in card
    assert (cfg.parent / "vectors.npz").is_file()
    assert ArticleStance(clf).head is clf.article_head
    # a second run from the cache fits the same head (seeded)
    before = {k: v.clone() for k, v in clf.article_head.state_dict().items()}
    assert main(["train", str(cfg)]) == 0
    after = StanceClassifier.from_pretrained(model).article_head.state_dict()
    assert all((after[k] - v).abs().max() < 1e-5 for k, v in before.items())


def test_the_shipped_config_is_valid_and_registered(shared_data: Path) -> None:
    config = task_module("stance_article_head").load_config(REPO / "configs" / "stance-article-head.yaml")
    assert config.task == "stance_article_head" and config.model_dir == Path("models/stance-minilm")


def test_a_tfidf_model_is_refused_by_name(tmp_path: Path, shared_data: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(f"task: stance_article_head\nmodel_dir: {REPO / 'models' / 'stance-tfidf'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.yaml: model_dir .*stance-tfidf is not a MiniLM stance model"):
        task_module("stance_article_head").load_config(cfg)
