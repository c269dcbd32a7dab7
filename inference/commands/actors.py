"""`foreign-desk actors INPUT [-o OUT] [--actors FILE]`: actors of each JSONL record.

Input lines are ``{"id", "text"[, "headline"]}`` (``"title"`` is accepted for ``"headline"``); ``-`` reads stdin.
Output lines are ``{"id", "actors": [...]}`` with offsets into ``headline + "\\n\\n" + text``, or
``{"id", "error": "..."}`` for a record that cannot be read; the other records are still processed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from inference.actors import ActorExtractor

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "actors",
        help="find and normalise the actors (countries, people, organisations) of each article",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="INPUT", help="JSONL file of {id, text[, headline]} records, or - for stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="output JSONL file (default: stdout)")
    parser.add_argument("--actors", metavar="FILE", action="append", default=[], type=Path,
                        help="extra actor YAML file adding or overriding gazetteer entries (repeatable)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for path in args.actors:
        if not path.is_file():
            raise FileNotFoundError(f"actor file not found: {path}")
    extractor = ActorExtractor(user_files=args.actors) if args.actors else ActorExtractor.default()
    source: TextIO = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
    sink: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    total = errors = 0
    try:
        for out in process_lines(source, extractor):
            total += 1
            errors += "error" in out
            sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
        if sink is not sys.stdout:
            sink.close()
    log.info("actors: %d records, %d errors", total, errors)
    return 0


def process_lines(lines: Iterable[str], extractor: ActorExtractor) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line; a bad line gives ``{"id", "error"}`` and processing goes on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield process_record(line, number, extractor)


def process_record(line: str, number: int, extractor: ActorExtractor) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(record, dict):
        return {"id": None, "error": f"line {number}: expected a JSON object, got {type(record).__name__}"}
    rid = record.get("id")
    name = f"line {number} (id {rid!r})" if rid is not None else f"line {number}"
    text = record.get("text")
    headline = record.get("headline", record.get("title")) or ""
    if not isinstance(text, str) or not text.strip():
        problem = "missing 'text'" if text is None else "'text' is not a non-empty string"
        return {"id": rid, "error": f"{name}: {problem}"}
    if not isinstance(headline, str):
        return {"id": rid, "error": f"{name}: 'headline' is not a string"}
    try:
        result = extractor.extract(text, headline=headline)
    except Exception as exc:  # noqa: BLE001 - one bad record must not lose the others
        log.exception("actors failed on %s", name)
        return {"id": rid, "error": f"{name}: actor extraction failed: {exc}"}
    return {"id": rid, "actors": [a.to_dict() for a in result.actors]}
