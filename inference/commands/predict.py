"""``foreign-desk predict``: raw dumps, JSONL, CSV or Parquet in; topics and stance toward every actor out."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from foreign_desk.inference.paths import DEFAULT_BATCH_SIZE, DEFAULT_STANCE_MODEL, DEFAULT_TOPIC_MODEL
from foreign_desk.inference.readers import InputRecord, read_records
from foreign_desk.inference.writers import ResultWriter, id_key

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "predict",
        help="topics and stance toward actors for every article",
        description="INPUT: raw text dumps (segmented first), JSONL {id,text[,headline|title]}, CSV (title,text), "
        "Parquet; files, directories and globs; '-' for stdin. OUT: JSONL, or CSV/Parquet by extension.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", help="output file (.jsonl, .csv, .parquet); default JSONL on stdout")
    p.add_argument("--models", help="directory holding the saved models (default: the committed models/)")
    p.add_argument("--topic-model", default=None, help=f"topic model dir name or path (default {DEFAULT_TOPIC_MODEL})")
    p.add_argument("--stance-model", default=None, help=f"stance model dir name or path (default {DEFAULT_STANCE_MODEL})")
    p.add_argument("--actors", action="append", default=[], help="extra/override actor gazetteer YAML (repeatable)")
    p.add_argument(
        "--int8", action="store_true",
        help="int8 transformers: static (batched, batch-independent) where a model stores a calibration, dynamic for "
        "a topic model without one; the stance/relation encoder only when calibrated (see --int8-stance)",
    )
    stance_int8 = p.add_mutually_exclusive_group()
    stance_int8.add_argument(
        "--int8-stance", action="store_true",
        help="with --int8, quantize the stance/relation encoder even without a calibration (dynamic, one sentence per "
        "pass: deterministic but slower than fp32)",
    )
    stance_int8.add_argument(
        "--fp32-stance", action="store_true", help="with --int8, keep the stance/relation encoder in fp32",
    )
    p.add_argument(
        "--allow-unverified", action="store_true", help="load model directories without manifest.json (warns; unsafe)"
    )
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                   help=f"articles per batch (default {DEFAULT_BATCH_SIZE})")
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted run: skip the records already in OUT.partial"
    )
    p.add_argument("--table", action="store_true", help="also print a readable table of the results")
    p.add_argument("--report", metavar="HTML", help="also write the HTML report of the run (as `foreign-desk report`)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _batches(records: Iterator[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    while batch := list(islice(records, size)):
        yield batch


def run(args: argparse.Namespace) -> int:
    from foreign_desk.inference.readers import expand_inputs

    if args.batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    # Everything that can be checked before the work starts is: the inputs, the output path and its lock.
    inputs = expand_inputs(args.inputs)
    for path in args.actors:
        if not Path(path).is_file():
            raise FileNotFoundError(f"actor file not found: {path}")
    out = Path(args.output) if args.output else None
    writer = ResultWriter(out, resume=args.resume)
    try:
        return _run(args, inputs, out, writer)
    except BaseException:
        writer.abort(discard_empty=True)
        raise


def _run(args: argparse.Namespace, inputs: list[str], out: Path | None, writer: ResultWriter) -> int:
    from foreign_desk.inference.pipeline import Pipeline

    pipe = Pipeline.from_pretrained(
        args.models,
        topic_model=args.topic_model or DEFAULT_TOPIC_MODEL,
        stance_model=args.stance_model or DEFAULT_STANCE_MODEL,
        quantize=args.int8,
        quantize_stance=True if args.int8_stance else (False if args.fp32_stance else None),
        actors_files=args.actors,
        allow_unverified=args.allow_unverified,
    )
    writer.topic_labels = pipe.topic_labels
    if writer.done:
        log.info("resuming: %d records already in %s", len(writer.done), writer.partial)
    records = _skip_done(read_records(inputs), writer.done)
    shown = [] if args.table else None
    n = errors = 0
    start = time.perf_counter()
    progress = None if args.no_progress or out is None and not sys.stderr.isatty() else _progress()
    task = progress.add_task("predict", total=None) if progress else None
    try:
        if progress:
            progress.start()
        for batch in _batches(records, args.batch_size):
            for result in pipe.predict_records(batch):
                record = result.to_dict()
                writer.write(record)
                n += 1
                errors += record["error"] is not None
                if shown is not None and len(shown) < 200:
                    shown.append(record)
            writer.flush()
            if progress:
                progress.update(task, advance=len(batch))
    except BaseException as exc:  # run() closes the writer; OUT.partial stays for --resume
        if out is not None and (n or writer.done or isinstance(exc, KeyboardInterrupt)):
            print(f"interrupted: {n} new articles kept in {writer.partial}; rerun with --resume", file=sys.stderr)
        raise
    finally:
        if progress:
            progress.stop()
    writer.finish()
    elapsed = time.perf_counter() - start
    if shown is not None:
        from foreign_desk.inference.report import print_results_table

        print_results_table(shown)
    skipped = len(writer.done)
    rate = n / elapsed if elapsed > 0 else 0.0
    print(
        f"summary: {n} articles ({errors} errors{f', {skipped} skipped as done' if skipped else ''}) "
        f"in {elapsed:.1f} s ({rate:.1f} articles/s)" + (f" -> {out}" if out else ""),
        file=sys.stderr,
    )
    if getattr(args, "report", None):
        from foreign_desk.inference.commands.report import report_after_predict

        return report_after_predict(args, out)
    return 0


def _skip_done(records: Iterator[InputRecord], done: list[str]) -> Iterator[InputRecord]:
    """``records`` without the first ``len(done)``, which an interrupted run already wrote (in input order): kept by
    position, so a repeated id is never mistaken for a done one, and a record that failed is not tried again. An
    input whose ids no longer match the kept records is refused."""
    count = 0
    for position, record in enumerate(records):
        count = position + 1
        if position >= len(done):
            yield record
        elif id_key(record.id) != done[position]:
            raise ValueError(
                f"--resume: record {position + 1} of the input has id {id_key(record.id)!r} but the kept output has "
                f"{done[position]!r}: the input changed since the interrupted run (rerun without --resume)"
            )
    if count < len(done):
        raise ValueError(
            f"--resume: the kept output has {len(done)} records but the input only {count}: "
            "the input changed since the interrupted run (rerun without --resume)"
        )


def _progress():
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    class RateColumn(TextColumn):
        def __init__(self) -> None:
            super().__init__("")

        def render(self, task):  # noqa: ANN001 - rich API
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} articles/s" if speed else "")

    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
