"""Fuzzing with a per-input time limit, full counts (the CI tests in ``tests/inference/test_fuzz.py`` run a few).

    .venv/bin/python -m benchmarks.bench_fuzz                  # 10,000 dumps, 2,000 actor texts, 300 predictions
    .venv/bin/python -m benchmarks.bench_fuzz --segment 500 --actors 100 --predict 0

Generated hostile inputs (``tests/inference/hostile.py``: well-formed articles mixed with crafted lines such as
``U.S.U.S.U.S...`` runs, byline-like capitalised name lists, bracket runs, lossy mojibake, noise) go through
segmentation, actor extraction and ``Pipeline.predict``. For each stage it prints the inputs, crashes, inputs over
the limit (1 s), the slowest input and, for segmentation, inputs that lost body text (a word of the input missing
from every field of the output).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings

from tests.inference.hostile import TIME_LIMIT_S, article_texts, dumps, plain_words


@dataclass
class Tally:
    name: str
    inputs: int = 0
    crashes: int = 0
    slow: int = 0
    lost: int = 0
    slowest: float = 0.0
    total: float = 0.0
    examples: list[str] = field(default_factory=list)

    def time(self, fn, *args) -> object:  # noqa: ANN001
        start = time.perf_counter()
        try:
            result = fn(*args)
        except Exception:  # noqa: BLE001 - counted, and the first few shown
            self.crashes += 1
            if len(self.examples) < 3:
                self.examples.append(traceback.format_exc(limit=3))
            result = None
        elapsed = time.perf_counter() - start
        self.inputs += 1
        self.total += elapsed
        self.slowest = max(self.slowest, elapsed)
        self.slow += elapsed > TIME_LIMIT_S
        return result

    def row(self) -> str:
        mean = self.total / self.inputs * 1000 if self.inputs else 0.0
        return (
            f"| {self.name:<16} | {self.inputs:>6} | {self.crashes:>7} | {self.slow:>8} | {self.lost:>4} "
            f"| {self.slowest:>9.3f} | {mean:>8.1f} |"
        )


def _run(strategy, n: int, body) -> None:  # noqa: ANN001
    if n <= 0:
        return
    cfg = settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    cfg(given(strategy)(body))()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segment", type=int, default=10_000)
    ap.add_argument("--actors", type=int, default=2_000)
    ap.add_argument("--predict", type=int, default=300)
    args = ap.parse_args(argv)

    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.segment import segment

    tallies: list[Tally] = []
    seg = Tally("segment")
    tallies.append(seg)

    def segment_one(text: str) -> None:
        arts = seg.time(segment, text)
        if arts is not None:
            joined = "\n".join(
                part
                for a in arts
                for part in [a.headline, a.caption or "", a.byline_place or "", a.dateline.place or "",
                             a.dateline.agency or "", *a.byline,
                             *a.paragraphs, *a.subheads, *a.credits]
            )
            if any(word not in joined for word in plain_words(text)):
                seg.lost += 1

    _run(dumps(), args.segment, segment_one)

    extractor = ActorExtractor.default()
    act = Tally("actors")
    tallies.append(act)
    def actors_one(item: tuple[str, str]) -> None:
        act.time(lambda: extractor.extract(item[1], headline=item[0]))

    _run(article_texts(), args.actors, actors_one)

    if args.predict > 0:
        from foreign_desk.inference import Pipeline

        pipe = Pipeline.from_pretrained()
        pred = Tally("Pipeline.predict")
        tallies.append(pred)

        def predict_one(item: tuple[str, str]) -> None:
            results = pred.time(pipe.predict, [{"id": "x", "headline": item[0], "text": item[1]}])
            if results is not None and results[0].error is not None:
                if results[0].error.endswith("'text' is empty") and not item[1].strip():
                    return  # a blank body is refused with a per-record error, as documented: not a crash
                pred.crashes += 1  # any other per-record error on generated text counts as a crash here
                if len(pred.examples) < 3:
                    pred.examples.append(results[0].error)

        _run(article_texts(), args.predict, predict_one)

    print(f"time limit per input: {TIME_LIMIT_S:.1f} s")
    print("| stage            | inputs | crashes | over 1 s | lost | slowest s | mean ms |")
    print("|------------------|--------|---------|----------|------|-----------|---------|")
    for tally in tallies:
        print(tally.row())
    for tally in tallies:
        for example in tally.examples:
            print(f"--- {tally.name} crash:\n{example}", file=sys.stderr)
    return int(any(t.crashes or t.slow or t.lost for t in tallies))


if __name__ == "__main__":
    sys.exit(main())
