"""`foreign-desk predict` (placeholder until its issue lands: registers nothing)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    return None
