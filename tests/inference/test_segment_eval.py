"""Boundary quality on dumps generated from reuters2017 in several layouts (benchmarks/dumpgen.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from foreign_desk.inference.segment import segment

REQUIRED = ("seed", "oneline", "crlf_mojibake", "noblank")


def _load_dumpgen():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "dumpgen.py"
    spec = importlib.util.spec_from_file_location("benchmarks_dumpgen", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks_dumpgen"] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


dumpgen = _load_dumpgen()


@pytest.fixture(scope="module")
def records(shared_data):
    return dumpgen.load_records(shared_data / "reuters2017" / "articles.jsonl")


@pytest.mark.parametrize("layout", REQUIRED)
def test_boundaries_and_bodies_in_every_layout(records, layout):
    text, truths = dumpgen.build_dump(records, layout, seed=7)
    assert len(truths) > 600
    scores = dumpgen.evaluate(truths, segment(text), text.count("\n") + 1)
    detail = "\n".join(scores.failures[:10])
    assert scores.f1 >= 0.995, detail
    assert scores.body_exact >= 0.99, detail
    assert scores.headline_exact >= 0.99, detail
    assert scores.pk <= 0.01 and scores.windowdiff <= 0.01


@pytest.mark.parametrize("layout", ["nodateline", "wrapped"])
def test_harder_layouts(records, layout):
    """No dateline anywhere (blank-line/headline fallback) and paragraphs hard-wrapped at 72 columns."""
    text, truths = dumpgen.build_dump(records, layout, seed=7)
    scores = dumpgen.evaluate(truths, segment(text), text.count("\n") + 1)
    assert scores.f1 >= 0.99 and scores.body_exact >= 0.97, "\n".join(scores.failures[:10])


def test_generator_truth_matches_its_layout(records):
    """The generated truth itself is consistent: starts are headline lines and spans do not overlap."""
    text, truths = dumpgen.build_dump(records[:50], "seed", seed=1)
    lines = text.split("\n")
    assert [lines[t.start - 1] for t in truths] == [t.headline for t in truths]
    assert all(a.end < b.start for a, b in zip(truths, truths[1:], strict=False))
    assert any(t.n_credits == 0 for t in truths) and any(t.n_credits > 0 for t in truths)


def test_evaluate_penalises_a_wrong_segmentation(records):
    """A segmentation that merges every pair of articles scores badly: the metric can fail."""
    text, truths = dumpgen.build_dump(records[:40], "seed", seed=3)
    articles = segment(text)[::2]
    scores = dumpgen.evaluate(truths, articles, text.count("\n") + 1)
    assert scores.recall <= 0.55 and scores.f1 < 0.8 and scores.pk > 0.1
