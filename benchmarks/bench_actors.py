"""Speed of the actor step (sentence split + extraction) on one core; prints a table.

    .venv/bin/python benchmarks/bench_actors.py [--data ../shared/data] [--repeat 3]

Uses the shared Reuters articles and AG News snippets when present, otherwise a synthetic wire-style text.
Extraction is pure Python and single-threaded, so the figure is per core. Gazetteer loading is timed apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from foreign_desk.inference.actors import ActorExtractor

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SYNTHETIC = (
    "WASHINGTON (Reuters) - Washington will urge Beijing to restrain North Korea, U.S. Secretary of State Rex "
    "Tillerson told reporters late on Wednesday, after Chinese Foreign Ministry spokesman Wen Haoqing called for calm. "
    "Senator Harriet Colburn, a Republican, said the Senate Foreign Relations Committee would hold hearings. "
    "Colburn said the United Nations and the European Union should act.\n\n"
) * 6


def load_corpora(data: Path) -> dict[str, list[tuple[str, str]]]:
    corpora = {}
    for name, folder, file in [("reuters2017", "reuters2017", "articles.jsonl"),
                               ("agnews_world", "agnews_world", "items.jsonl")]:
        path = data / folder / file
        if path.is_file():
            rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
            corpora[name] = [(r["text"], r.get("title") or "") for r in rows]
    if not corpora:
        corpora["synthetic"] = [(SYNTHETIC, "Tillerson presses Beijing")] * 200
    return corpora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    extractor = ActorExtractor()
    load_s = time.perf_counter() - t0
    print(f"gazetteer load: {load_s:.2f} s ({len(extractor.gazetteer.entries)} entries, "
          f"{len(extractor.gazetteer.index)} surface forms)\n")
    print("| corpus | articles | mean chars | best s | articles/s | actors/article |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, docs in load_corpora(args.data).items():
        times = []
        n_actors = 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            n_actors = sum(len(extractor.extract(text, headline=h).actors) for text, h in docs)
            times.append(time.perf_counter() - t)
        best = min(times)
        chars = statistics.mean(len(t) + len(h) for t, h in docs)
        print(f"| {name} | {len(docs)} | {chars:.0f} | {best:.2f} | {len(docs) / best:.0f} | "
              f"{n_actors / len(docs):.1f} |")


if __name__ == "__main__":
    main()
