"""``TopicClassifier`` save/load/predict for both kinds, without the training package (models built here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from foreign_desk.inference.article import Article
from foreign_desk.inference.manifest import write_manifest
from foreign_desk.inference.topics import TopicClassifier, TopicPrediction
from foreign_desk.inference.topics.minilm import MiniLMTopicClassifier
from foreign_desk.inference.topics.tfidf import TfidfTopicClassifier
from foreign_desk.inference.topics.windows import WindowParams

LABELS = ["diplomacy", "sanctions", "trade"]
TEXTS = [
    "The envoy held talks with the foreign minister about a treaty.",
    "New sanctions froze the assets of state banks and banned exports.",
    "Tariffs on imported steel rose as the trade deficit widened.",
    "Ministers discussed the embargo and asset freeze at the summit.",
    "Customs duties on grain fall under the new trade pact.",
    "The ambassador was summoned over the visit.",
]
Y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
INPUTS = [
    Article.from_text("Banks were blacklisted and assets frozen.", headline="Sanctions widen"),
    "Leaders met at the summit to sign an agreement.",
    {"title": "Tariff row", "text": "Import duties on cars were doubled."},
    {"headline": "", "text": "WASHINGTON (Reuters) - A trade deal was signed."},
]


@pytest.fixture(scope="module")
def tfidf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lr = OneVsRestClassifier(LogisticRegression(C=100.0))
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", lr)]).fit(TEXTS, Y)
    clf = TfidfTopicClassifier(LABELS, pipe, {"diplomacy": 0.3, "sanctions": 0.4, "trade": 0.35})
    out = clf.save_pretrained(tmp_path_factory.mktemp("tfidf"))
    write_manifest(out)
    return out


@pytest.fixture(scope="module")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    clf = MiniLMTopicClassifier.build(
        LABELS, WindowParams(max_length=48, max_windows=2, stride=4, max_headline_tokens=8)
    )
    out = clf.save_pretrained(tmp_path_factory.mktemp("minilm"))
    write_manifest(out)
    return out


def test_tfidf_round_trip(tfidf_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tfidf_dir)
    assert isinstance(clf, TfidfTopicClassifier) and clf.labels == LABELS
    proba = clf.predict_proba(INPUTS)
    assert proba.shape == (4, 3)
    preds = clf.predict(INPUTS)
    assert all(isinstance(p, TopicPrediction) for p in preds)
    assert preds[0].scores["sanctions"] == max(preds[0].scores.values())
    assert preds[2].scores["trade"] == max(preds[2].scores.values())
    for pred, row in zip(preds, proba, strict=True):
        assert pred.labels == [lab for lab, p in zip(LABELS, row, strict=True) if p >= clf.thresholds[lab]]
    # the dateline is stripped at inference as in training
    np.testing.assert_allclose(clf.predict_proba(["A trade deal was signed."]), proba[3:], atol=1e-9)


def test_minilm_round_trip_and_batching(minilm_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(minilm_dir)
    assert isinstance(clf, MiniLMTopicClassifier)
    cfg = json.loads((minilm_dir / "config.json").read_text())
    assert cfg["kind"] == "minilm" and cfg["window"]["max_length"] == 48 and cfg["max_length"] == 48
    long_text = " ".join(["The envoys talked about sanctions and tariffs."] * 60)
    items = [*INPUTS, long_text]
    one_by_one = clf.predict_proba(items, batch_size=1)
    batched = clf.predict_proba(items, batch_size=16)
    np.testing.assert_allclose(one_by_one, batched, atol=1e-5)
    assert one_by_one.shape == (5, 3)
    again = TopicClassifier.from_pretrained(minilm_dir).predict_proba(items)
    np.testing.assert_allclose(again, batched, atol=1e-6)
    sizes = {p.name: p.stat().st_size for p in minilm_dir.iterdir()}
    assert sizes["model.safetensors"] < 25e6 and "tokenizer.json" in sizes


def test_minilm_int8(minilm_dir: Path) -> None:
    fp32 = TopicClassifier.from_pretrained(minilm_dir).predict_proba(INPUTS)
    int8 = TopicClassifier.from_pretrained(minilm_dir, quantize=True).predict_proba(INPUTS)
    assert int8.shape == fp32.shape and np.abs(int8 - fp32).max() < 0.15


def test_tfidf_vocabulary_is_stored_as_json(tmp_path: Path, tfidf_dir: Path) -> None:
    import skops.io as sio

    vocab = json.loads((tfidf_dir / "vocabulary.json").read_text("utf-8"))
    assert list(vocab) == ["tfidf"] and "sanctions" in vocab["tfidf"]
    # the skops file holds no vocabulary (that is what made loading slow) ...
    assert not hasattr(sio.load(tfidf_dir / "model.skops").named_steps["tfidf"], "vocabulary_")
    # ... and the loaded model scores exactly like the fitted pipeline it was saved from
    loaded = TopicClassifier.from_pretrained(tfidf_dir)
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", OneVsRestClassifier(LogisticRegression(C=100.0)))])
    pipe.fit(TEXTS, Y)
    np.testing.assert_allclose(loaded.pipeline.predict_proba(TEXTS), pipe.predict_proba(TEXTS), atol=1e-12)

    # a directory saved before the change (vocabulary inside model.skops, no vocabulary.json) still loads
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    sio.dump(pipe, legacy / "model.skops")
    (legacy / "config.json").write_text((tfidf_dir / "config.json").read_text("utf-8"))
    write_manifest(legacy)
    np.testing.assert_allclose(
        TopicClassifier.from_pretrained(legacy).predict_proba(INPUTS), loaded.predict_proba(INPUTS), atol=1e-12
    )

    # a vocabulary that does not fit the model is refused
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("model.skops", "config.json"):
        (broken / name).write_bytes((tfidf_dir / name).read_bytes())
    (broken / "vocabulary.json").write_text(json.dumps({"tfidf": vocab["tfidf"][:-1]}))
    write_manifest(broken)
    with pytest.raises(ValueError, match="terms, the model expects"):
        TopicClassifier.from_pretrained(broken)


def test_empty_input(tfidf_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tfidf_dir)
    assert clf.predict_proba([]).shape == (0, 3) and clf.predict([]) == []


def test_bad_article_named(tfidf_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tfidf_dir)
    with pytest.raises(ValueError, match="'r9'"):
        clf.predict(["fine", {"id": "r9", "text": 5}])


def test_load_errors(tmp_path: Path, tfidf_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no config.json"):
        TopicClassifier.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"task": "topic", "kind": "svm", "labels": LABELS}))
    write_manifest(tmp_path)
    with pytest.raises(ValueError, match="unknown topic model kind 'svm'"):
        TopicClassifier.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"task": "stance", "kind": "tfidf"}))
    write_manifest(tmp_path)
    with pytest.raises(ValueError, match="not a topic model"):
        TopicClassifier.from_pretrained(tmp_path)


def test_inference_does_not_need_training_libraries(repo_root: Path) -> None:
    for path in (repo_root / "inference" / "topics").glob("*.py"):
        source = path.read_text()
        for banned in ("import datasets", "from datasets", "accelerate", "from training", "import training"):
            assert banned not in source, f"{path.name} uses {banned}"


def test_default_model_on_event_snippets() -> None:
    """The committed default topic model on the hand-written CASE-style probe (benchmarks/topic_event_probe.py):
    one-sentence diplomatic events get ``diplomacy`` (recall >= 0.80) and disaster/crime reports fire no core topic
    (<= 5 %). Measured 0.88 and 0 % when the probe was written."""
    import importlib.util

    from foreign_desk.inference.paths import DEFAULT_TOPIC_MODEL, default_models_dir

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "topic_event_probe.py"
    spec = importlib.util.spec_from_file_location("topic_event_probe", path)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    snippets = probe.load_snippets()
    assert {s["kind"] for s in snippets} == {"diplomatic", "other"} and len(snippets) >= 100
    result = probe.probe(TopicClassifier.from_pretrained(default_models_dir() / DEFAULT_TOPIC_MODEL), snippets)
    assert result["diplomacy_recall"] >= 0.80, result["misses"]
    assert result["core_fire_rate"] <= 0.05, result["alarms"]
