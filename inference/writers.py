"""Crash-safe, resumable output for batch prediction.

Results stream into ``OUT.partial`` (JSONL, flushed per batch). Only when the run finishes is the final file made
(``OUT`` itself for JSONL, or converted to CSV/Parquet) and moved into place with ``os.replace``, so a killed run never
leaves a truncated ``OUT``. ``--resume`` reads the ids already in ``OUT.partial`` (dropping a torn last line) or in a
finished JSONL ``OUT`` and skips them by position: record *i* of the input is skipped when line *i* of the kept output
has its id (so repeated ids are kept apart, and a record that failed is kept as its error record, never retried).
One run at a time writes an ``OUT``: a second one is refused (:class:`~foreign_desk.inference.atomic.OutputLock`).
CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) are written with a ``'`` first.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from foreign_desk.inference.atomic import OutputLock, check_output_path, json_line
from foreign_desk.inference.schema import flat_columns, flatten
from foreign_desk.inference.textio import scrub_surrogates

__all__ = ["ResultWriter", "flatten", "output_format"]
log = logging.getLogger(__name__)

PARQUET_CHUNK_ROWS = 2048
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ID_KEY = 512


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a ``'`` first (OWASP CSV
    injection); other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def id_key(value: Any) -> str:
    """How an id is compared on ``--resume``: as written to the output (surrogates replaced, bounded length)."""
    return scrub_surrogates(str(value))[0][:MAX_ID_KEY]


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    return "jsonl"


def _complete_lines(path: Path) -> Iterator[str]:
    """Lines of a JSONL file that parse, stopping at a torn (killed mid-write) last line or at the first unreadable
    one (the records are kept by position, so nothing after a gap can be kept)."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith("\n"):
                log.warning("%s: dropping an incomplete last line left by an interrupted run", path)
                return
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                record = None
            if not isinstance(record, dict):
                log.warning("%s: line %d is unreadable; resuming from there", path, number)
                return
            yield line


class ResultWriter:
    """Writes result records to ``out`` (or stdout when ``out`` is None); see the module docstring."""

    def __init__(self, out: Path | None, resume: bool = False, topic_labels: Sequence[str] = ()) -> None:
        self.out = out
        self.topic_labels = list(topic_labels)
        self.done: list[str] = []  # id keys of the records kept from an interrupted run, in input order
        self.written = 0
        self._lock: OutputLock | None = None
        self._fh: IO[str]
        if out is None:
            if resume:
                raise ValueError("--resume needs -o OUT (there is nothing to resume on stdout)")
            self._fh = sys.stdout
            self.partial = None
            return
        self.format = output_format(out)
        self.partial = out.with_name(out.name + ".partial")
        check_output_path(out)
        self._lock = OutputLock(out).acquire()
        try:
            self._open(out, resume)
        except BaseException:
            self._lock.release()
            raise

    def _open(self, out: Path, resume: bool) -> None:
        kept: list[str] = []
        if resume:
            if self.partial.exists():
                kept = list(_complete_lines(self.partial))
            elif out.exists():
                if self.format != "jsonl":
                    raise ValueError(f"{out}: already complete; resume works from {self.partial.name} or a JSONL OUT")
                kept = list(_complete_lines(out))
        elif self.partial.exists():
            log.warning("%s exists from an earlier run; starting over (use --resume to continue it)", self.partial)
        self.done = [id_key(json.loads(line).get("id")) for line in kept]
        tmp = self.partial.with_name(self.partial.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(kept)
        os.replace(tmp, self.partial)
        self._fh = open(self.partial, "a", encoding="utf-8")  # noqa: SIM115 - closed in finish()/abort()

    @property
    def done_ids(self) -> set[str]:
        """The ids kept from an interrupted run (see :attr:`done` for them in order)."""
        return set(self.done)

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json_line(record))
        self.written += 1

    def flush(self) -> None:
        self._fh.flush()
        if self.partial is not None:
            os.fsync(self._fh.fileno())

    def finish(self) -> None:
        """Close and move the finished output into place."""
        if self.partial is None:
            self._fh.flush()
            return
        try:
            self._fh.close()
            if self.format == "jsonl":
                os.replace(self.partial, self.out)
                return
            tmp = self.out.with_name(self.out.name + ".tmp")
            if self.format == "csv":
                self._to_csv(tmp)
            else:
                self._to_parquet(tmp)
            os.replace(tmp, self.out)
            self.partial.unlink()
        finally:
            self._release()

    def abort(self, discard_empty: bool = False) -> None:
        """Close without finishing: ``OUT.partial`` stays for ``--resume`` (with ``discard_empty``, only when it holds
        records: a run that failed before its first record leaves nothing behind)."""
        try:
            if self.partial is not None and not self._fh.closed:
                self._fh.flush()
                self._fh.close()
                if discard_empty and not self.done and not self.written:
                    self.partial.unlink(missing_ok=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _rows(self) -> Iterator[dict[str, Any]]:
        with open(self.partial, encoding="utf-8") as fh:
            for line in fh:
                yield flatten(json.loads(line), self.topic_labels)

    def _to_csv(self, tmp: Path) -> None:
        import csv

        fieldnames = [name for name, _ in flat_columns(self.topic_labels)]
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fieldnames)
            writer.writeheader()
            for row in self._rows():
                writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})

    def _to_parquet(self, tmp: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = {"string": pa.string(), "double": pa.float64(), "int": pa.int64()}
        schema = pa.schema([pa.field(name, arrow[t]) for name, t in flat_columns(self.topic_labels)])
        with pq.ParquetWriter(tmp, schema) as writer:
            chunk: list[dict[str, Any]] = []
            for row in self._rows():
                chunk.append(row)
                if len(chunk) >= PARQUET_CHUNK_ROWS:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                    chunk = []
            if chunk:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
