"""Readable terminal tables of prediction results (``foreign-desk predict --table``, ``make demo``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

STANCE_STYLE = {"negative": "red", "neutral": "dim", "positive": "green"}


def results_table(records: Sequence[dict[str, Any]], max_actors: int = 8) -> Table:
    """One row per article: headline, topics with scores, actors with their stance (coloured)."""
    table = Table(title="foreign-desk predictions", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("headline", ratio=3)
    table.add_column("topics", ratio=2, no_wrap=True)
    table.add_column("actors (stance)", ratio=4)
    for i, rec in enumerate(records, start=1):
        if rec.get("error"):
            table.add_row(str(i), rec.get("headline") or rec.get("id") or "", "", f"[red]error: {rec['error']}[/red]")
            continue
        topics = rec.get("topics") or {}
        scores = topics.get("scores") or {}
        topic_text = "\n".join(f"{label} {scores.get(label, 0):.2f}" for label in topics.get("labels") or []) or "-"
        actors = []
        for actor in (rec.get("actors") or [])[:max_actors]:
            style = STANCE_STYLE.get(actor["stance"], "")
            actors.append(f"{actor['actor']} [{style}]{actor['stance']}[/{style}]")
        extra = len(rec.get("actors") or []) - max_actors
        if extra > 0:
            actors.append(f"… +{extra} more")
        table.add_row(str(i), rec.get("headline") or rec.get("id", ""), topic_text, "; ".join(actors) or "-")
    return table


def print_results_table(records: Sequence[dict[str, Any]], console: Console | None = None) -> None:
    (console or Console()).print(results_table(records))
