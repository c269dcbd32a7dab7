"""The readable results table shows headline, every topic, and each actor with its stance."""

from __future__ import annotations

from rich.console import Console

from foreign_desk.inference.report import print_results_table


def test_table_lists_topics_actors_and_errors() -> None:
    console = Console(record=True, width=160)
    records = [
        {
            "id": "a",
            "headline": "Envoys meet",
            "topics": {"labels": ["diplomacy", "territorial_dispute"], "scores": {"diplomacy": 0.91, "territorial_dispute": 0.7}},
            "actors": [{"actor": "China", "stance": "negative"}, {"actor": "Vietnam", "stance": "positive"}],
            "error": None,
        },
        {"id": "b", "headline": "", "topics": {}, "actors": [], "error": "line 2: invalid JSON"},
    ]
    print_results_table(records, console=console)
    text = console.export_text()
    assert "territorial_dispute 0.70" in text and "diplomacy 0.91" in text
    assert "China negative" in text and "Vietnam positive" in text
    assert "error: line 2: invalid JSON" in text
