"""`foreign-desk predict`: every input format, output formats, resume after a kill, per-record errors, bad files.

These tests run the committed scikit-learn models (fast to load) through the real pipeline; the transformer models
are exercised in test_pipeline.py.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foreign_desk.inference.cli import main

FAST = ["--topic-model", "topic-tfidf", "--stance-model", "stance-tfidf", "--no-progress"]

ARTICLES = [
    {
        "id": "t1",
        "headline": "Seoul and Tokyo agree to resume talks",
        "text": "South Korea and Japan agreed on Monday to resume high-level talks, and South Korean President "
        "Moon Jae-in praised Japanese Prime Minister Shinzo Abe for a constructive approach. The United Nations "
        "welcomed the move.",
    },
    {
        "id": "t2",
        "headline": "Washington widens sanctions on Pyongyang",
        "text": "The United States imposed new sanctions on North Korea on Friday, blacklisting shipping firms it "
        "accused of helping Pyongyang evade a United Nations embargo. North Korea condemned the measures.",
    },
    {
        "id": "t3",
        "headline": "Manila protests Chinese island building",
        "text": "The Philippines lodged a diplomatic protest with China over new structures on a disputed reef in "
        "the South China Sea, which Beijing claims almost entirely.",
    },
]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def jsonl_input(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


def test_jsonl_in_jsonl_out_has_the_documented_record(jsonl_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(jsonl_input), "-o", str(out), *FAST]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["t1", "t2", "t3"]
    for rec in records:
        assert set(rec) >= {"id", "headline", "topics", "actors", "error"}
        assert rec["error"] is None
        assert set(rec["topics"]) == {"labels", "scores", "evidence"}
        assert {"diplomacy", "sanctions", "territorial_dispute"} <= set(rec["topics"]["scores"])
        for actor in rec["actors"]:
            assert actor["stance"] in {"negative", "neutral", "positive"}
            assert set(actor["scores"]) == {"negative", "neutral", "positive"}
            assert actor["mentions"] >= 1
    names = {a["actor"] for a in records[1]["actors"]}
    assert {"United States", "North Korea"} <= names
    assert "sanctions" in records[1]["topics"]["labels"]


def test_csv_parquet_and_dump_inputs_agree_with_jsonl(jsonl_input: Path, tmp_path: Path) -> None:
    csv_in = tmp_path / "in.csv"
    with open(csv_in, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "title", "text"])
        writer.writeheader()
        writer.writerows({"id": a["id"], "title": a["headline"], "text": a["text"]} for a in ARTICLES)
    pq_in = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(ARTICLES), pq_in)
    outs = {}
    for name, path in {"jsonl": jsonl_input, "csv": csv_in, "parquet": pq_in}.items():
        out = tmp_path / f"out-{name}.jsonl"
        assert main(["predict", str(path), "-o", str(out), *FAST]) == 0
        outs[name] = read_jsonl(out)
    assert outs["jsonl"] == outs["csv"] == outs["parquet"]


def test_raw_dump_input_is_segmented(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(repo_root / "samples" / "sample_dump.txt"), "-o", str(out), *FAST]) == 0
    records = read_jsonl(out)
    assert len(records) >= 5
    assert all(r["headline"] and r["error"] is None for r in records)
    assert all(r["actors"] for r in records)


def test_csv_and_parquet_outputs(jsonl_input: Path, tmp_path: Path) -> None:
    assert main(["predict", str(jsonl_input), "-o", str(tmp_path / "o.csv"), *FAST]) == 0
    assert main(["predict", str(jsonl_input), "-o", str(tmp_path / "o.parquet"), *FAST]) == 0
    rows = list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))
    table = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in table] == ["t1", "t2", "t3"]
    assert "topic_score.sanctions" in rows[0] and "topic_score.sanctions" in table[0]


def test_bad_records_get_errors_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps(ARTICLES[0]) + "\n{broken\n" + json.dumps({"id": "empty", "text": "  "}) + "\n"
        + json.dumps(ARTICLES[1]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(path), "-o", str(out), *FAST]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["t1", f"{path}:2", "empty", "t2"]
    assert records[0]["error"] is None and records[3]["error"] is None
    assert "invalid JSON" in records[1]["error"] and "'text' is empty" in records[2]["error"]


def test_bad_files_give_clear_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", str(tmp_path / "nope.jsonl"), *FAST]) == 2
    assert "nope.jsonl: no such file" in capsys.readouterr().err
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert main(["predict", str(binary), *FAST]) == 2
    assert "image.txt" in capsys.readouterr().err


def test_resume_after_kill_has_no_duplicates_and_loses_nothing(tmp_path: Path, repo_root: Path) -> None:
    n = 400
    src = tmp_path / "many.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i in range(n):
            art = ARTICLES[i % len(ARTICLES)]
            fh.write(json.dumps({**art, "id": f"x{i}"}) + "\n")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "inference", "predict", str(src), "-o", str(out), "--batch-size", "4", *FAST]
    proc = subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = out.with_name(out.name + ".partial")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 4000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "a killed run must not leave a (truncated) final output"
    done_before = len(partial.read_text(encoding="utf-8").splitlines())
    assert 0 < done_before < n
    assert main(["predict", str(src), "-o", str(out), "--resume", "--batch-size", "16", *FAST]) == 0
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)) == n
    assert set(ids) == {f"x{i}" for i in range(n)}
    assert not partial.exists()


def test_stdin_jsonl_and_cli_equals_python_api(jsonl_input: Path, tmp_path: Path, monkeypatch) -> None:
    import io

    from foreign_desk.inference import Pipeline

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl_input.read_bytes()), encoding="utf-8"))
    out = tmp_path / "stdin.jsonl"
    assert main(["predict", "-", "-o", str(out), *FAST]) == 0
    cli = read_jsonl(out)
    pipe = Pipeline.from_pretrained(topic_model="topic-tfidf", stance_model="stance-tfidf")
    api = [r.to_dict() for r in pipe.predict(ARTICLES, batch_size=2)]
    assert json.loads(json.dumps(api)) == cli


def test_int8_flags(jsonl_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--int8`` quantizes the calibrated stance model (static: batch size does not change a record);
    ``--fp32-stance`` keeps it float (the same records as fp32); the two stance flags exclude each other."""
    base = ["--topic-model", "topic-tfidf", "--no-progress"]
    runs = {
        "fp32": [],
        "int8": ["--int8"],
        "int8-one-by-one": ["--int8", "--batch-size", "1"],
        "fp32-stance": ["--int8", "--fp32-stance"],
    }
    outs = {}
    for name, flags in runs.items():
        out = tmp_path / f"{name}.jsonl"
        assert main(["predict", str(jsonl_input), "-o", str(out), *base, *flags]) == 0
        outs[name] = read_jsonl(out)
    assert outs["fp32-stance"] == outs["fp32"]
    assert outs["int8"] != outs["fp32"]  # the stance encoder did run int8
    for a, b, c in zip(outs["fp32"], outs["int8"], outs["int8-one-by-one"], strict=True):
        assert [x["actor"] for x in a["actors"]] == [x["actor"] for x in b["actors"]]
        assert [x["stance"] for x in b["actors"]] == [x["stance"] for x in c["actors"]]
        for x, y in zip(a["actors"], b["actors"], strict=True):
            assert x["scores"] == pytest.approx(y["scores"], abs=0.35)
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(jsonl_input), "-o", str(tmp_path / "x.jsonl"), "--int8", "--int8-stance", "--fp32-stance"])
    assert exc.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
