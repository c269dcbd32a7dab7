"""`foreign-desk segment INPUT [-o OUT] [--table]`: split a raw wire-news dump into JSONL article records."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from foreign_desk.inference.article import Article
from foreign_desk.inference.atomic import atomic_output, check_output_path, json_line
from foreign_desk.inference.segment import segment, segment_file
from foreign_desk.inference.textio import decode_bytes

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "segment",
        help="split a raw dump into articles (JSONL)",
        description="Split a raw wire-news dump into articles: one JSON record per line with headline, caption, "
        "byline, dateline, paragraphs, subheads, credits, clean body text and line span.",
    )
    parser.add_argument("input", metavar="INPUT", help="dump file, or - for standard input")
    parser.add_argument("-o", "--output", metavar="OUT", help="JSONL file to write (default: standard output)")
    parser.add_argument(
        "--table",
        action="store_true",
        help="also print a table of the articles (to stdout with -o, else to stderr)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.output)  # before the work: a bad -o fails at once
    if args.input == "-":
        articles = segment(decode_bytes(sys.stdin.buffer.read(), "<stdin>"))
        if not articles:
            log.warning("<stdin>: no articles found (empty or blank input)")
    else:
        articles = segment_file(args.input)
    if args.output:
        write_jsonl(articles, Path(args.output))
        log.info("wrote %d article(s) to %s", len(articles), args.output)
    else:
        for line in _json_lines(articles):
            sys.stdout.write(line)
        sys.stdout.flush()
    if args.table:
        print_table(articles, to_stderr=not args.output)
    return 0


def _json_lines(articles: Iterable[Article]) -> Iterable[str]:
    for article in articles:
        yield json_line(article.to_dict())


def write_jsonl(articles: Iterable[Article], path: Path) -> None:
    """Write one JSON record per article atomically (see :func:`foreign_desk.inference.atomic.atomic_output`)."""
    with atomic_output(path) as handle:
        handle.writelines(_json_lines(articles))


def print_table(articles: list[Article], to_stderr: bool = False) -> None:
    """A readable rich table: headline, dateline, byline, paragraph count and the first body words."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(articles)} article(s)", show_lines=False)
    for name, width in (("#", 3), ("lines", 9), ("headline", 60), ("dateline", 22), ("byline", 24), ("¶", 3)):
        small = width <= 9
        table.add_column(name, min_width=width if small else None, max_width=width, no_wrap=True, overflow="ellipsis")
    table.add_column("body starts", max_width=48, no_wrap=True, overflow="ellipsis")
    for number, article in enumerate(articles, start=1):
        place, agency = article.dateline.place, article.dateline.agency
        dateline = " ".join(part for part in (place, f"({agency})" if agency else None) if part)
        span = f"{article.span[0]}-{article.span[1]}" if article.span else ""
        table.add_row(
            str(number),
            span,
            article.headline,
            dateline,
            ", ".join(article.byline),
            str(len(article.paragraphs)),
            " ".join(article.text.split()[:8]),
        )
    Console(stderr=to_stderr, width=max(Console(stderr=to_stderr).width, 180)).print(table)
