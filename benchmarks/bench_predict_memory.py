"""Peak memory of `foreign-desk predict` as the input grows: streaming keeps it flat.

    .venv/bin/python benchmarks/bench_predict_memory.py [--sizes 500 5000] [--models tfidf|minilm]

Writes JSONL inputs of each size (Reuters texts from ../shared/data reused cyclically, or the bundled sample dump's
articles), runs the CLI in a subprocess and reports its peak RSS (ru_maxrss) and articles/s. The TF-IDF models are
the default so that the large input finishes quickly; memory behaviour is the same for the transformer models.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "reuters2017" / "articles.jsonl"


def source_articles() -> list[dict]:
    if DATA.is_file():
        return [json.loads(line) for line in DATA.open(encoding="utf-8")]
    sys.path.insert(0, str(REPO))
    from foreign_desk.inference.segment import read_dump

    return [{"title": a.headline, "text": a.text} for a in read_dump(REPO / "samples" / "sample_dump.txt")]


def run(n: int, articles: list[dict], models: str, workdir: Path) -> tuple[float, float]:
    src = workdir / f"in-{n}.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i, art in enumerate(islice(cycle(articles), n)):
            fh.write(json.dumps({"id": f"m{i}", "title": art.get("title", ""), "text": art["text"]}) + "\n")
    cmd = [sys.executable, "-m", "inference", "predict", str(src), "-o", str(workdir / f"out-{n}.jsonl"),
           "--no-progress", "--topic-model", f"topic-{models}", "--stance-model", f"stance-{models}"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"predict failed on {n} articles (status {status})")
    return usage.ru_maxrss / 1024, n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--models", choices=["tfidf", "minilm"], default="tfidf")
    args = parser.parse_args()
    articles = source_articles()
    print(f"| input articles | input MB | peak RSS MB | articles/s (incl. start-up) | models: {args.models} |")
    print("|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            rss, rate = run(n, articles, args.models, Path(tmp))
            size = (Path(tmp) / f"in-{n}.jsonl").stat().st_size / 1e6
            print(f"| {n} | {size:.1f} | {rss:.0f} | {rate:.1f} | |")


if __name__ == "__main__":
    main()
