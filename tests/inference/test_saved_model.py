"""The saved-model seam: one registry (task, kind) -> class, typed configs validated on load, one save/load template."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from foreign_desk.inference.manifest import MANIFEST_NAME, ModelLoadError, manifest_sha256, write_manifest
from foreign_desk.inference.saved_model import KIND_MODULES, SavedModel, model_class
from foreign_desk.inference.stance import StanceClassifier, TfidfStanceClassifier
from foreign_desk.inference.topics import TopicClassifier

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"


def copy_model(name: str, tmp_path: Path) -> Path:
    if not (MODELS / name / "config.json").is_file():
        pytest.skip(f"models/{name} not present")
    return Path(shutil.copytree(MODELS / name, tmp_path / name))


def edit_config(model: Path, **changes) -> None:
    config = json.loads((model / "config.json").read_text("utf-8"))
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    write_manifest(model)


def test_one_registry_for_every_task_and_kind():
    assert set(KIND_MODULES) == {
        ("topic", "tfidf"), ("topic", "minilm"), ("topic", "ensemble"), ("topic", "passages"), ("topic", "routed"),
        ("stance", "tfidf"), ("stance", "minilm"), ("relations", "pairs"),
    }
    for (task, kind) in KIND_MODULES:
        cls = model_class(task, kind)
        assert issubclass(cls, SavedModel) and (cls.task, cls.kind) == (task, kind)
        assert cls.config_class.model_fields["kind"].default == kind
    assert issubclass(model_class("stance", "tfidf"), StanceClassifier)
    assert issubclass(model_class("topic", "ensemble"), TopicClassifier)


def test_generic_loader_dispatches_on_config(tmp_path):
    clf = SavedModel.from_pretrained(copy_model("stance-tfidf", tmp_path))
    assert isinstance(clf, TfidfStanceClassifier)


def test_unknown_kind_and_wrong_task_are_clear_errors(tmp_path):
    model = copy_model("stance-tfidf", tmp_path)
    with pytest.raises(ModelLoadError, match="task is 'stance', not a topic model"):
        TopicClassifier.from_pretrained(model)
    edit_config(model, kind="svm")
    with pytest.raises(ModelLoadError, match=r"unknown stance model kind 'svm'; expected one of \['minilm', 'tfidf'\]"):
        StanceClassifier.from_pretrained(model)
    edit_config(model, task="sentiment", kind="tfidf")
    with pytest.raises(ModelLoadError, match="unknown sentiment model kind 'tfidf'"):
        SavedModel.from_pretrained(model)


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    [
        ("stance-tfidf", {"window": "wide"}, "window"),
        ("stance-tfidf", {"labels": ["bad", "neutral", "good"]}, "labels"),
        ("stance-tfidf", {"labels": None}, "labels"),
        ("topic-tfidf", {"labels": []}, "labels"),
        ("topic-tfidf", {"thresholds": {"diplomacy": "high"}}, "thresholds.diplomacy"),
        ("topic-ensemble", {"members": [{"path": "../topic-tfidf", "weight": -1}]}, "members.0.weight"),
        ("topic-minilm", {"window": {"max_length": 128, "stride": 999}}, "window"),
        ("stance-minilm", {"head_hidden": 0}, "head_hidden"),
    ],
)
def test_bad_config_field_names_the_dir_and_field(tmp_path, name, changes, field):
    model = copy_model(name, tmp_path)
    edit_config(model, **changes)
    with pytest.raises(ModelLoadError, match=rf"^model {model} is damaged: config.json: field '{field}'"):
        SavedModel.from_pretrained(model)


def test_save_pretrained_writes_config_weights_and_manifest(tmp_path):
    clf = StanceClassifier.from_pretrained(copy_model("stance-tfidf", tmp_path))
    out = clf.save_pretrained(tmp_path / "resaved")
    listed = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert set(listed) == {"config.json", "model.skops", "vocabulary.json"}
    assert len(manifest_sha256(out)) == 64
    again = StanceClassifier.from_pretrained(out)
    probe = [("Critics blasted Latveria over the plan.", 16, 24)]
    np.testing.assert_array_equal(again.predict_proba(probe), clf.predict_proba(probe))
    assert json.loads((out / "config.json").read_text()) == clf.config


def test_kind_modules_load_lazily(repo_root):
    """Only the kind being loaded is imported: no transformer module (nor torch, until skops itself pulls it in)
    for the tf-idf kinds."""
    script = (
        "import sys\n"
        "from foreign_desk.inference.saved_model import model_class\n"
        "from foreign_desk.inference.stance import StanceClassifier\n"
        "from foreign_desk.inference.topics import TopicClassifier\n"
        "model_class('stance', 'tfidf'), model_class('topic', 'tfidf')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "StanceClassifier.from_pretrained('models/stance-tfidf')\n"
        "TopicClassifier.from_pretrained('models/topic-tfidf')\n"
        "loaded = [m for m in sys.modules if m.startswith('foreign_desk') and m.endswith(('.minilm', '.encoder', '.network', '.ensemble'))]\n"
        "assert not loaded, loaded\n"
    )
    if not (repo_root / "models" / "stance-tfidf").is_dir():
        pytest.skip("models not present")
    proc = subprocess.run([sys.executable, "-c", script], cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_manifest_sha256_pins_every_file_but_the_card(tmp_path):
    model = copy_model("stance-tfidf", tmp_path)
    before = manifest_sha256(model)
    assert len(before) == 64
    (model / "README.md").write_text((model / "README.md").read_text() + f"\nmanifest_sha256: {before}\n")
    write_manifest(model)
    assert manifest_sha256(model) == before  # the card can carry the value without changing it
    StanceClassifier.from_pretrained(model)
    edit_config(model, window=5)
    assert manifest_sha256(model) != before
