"""Streaming readers for every input ``foreign-desk predict`` accepts.

Raw text dumps are segmented; JSONL (``{"id","text"}`` with optional ``headline``/``title``), CSV (``title,text``
columns, optional ``id``) and Parquet (same columns) are read record by record, so a file of millions of articles is
never loaded whole. A record that cannot be read becomes an :class:`InputRecord` with an ``error`` instead of stopping
the run: invalid or too deeply nested JSON, a line over :data:`MAX_LINE_CHARS`, a CSV row that does not parse cleanly
(an unclosed quote is reported on its own line, never merged with the rows after it, and a row with the wrong number
of fields is reported), wrong types. Every article passes :func:`~foreign_desk.inference.wire.sanitize_article`
(lone surrogates, size limits, with ``warnings``). Binary data (a PDF, an image, NUL bytes) is refused, on stdin too.
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
from typing import IO

from foreign_desk.inference.article import Article
from foreign_desk.inference.textio import binary_reason
from foreign_desk.inference.wire import HEADLINE_KEYS, PASSTHROUGH_FIELDS, RecordError, as_article, sanitize_article

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DUMP_SUFFIXES = {".txt", ".text", ".dump"}
KNOWN_SUFFIXES = JSONL_SUFFIXES | CSV_SUFFIXES | PARQUET_SUFFIXES | DUMP_SUFFIXES
PARQUET_BATCH_ROWS = 1024
MAX_LINE_CHARS = 64 * 1024 * 1024
"""A JSONL line (or CSV row) longer than this is reported as an error without being parsed (bounded memory)."""
MAX_CSV_ROW_LINES = 10_000  # an open quote running on longer than this is a broken row, not a multi-line field


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
            _refuse_binary(path)
            out.append(str(path))
        elif glob.has_magic(item):
            matches = sorted(p for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not matches:
                raise FileNotFoundError(f"{item}: pattern matches no files")
            out.extend(matches)
        else:
            raise FileNotFoundError(f"{item}: no such file or directory")
    return out


def _refuse_binary(path: Path) -> None:
    """Refuse a binary input file (a PDF, an image, an archive...) before any work starts."""
    if not path.is_file() or path.suffix.lower() in PARQUET_SUFFIXES:
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return  # reported when it is read
    reason = binary_reason(head)
    if reason is not None:
        raise ValueError(f"{path}: {reason}, not text input")


class _Prefixed(io.RawIOBase):
    """A byte stream that yields ``head`` and then the rest of ``stream`` (stdin after its first bytes were read)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - io API
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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
        raw = sys.stdin.buffer
        first = raw.read(8192)
        reason = binary_reason(first)
        if reason is not None:
            raise ValueError(f"<stdin>: {reason}, not text input")
        if input_format(path, first.decode("utf-8", errors="replace")) == "jsonl":
            stream = io.TextIOWrapper(io.BufferedReader(_Prefixed(first, raw)), encoding="utf-8-sig", errors="replace")
            yield from _jsonl_lines(_bounded_lines(stream), "<stdin>")
        else:
            from foreign_desk.inference.textio import decode_bytes

            yield from _dump_records(decode_bytes(first + raw.read(), "<stdin>"), "<stdin>")
        return
    fmt = input_format(path)
    if fmt == "dump":
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
        fmt = input_format(path, head)
    if fmt == "jsonl":
        with open(path, encoding="utf-8", errors="replace") as fh:
            yield from _jsonl_lines(_bounded_lines(fh), path)
    elif fmt == "csv":
        yield from _csv_records(path)
    elif fmt == "parquet":
        yield from _parquet_records(path)
    else:
        from foreign_desk.inference.segment import read_dump

        for article in read_dump(Path(path)):
            yield InputRecord(id=article.id, source=path, article=sanitize_article(article))


def _dump_records(text: str, source: str) -> Iterator[InputRecord]:
    from foreign_desk.inference.segment import segment

    for article in segment(text):
        yield InputRecord(id=article.id, source=source, article=sanitize_article(article))


