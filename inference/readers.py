"""Streaming readers for every input ``foreign-desk predict`` accepts.

Raw text dumps are segmented; JSONL (``{"id","text"}`` with optional ``headline``/``title``), CSV (``title,text``
columns, optional ``id``) and Parquet (same columns) are read record by record, so a file of millions of articles is
never loaded whole. A record that cannot be read becomes an :class:`InputRecord` with an ``error`` instead of stopping
the run.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from foreign_desk.inference.article import Article

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DUMP_SUFFIXES = {".txt", ".text", ".dump"}
KNOWN_SUFFIXES = JSONL_SUFFIXES | CSV_SUFFIXES | PARQUET_SUFFIXES | DUMP_SUFFIXES
PARQUET_BATCH_ROWS = 1024


@dataclass
class InputRecord:
    """One article read from the input, or the reason it could not be read (``article`` is then ``None``)."""

    id: str
    source: str
    article: Article | None = None
    error: str | None = None


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Files, directories (searched recursively for known suffixes) and globs -> ordered list of paths ('-' kept)."""
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KNOWN_SUFFIXES)
            if not found:
                raise FileNotFoundError(f"{item}: directory holds no .txt/.jsonl/.csv/.parquet files")
            out.extend(str(p) for p in found)
        elif path.exists():  # a file, or a named pipe / device streaming records
            out.append(str(path))
        elif glob.has_magic(item):
            matches = sorted(p for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not matches:
                raise FileNotFoundError(f"{item}: pattern matches no files")
            out.extend(matches)
        else:
            raise FileNotFoundError(f"{item}: no such file or directory")
    return out


def input_format(path: str, head: str | None = None) -> str:
    """'jsonl', 'csv', 'parquet' or 'dump', from the suffix (or, for stdin and unknown suffixes, the first char)."""
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if head is not None and head.lstrip("\ufeff \t\r\n").startswith("{"):
        return "jsonl"
    return "dump"


def read_records(inputs: Iterable[str]) -> Iterator[InputRecord]:
    """Stream :class:`InputRecord` objects from every input in order."""
    for path in expand_inputs(inputs):
        yield from read_path(path)


def read_path(path: str) -> Iterator[InputRecord]:
    if path == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        head = stream.read(4096)
        fmt = input_format(path, head)
        if fmt == "jsonl":
            yield from _jsonl_lines(_chain_head(head, stream), "<stdin>")
        else:
            yield from _dump_records(head + stream.read(), "<stdin>")
        return
    fmt = input_format(path)
    if fmt == "dump":
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
        fmt = input_format(path, head)
    if fmt == "jsonl":
        with open(path, encoding="utf-8", errors="replace") as fh:
            yield from _jsonl_lines(fh, path)
    elif fmt == "csv":
        yield from _csv_records(path)
    elif fmt == "parquet":
        yield from _parquet_records(path)
    else:
        from foreign_desk.inference.segment import read_dump

        for article in read_dump(Path(path)):
            yield InputRecord(id=article.id, source=path, article=article)


def _chain_head(head: str, stream: io.TextIOBase) -> Iterator[str]:
    rest = head + stream.readline()
    yield from io.StringIO(rest)
    yield from stream


def _dump_records(text: str, source: str) -> Iterator[InputRecord]:
    from foreign_desk.inference.segment import segment

    for article in segment(text):
        yield InputRecord(id=article.id, source=source, article=article)


def record_to_article(data: object, where: str) -> InputRecord:
    """Turn one mapping (a JSONL/CSV/Parquet row) into an :class:`InputRecord`, or one with an ``error``."""
    if not isinstance(data, dict):
        return InputRecord(id=where, source=where, error=f"{where}: expected a JSON object, got {type(data).__name__}")
    raw_id = data.get("id")
    text = data.get("text")
    headline = data.get("headline") or data.get("title") or ""
    if not isinstance(headline, str):
        headline = str(headline)
    record_id = str(raw_id) if raw_id not in (None, "") else None
    if not isinstance(text, str) or not text.strip():
        problem = "missing 'text'" if text is None else "'text' is empty" if isinstance(text, str) else "'text' is not a string"
        rid = record_id or where
        return InputRecord(id=rid, source=where, error=f"{where} (id {rid}): {problem}")
    article = Article.from_text(text.strip(), headline=headline.strip(), id=record_id)
    return InputRecord(id=article.id, source=where, article=article)


def _jsonl_lines(lines: Iterable[str], source: str) -> Iterator[InputRecord]:
    for lineno, line in enumerate(lines, start=1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        where = f"{source}:{lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputRecord(id=where, source=where, error=f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield record_to_article(data, where)


def _csv_records(path: str) -> Iterator[InputRecord]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "text" not in reader.fieldnames:
            raise ValueError(f"{path}: CSV input needs a 'text' column (and optionally 'title'/'headline', 'id')")
        for rowno, row in enumerate(reader, start=2):
            yield record_to_article(row, f"{path}:{rowno}")


def _parquet_records(path: str) -> Iterator[InputRecord]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from exc
    if "text" not in parquet.schema_arrow.names:
        raise ValueError(f"{path}: Parquet input needs a 'text' column (and optionally 'title'/'headline', 'id')")
    columns = [c for c in ("id", "title", "headline", "text") if c in parquet.schema_arrow.names]
    rowno = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        for row in batch.to_pylist():
            yield record_to_article(row, f"{path}:row {rowno}")
            rowno += 1
