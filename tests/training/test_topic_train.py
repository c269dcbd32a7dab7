"""End-to-end topic training with tiny configs: train, save, reload, predict identically, evaluate, resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from foreign_desk.inference.article import Article
from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.training.commands import task_of_model
from foreign_desk.training.metrics import SPLIT_KEYS
from foreign_desk.training.topic import evaluate, train
from foreign_desk.training.topic.config import config_from_dict
from tests.training.test_loop import CHECKPOINT_FILES, assert_metrics_json
from tests.training.test_topic_data import LABELS, tiny_config

ARTICLES = [
    Article.from_text("Avaland froze the assets of two banks and banned exports.", headline="New sanctions"),
    "Negotiators agreed to cut tariffs on steel and grain imports.",
    {"title": "Summit", "text": "The envoy met the president for talks on a treaty."},
]


def _check_saved(out: Path, kind: str) -> TopicClassifier:
    assert {"config.json", "README.md", "manifest.json"} <= {p.name for p in out.iterdir()}
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "topic" and config["kind"] == kind and config["labels"] == LABELS
    assert task_of_model(out) == "topic"
    assert set(config["thresholds"]) == set(LABELS)
    card = (out / "README.md").read_text()
    for needle in ("Label counts", "Metrics (held-out test split)", "Decision thresholds", "diplomacy", "Versions"):
        assert needle in card
    clf = TopicClassifier.from_pretrained(out)
    assert clf.kind == kind and clf.labels == LABELS
    return clf


def _check_predictions(clf: TopicClassifier, out: Path) -> None:
    proba = clf.predict_proba(ARTICLES)
    assert proba.shape == (3, 3) and np.all((proba >= 0) & (proba <= 1))
    again = TopicClassifier.from_pretrained(out).predict_proba(ARTICLES)
    np.testing.assert_allclose(again, proba, atol=1e-6)  # reload predicts identically
    preds = clf.predict(ARTICLES)
    for pred, row in zip(preds, proba, strict=True):
        assert set(pred.scores) == set(LABELS)
        assert pred.labels == [lab for lab, p in zip(LABELS, row, strict=True) if p >= clf.thresholds[lab]]


def test_train_tfidf_end_to_end(tmp_path: Path) -> None:
    config = config_from_dict(tiny_config(tmp_path, "tfidf"))
    out = train(config)
    clf = _check_saved(out, "tfidf")
    _check_predictions(clf, out)
    assert (
        clf.predict(["Avaland imposed an embargo and sanctions, freezing assets of banks."])[0].scores["sanctions"]
        > clf.predict(["Negotiators agreed a trade deal cutting customs duties and tariffs."])[0].scores["sanctions"]
    )
    result = evaluate(out, split="test", output=tmp_path / "metrics.json")
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(result))
    assert set(saved["per_label"]) == set(LABELS) and {"macro", "core_macro", "micro"} == set(saved["averages"])
    assert saved["macro_f1"] > 0.5  # the tiny corpus is easy
    shipped = json.loads((out / "metrics.json").read_text())  # written at training time: dev and test
    assert shipped["test"] == {k: saved[k] for k in SPLIT_KEYS} and set(shipped["dev"]) == set(SPLIT_KEYS)


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    out = train(config_from_dict(tiny_config(tmp_path, "tfidf")))
    with open(out / "model.skops", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError, match=r"model\.skops"):
        TopicClassifier.from_pretrained(out)


@pytest.mark.slow
def test_train_minilm_end_to_end_and_resume(tmp_path: Path) -> None:
    torch.manual_seed(0)
    cfg = tiny_config(tmp_path, "minilm")
    out = train(config_from_dict(cfg))
    clf = _check_saved(out, "minilm")
    assert (out / "model.safetensors").stat().st_size < 25e6
    _check_predictions(clf, out)
    np.testing.assert_allclose(  # length-sorted batching gives the same scores as one-by-one
        clf.predict_proba(ARTICLES, batch_size=1), clf.predict_proba(ARTICLES, batch_size=16), atol=1e-5
    )
    int8 = TopicClassifier.from_pretrained(out, quantize=True)
    assert np.abs(int8.predict_proba(ARTICLES) - clf.predict_proba(ARTICLES)).max() < 0.15

    # the shared layout: checkpoint files and metrics.json keys (the stance test checks the same constants)
    assert {p.name for p in (tmp_path / "ckpt-minilm" / "checkpoint").iterdir()} == CHECKPOINT_FILES
    assert_metrics_json(out, "topic", "minilm")

    # resume: a checkpoint was written; a run resumed from it with more steps continues its history
    state = json.loads((tmp_path / "ckpt-minilm" / "checkpoint" / "trainer_state.json").read_text())["state"]
    assert state["step"] == 2
    cfg["training"] = {**cfg["training"], "max_steps": 4}
    cfg["output_dir"] = str(tmp_path / "resumed")
    resumed = train(config_from_dict(cfg), resume=True)
    state = json.loads((tmp_path / "ckpt-minilm" / "checkpoint" / "trainer_state.json").read_text())["state"]
    assert state["step"] == 4 and [h["step"] for h in state["history"]] == [2, 4]
    assert json.loads((resumed / "config.json").read_text())["training_config"]["training"]["max_steps"] == 4

    # warm start: the saved model is the step-0 baseline of the new run (its dev score is kept unless beaten)
    warm = {**cfg, "output_dir": str(tmp_path / "warm"), "checkpoint_dir": str(tmp_path / "ckpt-warm")}
    warm["model"] = {**cfg["model"], "init_from": str(out)}
    warm["training"] = {**cfg["training"], "max_steps": 2}
    train(config_from_dict(warm))
    history = json.loads((tmp_path / "ckpt-warm" / "checkpoint" / "trainer_state.json").read_text())["state"]["history"]
    assert [h["step"] for h in history] == [0, 2]
    # a model trained on another split (its dev/test articles may have been training data) is refused
    shutil.copytree(out, tmp_path / "other")
    other_cfg = json.loads((tmp_path / "other" / "config.json").read_text())
    (tmp_path / "other" / "config.json").write_text(json.dumps({**other_cfg, "split_fingerprint": "0" * 16}))
    warm["model"] = {**warm["model"], "init_from": str(tmp_path / "other")}
    with pytest.raises(ValueError, match="possible leakage"):
        train(config_from_dict(warm))


def test_resume_without_checkpoint_is_clear(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path, "minilm")
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume from"):
        train(config_from_dict(cfg), resume=True)


def test_cli_train_and_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    from foreign_desk.inference.cli import main

    cfg = tiny_config(tmp_path, "tfidf")
    path = tmp_path / "topic.yaml"
    path.write_text(yaml.safe_dump(cfg), "utf-8")
    assert main(["train", str(path)]) == 0
    assert_metrics_json(Path(cfg["output_dir"]), "topic", "tfidf")
    assert main(["evaluate", cfg["output_dir"], "--split", "dev", "-o", str(tmp_path / "dev.json")]) == 0
    assert "core_macro" in capsys.readouterr().out
    assert json.loads((tmp_path / "dev.json").read_text())["split"] == "dev"
    assert main(["evaluate", cfg["output_dir"], "--int8", "-o", str(tmp_path / "int8.json")]) == 0
    assert json.loads((tmp_path / "int8.json").read_text())["int8"] is True
    before = json.loads((Path(cfg["output_dir"]) / "metrics.json").read_text())
    assert main(["evaluate", cfg["output_dir"], "--save"]) == 0  # re-evaluates dev + test, refreshes the manifest
    assert json.loads((Path(cfg["output_dir"]) / "metrics.json").read_text()) == before
    TopicClassifier.from_pretrained(cfg["output_dir"])  # manifest still verifies
    cfg["labels"] = ["diplomacy", "diplomacy"]
    path.write_text(yaml.safe_dump(cfg), "utf-8")
    assert main(["train", str(path)]) == 2
    assert "duplicate labels" in capsys.readouterr().err


def _two_tfidf_models(tmp_path: Path) -> tuple[Path, Path]:
    """Two TF-IDF topic models (word and character n-grams) trained on the same tiny split, under ``tmp_path/m``."""
    word = train(config_from_dict(tiny_config(tmp_path, "tfidf", name="words", output_dir=str(tmp_path / "m" / "words"))))
    chars = train(
        config_from_dict(
            tiny_config(
                tmp_path,
                "tfidf",
                name="chars",
                output_dir=str(tmp_path / "m" / "chars"),
                model={"char_ngram_range": [2, 4], "max_features_char": 300},
            )
        )
    )
    return word, chars


def test_ensemble_of_two_members_on_the_same_split(tmp_path: Path) -> None:
    word, chars = _two_tfidf_models(tmp_path)
    cfg = tiny_config(tmp_path, "tfidf", name="ens", output_dir=str(tmp_path / "m" / "ens"))
    cfg["model"] = {"kind": "ensemble", "members": [str(word), str(chars)], "first_weight_grid": [0.0, 0.5, 1.0]}
    out = train(config_from_dict(cfg))
    clf = _check_saved(out, "ensemble")
    _check_predictions(clf, out)
    saved = json.loads((out / "config.json").read_text())
    assert [m["path"] for m in saved["members"]] == ["../words", "../chars"]
    weight = saved["members"][0]["weight"]
    members = [TopicClassifier.from_pretrained(p) for p in (word, chars)]
    expected = weight * members[0].predict_proba(ARTICLES) + (1 - weight) * members[1].predict_proba(ARTICLES)
    np.testing.assert_allclose(clf.predict_proba(ARTICLES), expected, atol=1e-9)
    # the ensemble directory moves together with its members
    shutil.copytree(tmp_path / "m", tmp_path / "moved")
    np.testing.assert_allclose(TopicClassifier.from_pretrained(tmp_path / "moved" / "ens").predict_proba(ARTICLES), expected)


def test_ensemble_refuses_a_member_trained_on_another_split(tmp_path: Path) -> None:
    other = train(config_from_dict(tiny_config(tmp_path, "tfidf", name="other", seed=99, output_dir=str(tmp_path / "o"))))
    same = train(config_from_dict(tiny_config(tmp_path, "tfidf", name="same", output_dir=str(tmp_path / "s"))))
    cfg = tiny_config(tmp_path, "tfidf", name="ens", output_dir=str(tmp_path / "e"))
    cfg["model"] = {"kind": "ensemble", "members": [str(same), str(other)]}
    with pytest.raises(ValueError, match="different train/dev/test split"):
        train(config_from_dict(cfg))


def test_routed_between_two_members_on_the_same_split(tmp_path: Path) -> None:
    word, chars = _two_tfidf_models(tmp_path)
    cfg = tiny_config(tmp_path, "tfidf", name="routed", output_dir=str(tmp_path / "m" / "routed"))
    cfg["model"] = {"kind": "routed", "routes": [str(word), str(chars)], "max_chars_grid": [1000, 40]}
    out = train(config_from_dict(cfg))
    clf = _check_saved(out, "routed")
    _check_predictions(clf, out)
    saved = json.loads((out / "config.json").read_text())
    limit = saved["routes"][0]["max_chars"]
    assert [r["path"] for r in saved["routes"]] == ["../words", "../chars"] and limit in (40, 1000)
    assert saved["routes"][1]["max_chars"] is None and set(saved["thresholds"].values()) == {0.5}
    card = (out / "README.md").read_text()
    assert "max_chars=40" in card and "max_chars=1000" in card and f"at most {limit} characters" in card
    members = [TopicClassifier.from_pretrained(p) for p in (word, chars)]
    for article in ARTICLES:
        own = members[0] if clf.route_of([article])[0] == 0 else members[1]
        assert clf.predict([article])[0].labels == own.predict([article])[0].labels


def test_routed_refuses_a_route_trained_on_another_split(tmp_path: Path) -> None:
    other = train(config_from_dict(tiny_config(tmp_path, "tfidf", name="other", seed=99, output_dir=str(tmp_path / "o"))))
    same = train(config_from_dict(tiny_config(tmp_path, "tfidf", name="same", output_dir=str(tmp_path / "s"))))
    cfg = tiny_config(tmp_path, "tfidf", name="routed", output_dir=str(tmp_path / "r"))
    cfg["model"] = {"kind": "routed", "routes": [str(same), str(other)]}
    with pytest.raises(ValueError, match="different train/dev/test split"):
        train(config_from_dict(cfg))
