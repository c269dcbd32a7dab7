"""Small hand-written prediction records for the report tests (invented text, not taken from any data set)."""

from __future__ import annotations

import json
from pathlib import Path

XSS_HEADLINE = "Ministers meet <script>alert(1)</script> in Valletta"
XSS_SENTENCE = 'Officials said "</script><script>alert(2)</script>" was not a real threat <!-- nor this -->.'

LABELS = ("diplomacy", "sanctions", "territorial_dispute", "military", "trade")


def _scores(labels: list[str]) -> dict[str, float]:
    return {label: (0.9 if label in labels else 0.04) for label in LABELS}


def _actor(name: str, type_: str, stance: str, sentence: str, mentions: int = 2, affiliation: str | None = None) -> dict:
    probs = {"negative": 0.1, "neutral": 0.2, "positive": 0.1}
    probs[stance] = 0.7
    return {"actor": name, "type": type_, "affiliation": affiliation, "mentions": mentions, "stance": stance,
            "scores": probs, "evidence": [{"sentence": sentence, "stance": stance, "score": 0.8}]}  # fmt: skip


def records() -> list[dict]:
    """Six records: five articles (dates over two days, topic evidence and relations in some) and one error."""
    s1 = "Freedonia praised Sylvania for reopening the border crossing."
    s2 = "Sylvania accused Freedonia of stalling the grain deal."
    s3 = "Minister Ada Varga said the talks in Valletta were useful."
    return [
        {
            "id": "r1", "headline": "Freedonia and Sylvania reopen border talks", "date": "2026-03-02",
            "source": "Wire One", "url": "https://example.org/r1",
            "topics": {"labels": ["diplomacy", "territorial_dispute"], "scores": _scores(["diplomacy", "territorial_dispute"]),
                       "evidence": {"diplomacy": [{"text": s1, "score": 0.88}]}},
            "actors": [_actor("Freedonia", "country", "positive", s1, 3), _actor("Sylvania", "country", "positive", s1)],
            "relations": [{"holder": "Freedonia", "target": "Sylvania", "stance": "positive", "holder_text": "Freedonia",
                           "target_text": "Sylvania", "sentence": s1, "score": 0.9}],
            "error": None,
        },
        {
            "id": "r2", "headline": "Grain deal stalls as Sylvania blames Freedonia", "date": "2026-03-02T09:30:00Z",
            "topics": {"labels": ["trade", "sanctions"], "scores": _scores(["trade", "sanctions"])},
            "actors": [_actor("Sylvania", "country", "neutral", s2), _actor("Freedonia", "country", "negative", s2, 4)],
            "relations": [{"holder": "Sylvania", "target": "Freedonia", "stance": "negative", "holder_text": "Sylvania",
                           "target_text": "Freedonia", "sentence": s2, "score": 0.8}],
            "error": None,
        },
        {
            "id": "r3", "headline": XSS_HEADLINE, "date": "2026-03-03", "url": "javascript:alert(3)",
            "topics": {"labels": ["diplomacy"], "scores": _scores(["diplomacy"])},
            "actors": [_actor("Ada Varga", "person", "neutral", s3, 1, "Freedonia"),
                       _actor("Grand Union", "organisation", "negative", XSS_SENTENCE)],
            "error": None,
        },
        {
            "id": "r4", "headline": "Navy drills near the strait", "date": "2026-03-03",
            "topics": {"labels": ["military"], "scores": _scores(["military"])},
            "actors": [_actor("Sylvania", "country", "negative", "Sylvania sent ships to the strait.")],
            "error": None,
        },
        {
            "id": "r5", "headline": "Quiet day at the ministry",
            "topics": {"labels": [], "scores": _scores([])}, "actors": [], "error": None,
        },
        {"id": "r6", "headline": "Broken record", "topics": {"labels": [], "scores": {}}, "actors": [],
         "error": "RuntimeError: the model failed on this one"},
    ]  # fmt: skip


def write_jsonl(path: Path, extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records()]
    path.write_text("\n".join([*lines[:3], *extra_lines, *lines[3:]]) + "\n", encoding="utf-8")
    return path
