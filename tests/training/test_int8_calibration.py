"""The int8 calibration steps (``stance_int8``, ``topic_int8``) on copies of the committed models: they write a
calibration the loader then uses (static int8), the comparison figures and the card section, and keep the manifest
valid; the committed models are never touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from foreign_desk.inference.int8 import CALIBRATION_NAME
from foreign_desk.inference.manifest import verify_manifest, write_manifest
from foreign_desk.inference.paths import default_models_dir
from foreign_desk.training.commands import task_module
from tests.training.test_stance_train import write_corpus

pytestmark = pytest.mark.slow


def _copy(names: list[str], root: Path) -> Path:
    for name in names:
        shutil.copytree(default_models_dir() / name, root / name)
        if (root / name / CALIBRATION_NAME).is_file():
            (root / name / CALIBRATION_NAME).unlink()
            write_manifest(root / name)
    return root


def _run(task: str, config: dict, tmp_path: Path) -> Path:
    path = tmp_path / f"{task}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    module = task_module(task)
    return module.train(module.load_config(path))


def test_stance_int8_step(tmp_path: Path) -> None:
    from foreign_desk.inference.stance import StanceClassifier

    root = _copy(["stance-minilm"], tmp_path)
    model = root / "stance-minilm"
    assert StanceClassifier.from_pretrained(model, quantize=True).int8 == "dynamic"
    corpus = write_corpus(tmp_path / "newsmtsc.jsonl")
    out = _run("stance_int8", {"task": "stance_int8", "model_dir": str(model), "data": str(corpus),
                               "calibration_targets": 20, "invariance_targets": 6, "num_threads": 2}, tmp_path)
    assert out == model
    verify_manifest(model)
    assert StanceClassifier.from_pretrained(model, quantize=True).int8 == "static"
    metrics = json.loads((model / "int8_metrics.json").read_text())
    assert metrics["calibration_targets"] == 20 and metrics["linear_layers"] > 30
    assert metrics["batch_invariance"]["labels_changed"] == 0
    assert 0.5 <= metrics["test"]["label_agreement"] <= 1.0
    assert "## int8 (static calibration)" in (model / "README.md").read_text()


def test_topic_int8_step(tmp_path: Path, shared_data: Path) -> None:
    from foreign_desk.inference.topics import TopicClassifier

    root = _copy(["topic-passages", "topic-minilm"], tmp_path)
    model = root / "topic-passages"
    out = _run("topic_int8", {"task": "topic_int8", "model_dir": str(model), "calibration_sentences": 40,
                              "invariance_items": 4, "evaluation_items": 12, "num_threads": 2}, tmp_path)
    assert out == model
    verify_manifest(model)
    assert TopicClassifier.from_pretrained(model, quantize=True).int8 == "static"
    metrics = json.loads((model / "int8_metrics.json").read_text())
    assert metrics["calibration_sentences"] == 40 and metrics["test"]["n"] == 12
    assert metrics["batch_invariance"]["label_sets_changed"] == 0
    assert set(metrics["test"]["core_macro_f1_int8"]) >= {"all"}


def test_calibration_configs_are_valid_and_refuse_other_kinds(tmp_path: Path) -> None:
    for task, shipped in (("stance_int8", "configs/stance-int8.yaml"), ("topic_int8", "configs/topic-int8.yaml")):
        repo = Path(__file__).resolve().parents[2]
        assert task_module(task).load_config(repo / shipped).task == task
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"task": "stance_int8", "model_dir": str(default_models_dir() / "stance-tfidf")}))
    with pytest.raises(ValueError, match="not a MiniLM stance model"):
        task_module("stance_int8").load_config(bad)
    bad.write_text(yaml.safe_dump({"task": "topic_int8", "model_dir": str(default_models_dir() / "topic-tfidf")}))
    with pytest.raises(ValueError, match="not a passages topic model"):
        task_module("topic_int8").load_config(bad)
