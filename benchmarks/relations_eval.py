"""Relation quality and cost: directed holder -> target stance on held-out CAMEO sentences, against a baseline, and
what the relation step adds to ``predict`` time.

    .venv/bin/python benchmarks/relations_eval.py [--model models/relations-pairs] [--split test] [--output m.json]
    .venv/bin/python benchmarks/relations_eval.py --cost [--articles 60] [--repeats 3] [--threads 1]
    .venv/bin/python benchmarks/relations_eval.py --sample 30 [--seed 0]   # relations from reuters_world to judge

Quality: the model's held-out split of the ConfliBERT CAMEO sentences (recomputed from its saved training config);
sentences with a source, a target and a cooperation/conflict class. Pair found = the product outputs a relation whose
holder mention overlaps the source span and target mention the target span; polarity accuracy over found pairs;
directed accuracy = found and right polarity, over all such sentences. Baseline: first actor -> second actor of the
sentence with the majority polarity of train.

Cost: the same ``Pipeline`` (same loaded models) with and without the relation model on the first N reuters_world
articles, timed alternately ``--repeats`` times (the best of each); the relation step reuses the stance pass's
encoder states, so what it adds is the pair head and the bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def articles(data: Path, n: int) -> list[dict]:
    rows = []
    with open(data / "reuters_world" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows.append({"id": row.get("id"), "headline": row.get("title") or "", "text": row["text"]})
    return rows[:n] if n else rows


def cost(args) -> None:
    import torch

    from foreign_desk.inference import Pipeline

    torch.set_num_threads(args.threads)
    items = articles(args.data, args.articles)
    full = Pipeline.from_pretrained(relation_model=args.model)
    if full.relation_model is None:
        raise SystemExit("no relation model in the models folder")
    plain = Pipeline(full.topic_model, full.stance_model, full.extractor)
    full.predict(items[:4])  # warm-up
    plain.predict(items[:4])
    times: dict[str, list[float]] = {"without relations": [], "with relations": []}
    n_rel = 0
    for _ in range(args.repeats):
        for name, pipe in (("without relations", plain), ("with relations", full)):
            started = time.perf_counter()
            results = pipe.predict(items, batch_size=16)
            times[name].append(time.perf_counter() - started)
            if pipe is full:
                n_rel = sum(len(r.relations) for r in results)
    base, rel = min(times["without relations"]), min(times["with relations"])
    rm = full.relation_model
    print(f"{len(items)} reuters_world articles, {args.threads} thread(s), best of {args.repeats}:")
    print("| pipeline | seconds | articles/s |")
    print("|---|---:|---:|")
    for name, t in (("without relations", base), ("with relations", rel)):
        print(f"| {name} | {t:.2f} | {len(items) / t:.2f} |")
    print(f"relation step adds {100 * (rel - base) / base:+.1f} % ({n_rel} relations per run; sentence states reused "
          f"from the stance pass: {rm.reused}, encoded again: {rm.encoded})")  # fmt: skip


def sample(args) -> None:
    import torch

    from foreign_desk.inference import Pipeline

    torch.set_num_threads(args.threads)
    items = articles(args.data, 0)
    random.Random(args.seed).shuffle(items)
    pipe = Pipeline.from_pretrained(relation_model=args.model)
    picked = []
    for start in range(0, len(items), 16):
        for res in pipe.predict(items[start : start + 16]):
            picked += [(res.id, r) for r in res.relations]
        if len(picked) >= 4 * args.sample:
            break
    random.Random(args.seed).shuffle(picked)
    for k, (aid, r) in enumerate(picked[: args.sample], 1):
        print(f"{k}. [{aid}] {r.holder} -> {r.target}: {r.stance} ({r.score:.2f}) "
              f"[{r.holder_text} / {r.target_text}]\n   {r.sentence}")  # fmt: skip


def quality(args) -> None:
    import torch

    from foreign_desk.training.relations import evaluate

    torch.set_num_threads(args.threads)
    evaluate(Path(args.model), split=args.split, output=Path(args.output) if args.output else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO / "models" / "relations-pairs"))
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--output", help="write the quality metrics JSON here")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cost", action="store_true", help="time predict with and without the relation step")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=0, help="print N relations from reuters_world to hand-check")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.cost:
        cost(args)
    elif args.sample:
        sample(args)
    else:
        quality(args)


if __name__ == "__main__":
    main()
