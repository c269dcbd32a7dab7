"""Stance classifiers: the baseline and MiniLM behind one interface, multi-target encoding, the `stance` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from foreign_desk.inference.cli import main
from foreign_desk.inference.stance import MiniLMStanceClassifier, StanceClassifier, StanceTarget, TfidfStanceClassifier
from foreign_desk.training.stance.tfidf import fit_tfidf_stance

NAMES = ["Ruritania", "Freedonia", "Governor Vale", "the Orban Party", "Minister Kato", "Latveria", "Mayor Quist"]
TEMPLATES = {
    "negative": ["Critics blasted {} over the failed plan.", "Officials accused {} of lying about the deal."],
    "neutral": ["{} arrived in the capital on Tuesday.", "A spokesman said {} would attend the meeting."],
    "positive": ["Leaders praised {} for the successful talks.", "Voters thanked {} for the generous reform."],
}


def tiny_corpus() -> tuple[list[StanceTarget], list[str]]:
    """Hand-written sentences with one target each (no third-party text)."""
    targets, labels = [], []
    for label, templates in TEMPLATES.items():
        for template in templates:
            for name in NAMES:
                text = template.format(name)
                start = text.index(name)
                targets.append(StanceTarget(text, start, start + len(name)))
                labels.append(label)
    return targets, labels


@pytest.fixture(scope="module")
def tfidf_dir(tmp_path_factory):
    targets, labels = tiny_corpus()
    clf = fit_tfidf_stance(targets, labels, c=10.0, window=4, min_df=1)
    return clf.save_pretrained(tmp_path_factory.mktemp("stance-tfidf"))


def test_tfidf_fit_save_load_identical(tfidf_dir):
    targets, labels = tiny_corpus()
    clf = StanceClassifier.from_pretrained(tfidf_dir)
    assert isinstance(clf, TfidfStanceClassifier)
    proba = clf.predict_proba(targets)
    assert proba.shape == (len(targets), 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-6)
    again = StanceClassifier.from_pretrained(clf.save_pretrained(tfidf_dir.parent / "copy"))
    np.testing.assert_array_equal(again.predict_proba(targets), proba)
    accuracy = np.mean([p.stance == y for p, y in zip(clf.predict(targets), labels, strict=True)])
    assert accuracy > 0.9


def test_tfidf_stance_depends_on_the_target_context(tfidf_dir):
    clf = StanceClassifier.from_pretrained(tfidf_dir)
    text = "Critics blasted Latveria over the failed plan. Leaders praised Freedonia for the successful talks."
    a, b = text.index("Latveria"), text.index("Freedonia")
    neg, pos = clf.predict([(text, a, a + 8), (text, b, b + 9)])
    assert (neg.stance, pos.stance) == ("negative", "positive")


def test_from_pretrained_rejects_other_tasks_and_missing_dirs(tmp_path):
    from foreign_desk.inference.manifest import write_manifest

    (tmp_path / "config.json").write_text(json.dumps({"task": "topic", "kind": "tfidf"}))
    write_manifest(tmp_path)
    with pytest.raises(ValueError, match="task is 'topic'"):
        StanceClassifier.from_pretrained(tmp_path)
    with pytest.raises(FileNotFoundError, match="no config.json"):
        StanceClassifier.from_pretrained(tmp_path / "nowhere")


def test_tampered_model_file_is_detected(tfidf_dir, tmp_path):
    from foreign_desk.inference.manifest import write_manifest

    model = StanceClassifier.from_pretrained(tfidf_dir).save_pretrained(tmp_path / "m")
    write_manifest(model)
    with open(model / "model.skops", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError, match="is damaged: model.skops: checksum mismatch"):
        StanceClassifier.from_pretrained(model)


@pytest.fixture(scope="module")
def minilm():
    torch.manual_seed(0)
    clf = MiniLMStanceClassifier.build(max_length=48)
    clf.model.eval()
    return clf


def test_multi_target_pass_equals_one_pass_per_target(minilm):
    text = "Officials in Ruritania accused Governor Vale of lying, while Freedonia praised Ruritania."
    spans = [(text.index("Ruritania"), 22), (31, 44), (text.index("Freedonia"), text.index("Freedonia") + 9)]
    spans.append((text.rindex("Ruritania"), text.rindex("Ruritania") + 9))
    targets = [StanceTarget(text, s, e) for s, e in spans]
    together = minilm.predict_proba(targets)
    alone = np.vstack([minilm.predict_proba([t]) for t in targets])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    # targets of different texts in one batch: padding does not change the results either
    other = StanceTarget("Latveria won.", 0, 8)
    mixed = minilm.predict_proba([other, *targets])
    np.testing.assert_allclose(mixed[1:], together, atol=1e-5)


def test_minilm_counts_one_forward_per_sentence(minilm):
    calls = []
    handle = minilm.model.encoder.register_forward_hook(lambda m, args, kwargs_out: calls.append(1))
    try:
        text = "Ruritania and Freedonia signed; Latveria objected."
        minilm.predict([(text, 0, 9), (text, 14, 23), (text, 32, 40), ("Another one, Ruritania.", 13, 22)])
    finally:
        handle.remove()
    assert len(calls) == 1  # both texts fit in one batch: one encoder call in total
    assert sum(len(w.targets) for w in _windows(minilm, text)) == 3


def _windows(clf, text):
    from foreign_desk.inference.stance.encoding import build_windows

    return build_windows(clf.tokenizer, [StanceTarget(text, 0, 9), StanceTarget(text, 14, 23),
                                         StanceTarget(text, 32, 40)], 48)


def test_minilm_save_load_identical_and_int8(minilm, tmp_path):
    targets, _ = tiny_corpus()
    first = StanceClassifier.from_pretrained(minilm.save_pretrained(tmp_path / "a"))
    config = json.loads((tmp_path / "a" / "config.json").read_text())
    assert config["task"] == "stance" and config["kind"] == "minilm"
    assert (tmp_path / "a" / "tokenizer.json").is_file()
    size = sum(f.stat().st_size for f in (tmp_path / "a").iterdir())
    assert size < 25 * 1024 * 1024
    second = StanceClassifier.from_pretrained(first.save_pretrained(tmp_path / "b"))
    np.testing.assert_array_equal(first.predict_proba(targets), second.predict_proba(targets))
    np.testing.assert_allclose(first.predict_proba(targets), minilm.predict_proba(targets), atol=5e-3)  # fp16
    int8 = StanceClassifier.from_pretrained(tmp_path / "a", quantize=True)
    proba = int8.predict_proba(targets[:5])
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-5)


def test_cli_scores_good_records_and_reports_bad_ones(tfidf_dir, tmp_path, capsys):
    good = "Critics blasted Latveria over the failed plan."
    lines = [
        json.dumps({"id": "a", "text": good, "start": 16, "end": 24}),
        json.dumps({"id": "b", "text": good, "start": 40, "end": 99}),
        "{not json",
        json.dumps({"id": "d", "text": good, "start": 5}),
        json.dumps({"id": "e", "text": good, "start": 7, "end": 7}),
        json.dumps({"id": "f", "text": good, "start": 0, "end": 7}),
        "",
        json.dumps({"id": "g", "text": good, "start": 0, "end": len(good)}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "sub" / "out.jsonl"
    assert main(["stance", str(src), "-o", str(out), "--model", str(tfidf_dir), "--batch-size", "2"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", None, "d", "e", "f", "g"]
    assert records[0]["stance"] == "negative"
    assert set(records[0]["scores"]) == {"negative", "neutral", "positive"}
    assert "out of range" in records[1]["error"]
    assert "line 3" in records[2]["error"] and "invalid JSON" in records[2]["error"]
    assert "missing field(s): end" in records[3]["error"]
    assert "empty span" in records[4]["error"]
    assert "stance" in records[5] and "stance" in records[6]
    assert [p.name for p in out.parent.iterdir()] == ["out.jsonl"]  # no temporary file left behind


def test_cli_missing_model_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "abc", "start": 0, "end": 1}) + "\n")
    assert main(["stance", str(src), "--model", str(tmp_path / "none")]) == 2
    assert "no config.json" in capsys.readouterr().err


def test_committed_default_model_reads_clear_cases(repo_root):
    if not (repo_root / "models" / "stance-minilm" / "config.json").is_file():
        pytest.skip("models/stance-minilm not present")
    clf = StanceClassifier.from_pretrained()  # models/stance-minilm
    assert clf.kind == "minilm" and "aggregation" in clf.config
    bad = "Critics denounced Governor Vale as a corrupt liar."
    good = "Supporters hailed Mayor Quist as a hero who saved the city."
    neg, pos = clf.predict([(bad, 18, 31), (good, 18, 29)])
    assert (neg.stance, pos.stance) == ("negative", "positive")
