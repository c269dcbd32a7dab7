"""Fitting the article-level aggregation rule is a training step: ``foreign-desk train`` with a ``stance_rule`` config
(on a copy of a committed stance model and a tiny labelled set; the committed models are never touched)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main
from foreign_desk.inference.manifest import verify_manifest, write_manifest
from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.inference.stance.article import DEFAULT_RULE, AggregationRule, rule_of
from foreign_desk.training.commands import task_module
from tests.conftest import REPO

SENTENCES = [
    ("China praised Japan for the generous aid package.", {"China": "neutral", "Japan": "positive"}),
    ("Russia condemned the United States over the sanctions.", {"Russia": "neutral", "United States": "negative"}),
    ("Iran accused Israel of sabotage at the nuclear site.", {"Iran": "neutral", "Israel": "negative"}),
    ("France welcomed Germany's offer of support.", {"France": "neutral", "Germany": "positive"}),
    ("India criticised Pakistan after the border clash.", {"India": "neutral", "Pakistan": "negative"}),
    ("Brazil thanked Argentina for its help during the floods.", {"Brazil": "neutral", "Argentina": "positive"}),
]


def _dataset(root: Path) -> None:
    for dataset, name in (("reuters2017", "articles.jsonl"), ("agnews_world", "items.jsonl")):
        folder = root / dataset
        folder.mkdir(parents=True)
        texts, labels = [], []
        for k in range(8):
            sentence, gold = SENTENCES[k % len(SENTENCES)]
            item_id = f"{dataset}-{k}"
            texts.append({"id": item_id, "title": "World news", "text": f"{sentence} Talks went on for hours."})
            labels.append({"id": item_id, "actors": [{"actor": a, "stance": s} for a, s in gold.items()]})
        (folder / name).write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
        (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "stance-tfidf"
    shutil.copytree(REPO / "models" / "stance-tfidf", model)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config.pop("aggregation", None)
    (model / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    write_manifest(model)
    data = tmp_path / "data"
    _dataset(data)
    cfg = tmp_path / "rule.yaml"
    cfg.write_text(
        f"task: stance_rule\nmodel_dir: {model}\ndata_dir: {data}\nlimit: 6\nseed: 3\n"
        "datasets: {reuters2017: articles.jsonl, agnews_world: items.jsonl}\n"
        "methods: [averaging grid, logistic, logistic v2, logistic v2 + lexicon]\n"
        f"cache: {tmp_path / 'cache.npz'}\n",
        encoding="utf-8",
    )
    return model, cfg


def test_train_fits_the_rule_into_the_model_config(setup: tuple[Path, Path]) -> None:
    model, cfg = setup
    before = StanceClassifier.from_pretrained(model)
    assert rule_of(before) == DEFAULT_RULE
    assert main(["train", str(cfg)]) == 0
    verify_manifest(model)  # regenerated over the new config
    clf = StanceClassifier.from_pretrained(model)
    rule = rule_of(clf)
    metrics = json.loads((model / "rule_metrics.json").read_text(encoding="utf-8"))
    assert rule == AggregationRule.from_config(metrics["rule"])
    assert metrics["method"] in {"averaging grid", "logistic", "logistic v2", "logistic v2 + lexicon"}
    assert metrics["items"] == 12
    assert set(metrics["cv"][metrics["method"]]) == {"reuters2017", "agnews_world", "all"}
    assert (model.parent / "cache.npz").is_file()
    # a second run from the cache gives the same rule
    assert main(["train", str(cfg)]) == 0
    assert rule_of(StanceClassifier.from_pretrained(model)) == rule


def test_the_shipped_config_is_valid_and_registered() -> None:
    module = task_module("stance_rule")
    if not (REPO.parent / "shared" / "data" / "reuters2017").is_dir():
        pytest.skip("needs ../shared/data")
    config = module.load_config(REPO / "configs" / "stance-article-rule.yaml")
    assert config.task == "stance_rule" and config.model_dir == Path("models/stance-minilm")


def test_bad_config_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("task: stance_rule\nmodel_dir: nowhere\nmethods: [vote]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.yaml: invalid stance_rule config: methods"):
        task_module("stance_rule").load_config(cfg)


def test_mention_caches_are_not_reused_across_models(tmp_path: Path) -> None:
    """The probability and vector caches are valid for the model that wrote them: a retrained (or averaged) model,
    or the same one run int8, scores again instead of reading another model's numbers."""
    import numpy as np

    from foreign_desk.inference.stance import StanceTarget
    from foreign_desk.training.stance.article_head import VectorCache
    from foreign_desk.training.stance.article_rule import ProbaCache, model_fingerprint

    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights one")
    first = model_fingerprint(model)
    assert model_fingerprint(model, quantize=True) != first
    (model / "model.safetensors").write_bytes(b"weights two")
    second = model_fingerprint(model)
    assert second != first

    class Scorer:
        def predict_proba(self, targets, batch_size=32):
            return np.tile([0.2, 0.5, 0.3], (len(targets), 1))

        def scores_and_vectors(self, targets, batch_size=32):
            return self.predict_proba(targets), np.ones((len(targets), 4))

    target = [StanceTarget("Ruritania spoke.", 0, 9)]
    for cls, name in ((ProbaCache, "proba.npz"), (VectorCache, "vectors.npz")):
        path = tmp_path / name
        cache = cls(path, first)
        assert cache.score(Scorer(), target, 8)[1] == 0
        cache.save()
        assert cls(path, first).score(Scorer(), target, 8)[1] == 1  # same model: read back
        assert cls(path, second).score(Scorer(), target, 8)[1] == 0  # another model: scored again
