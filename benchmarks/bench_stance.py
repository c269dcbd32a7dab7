"""Stance step throughput: targets/s with multi-target encoding (one pass per sentence) vs one pass per target,
fp32 and int8, printed as a table.

    .venv/bin/python benchmarks/bench_stance.py [--model models/stance-minilm] [--threads 2] [--articles 40]
        [--newsmtsc 400] [--batch-size 32] [--repeat 2]

Workloads: actor mentions of the first reuters2017 articles (several mentions per sentence, as the article-level
step sees them) and NewsMTSC sentences (1.1 targets per sentence). Without ../shared/data a generated workload of
hand-written sentences is used. Each cell is the best of ``--repeat`` runs; agreement = share of identical labels
between the two encodings.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from foreign_desk.inference.stance import StanceClassifier, StanceTarget

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def reuters_results(data: Path, n: int) -> list:
    """The actors found in the first ``n`` reuters2017 articles (``ActorResult`` per article)."""
    from foreign_desk.inference.actors import ActorExtractor

    extractor = ActorExtractor.default()
    with (data / "reuters2017" / "articles.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line, _ in zip(fh, range(n), strict=False)]
    return [extractor.extract(rec["text"], headline=rec.get("title") or "") for rec in records]


def reuters_targets(data: Path, n: int) -> list[StanceTarget]:
    from foreign_desk.inference.stance.article import collect_targets

    return [t for result in reuters_results(data, n) for t in collect_targets(result)[0]]


def article_level(clf, results: list, repeat: int) -> None:
    """Article-level step (``ArticleStance.predict``: every mention scored, then per actor the head or the rule)."""
    from foreign_desk.inference.stance.article import ArticleStance, collect_targets

    n_targets = sum(len(collect_targets(r)[0]) for r in results)
    n_actors = sum(len(r.actors) for r in results)
    print(f"\narticle level, {len(results)} reuters2017 articles, {n_actors} actors, {n_targets} mentions\n")
    print("| decision | seconds | targets/s | actors/s |")
    print("|---|---:|---:|---:|")
    for name, use_head in (("article head (default)", True), ("aggregation rule", False)):
        step = ArticleStance(clf, use_head=use_head)
        if use_head and step.head is None:
            continue
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            step.predict(results)
            best = min(best, time.perf_counter() - start)
        print(f"| {name} | {best:.2f} | {n_targets / best:.1f} | {n_actors / best:.1f} |")


def newsmtsc_targets(data: Path, n: int) -> list[StanceTarget]:
    out: list[StanceTarget] = []
    with (data / "newsmtsc" / "train.jsonl").open(encoding="utf-8") as fh:
        for line, _ in zip(fh, range(n), strict=False):
            rec = json.loads(line)
            out.extend(StanceTarget(rec["sentence_normalized"], t["from"], t["to"]) for t in rec["targets"])
    return out


def generated_targets(n: int) -> list[StanceTarget]:
    names = ["Ruritania", "Freedonia", "Latveria", "Governor Vale"]
    out = []
    for i in range(n):
        a, b = names[i % 4], names[(i + 1) % 4]
        text = f"Officials in {a} said on day {i} that talks with {b} had stalled, and {a} blamed {b} for it."
        for name in (a, b):
            for k in (text.find(name), text.rfind(name)):
                out.append(StanceTarget(text, k, k + len(name)))
    return out


def run(clf, targets: list[StanceTarget], share: bool, batch_size: int, repeat: int) -> tuple[float, np.ndarray]:
    best, proba = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        with torch.inference_mode():
            if clf.kind == "minilm":
                proba = torch.softmax(clf.logits(targets, batch_size, share_texts=share), -1).numpy()
            else:
                proba = clf.predict_proba(targets)
        best = min(best, time.perf_counter() - start)
    return best, proba


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--newsmtsc", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.data.is_dir():
        workloads = {
            f"reuters2017 mentions ({args.articles} articles)": reuters_targets(args.data, args.articles),
            f"NewsMTSC ({args.newsmtsc} sentences)": newsmtsc_targets(args.data, args.newsmtsc),
        }
    else:
        workloads = {"generated (no shared data)": generated_targets(200)}
    models = {"fp32": StanceClassifier.from_pretrained(args.model), "int8": StanceClassifier.from_pretrained(
        args.model, quantize=True)}
    print(f"\nstance step, {args.threads} thread(s), batch {args.batch_size}, best of {args.repeat}\n")
    print("| workload | targets | texts | precision | multi-target targets/s | one-pass-per-target targets/s | "
          "speed-up | label agreement |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for clf in models.values():  # warm-up
        run(clf, generated_targets(8), True, args.batch_size, 1)
    for name, targets in workloads.items():
        texts = len({t.text for t in targets})
        for precision, clf in models.items():
            multi_s, multi_p = run(clf, targets, True, args.batch_size, args.repeat)
            single_s, single_p = run(clf, targets, False, args.batch_size, args.repeat)
            agree = float(np.mean(multi_p.argmax(1) == single_p.argmax(1)))
            print(
                f"| {name} | {len(targets)} | {texts} | {precision} | {len(targets) / multi_s:.1f} | "
                f"{len(targets) / single_s:.1f} | {single_s / multi_s:.2f}x | {agree:.3f} |"
            )
    if args.data.is_dir() and models["fp32"].kind == "minilm":
        article_level(models["fp32"], reuters_results(args.data, args.articles), args.repeat)


if __name__ == "__main__":
    main()
