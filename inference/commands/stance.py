"""``foreign-desk stance INPUT [-o OUT] [--model DIR] [--batch-size N] [--int8]``.

INPUT is JSONL, one target per line: ``{"id", "text", "start", "end"}`` (the character span of the target in
``text``); ``-`` reads stdin. Output is JSONL in the same order: ``{"id", "stance", "scores": {...}}``, or
``{"id", "error": "..."}`` for a bad record (the others still get their prediction). With ``-o`` the file appears
only once complete (written beside it, then renamed).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from foreign_desk.inference.atomic import atomic_output, check_output_path, json_line
from foreign_desk.inference.textio import scrub_surrogates
from foreign_desk.inference.wire import MAX_TEXT_CHARS

log = logging.getLogger(__name__)
CHUNK = 512  # records predicted (and written) at a time
REQUIRED = ("id", "text", "start", "end")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "stance",
        help="stance (negative/neutral/positive) toward target spans, JSONL in -> JSONL out",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", help='JSONL of {"id", "text", "start", "end"}; "-" = stdin')
    p.add_argument("-o", "--output", help="output JSONL (default stdout)")
    p.add_argument("--model", help="saved stance model directory (default models/stance-minilm)")
    p.add_argument("--batch-size", type=int, default=32, help="texts per forward pass (default 32)")
    p.add_argument("--int8", action="store_true", help="int8 (MiniLM, CPU): static when the model stores a calibration, else dynamic")
    p.add_argument(
        "--allow-unverified", action="store_true", help="load a model directory without manifest.json (warns; unsafe)"
    )
    p.set_defaults(func=run)


def parse_record(line: str, number: int) -> tuple[Any, Any]:
    """``(id, StanceTarget)`` or ``(id, error message)`` for one input line."""
    from foreign_desk.inference.stance.targets import TargetError, as_target

    if scrub_surrogates(line)[1]:  # bytes that are not UTF-8, kept as surrogates by the reader
        return None, f"line {number}: not valid UTF-8"
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return None, f"line {number}: JSON nested too deeply"
    if not isinstance(rec, dict):
        return None, f"line {number}: expected a JSON object, got {type(rec).__name__}"
    rid = rec.get("id")
    if isinstance(rec.get("text"), str):  # a JSON "\ud800": one U+FFFD each, so the offsets still hold
        if len(rec["text"]) > MAX_TEXT_CHARS:
            return rid, f"line {number}: text longer than {MAX_TEXT_CHARS} characters"
        rec["text"] = scrub_surrogates(rec["text"])[0]
    missing = [k for k in REQUIRED if k not in rec]
    if missing:
        return rid, f"line {number}: missing field(s): {', '.join(missing)}"
    try:
        return rid, as_target(rec)
    except TargetError as exc:
        return rid, f"line {number}: {exc}"


def stance_records(lines: Iterable[str], classifier, batch_size: int = 32) -> Iterator[dict[str, Any]]:
    """Output records for input lines, in order; blank lines are skipped."""
    from foreign_desk.inference.stance.base import predictions_from_proba
    from foreign_desk.inference.stance.targets import StanceTarget

    chunk: list[tuple[Any, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        valid = [item for _, item in chunk if isinstance(item, StanceTarget)]
        preds = iter(predictions_from_proba(classifier.predict_proba(valid, batch_size=batch_size)) if valid else [])
        for rid, item in chunk:
            if isinstance(item, StanceTarget):
                yield {"id": rid, **next(preds).to_dict()}
            else:
                yield {"id": rid, "error": item}
        chunk.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        chunk.append(parse_record(line, number))
        if len(chunk) >= CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def _write(records: Iterable[dict[str, Any]], fh: IO[str]) -> tuple[int, int]:
    ok = bad = 0
    for rec in records:
        fh.write(json_line(rec))
        if "error" in rec:
            bad += 1
            log.warning("record %s: %s", rec.get("id"), rec["error"])
        else:
            ok += 1
    return ok, bad


def run(args: argparse.Namespace) -> int:
    from foreign_desk.inference.stance.base import StanceClassifier

    if args.batch_size < 1:
        raise ValueError("--batch-size must be >= 1")
    if args.input != "-" and not Path(args.input).is_file():
        raise FileNotFoundError(f"input not found: {args.input}")
    check_output_path(args.output or None)  # before the model loads: a bad -o fails at once
    classifier = StanceClassifier.from_pretrained(
        args.model, quantize=args.int8, allow_unverified=args.allow_unverified
    )
    # undecodable bytes become surrogates, so one bad line is an error record and the others are still scored
    source = (
        io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
        if args.input == "-"
        else open(args.input, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
    )
    try:
        records = stance_records(source, classifier, args.batch_size)
        with atomic_output(args.output or None) as fh:
            ok, bad = _write(records, fh)
    finally:
        if args.input != "-":
            source.close()
    log.info("stance: %d target(s) scored, %d error(s)", ok, bad)
    return 0
