"""End-to-end speed of the pipeline with different topic models, measured fairly on a noisy shared machine.

    .venv/bin/python benchmarks/bench_topic_models.py [--models topic-ensemble-passages topic-routed]
        [--articles 60] [--repeats 3] [--batch-sizes 32] [--threads 2]

Every (topic model, precision, batch size) pipeline is loaded once in the same process, then all of them run the same
articles in turn, ``--repeats`` rounds, interleaved, and the best time of each is reported: machine load that comes
and goes hits every variant alike, unlike separate ``bench_pipeline.py`` runs. Corpus as in ``bench_pipeline.py``
(the first N Reuters articles of ../shared/data as a raw dump, segmented first; the bundled sample when absent).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from foreign_desk.inference.paths import DEFAULT_BATCH_SIZE, DEFAULT_TOPIC_MODEL
from foreign_desk.inference.pipeline import Pipeline
from foreign_desk.inference.segment import segment

try:
    from bench_pipeline import DEFAULT_DATA, corpus_dump
except ImportError:  # run as a module from the repository root
    from benchmarks.bench_pipeline import DEFAULT_DATA, corpus_dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--models", nargs="+", default=["topic-ensemble-passages", DEFAULT_TOPIC_MODEL])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[DEFAULT_BATCH_SIZE])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-int8", action="store_true", help="fp32 only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dump, what = corpus_dump(args.data, args.articles)
    articles = segment(dump)
    console = Console()
    console.print(f"corpus: {what}; {len(articles)} articles; torch threads {torch.get_num_threads()}")
    precisions = [False] if args.no_int8 else [False, True]
    pipes = {}
    for model in args.models:
        for quantize in precisions:
            pipe = Pipeline.from_pretrained(topic_model=model, quantize=quantize)
            pipe.predict(articles[:2])  # warm-up
            for batch in args.batch_sizes:
                pipes[(model, quantize, batch)] = pipe
    best: dict[tuple, float] = {}
    for _ in range(args.repeats):
        for key, pipe in pipes.items():
            start = time.perf_counter()
            pipe.predict(articles, batch_size=key[2])
            best[key] = min(best.get(key, float("inf")), time.perf_counter() - start)
    table = Table(title=f"end to end, best of {args.repeats} interleaved rounds ({len(articles)} articles)")
    for column in ("topic model", "precision", "articles per batch", "seconds", "articles/s"):
        table.add_column(column, justify="left" if column == "topic model" else "right")
    for (model, quantize, batch), seconds in best.items():
        table.add_row(model, "int8" if quantize else "fp32", str(batch), f"{seconds:.2f}", f"{len(articles) / seconds:.1f}")
    console.print(table)


if __name__ == "__main__":
    main()
