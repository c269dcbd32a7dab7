"""Recall of the annotated actors in the shared labelled sets (canonical name match), per dataset and actor type.

    .venv/bin/python benchmarks/actor_recall.py [--data ../shared/data] [--misses 25]

Recall: the share of labelled (item, actor) pairs whose canonical name is among the actors extracted from the
item's headline and text. Prints a table per dataset and the most frequent misses.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.actors.matching import match_name
from foreign_desk.inference.wire import headline_of

DATASETS = {
    "reuters_world": "articles.jsonl",
    "reuters2017": "articles.jsonl",
    "agnews_world": "items.jsonl",
    "conflibert_cameo": "items.jsonl",
}
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class Recall:
    dataset: str
    hits: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    misses: Counter = field(default_factory=Counter)

    @property
    def overall(self) -> float:
        return sum(self.hits.values()) / max(1, sum(self.totals.values()))


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dataset_recall(data_dir: Path, dataset: str, extractor: ActorExtractor | None = None) -> Recall:
    """Recall of ``data_dir/dataset/labels.jsonl`` actors, extracting from its text file."""
    extractor = extractor or ActorExtractor.default()
    texts = {r["id"]: r for r in read_jsonl(data_dir / dataset / DATASETS[dataset])}
    result = Recall(dataset)
    for label in read_jsonl(data_dir / dataset / "labels.jsonl"):
        item = texts[label["id"]]
        found = {a.name for a in extractor.extract(item["text"], headline=headline_of(item)).actors}
        for actor in label["actors"]:
            result.totals[actor["type"]] += 1
            if match_name(actor["actor"], found, extractor.gazetteer) is not None:
                result.hits[actor["type"]] += 1
            else:
                result.misses[(actor["actor"], actor["type"])] += 1
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--misses", type=int, default=25)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    args = parser.parse_args()
    extractor = ActorExtractor.default()
    summary = {}
    for dataset in args.datasets:
        r = dataset_recall(args.data, dataset, extractor)
        print(f"\n## {dataset}\n")
        print("| type | labelled | found | recall |")
        print("|---|---:|---:|---:|")
        for t in sorted(r.totals):
            print(f"| {t} | {r.totals[t]} | {r.hits[t]} | {r.hits[t] / r.totals[t]:.3f} |")
        print(f"| **all** | {sum(r.totals.values())} | {sum(r.hits.values())} | **{r.overall:.3f}** |")
        summary[dataset] = r
        print(f"\nmost frequent misses ({dataset}):")
        for (name, typ), n in r.misses.most_common(args.misses):
            print(f"  {n:3d}  {name} ({typ})")
    print("\n## summary\n\n| set | labelled | recall | country | person | organisation |\n|---|---:|---:|---:|---:|---:|")
    for dataset, r in summary.items():
        per = " | ".join(f"{r.hits[t] / r.totals[t]:.3f}" if r.totals[t] else "-" for t in ("country", "person", "organisation"))
        print(f"| {dataset} | {sum(r.totals.values())} | **{r.overall:.3f}** | {per} |")


if __name__ == "__main__":
    main()
