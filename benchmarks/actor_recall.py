"""Recall of the annotated actors in the shared labelled sets (canonical name match), per dataset and actor type.

    .venv/bin/python benchmarks/actor_recall.py [--data ../shared/data] [--misses 25] [--heldout]

Recall: the share of labelled (item, actor) pairs whose canonical name is among the actors extracted from the
item's headline and text. Prints a table per dataset and the most frequent misses.

The shipped name recogniser (``inference/data/actor_phrases.json``) is trained on these same labelled sets, so the
default figures are in-sample for its part. ``--heldout`` adds the held-out figures: 2-fold cross-fitting by a hash
of the item id (the halves of ``foreign-desk train configs/stance-actor-phrases.yaml``), each half scored with a
recogniser refit on the other half only (the rules and gazetteer are the shipped ones). Needs scikit-learn; takes a
few minutes.
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


def heldout_recall(data_dir: Path, datasets: list[str]) -> dict[str, Recall]:
    """Recall per dataset with the name recogniser cross-fitted: each hash half scored by a model fit on the other."""
    import copy

    from foreign_desk.inference.actors.phrases import recognise
    from foreign_desk.training.stance.actor_phrases import ActorPhrasesConfig, fit, half, load_docs

    config = ActorPhrasesConfig(data_dir=data_dir, datasets={d: DATASETS[d] for d in DATASETS}, metrics=None)
    docs = load_docs(config)
    gaz = ActorExtractor.default().gazetteer
    labels = {d: {r["id"]: r for r in read_jsonl(data_dir / d / "labels.jsonl")} for d in datasets}
    out = {d: Recall(d) for d in datasets}
    for k in (0, 1):
        model = fit([d for d in docs if half(d) != k], config.C, config.threshold)
        for d in docs:
            if half(d) != k or d.dataset not in out:
                continue
            res = recognise(d.text, copy.deepcopy(d.result), model, d.generic_from, d.headline_end, gaz)
            found = {a.name for a in res.actors}
            r = out[d.dataset]
            for actor in labels[d.dataset][d.id]["actors"]:
                r.totals[actor["type"]] += 1
                if match_name(actor["actor"], found, gaz) is not None:
                    r.hits[actor["type"]] += 1
                else:
                    r.misses[(actor["actor"], actor["type"])] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--misses", type=int, default=25)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--heldout", action="store_true", help="also the recogniser's held-out (cross-fitted) recall")
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
    if args.heldout:
        held = heldout_recall(args.data, args.datasets)
        print("\n## held out (name recogniser cross-fitted by id hash; rules and gazetteer as shipped)\n")
        print("| set | labelled | recall | country | person | organisation | in-sample |\n|---|---:|---:|---:|---:|---:|---:|")
        for dataset, r in held.items():
            per = " | ".join(f"{r.hits[t] / r.totals[t]:.3f}" if r.totals[t] else "-" for t in ("country", "person", "organisation"))
            print(f"| {dataset} | {sum(r.totals.values())} | **{r.overall:.3f}** | {per} | {summary[dataset].overall:.3f} |")


if __name__ == "__main__":
    main()
