"""``foreign-desk report PRED.jsonl [more...] -o report.html``: the analyst's self-contained HTML report of a run."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from foreign_desk.inference.paths import DEFAULT_STANCE_MODEL, DEFAULT_TOPIC_MODEL

log = logging.getLogger(__name__)
MAX_WARNINGS_PRINTED = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="one self-contained HTML report of a run's predictions",
        description="Read the JSONL records written by `foreign-desk predict` and write one self-contained HTML page "
        "(charts, styles and scripts inlined; it opens offline): topics, actors × stance, topic × actor, "
        "holder → target, a searchable article list with the evidence, and the run summary.",
    )
    p.add_argument("inputs", nargs="+", metavar="PRED", help="JSONL prediction file(s), or - for standard input")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="HTML file to write (e.g. report.html)")
    p.add_argument("--title", default=None, help="page title (default: 'foreign-desk report')")
    p.add_argument("--models", default=None, help="models directory to describe (default: the committed models/)")
    p.add_argument("--topic-model", default=DEFAULT_TOPIC_MODEL, help=f"topic model of the run (default {DEFAULT_TOPIC_MODEL})")
    p.add_argument(
        "--stance-model", default=DEFAULT_STANCE_MODEL, help=f"stance model of the run (default {DEFAULT_STANCE_MODEL})"
    )
    p.add_argument("--no-models", action="store_true", help="leave the models out of the run summary")
    p.set_defaults(func=run)


def model_names(args: argparse.Namespace) -> list[str]:
    return [args.topic_model or DEFAULT_TOPIC_MODEL, args.stance_model or DEFAULT_STANCE_MODEL]


def run(args: argparse.Namespace) -> int:
    from foreign_desk.inference.report_html import build_report, load_predictions

    out = Path(args.output)
    if out.is_dir():
        print(f"foreign-desk report: error: {out}: is a directory (give a file name such as report.html)", file=sys.stderr)
        return 2
    loaded = load_predictions(args.inputs)  # FileNotFoundError / ValueError -> one line, exit 2 (cli.main)
    for problem in loaded.problems[:MAX_WARNINGS_PRINTED]:
        log.warning("%s", problem)
    if loaded.n_problems > MAX_WARNINGS_PRINTED:
        log.warning("... %d more malformed lines (listed in the report)", loaded.n_problems - MAX_WARNINGS_PRINTED)
    models = None if args.no_models else describe(args.models, model_names(args))
    data = build_report(loaded, models=models)
    if not data.articles and not data.errors:
        log.warning("no prediction records found in %s; writing an empty report", ", ".join(args.inputs))
    return write(data, out, args.title)


def describe(models_dir: str | None, names: list[str]) -> list[dict] | None:
    from foreign_desk.inference.report_html.models import describe_models

    try:
        return describe_models(models_dir, names)
    except Exception as exc:  # noqa: BLE001 - the report never fails over the model summary
        log.warning("cannot describe the models (%s); the report leaves them out", exc)
        return None


def write(data, out: Path, title: str | None = None, prog: str = "foreign-desk report") -> int:  # noqa: ANN001
    """Write the report (``data``: a ``ReportData``); an unwritable output is one line on stderr and exit 1."""
    from foreign_desk.inference.report_html import write_report

    try:
        write_report(data, out, title=title)
    except OSError as exc:
        print(f"{prog}: error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    s = data.summary
    print(
        f"report: {s['articles']} articles, {s['errors']} errors"
        + (f", {s['malformed_lines']} malformed lines skipped" if s["malformed_lines"] else "")
        + f" -> {out} ({out.stat().st_size / 1e6:.2f} MB)",
        file=sys.stderr,
    )
    return 0


def report_after_predict(args: argparse.Namespace, out: Path | None) -> int:
    """``predict ... -o OUT --report HTML``: the report of the finished output file (JSONL, CSV or Parquet, so a
    resumed run's earlier records are in it too), describing the models the run used."""
    if out is None:
        print("foreign-desk predict: error: --report needs -o OUT (the report is read from the output file)",
              file=sys.stderr)  # fmt: skip
        return 2
    from foreign_desk.inference.report_html import build_report, load_predictions

    report = Path(args.report)
    if report.is_dir():
        print(f"foreign-desk predict: error: --report {report}: is a directory", file=sys.stderr)
        return 2
    loaded = load_predictions([out])
    data = build_report(loaded, models=describe(args.models, model_names(args)))
    return write(data, report, prog="foreign-desk predict")
