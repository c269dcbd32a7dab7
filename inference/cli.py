"""The ``foreign-desk`` console script.

Runtime subcommands live in ``foreign_desk.inference.commands.*``. Other installed packages (our ``training`` package) add
subcommands through the ``foreign_desk.commands`` entry-point group, so this module never imports them by name.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from importlib.metadata import entry_points

BUILTIN_COMMANDS = (
    "foreign_desk.inference.commands.segment",
    "foreign_desk.inference.commands.actors",
    "foreign_desk.inference.commands.stance",
    "foreign_desk.inference.commands.predict",
)
ENTRY_POINT_GROUP = "foreign_desk.commands"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError) as exc:
        print(f"foreign-desk {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
