"""Topic config validation: every problem is reported clearly before any training starts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from foreign_desk.training.topic import load_config, train
from foreign_desk.training.topic.config import config_from_dict
from tests.training.test_topic_data import make_records, tiny_config


def test_repo_configs_are_valid(repo_root: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)
    for name in ("topic-tfidf", "topic-minilm"):
        config = load_config(repo_root / "configs" / f"{name}.yaml")
        assert config.core_labels == ["diplomacy", "sanctions", "territorial_dispute"]
        assert len(config.labels) == 9 and config.model.kind in name


def test_yaml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(tiny_config(tmp_path, "minilm")), "utf-8")
    config = load_config(path)
    assert config.model.kind == "minilm" and config.checkpoint_dir == tmp_path / "ckpt-minilm"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"core_labels": ["weather"]}, r"core_labels \['weather'\] are not in labels"),
        ({"labels": ["trade", "trade"]}, "duplicate labels"),
        ({"labels": []}, "labels"),
        ({"data": {"sources": [{"path": "/nonexistent/topics.jsonl"}]}}, "data file not found: /nonexistent"),
        ({"data": {"sources": [{"texts": "x.jsonl"}]}}, "both 'texts' and 'labels'"),
        ({"model": {"kind": "svm"}}, "model"),
        ({"model": {"kind": "tfidf", "C": -1}}, r"model\.tfidf\.C"),
        ({"model": {"kind": "minilm", "max_length": 64, "stride": 50, "max_headline_tokens": 16}}, "stride 50"),
        ({"model": {"kind": "minilm", "max_length": 48}}, "leaves 13 body tokens"),
        ({"learning_rate": 0.1}, "learning_rate"),  # unknown top-level key (typo guard)
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
        ({"training": {"epochs": 1}}, "training: kind 'tfidf' is not trained by the loop"),
        ({"model": {"kind": "minilm", "epochs": 3}}, r"'model.epochs' is an old-style key, use 'training.epochs'"),
        ({"model": {"kind": "minilm", "save_steps": 3}}, r"'model.save_steps' .* use 'training.checkpoint_every'"),
        ({"model": {"kind": "minilm"}, "training": {"save_steps": 3}}, r"training\.save_steps: Extra inputs"),
        ({"task": "stance"}, "task"),
        ({"threshold_beta": {"weather": 2.0}}, r"threshold_beta names \['weather'\]"),
        ({"threshold_beta": {"trade": 0.0}}, "threshold_beta values must be > 0"),
    ],
)
def test_invalid_configs(tmp_path: Path, override: dict, message: str) -> None:
    cfg = tiny_config(tmp_path)
    cfg.update(override)
    with pytest.raises(ValueError, match=message):
        config_from_dict(cfg)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_empty_data_fails_before_training(tmp_path: Path) -> None:
    config = config_from_dict(tiny_config(tmp_path, records=[]))
    with pytest.raises(ValueError, match="no training examples"):
        train(config)
    assert not Path(config.output_dir).exists()


def test_unknown_label_in_data_fails_before_training(tmp_path: Path) -> None:
    records = make_records(20)
    records[4]["topics"] = ["diplomacy", "weather"]
    config = config_from_dict(tiny_config(tmp_path, records=records))
    with pytest.raises(ValueError, match=r"record 't004'.*unknown label.*'weather'"):
        train(config)


def test_label_absent_from_training_data_fails(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path, labels=["diplomacy", "sanctions", "trade", "protest"])
    with pytest.raises(ValueError, match=r"\['protest'\] have no positive example in the training split"):
        train(config_from_dict(cfg))
    assert not Path(cfg["output_dir"]).exists()


def test_rare_label_warns_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from foreign_desk.training.topic.data import load_splits

    cfg = tiny_config(tmp_path, data={"min_train_positives": 1000})
    load_splits(config_from_dict(cfg))
    assert "only" in caplog.text and "training positives" in caplog.text
