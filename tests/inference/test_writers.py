"""Result writer: atomic finish, resume after a kill, CSV/Parquet flattening."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from foreign_desk.inference.writers import ResultWriter, flatten


def record(i: int) -> dict:
    return {
        "id": f"a{i}",
        "headline": f"Headline {i}",
        "topics": {"labels": ["diplomacy"], "scores": {"diplomacy": 0.9, "sanctions": 0.1}},
        "actors": [{"actor": "China", "type": "country", "mentions": 2, "stance": "positive", "scores": {}, "evidence": []}],
        "error": None,
    }


def test_output_appears_only_when_finished(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    writer = ResultWriter(out)
    writer.write(record(1))
    writer.flush()
    assert not out.exists() and writer.partial.exists()
    writer.finish()
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a1"]
    assert not writer.partial.exists()


def test_resume_keeps_complete_lines_and_drops_a_torn_one(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    writer = ResultWriter(out)
    for i in range(3):
        writer.write(record(i))
    writer.abort()  # simulated kill: the partial file stays
    with open(writer.partial, "a", encoding="utf-8") as fh:
        fh.write('{"id": "a3", "headl')  # torn last line
    resumed = ResultWriter(out, resume=True)
    assert resumed.done_ids == {"a0", "a1", "a2"}
    resumed.write(record(3))
    resumed.finish()
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a0", "a1", "a2", "a3"]


def test_without_resume_an_old_partial_is_discarded(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = ResultWriter(out)
    first.write(record(0))
    first.abort()
    second = ResultWriter(out)
    assert second.done_ids == set()
    second.write(record(1))
    second.finish()
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a1"]


def test_resume_on_stdout_is_refused() -> None:
    with pytest.raises(ValueError, match="needs -o"):
        ResultWriter(None, resume=True)


def test_csv_and_parquet_outputs_are_flattened(tmp_path: Path) -> None:
    labels = ["diplomacy", "sanctions"]
    for name in ("out.csv", "out.parquet"):
        writer = ResultWriter(tmp_path / name, topic_labels=labels)
        writer.write(record(1))
        writer.write({"id": "bad", "headline": "", "topics": {"labels": [], "scores": {}}, "actors": [], "error": "boom"})
        writer.finish()
    rows = list(csv.DictReader(open(tmp_path / "out.csv", encoding="utf-8")))
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    for got in (rows, table):
        assert got[0]["topics"] == "diplomacy"
        assert float(got[0]["topic_score.sanctions"]) == pytest.approx(0.1)
        assert got[0]["actors"] == "China (positive)"
        assert json.loads(got[0]["actors_json"])[0]["mentions"] == 2
        assert got[1]["error"] == "boom"


def test_flatten_has_a_column_per_label_even_without_scores() -> None:
    row = flatten({"id": "x", "error": "e"}, ["a", "b"])
    assert row["topic_score.a"] is None and row["topic_score.b"] is None and row["error"] == "e"
