"""Stance training: config validation, the sentence-grouped split, tiny training round trips for both kinds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from foreign_desk.inference.stance import StanceClassifier, StanceTarget
from foreign_desk.training.stance import evaluate, load_config, train
from foreign_desk.training.stance.data import load_newsmtsc, split_of
from tests.training.test_loop import CHECKPOINT_FILES, assert_metrics_json

NAMES = ["Ruritania", "Freedonia", "Governor Vale", "Minister Kato", "Latveria", "Mayor Quist", "the Blue Party"]
TEMPLATES = [
    ("Critics blasted {a} over the failed plan, while {b} stayed silent.", 2.0, 4.0),
    ("Leaders praised {a} for the successful talks with {b}.", 6.0, 4.0),
    ("{b} accused {a} of lying about the deal.", 2.0, 4.0),
    ("Voters thanked {a} and {b} for the generous reform.", 6.0, 6.0),
    ("{a} met {b} in the capital on Tuesday.", 4.0, 4.0),
    ("{b} condemned {a}, calling the raid a disgrace.", 2.0, 4.0),
]


def write_corpus(path: Path) -> Path:
    """NewsMTSC-shaped JSONL of hand-written sentences (two targets each)."""
    lines = []
    for t_idx, (template, pol_a, pol_b) in enumerate(TEMPLATES):
        for i, a in enumerate(NAMES):
            b = NAMES[(i + 1 + t_idx) % len(NAMES)]
            text = template.format(a=a, b=b)
            targets = []
            for name, pol in ((a, pol_a), (b, pol_b)):
                start = text.index(name)
                targets.append({"from": start, "to": start + len(name), "mention": name, "polarity": pol})
            lines.append(json.dumps({"primary_gid": f"g{t_idx}-{i}", "sentence_normalized": text, "targets": targets}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_config(tmp_path: Path, kind: str, model: dict | None = None, **extra) -> Path:
    data = {
        "task": "stance",
        "model": {"kind": kind, **(model or {})},
        "data": {"train": str(write_corpus(tmp_path / "train.jsonl")), "dev_fraction": 0.2, "test_fraction": 0.2},
        "seed": 3,
        "num_threads": 2,
        "output_dir": str(tmp_path / f"model-{kind}"),
        "checkpoint_dir": str(tmp_path / f"ckpt-{kind}"),
        **extra,
    }
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


PROBES = [
    StanceTarget("Critics blasted Latveria over the failed plan.", 16, 24),
    StanceTarget("Leaders praised Freedonia and Ruritania.", 16, 25),
    StanceTarget("Leaders praised Freedonia and Ruritania.", 30, 39),
    StanceTarget("Leaders praised Freedonia and Ruritania.", 16, 25),  # repeated target
]


def test_split_is_by_sentence_and_deterministic(tmp_path):
    path = write_corpus(tmp_path / "train.jsonl")
    a = load_newsmtsc(path, seed=3, dev_fraction=0.2, test_fraction=0.2)
    b = load_newsmtsc(path, seed=3, dev_fraction=0.2, test_fraction=0.2)
    assert all(a[s]["text"] == b[s]["text"] for s in ("train", "dev", "test"))
    texts = {s: set(a[s]["text"]) for s in ("train", "dev", "test")}
    assert not texts["train"] & texts["dev"] and not texts["train"] & texts["test"] and not texts["dev"] & texts["test"]
    assert sum(len(a[s]) for s in a) == 2 * len(NAMES) * len(TEMPLATES)
    assert split_of("some sentence", 3, 0.2, 0.2) == split_of("some sentence", 3, 0.2, 0.2)
    assert set(a["train"]["label"]) == {"negative", "neutral", "positive"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": {"kind": "bert"}}, "model"),
        ({"task": "topic"}, "task"),
        ({"model": {"kind": "minilm"}, "training": {"learning_rate": -1}}, "training.learning_rate"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
        ({"model": {"kind": "tfidf", "surprise": 1}}, r"model\.tfidf\.surprise"),
        ({"data": {"train": "nowhere.jsonl"}}, "data.train not found"),
        ({"kind": "tfidf"}, "'kind' is an old-style key, use 'model.kind'"),
        ({"minilm": {"epochs": 1}}, r"'minilm' is an old-style key, use 'model \(kind: minilm\) and training'"),
        ({"training": {"epochs": 1}}, "kind 'tfidf' is not trained by the loop"),
    ],
)
def test_invalid_configs_fail_before_any_work(tmp_path, change, message):
    path = write_config(tmp_path, "tfidf")
    data = yaml.safe_load(path.read_text())
    data.update(change)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        load_config(path)


def test_tfidf_train_save_reload_evaluate(tmp_path):
    config = load_config(write_config(tmp_path, "tfidf", model={"C": [1.0, 10.0], "min_df": 1}))
    out = train(config)
    assert_metrics_json(out, "stance", "tfidf")
    clf = StanceClassifier.from_pretrained(out)
    assert clf.kind == "tfidf" and clf.config["task"] == "stance"
    assert (out / "README.md").is_file() and (out / "manifest.json").is_file() and (out / "model.skops").is_file()
    proba = clf.predict_proba(PROBES)
    np.testing.assert_array_equal(StanceClassifier.from_pretrained(out).predict_proba(PROBES), proba)
    np.testing.assert_array_equal(proba[1], proba[3])
    metrics = evaluate(out, split="test", output=tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["macro_f1"] == pytest.approx(metrics["macro_f1"])
    assert metrics["n"] > 0 and 0.0 <= metrics["accuracy"] <= 1.0


@pytest.mark.slow
def test_minilm_train_resume_save_reload(tmp_path):
    training = {"max_steps": 2, "batch_size": 8, "eval_every": 2, "checkpoint_every": 1}
    path = write_config(tmp_path, "minilm", model={"max_length": 32}, training=training)
    out = train(load_config(path))
    first = json.loads((out / "config.json").read_text())
    assert first["task"] == "stance" and first["kind"] == "minilm" and first["training"]["steps"] == 2
    # the same checkpoint layout and metrics.json keys as the topic task
    assert {p.name for p in (tmp_path / "ckpt-minilm" / "checkpoint").iterdir()} == CHECKPOINT_FILES
    assert_metrics_json(out, "stance", "minilm")
    assert sum(f.stat().st_size for f in out.iterdir()) < 25 * 1024 * 1024
    # resume continues from the step-2 checkpoint up to the new step limit
    data = yaml.safe_load(path.read_text())
    data["training"]["max_steps"] = 3
    path.write_text(yaml.safe_dump(data))
    out = train(load_config(path), resume=True)
    assert json.loads((out / "config.json").read_text())["training"]["steps"] == 3
    a = StanceClassifier.from_pretrained(out)
    proba = a.predict_proba(PROBES)
    np.testing.assert_allclose(proba[1], proba[3], atol=1e-6)
    resaved = StanceClassifier.from_pretrained(a.save_pretrained(tmp_path / "resaved"))
    np.testing.assert_array_equal(resaved.predict_proba(PROBES), proba)
    metrics = evaluate(out, split="dev", output=None)
    assert metrics["kind"] == "minilm" and metrics["n"] > 0


def test_committed_baseline_on_its_held_out_split(repo_root, shared_data, tmp_path):
    model = repo_root / "models" / "stance-tfidf"
    if not (model / "config.json").is_file():
        pytest.skip("models/stance-tfidf not present")
    metrics = evaluate(model, split="test", output=tmp_path / "m.json")
    assert metrics["n"] > 500
    assert metrics["macro_f1"] > 0.6


def test_training_seed_changes_the_run_but_not_the_split_or_the_start(tmp_path, monkeypatch):
    """``training_seed`` seeds batch order and dropout only: the split and the head's initial weights stay those of
    ``seed``, so seeds of one recipe start from the same point (and can be averaged)."""
    import torch

    import foreign_desk.training.stance.minilm as minilm
    from foreign_desk.training.stance import _dataset

    seen = []

    class Done:
        history: list = []

        def summary(self) -> dict:
            return {}

    def fake_fit(adapter, params, seed, checkpoint_dir, **kwargs):
        seen.append((seed, adapter.network.head[1].weight.detach().clone()))
        return Done()

    monkeypatch.setattr(minilm, "fit", fake_fit)
    path = write_config(tmp_path, "minilm", model={"max_length": 32})
    config = load_config(path)
    assert config.training_seed is None
    splits = _dataset(config)
    minilm.train_minilm(config, splits)
    other = config.model_copy(update={"training_seed": 7})
    assert [len(_dataset(other)[s]) for s in ("train", "dev", "test")] == [len(splits[s]) for s in ("train", "dev", "test")]
    minilm.train_minilm(other, _dataset(other))
    (seed_a, head_a), (seed_b, head_b) = seen
    assert (seed_a, seed_b) == (3, 7)
    assert torch.equal(head_a, head_b)
