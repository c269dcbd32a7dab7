"""Recall of the labelled actors in ../shared/data (skips when absent); the benchmark prints the details."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def load_benchmark(repo_root: Path):
    spec = importlib.util.spec_from_file_location("actor_recall", repo_root / "benchmarks" / "actor_recall.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("dataset", "floor"), [("reuters2017", 0.95), ("agnews_world", 0.90), ("reuters_world", 0.90), ("conflibert_cameo", 0.87)]
)
def test_recall_of_labelled_actors(repo_root: Path, shared_data: Path, dataset: str, floor: float) -> None:
    bench = load_benchmark(repo_root)
    result = bench.dataset_recall(shared_data, dataset)
    assert sum(result.totals.values()) > 1000
    assert result.overall >= floor, (dataset, result.overall, result.misses.most_common(10))
