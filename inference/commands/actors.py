"""`foreign-desk actors INPUT... [-o OUT] [--actors FILE]`: the actors of each article, as JSONL.

INPUT is read like ``foreign-desk predict`` reads it (:mod:`foreign_desk.inference.readers`): JSONL lines
``{"id", "text"[, "headline" or "title"]}``, CSV/Parquet with the same columns, raw Reuters-style dumps (segmented
into articles), directories or globs; ``-`` reads stdin. Each output line is ``{"id", "actors": [...]}`` with mention
offsets into the article's ``full_text`` (``headline + "\\n\\n" + text`` as read, or ``text`` without a headline), or
``{"id", "error": "..."}`` for a record that cannot be read or analysed; the other records are still processed. A
record that had to be changed to be processed safely (a body over the size limit, lone surrogates) also carries
``"warnings": [...]``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.atomic import atomic_output, check_output_path, json_line
from foreign_desk.inference.readers import InputRecord, expand_inputs, read_records
from foreign_desk.inference.wire import sanitize_article

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "actors",
        help="find and normalise the actors (countries, people, organisations) of each article",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", metavar="INPUT", nargs="+",
                        help="JSONL/CSV/Parquet of {id, text[, headline]} records, a raw dump, a directory, or -")
    parser.add_argument("-o", "--output", metavar="OUT", type=Path, help="output JSONL file (default: stdout)")
    parser.add_argument("--actors", metavar="FILE", action="append", default=[], type=Path,
                        help="actor YAML file adding or overriding gazetteer entries (repeatable)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.output)  # before the work: a bad -o fails at once
    inputs = expand_inputs(args.inputs)
    for path in args.actors:
        if not path.is_file():
            raise FileNotFoundError(f"actor file not found: {path}")
    extractor = ActorExtractor(user_files=args.actors) if args.actors else ActorExtractor.default()
    total = errors = 0
    with atomic_output(args.output) as sink:
        for out in annotate(read_records(inputs), extractor):
            total += 1
            errors += "error" in out
            sink.write(json_line(out))
    log.info("actors: %d records, %d errors", total, errors)
    return 0


def annotate(records: Iterable[InputRecord], extractor: ActorExtractor) -> Iterator[dict[str, Any]]:
    """One output object per input record; a record that fails gives ``{"id", "error"}`` and the rest go on."""
    for record in records:
        if record.article is None:
            yield {"id": record.id, "error": record.error or f"{record.source}: unreadable record"}
            continue
        article = sanitize_article(record.article)  # surrogates and size limits (a no-op when clean)
        try:
            result = extractor.extract(article.text, headline=article.headline)
        except Exception as exc:  # noqa: BLE001 - one bad record must not lose the others
            log.warning("actors failed on %s (id %s): %s: %s", record.source, record.id, type(exc).__name__, exc)
            log.debug("traceback", exc_info=True)
            yield {"id": record.id, "error": f"{record.source} (id {record.id}): actor extraction failed: {exc}"}
            continue
        out: dict[str, Any] = {"id": article.id, "actors": [a.to_dict() for a in result.actors]}
        if article.warnings:
            out["warnings"] = list(article.warnings)
        yield out
