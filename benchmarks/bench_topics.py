"""Topic models: training time (from the saved models), size on disk and inference speed; prints a table.

    .venv/bin/python benchmarks/bench_topics.py [--models models/topic-tfidf models/topic-minilm] [--threads 2]

Speed is measured on the shared Reuters articles (long: headline + ~380 words) and AG News snippets (short) when
../shared/data is present, otherwise on synthetic wire-style text. The MiniLM model is timed in float32 and with
int8 quantization (static where the model stores a calibration, else dynamic).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from foreign_desk.inference.topics import TopicClassifier

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
SYNTHETIC_BODY = (
    "Foreign ministers met on Tuesday to discuss the sanctions imposed on the country's banks, while envoys said the "
    "dispute over the islands would be raised at the summit. Officials in the capital rejected the claims. "
) * 12


def load_corpora(data: Path, n_long: int, n_short: int) -> dict[str, list[dict]]:
    corpora: dict[str, list[dict]] = {}
    for name, rel, n in [
        ("reuters (long)", "reuters2017/articles.jsonl", n_long),
        ("agnews (short)", "agnews_world/items.jsonl", n_short),
    ]:
        path = data / rel
        if path.is_file():
            rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()][:n]
            corpora[name] = [{"title": r.get("title", ""), "text": r["text"]} for r in rows]
    if not corpora:
        corpora["synthetic (long)"] = [{"title": "Ministers meet", "text": SYNTHETIC_BODY}] * n_long
    return corpora


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def bench(
    model_dir: Path, quantize: bool, corpora: dict[str, list[dict]], batch_size: int, repeat: int
) -> list[list[str]]:
    started = time.perf_counter()
    clf = TopicClassifier.from_pretrained(model_dir, quantize=quantize)
    load_s = time.perf_counter() - started
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    train_s = config.get("training_seconds")
    variant = clf.kind + (" int8" if quantize else (" fp32" if clf.kind == "minilm" else ""))
    rows = []
    clf.predict_proba(next(iter(corpora.values()))[:4])  # warm-up
    for name, items in corpora.items():
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            clf.predict(items, batch_size=batch_size)
            best = min(best, time.perf_counter() - t0)
        rate = len(items) / best
        rows.append(
            [
                variant,
                name,
                str(len(items)),
                f"{rate:.1f}",
                f"{load_s:.1f}",
                f"{train_s / 60:.1f}" if train_s is not None else "",
                f"{dir_mb(model_dir):.1f}",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--models", nargs="+", default=[str(REPO / "models/topic-tfidf"), str(REPO / "models/topic-minilm")]
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--long", type=int, default=100, help="number of long articles")
    parser.add_argument("--short", type=int, default=300, help="number of short snippets")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=2, help="best of N timed runs")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    corpora = load_corpora(Path(args.data), args.long, args.short)
    title = (
        f"topic models on this machine ({args.threads} torch threads, batch {args.batch_size}, best of {args.repeat})"
    )
    table = Table(title=title)
    for col in ("model", "input", "articles", "articles/s", "load s", "train min", "dir MB"):
        table.add_column(col, justify="left" if col in ("model", "input") else "right")
    for model in args.models:
        model_dir = Path(model)
        if not (model_dir / "config.json").is_file():
            Console().print(f"[yellow]skipping {model_dir}: not trained yet[/yellow]")
            continue
        kind = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["kind"]
        for quantize in (False, True) if kind == "minilm" else (False,):
            for row in bench(model_dir, quantize, corpora, args.batch_size, args.repeat):
                table.add_row(*row)
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
