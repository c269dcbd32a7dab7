"""``date``, ``source`` and ``url`` of an input record reach the output record (for reports grouped by time)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foreign_desk.inference.readers import read_records
from foreign_desk.inference.schema import RECORD, flat_columns
from foreign_desk.inference.wire import PASSTHROUGH_FIELDS, as_article, passthrough_of

ROWS = [
    {"id": "p1", "title": "Envoys meet in Oslo", "text": "Two envoys held talks on Tuesday.", "date": "2017-11-07",
     "source": "our wire", "url": "https://example.org/p1"},
    {"id": "p2", "title": "Quiet day", "text": "Nothing of note happened at the port."},
]


def test_passthrough_fields_are_strings_and_missing_ones_are_left_out():
    assert passthrough_of({"date": dt.date(2017, 11, 7), "source": 3, "url": ""}) == {"date": "2017-11-07", "source": "3"}
    assert passthrough_of({"date": float("nan")}) == {}
    assert passthrough_of({"url": "x" * 10_000})["url"] == "x" * 2_000
    assert as_article(ROWS[0], "row 1").meta == {k: ROWS[0][k] for k in PASSTHROUGH_FIELDS}
    assert as_article(ROWS[1], "row 2").meta == {}


def _write(tmp_path, kind):
    path = tmp_path / f"in.{kind}"
    if kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    elif kind == "csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["id", "title", "text", *PASSTHROUGH_FIELDS])
            writer.writeheader()
            writer.writerows(ROWS)
    else:
        table = pa.Table.from_pylist([{k: r.get(k) for k in ("id", "title", "text", *PASSTHROUGH_FIELDS)} for r in ROWS])
        pq.write_table(table, path)
    return path


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_readers_keep_date_source_url(tmp_path, kind):
    records = list(read_records([str(_write(tmp_path, kind))]))
    assert [r.article.meta for r in records] == [{k: ROWS[0][k] for k in PASSTHROUGH_FIELDS}, {}]


def test_output_schema_has_the_passthrough_columns():
    names = [name for name, _ in RECORD.fields]
    assert names[:5] == ["id", "headline", "date", "source", "url"]
    assert {"date", "source", "url"} <= {name for name, _ in flat_columns(["diplomacy"])}


def test_pipeline_record_carries_the_fields(tiny_pipeline_records):
    first, second = tiny_pipeline_records
    assert (first["date"], first["source"], first["url"]) == ("2017-11-07", "our wire", "https://example.org/p1")
    assert (second["date"], second["source"], second["url"]) == (None, None, None)


@pytest.fixture(scope="module")
def tiny_pipeline_records():
    from foreign_desk.inference import Pipeline

    pipe = Pipeline.from_pretrained()
    return [r.to_dict() for r in pipe.predict(ROWS)]
