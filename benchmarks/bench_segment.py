"""Segmentation speed and quality on generated dumps: prints a table of MB/s, articles/s, boundary P/R/F1,
exact body start/end, Pk and WindowDiff per layout.

    .venv/bin/python benchmarks/bench_segment.py [--repeat 3] [--copies 1]

Needs ../shared/data/reuters2017/articles.jsonl; without it, only the bundled sample dump is timed. Runs on one
core (segmentation is single-threaded).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dumpgen  # noqa: E402

from foreign_desk.inference.segment import segment  # noqa: E402


def _best_time(text: str, repeat: int) -> tuple[float, list]:
    best, articles = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        articles = segment(text)
        best = min(best, time.perf_counter() - start)
    return best, articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per layout; the best is reported")
    parser.add_argument("--copies", type=int, default=1, help="concatenate the corpus this many times per dump")
    args = parser.parse_args(argv)

    header = (
        f"{'layout':<14} {'MB':>6} {'articles':>8} {'sec':>6} {'MB/s':>6} {'art/s':>8} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'body':>6} {'Pk':>6} {'WD':>6}"
    )
    print(header)
    print("-" * len(header))
    if not dumpgen.ARTICLES.exists():
        sample = (dumpgen.REPO / "samples" / "sample_dump.txt").read_text(encoding="utf-8")
        text = "\n\n".join([sample] * 200)
        seconds, articles = _best_time(text, args.repeat)
        mb = len(text.encode()) / 1e6
        print(f"{'sample x200':<14} {mb:6.2f} {len(articles):8d} {seconds:6.3f} {mb / seconds:6.2f} "
              f"{len(articles) / seconds:8.0f}")  # fmt: skip
        return 0
    records = dumpgen.load_records() * args.copies
    for layout in dumpgen.LAYOUTS:
        text, truths = dumpgen.build_dump(records, layout)
        seconds, articles = _best_time(text, args.repeat)
        scores = dumpgen.evaluate(truths, articles, text.count("\n") + 1)
        mb = len(text.encode()) / 1e6
        print(
            f"{layout:<14} {mb:6.2f} {len(articles):8d} {seconds:6.3f} {mb / seconds:6.2f} "
            f"{len(articles) / seconds:8.0f} {scores.precision:6.4f} {scores.recall:6.4f} {scores.f1:6.4f} "
            f"{scores.body_exact:6.4f} {scores.pk:6.4f} {scores.windowdiff:6.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
