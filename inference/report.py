"""Readable terminal tables of prediction results (``foreign-desk predict --table``, ``make demo``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STANCE_STYLE = {"negative": "red", "neutral": "dim", "positive": "green"}


def results_table(records: Sequence[dict[str, Any]], max_actors: int = 8) -> Table:
    """One row per article: headline, topics with scores (and the passage that carried each), actors with their
    stance (coloured)."""
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
        evidence = topics.get("evidence") or {}
        lines = []
        for label in topics.get("labels") or []:
            lines.append(f"{label} {scores.get(label, 0):.2f}")
            passages = evidence.get(label) or []
            if passages:  # the passage that carried the label, shortened
                text = " ".join(str(passages[0].get("text", "")).split())
                lines.append(f"[dim]  “{escape(text[:57] + '…' if len(text) > 58 else text)}”[/dim]")
        topic_text = "\n".join(lines) or "-"
        actors = []
        for actor in (rec.get("actors") or [])[:max_actors]:
            style = STANCE_STYLE.get(actor["stance"], "")
            actors.append(f"{actor['actor']} [{style}]{actor['stance']}[/{style}]")
        extra = len(rec.get("actors") or []) - max_actors
        if extra > 0:
            actors.append(f"… +{extra} more")
        table.add_row(str(i), rec.get("headline") or rec.get("id", ""), topic_text, "; ".join(actors) or "-")
    return table


def relation_pairs(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's directed holder -> target pairs: counts by stance, mean score, the strongest sentence; pairs with
    the most relations first."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in records:
        for r in rec.get("relations") or []:
            p = pairs.setdefault(
                (r["holder"], r["target"]),
                {"holder": r["holder"], "target": r["target"], "counts": dict.fromkeys(STANCE_STYLE, 0),
                 "scores": [], "best": (0.0, "")},
            )  # fmt: skip
            p["counts"][r["stance"]] = p["counts"].get(r["stance"], 0) + 1
            p["scores"].append(float(r["score"]))
            if float(r["score"]) > p["best"][0]:
                p["best"] = (float(r["score"]), r["sentence"])
    out = []
    for p in pairs.values():
        p["n"] = len(p["scores"])
        p["mean_score"] = sum(p["scores"]) / p["n"]
        out.append(p)
    out.sort(key=lambda p: (-p["n"], -p["mean_score"], p["holder"], p["target"]))
    return out


def relations_table(records: Sequence[dict[str, Any]], top: int = 15) -> Table:
    """The strongest holder -> target pairs of the records, with counts by stance."""
    pairs = relation_pairs(records)
    table = Table(title=f"who toward whom: {len(pairs)} holder -> target pairs (top {min(top, len(pairs))})", expand=True)
    table.add_column("holder -> target", ratio=2)
    for stance, style in STANCE_STYLE.items():
        table.add_column(f"[{style}]{stance}[/{style}]", justify="right", no_wrap=True)
    table.add_column("mean score", justify="right", no_wrap=True)
    table.add_column("strongest sentence", ratio=4)
    for p in pairs[:top]:
        text = " ".join(p["best"][1].split())
        table.add_row(
            f"{escape(p['holder'])} -> {escape(p['target'])}",
            *(str(p["counts"].get(s, 0)) for s in STANCE_STYLE),
            f"{p['mean_score']:.2f}",
            escape(text[:117] + "…" if len(text) > 118 else text),
        )
    return table


def print_results_table(records: Sequence[dict[str, Any]], console: Console | None = None) -> None:
    console = console or Console()
    console.print(results_table(records))
    if any(rec.get("relations") for rec in records):
        console.print(relations_table(records))
