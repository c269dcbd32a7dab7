"""`foreign-desk segment` (placeholder until segmentation lands: registers nothing)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    return None
