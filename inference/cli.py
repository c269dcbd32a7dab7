"""The ``foreign-desk`` console script.

Runtime subcommands live in ``foreign_desk.inference.commands.*``. Other installed packages (our ``training`` package) add
subcommands through the ``foreign_desk.commands`` entry-point group, so this module never imports them by name.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from importlib.metadata import entry_points
from typing import NoReturn

BUILTIN_COMMANDS = (
    "foreign_desk.inference.commands.segment",
    "foreign_desk.inference.commands.actors",
    "foreign_desk.inference.commands.stance",
    "foreign_desk.inference.commands.predict",
    "foreign_desk.inference.commands.report",
)
ENTRY_POINT_GROUP = "foreign_desk.commands"


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``foreign-desk predict: error: ... (see --help)``, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="foreign-desk",
        description="Topics and stance toward actors in international wire news.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in BUILTIN_COMMANDS:
        importlib.import_module(module_name).register(subparsers)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            register = ep.load()
        except ImportError as exc:  # e.g. a serving-only install without the training package
            logging.getLogger(__name__).debug("subcommand %r unavailable: %s", ep.name, exc)
            continue
        register(subparsers)
    return parser


def one_line(message: object, limit: int = 600) -> str:
    """A message on one line (a multi-line one, such as a pydantic validation error, joined with '; ')."""
    text = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(exc: BaseException) -> tuple[int, str]:
    """Exit code and one-line message for an exception ending a command.

    2: the input, arguments, configuration or a model are wrong (``ValueError`` and its kin: bad records are
    per-record errors and never get here); 1: the system failed (a file cannot be read or written, no memory) or an
    internal error (then with a hint to run with ``-v`` for the traceback).
    """
    import yaml

    if isinstance(exc, FileNotFoundError | NotADirectoryError | IsADirectoryError) and exc.filename is None:
        return 2, one_line(exc)  # our own messages, already naming the file
    if isinstance(exc, OSError):
        if exc.filename is not None:
            return 1, one_line(f"{exc.filename}: {exc.strerror or exc}")
        return 1, one_line(exc)
    if isinstance(exc, UnicodeError):
        return 2, one_line(f"not valid text ({exc})")
    if isinstance(exc, ValueError | yaml.YAMLError):
        return 2, one_line(exc)
    if isinstance(exc, RecursionError):
        return 1, "input nested too deeply"
    if isinstance(exc, MemoryError):
        return 1, "out of memory"
    return 1, one_line(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)")


OUTPUT_ARGUMENTS = ("output", "report")  # file outputs of any command (``-o``, ``predict --report``)


def _check_outputs(args: argparse.Namespace) -> None:
    """Every file output a command was given is checked before its work starts (a folder, a parent that is a file,
    a read-only folder), whatever the command."""
    from foreign_desk.inference.atomic import check_output_path

    for name in OUTPUT_ARGUMENTS:
        value = getattr(args, name, None)
        if isinstance(value, str | os.PathLike) and str(value) != "-":
            check_output_path(value)


def main(argv: list[str] | None = None) -> int:
    """Run one command. An expected failure ends it with one line on stderr and exit code 1 or 2 (see
    :func:`describe`), never a traceback; ``-v`` adds the traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        _check_outputs(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (``| head``): nothing to report
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        except OSError:
            pass
        return 1
    except Exception as exc:  # noqa: BLE001 - the one error path of every command
        code, message = describe(exc)
        if args.verbose:
            traceback.print_exc(file=sys.stderr)
        print(f"foreign-desk {args.command}: error: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
