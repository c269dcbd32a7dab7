"""Crash-safe, resumable output for batch prediction.

Results stream into ``OUT.partial`` (JSONL, flushed per batch). Only when the run finishes is the final file made
(``OUT`` itself for JSONL, or converted to CSV/Parquet) and moved into place with ``os.replace``, so a killed run never
leaves a truncated ``OUT``. ``--resume`` reads the ids already in ``OUT.partial`` (dropping a torn last line) or in a
finished JSONL ``OUT`` and skips them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

PARQUET_CHUNK_ROWS = 2048


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    return "jsonl"


def flatten(record: dict[str, Any], topic_labels: Sequence[str]) -> dict[str, Any]:
    """One flat row per article for CSV/Parquet: topic labels joined by ';', a score column per label,
    actors as ``Name (stance)`` joined by '; ', and the full actor records as JSON."""
    topics = record.get("topics") or {}
    scores = topics.get("scores") or {}
    actors = record.get("actors") or []
    row: dict[str, Any] = {
        "id": record.get("id"),
        "headline": record.get("headline"),
        "topics": ";".join(topics.get("labels") or []),
    }
    for label in topic_labels:
        value = scores.get(label)
        row[f"topic_score.{label}"] = float(value) if value is not None else None
    row["actors"] = "; ".join(f"{a['actor']} ({a['stance']})" for a in actors)
    row["actors_json"] = json.dumps(actors, ensure_ascii=False)
    row["error"] = record.get("error")
    return row


def _complete_lines(path: Path) -> Iterator[str]:
    """Lines of a JSONL file that parse, stopping at a torn (killed mid-write) last line."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                log.warning("%s: dropping an incomplete last line left by an interrupted run", path)
                return
            try:
                json.loads(line)
            except json.JSONDecodeError:
                log.warning("%s: dropping an unreadable line left by an interrupted run", path)
                continue
            yield line


class ResultWriter:
    """Writes result records to ``out`` (or stdout when ``out`` is None); see the module docstring."""

    def __init__(self, out: Path | None, resume: bool = False, topic_labels: Sequence[str] = ()) -> None:
        self.out = out
        self.topic_labels = list(topic_labels)
        self.done_ids: set[str] = set()
        self.written = 0
        self._fh: IO[str]
        if out is None:
            if resume:
                raise ValueError("--resume needs -o OUT (there is nothing to resume on stdout)")
            self._fh = sys.stdout
            self.partial = None
            return
        self.format = output_format(out)
        self.partial = out.with_name(out.name + ".partial")
        out.parent.mkdir(parents=True, exist_ok=True)
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
        self.done_ids = {str(json.loads(line).get("id")) for line in kept}
        tmp = self.partial.with_name(self.partial.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(kept)
        os.replace(tmp, self.partial)
        self._fh = open(self.partial, "a", encoding="utf-8")  # noqa: SIM115 - closed in finish()/abort()

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
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

    def abort(self) -> None:
        """Close without finishing: ``OUT.partial`` stays for ``--resume``."""
        if self.partial is not None and not self._fh.closed:
            self._fh.flush()
            self._fh.close()

    def _rows(self) -> Iterator[dict[str, Any]]:
        with open(self.partial, encoding="utf-8") as fh:
            for line in fh:
                yield flatten(json.loads(line), self.topic_labels)

    def _to_csv(self, tmp: Path) -> None:
        import csv

        fieldnames = list(flatten({}, self.topic_labels))
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fieldnames)
            writer.writeheader()
            writer.writerows(self._rows())

    def _to_parquet(self, tmp: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        fields = [pa.field("id", pa.string()), pa.field("headline", pa.string()), pa.field("topics", pa.string())]
        fields += [pa.field(f"topic_score.{label}", pa.float64()) for label in self.topic_labels]
        fields += [pa.field(n, pa.string()) for n in ("actors", "actors_json", "error")]
        schema = pa.schema(fields)
        with pq.ParquetWriter(tmp, schema) as writer:
            chunk: list[dict[str, Any]] = []
            for row in self._rows():
                chunk.append(row)
                if len(chunk) >= PARQUET_CHUNK_ROWS:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                    chunk = []
            if chunk:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
