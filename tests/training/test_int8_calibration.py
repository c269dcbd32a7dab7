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


def _copy(names: list[str], root: Path, keep_calibration: tuple[str, ...] = ()) -> Path:
    for name in names:
        shutil.copytree(default_models_dir() / name, root / name)
        if name not in keep_calibration and (root / name / CALIBRATION_NAME).is_file():
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


def test_topic_int8_step_calibrates_top_layers_and_keeps_the_shared_stance_pass(tmp_path: Path, shared_data: Path) -> None:
    """A passages model with top layers on the stance encoder: the step calibrates the top layers only; under int8
    the encoder keeps the stance model's own (static) path, so the pipeline still reuses the stance pass."""
    from foreign_desk.inference.manifest import ModelLoadError
    from foreign_desk.inference.stance import StanceClassifier
    from foreign_desk.inference.topics import TopicClassifier

    root = _copy(["topic-passages-top", "stance-minilm"], tmp_path, keep_calibration=("stance-minilm",))
    model = root / "topic-passages-top"
    before = TopicClassifier.from_pretrained(model, quantize=True)
    assert before.top_int8 is None and before.int8 == "static"  # float top layers on the static int8 stance encoder
    out = _run("topic_int8", {"task": "topic_int8", "model_dir": str(model), "calibration_sentences": 40,
                              "invariance_items": 4, "evaluation_items": 8, "num_threads": 2}, tmp_path)
    assert out == model
    verify_manifest(model)
    ranges = json.loads((model / CALIBRATION_NAME).read_text())["ranges"]
    assert ranges and all(name.startswith("layers.") for name in ranges)  # the top layers', not the encoder's
    metrics = json.loads((model / "int8_metrics.json").read_text())
    assert metrics["calibrated"] == "top layers" and metrics["linear_layers"] == len(ranges)
    assert metrics["batch_invariance"]["label_sets_changed"] == 0
    assert "every top-layer Linear" in (model / "README.md").read_text()
    int8 = TopicClassifier.from_pretrained(model, quantize=True)
    assert int8.top_int8 == "static" and int8.int8 == "static"
    assert type(int8.top.layers[0].query).__name__ == "StaticInt8Linear"
    stance = StanceClassifier.from_pretrained(root / "stance-minilm", quantize=True)
    stance.model_dir = root / "stance-minilm"
    assert int8.share_encoder(stance)  # the stance pass's int8 states are still the ones it reads
    fp32 = TopicClassifier.from_pretrained(model)
    assert fp32.top_int8 is None and type(fp32.top.layers[0].query).__name__ == "Linear"
    # an encoder calibration in a top-layer model's directory does not fit its top layers: a load error naming it
    shutil.copy(root / "stance-minilm" / CALIBRATION_NAME, model / CALIBRATION_NAME)
    write_manifest(model)
    with pytest.raises(ModelLoadError, match=CALIBRATION_NAME):
        TopicClassifier.from_pretrained(model, quantize=True)


def test_calibration_configs_are_valid_and_refuse_other_kinds(tmp_path: Path) -> None:
    for task, shipped in (("stance_int8", "configs/stance-int8.yaml"), ("topic_int8", "configs/topic-int8.yaml"),
                          ("topic_int8", "configs/topic-top-int8.yaml")):
        repo = Path(__file__).resolve().parents[2]
        assert task_module(task).load_config(repo / shipped).task == task
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"task": "stance_int8", "model_dir": str(default_models_dir() / "stance-tfidf")}))
    with pytest.raises(ValueError, match="not a MiniLM stance model"):
        task_module("stance_int8").load_config(bad)
    bad.write_text(yaml.safe_dump({"task": "topic_int8", "model_dir": str(default_models_dir() / "topic-tfidf")}))
    with pytest.raises(ValueError, match="not a passages topic model"):
        task_module("topic_int8").load_config(bad)
