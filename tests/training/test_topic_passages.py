"""Passage topic model training (tiny, on self-written data) and the per-source split/thresholds it relies on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.training.topic import train
from foreign_desk.training.topic.config import config_from_dict
from foreign_desk.training.topic.data import load_splits
from foreign_desk.training.topic.metrics import (
    per_source_reports,
    thresholds_for,
    tune_thresholds,
    tune_thresholds_balanced,
)
from tests.training.test_loop import assert_metrics_json
from tests.training.test_topic_data import LABELS, make_records, tiny_config, write_jsonl


def _two_source_config(tmp_path: Path, kind: str = "tfidf", **over) -> dict:
    cfg = tiny_config(tmp_path, kind, **over)
    extra = [dict(r, id=f"w{r['id']}") for r in make_records(40, seed=7)]
    second = write_jsonl(tmp_path / "world.jsonl", extra)
    cfg["data"]["sources"] = [*cfg["data"]["sources"], {"name": "world", "path": str(second)}]
    return cfg


def test_separate_source_leaves_the_other_split_unchanged(tmp_path: Path) -> None:
    alone = load_splits(config_from_dict(tiny_config(tmp_path)))
    cfg = _two_source_config(tmp_path)
    cfg["data"]["separate_sources"] = ["world"]
    merged = load_splits(config_from_dict(cfg))
    assert merged.base_fingerprint == alone.fingerprint != merged.fingerprint
    for split in ("train", "dev", "test"):
        ids = set(merged.splits[split]["id"])
        assert {i for i in ids if not i.startswith("w")} == set(alone.splits[split]["id"])
        assert any(i.startswith("w") for i in ids)  # the separate source is in every split
    cfg["data"]["separate_sources"] = ["nowhere"]
    with pytest.raises(ValueError, match="not configured sources"):
        load_splits(config_from_dict(cfg))


def test_balanced_thresholds_and_per_source_reports() -> None:
    y = np.array([[1], [0], [1], [0], [1], [0]])
    proba = np.array([[0.9], [0.1], [0.9], [0.2], [0.3], [0.1]])
    sources = ["a", "a", "a", "a", "b", "b"]  # b's only positive scores 0.3: a pooled threshold would drop it
    th = tune_thresholds_balanced(y, proba, ["x"], sources)
    assert 0.2 < th["x"] <= 0.3
    reports = per_source_reports(y, (proba >= th["x"]).astype(int), sources, ["x"], ["x"])
    assert list(reports) == ["a", "b"] and reports["b"]["per_label"]["x"]["recall"] == 1.0


def test_threshold_beta_trades_precision_for_recall(tmp_path: Path) -> None:
    # 3 positives: two clear (0.9) and a weak one (0.35) below 4 negatives (0.36-0.42). F1 keeps the threshold above
    # the negatives (F1 0.8 against 0.6); F2 (a miss weighs twice a false alarm: 0.79 against 0.71) goes below them.
    y = np.array([[1], [1], [1], [0], [0], [0], [0], [0], [0]])
    proba = np.array([[0.9], [0.9], [0.35], [0.36], [0.38], [0.40], [0.42], [0.1], [0.05]])
    f1 = tune_thresholds(y, proba, ["trade"], smooth=0)["trade"]
    f2 = tune_thresholds(y, proba, ["trade"], smooth=0, beta={"trade": 2.0})["trade"]
    assert f2 <= 0.35 < f1
    sources = ["a"] * 5 + ["b"] * 4
    assert tune_thresholds_balanced(y, proba, ["trade"], sources, smooth=0, beta={"trade": 2.0})["trade"] <= 0.35
    # thresholds_for reads the config's threshold_beta; a label not named there keeps F1
    cfg = config_from_dict({**tiny_config(tmp_path), "threshold_beta": {"trade": 2.0}})
    assert thresholds_for(cfg, y, proba, ["trade"], ["a"] * 9)["trade"] < tune_thresholds(y, proba, ["trade"])["trade"]
    assert thresholds_for(cfg, y, proba, ["other"], ["a"] * 9) == tune_thresholds(y, proba, ["other"])


def test_threshold_beta_is_stated_in_the_model_card(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path)
    cfg["threshold_beta"] = {"trade": 2.0}
    card = (train(config_from_dict(cfg)) / "README.md").read_text(encoding="utf-8")
    assert "F-beta on dev for `trade` (beta 2: recall weighs 2 times precision)" in card


@pytest.mark.slow
def test_train_passages_end_to_end(tmp_path: Path) -> None:
    torch.manual_seed(0)
    cfg = _two_source_config(tmp_path, "tfidf", balance_sources=True, selection_metric="core_macro_f1")
    cfg["model"] = {"kind": "passages", "size": 2, "hidden": 16, "max_tokens": 32}
    cfg["training"] = {"epochs": 3, "batch_size": 8, "head_learning_rate": 0.005, "checkpoint_every": 5}
    cfg["name"] = "tiny-passages"
    out = train(config_from_dict(cfg))
    assert {"config.json", "README.md", "manifest.json", "metrics.json", "head.safetensors"} <= {
        p.name for p in out.iterdir()
    }
    assert (out / "head.safetensors").stat().st_size < 1e6  # no encoder copy
    metrics = assert_metrics_json(out, "topic", "passages")
    assert set(metrics["per_source"]["test"]) == {"data", "world"}
    clf = TopicClassifier.from_pretrained(out)
    assert clf.kind == "passages" and clf.labels == LABELS
    text = {"title": "Talks", "text": "The envoy met the minister for talks on a treaty. Banks were sanctioned."}
    pred = clf.predict([text])[0]
    for label in pred.labels:
        assert pred.evidence[label] and all(
            " ".join(e["text"].split()) in " ".join((text["title"] + " " + text["text"]).split())
            for e in pred.evidence[label]
        )
    again = TopicClassifier.from_pretrained(out).predict_proba([text])
    np.testing.assert_allclose(again, clf.predict_proba([text]), atol=1e-6)
    card = (out / "README.md").read_text()
    assert "Per source (test)" in card and "world" in card
    saved = json.loads((out / "config.json").read_text())
    assert saved["kind"] == "passages" and saved["encoder_model"] is None


@pytest.mark.slow
def test_train_passages_with_top_layers_end_to_end(tmp_path: Path) -> None:
    """Top layers on the encoder's final token states are trained with the head, saved beside it and used at run
    time; the encoder itself stays untouched."""
    from foreign_desk.inference.encoder import load_base_encoder

    torch.manual_seed(0)
    cfg = _two_source_config(tmp_path, "tfidf", balance_sources=True, selection_metric="core_macro_f1")
    cfg["model"] = {"kind": "passages", "size": 2, "hidden": 16, "max_tokens": 32, "top_layers": 1}
    cfg["training"] = {"epochs": 2, "batch_size": 8, "learning_rate": 1e-3, "head_learning_rate": 0.005,
                       "checkpoint_every": 5}
    cfg["name"] = "tiny-passages-top"
    out = train(config_from_dict(cfg))
    assert {"head.safetensors", "top_layers.safetensors"} <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert "top_layers.safetensors" in json.dumps(manifest)
    saved = json.loads((out / "config.json").read_text())
    assert saved["top_layers"] == 1
    clf = TopicClassifier.from_pretrained(out)
    assert clf.top is not None and len(clf.top.layers) == 1
    base_last = load_base_encoder().encoder.layer[-1].attention.self.query.weight
    assert not torch.allclose(clf.top.layers[0].query.weight, base_last)  # trained, not the copy it started from
    text = {"title": "Talks", "text": "The envoy met the minister for talks on a treaty. Banks were sanctioned."}
    proba = clf.predict_proba([text])
    np.testing.assert_allclose(TopicClassifier.from_pretrained(out).predict_proba([text]), proba, atol=1e-6)
    # states left by another pass of the same encoder give the same scores as encoding again
    with clf.reuse_states():
        ids = clf.tokenizer(["The envoy met the minister for talks on a treaty."])["input_ids"]
        clf.encoder(input_ids=torch.tensor(ids), attention_mask=torch.ones(1, len(ids[0]), dtype=torch.long))
        reused = clf.encode_sentences(["The envoy met the minister for talks on a treaty."])
    fresh = clf.encode_sentences(["The envoy met the minister for talks on a treaty."])
    np.testing.assert_allclose(reused, fresh, atol=1e-5)
    (out / "top_layers.safetensors").unlink()
    with pytest.raises(Exception, match="top_layers.safetensors"):
        TopicClassifier.from_pretrained(out, allow_unverified=True)
