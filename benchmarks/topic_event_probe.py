"""CASE-style event snippets: does a one-sentence diplomatic event get ``diplomacy``, and do disaster and crime
snippets stay free of core topics? Prints a table and the misses.

    .venv/bin/python benchmarks/topic_event_probe.py [--model models/topic-ensemble-passages] [--int8]

The snippets (``benchmarks/data/event_snippets.jsonl``) were written for this probe in the style of event-detection
corpora (CASE 2021): 50 diplomatic events (talks, calls, visits, protests to envoys, expulsions, accords) and 51
disaster and crime reports that name places but no relations between states. The bars (issue 11): diplomacy recall
>= 0.80 on diplomatic events while any core topic fires on <= 5 % of disaster/crime snippets.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from foreign_desk.inference.paths import DEFAULT_TOPIC_MODEL, default_models_dir
from foreign_desk.inference.topics import TopicClassifier

SNIPPETS = Path(__file__).resolve().parent / "data" / "event_snippets.jsonl"
CORE = ("diplomacy", "sanctions", "territorial_dispute")


def load_snippets(path: Path = SNIPPETS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def probe(clf, snippets: list[dict]) -> dict:
    """Diplomacy recall on the diplomatic events, the share of other snippets with any core topic, and both lists."""
    preds = clf.predict([s["text"] for s in snippets])
    diplomatic = [(s, p) for s, p in zip(snippets, preds, strict=True) if s["kind"] == "diplomatic"]
    other = [(s, p) for s, p in zip(snippets, preds, strict=True) if s["kind"] != "diplomatic"]
    misses = [(s["text"], p.scores["diplomacy"]) for s, p in diplomatic if "diplomacy" not in p.labels]
    alarms = [(s["text"], [x for x in p.labels if x in CORE]) for s, p in other if set(p.labels) & set(CORE)]
    return {
        "diplomatic": len(diplomatic),
        "other": len(other),
        "diplomacy_recall": 1 - len(misses) / max(1, len(diplomatic)),
        "core_fire_rate": len(alarms) / max(1, len(other)),
        "misses": misses,
        "alarms": alarms,
        "threshold": clf.thresholds.get("diplomacy") if hasattr(clf, "thresholds") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=default_models_dir() / DEFAULT_TOPIC_MODEL)
    parser.add_argument("--int8", action="store_true")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(2)
    clf = TopicClassifier.from_pretrained(args.model, quantize=args.int8)
    r = probe(clf, load_snippets())
    console = Console()
    table = Table(title=f"event snippets: {args.model.name}{' int8' if args.int8 else ''}")
    for col in ("measure", "value", "bar"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row(f"diplomacy recall ({r['diplomatic']} diplomatic events)", f"{r['diplomacy_recall']:.2f}", ">= 0.80")
    table.add_row(f"core topic fires ({r['other']} disaster/crime)", f"{r['core_fire_rate']:.1%}", "<= 5 %")
    console.print(table)
    for text, score in r["misses"]:
        console.print(f"miss  p(diplomacy)={score:.2f}  {text}")
    for text, labels in r["alarms"]:
        console.print(f"alarm {','.join(labels)}  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
