"""Input readers: every format, directories/globs, stdin detection and per-record errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foreign_desk.inference.readers import expand_inputs, input_format, read_records

ROWS = [
    {"id": "n1", "title": "Envoys meet in Geneva", "text": "Diplomats from both countries met on Tuesday."},
    {"id": "n2", "title": "Port blockade eases", "text": "Ships left the harbour after the navy withdrew."},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_records_keep_ids_headlines_and_text(tmp_path: Path) -> None:
    recs = list(read_records([str(write_jsonl(tmp_path / "a.jsonl", ROWS))]))
    assert [r.id for r in recs] == ["n1", "n2"]
    assert recs[0].article.headline == "Envoys meet in Geneva"
    assert recs[1].article.text == ROWS[1]["text"]
    assert all(r.error is None for r in recs)


def test_bad_jsonl_lines_become_errors_without_losing_others(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(ROWS[0]) + "\n{not json\n" + json.dumps({"id": "x", "text": ""}) + "\n[1, 2]\n"
        + json.dumps({"id": "y"}) + "\n" + json.dumps(ROWS[1]) + "\n",
        encoding="utf-8",
    )
    recs = list(read_records([str(path)]))
    assert [r.id for r in recs] == ["n1", f"{path}:2", "x", f"{path}:4", "y", "n2"]
    assert "invalid JSON" in recs[1].error and ":2" in recs[1].error
    assert "'text' is empty" in recs[2].error
    assert "expected a JSON object" in recs[3].error
    assert "missing 'text'" in recs[4].error
    assert recs[5].article is not None


def test_csv_and_parquet_read_title_text_columns(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "text"])
        writer.writeheader()
        writer.writerows({"title": r["title"], "text": r["text"]} for r in ROWS)
    pq_path = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), pq_path)
    from_csv = list(read_records([str(csv_path)]))
    from_pq = list(read_records([str(pq_path)]))
    assert [r.article.headline for r in from_csv] == [r["title"] for r in ROWS]
    assert [r.id for r in from_pq] == ["n1", "n2"]
    # CSV rows without ids get content-hash ids: stable across reads
    assert [r.id for r in from_csv] == [r.id for r in read_records([str(csv_path)])]


def test_csv_without_text_column_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("title,body\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a 'text' column"):
        list(read_records([str(path)]))


def test_not_a_parquet_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable Parquet file"):
        list(read_records([str(path)]))


def test_directories_and_globs_expand_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "sub" / "b.jsonl", ROWS[1:])
    write_jsonl(tmp_path / "a.jsonl", ROWS[:1])
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.jsonl"), str(tmp_path / "sub" / "b.jsonl")]
    assert expand_inputs([str(tmp_path / "**" / "*.jsonl")]) == [
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "sub" / "b.jsonl"),
    ]
    with pytest.raises(FileNotFoundError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.jsonl")])
    with pytest.raises(FileNotFoundError, match="matches no files"):
        expand_inputs([str(tmp_path / "*.csv")])


def test_format_detection_by_suffix_and_content() -> None:
    assert input_format("x.jsonl") == "jsonl"
    assert input_format("x.CSV") == "csv"
    assert input_format("x.parquet") == "parquet"
    assert input_format("-", '  {"id": 1}') == "jsonl"
    assert input_format("-", "Headline\n\nBEIJING (Reuters) - text") == "dump"


def test_jsonl_is_streamed_not_loaded_whole(tmp_path: Path) -> None:
    """Records come out while the producer is still writing: nothing waits for (or holds) the whole file."""
    import os
    import threading

    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    second_line_may_go = threading.Event()

    def produce() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(ROWS[0]) + "\n")
            fh.flush()
            second_line_may_go.wait(timeout=30)
            fh.write(json.dumps(ROWS[1]) + "\n")

    producer = threading.Thread(target=produce)
    producer.start()
    records = read_records([str(fifo)])
    first = next(records)  # would block forever if the reader needed the whole file first
    assert first.id == "n1"
    second_line_may_go.set()
    assert [r.id for r in records] == ["n2"]
    producer.join(timeout=30)
