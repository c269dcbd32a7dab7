"""`foreign-desk segment`: JSONL output, stdin, --table and bad input."""

from __future__ import annotations

import io
import json

import pytest

from foreign_desk.inference.cli import main

KEYS = {"id", "headline", "caption", "byline", "dateline", "paragraphs", "subheads", "credits", "text", "span"}


@pytest.fixture
def sample(repo_root):
    return repo_root / "samples" / "sample_dump.txt"


def test_writes_jsonl_file_atomically(sample, tmp_path):
    out = tmp_path / "out" / "articles.jsonl"
    out.parent.mkdir()
    out.write_text("stale content\n")
    assert main(["segment", str(sample), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 7
    assert all(set(r) == KEYS for r in records)
    assert records[0]["dateline"] == {"place": "BEIJING/WASHINGTON", "agency": "Reuters"}
    assert records[2]["dateline"] == {"place": "SEOUL", "agency": "AP"}
    assert records[0]["span"] == [1, 23]
    assert [p.name for p in out.parent.iterdir()] == ["articles.jsonl"]  # no temporary file left behind


def test_jsonl_to_stdout_by_default(sample, capsys):
    assert main(["segment", str(sample)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert json.loads(lines[5])["headline"] == "Thousands rally in Tehran against new U.S. sanctions"


def test_reads_stdin(sample, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(sample.read_bytes())))
    assert main(["segment", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7


def test_table_goes_to_stdout_with_output_file(sample, tmp_path, capsys):
    assert main(["segment", str(sample), "-o", str(tmp_path / "a.jsonl"), "--table"]) == 0
    out = capsys.readouterr().out
    assert "7 article(s)" in out
    assert "NATO condemns Russian military drills" in out
    assert "BRUSSELS (AFP)" in out


def test_table_goes_to_stderr_when_jsonl_on_stdout(sample, capsys):
    assert main(["segment", str(sample), "--table"]) == 0
    captured = capsys.readouterr()
    assert "7 article(s)" in captured.err
    assert all(json.loads(line) for line in captured.out.splitlines())


def test_binary_input_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert main(["segment", str(path), "-o", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "photo.png" in err and "binary" in err
    assert not (tmp_path / "x.jsonl").exists()


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert main(["segment", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_empty_input_gives_no_records_and_a_warning(tmp_path, capsys, caplog):
    path = tmp_path / "empty.txt"
    path.write_text("\n\n")
    out = tmp_path / "empty.jsonl"
    assert main(["segment", str(path), "-o", str(out)]) == 0
    assert out.read_text() == ""
    assert "no articles" in caplog.text