def record_to_article(data: object, where: str) -> InputRecord:
    """Turn one mapping (a JSONL/CSV/Parquet row) into an :class:`InputRecord`, or one with an ``error``
    (:func:`foreign_desk.inference.wire.as_article` decides what a valid record is)."""
    if not isinstance(data, dict):
        return InputRecord(id=where, source=where, error=f"{where}: expected a JSON object, got {type(data).__name__}")
    try:
        article = as_article(data, where)
    except RecordError as exc:
        return InputRecord(id=exc.id or where, source=where, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a strange value in one record must not stop the run
        return InputRecord(id=where, source=where, error=f"{where}: unreadable record ({type(exc).__name__}: {exc})")
    return InputRecord(id=article.id, source=where, article=article)


def _bounded_lines(fh: IO[str], limit: int = MAX_LINE_CHARS) -> Iterator[str | None]:
    """The lines of ``fh``; ``None`` for a line longer than ``limit`` characters, which is skipped without ever being
    held whole in memory."""
    while True:
        line = fh.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith("\n"):
            while (rest := fh.readline(limit)) and not rest.endswith("\n"):
                pass
            yield None
            continue
        yield line


def _jsonl_lines(lines: Iterable[str | None], source: str) -> Iterator[InputRecord]:
    for lineno, line in enumerate(lines, start=1):
        where = f"{source}:{lineno}"
        if line is None:
            yield InputRecord(id=where, source=where, error=f"{where}: line longer than {MAX_LINE_CHARS} characters")
            continue
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputRecord(id=where, source=where, error=f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield InputRecord(id=where, source=where, error=f"{where}: JSON nested too deeply")
            continue
        yield record_to_article(data, where)


def _csv_records(path: str) -> Iterator[InputRecord]:
    """Rows of a CSV file, assembled line by line so a broken row is reported on its own.

    A row is complete when its double quotes balance (a quoted field may span lines); it must then parse strictly
    and have as many fields as the header. A row that does not (an unclosed quote that would swallow the rows after
    it, a stray quote, too many or too few fields) becomes an error record for its first line, and the lines after
    that line are read again as rows of their own.
    """
    csv.field_size_limit(MAX_LINE_CHARS)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        source = enumerate(_bounded_lines(fh), start=1)
        header = next(source, (1, ""))[1]
        fieldnames = next(csv.reader([header]), []) if header else []
        if "text" not in fieldnames:
            raise ValueError(f"{path}: CSV input needs a 'text' column (and optionally 'title'/'headline', 'id')")
        queue: list[tuple[int, str]] = []  # lines read again after a broken row (kept in reverse order)
        pending: list[tuple[int, str]] = []
        quotes = 0
        while True:
            if queue:
                lineno, line = queue.pop()
            else:
                item = next(source, None)
                if item is None:
                    break
                lineno, line = item
            if line is None:
                if pending:
                    yield _csv_error(path, pending[0][0], "unclosed quote (the row runs into a line that is too long)")
                    queue.extend(reversed(pending[1:]))
                    pending, quotes = [], 0
                yield _csv_error(path, lineno, f"line longer than {MAX_LINE_CHARS} characters")
                continue
            if not pending and not line.strip():
                continue  # a blank line between rows
            pending.append((lineno, line))
            quotes += line.count('"')
            if quotes % 2 and len(pending) < MAX_CSV_ROW_LINES:
                continue  # a quoted field going on to the next line
            row, problem = _parse_csv_row("".join(text for _, text in pending), len(fieldnames), quotes)
            first = pending[0][0]
            if problem is None:
                yield record_to_article(dict(zip(fieldnames, row, strict=True)), f"{path}:{first}")
            else:
                yield _csv_error(path, first, problem)
                queue.extend(reversed(pending[1:]))
            pending, quotes = [], 0
        if pending:
            row, problem = _parse_csv_row("".join(text for _, text in pending), len(fieldnames), quotes)
            if problem is None:
                yield record_to_article(dict(zip(fieldnames, row, strict=True)), f"{path}:{pending[0][0]}")
            else:
                yield _csv_error(path, pending[0][0], problem)
                yield from _csv_tail(path, fieldnames, pending[1:])


def _csv_tail(path: str, fieldnames: list[str], lines: list[tuple[int, str]]) -> Iterator[InputRecord]:
    """The lines after an unclosed quote at the end of a file, each read as a row of its own."""
    for lineno, line in lines:
        if not line.strip():
            continue
        row, problem = _parse_csv_row(line, len(fieldnames), line.count('"'))
        if problem is None:
            yield record_to_article(dict(zip(fieldnames, row, strict=True)), f"{path}:{lineno}")
        else:
            yield _csv_error(path, lineno, problem)


def _parse_csv_row(text: str, n_fields: int, quotes: int) -> tuple[list[str], str | None]:
    if quotes % 2:
        return [], "unclosed quote (row not merged with the rows after it)"
    try:
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as exc:
        return [], f"malformed row ({exc})"
    if len(rows) != 1:
        return [], f"malformed row ({len(rows)} rows where one was expected)"
    if len(rows[0]) != n_fields:
        return [], f"expected {n_fields} fields as in the header, got {len(rows[0])}"
    return rows[0], None


def _csv_error(path: str, lineno: int, problem: str) -> InputRecord:
    where = f"{path}:{lineno}"
    return InputRecord(id=where, source=where, error=f"{where}: CSV {problem}")


def _parquet_records(path: str) -> Iterator[InputRecord]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from exc
    if "text" not in parquet.schema_arrow.names:
        raise ValueError(f"{path}: Parquet input needs a 'text' column (and optionally 'title'/'headline', 'id')")
    columns = [c for c in ("id", *HEADLINE_KEYS, "text", *PASSTHROUGH_FIELDS) if c in parquet.schema_arrow.names]
    rowno = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        for row in batch.to_pylist():
            yield record_to_article(row, f"{path}:row {rowno}")
            rowno += 1
