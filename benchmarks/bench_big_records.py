"""Peak memory and time of ``foreign-desk predict`` on pathologically large records.

    .venv/bin/python benchmarks/bench_big_records.py                 # 1, 10 and 100 articles of 2 MB each
    .venv/bin/python benchmarks/bench_big_records.py --counts 1 10 --huge-mb 50

Each run is a fresh process (``foreign-desk predict IN.jsonl -o OUT.jsonl`` with the default models) whose peak RSS
(``ru_maxrss``) and wall time are printed as a table, together with the baseline (one ordinary article) and, with
``--huge-mb``, one record of that size followed by a small one (which must come out unharmed). Every record is
checked: written, no error, the big ones with a ``truncated to N characters`` warning.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SENTENCES = (
    "Beijing on Monday praised the agreement as a step toward peace, while Washington accused Pyongyang of "
    "breaking its promises. ",
    "Russian Foreign Minister Sergei Lavrov said Moscow would not accept new sanctions imposed by the European "
    "Union. ",
    "The talks in Geneva ended without a deal on fishing rights, and officials said further rounds were likely. ",
    "Protesters gathered outside parliament in Manila as lawmakers debated the defence budget. ",
)
SMALL = {"id": "small", "headline": "China welcomes accord", "text": "".join(SENTENCES)}

DRIVER = """
import json, resource, sys, time
from foreign_desk.inference.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
print(json.dumps({"code": code, "seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def big_text(n_bytes: int, seed: int) -> str:
    parts, size, i = [], 0, seed
    while size < n_bytes:
        sentence = SENTENCES[i % len(SENTENCES)]
        parts.append(sentence)
        size += len(sentence)
        i += 1
    return "".join(parts)


def run(records: list[dict], folder: Path, extra: list[str]) -> dict:
    src, out = folder / "in.jsonl", folder / "out.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    cmd = [sys.executable, "-c", DRIVER, "predict", str(src), "-o", str(out), "--no-progress", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    stats = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"code": proc.returncode}
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    stats["written"] = len(got)
    stats["errors"] = sum(r["error"] is not None for r in got)
    stats["truncated"] = sum(any("truncated" in w for w in r.get("warnings", [])) for r in got)
    stats["ok"] = (
        stats["code"] == 0
        and [r["id"] for r in got] == [r["id"] for r in records]
        and stats["errors"] == 0
        and stats["truncated"] == sum(len(r["text"]) > 100_000 for r in records)
    )
    if not stats["ok"]:
        print(proc.stderr[-2000:], file=sys.stderr)
    src.unlink()
    out.unlink(missing_ok=True)
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", type=int, nargs="+", default=[1, 10, 100], help="articles of --mb each per run")
    ap.add_argument("--mb", type=float, default=2.0, help="size of each big article (default 2 MB)")
    ap.add_argument("--huge-mb", type=float, default=0, help="also one record of this size followed by a small one")
    ap.add_argument("extra", nargs="*", help="more predict arguments (after --)")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(("baseline: 1 small article", run([SMALL], folder, args.extra)))
        for n in args.counts:
            records = [{"id": f"big{i}", "headline": "Talks", "text": big_text(int(args.mb * 1e6), i)} for i in range(n)]
            rows.append((f"{n} x {args.mb:g} MB", run(records, folder, args.extra)))
            print(f"done: {rows[-1][0]}", file=sys.stderr, flush=True)
        if args.huge_mb:
            huge = {"id": "huge", "headline": "Talks", "text": big_text(int(args.huge_mb * 1e6), 0)}
            rows.append((f"1 x {args.huge_mb:g} MB + 1 small", run([huge, SMALL], folder, args.extra)))
    print("| input                     | exit | records | errors | truncated | peak RSS MB | time s | ok |")
    print("|---------------------------|------|---------|--------|-----------|-------------|--------|----|")
    for name, s in rows:
        print(
            f"| {name:<25} | {s.get('code', '?'):>4} | {s['written']:>7} | {s['errors']:>6} | {s['truncated']:>9} "
            f"| {s.get('peak_mb', float('nan')):>11.0f} | {s.get('seconds', float('nan')):>6.1f} | {'yes' if s['ok'] else 'NO'} |"
        )
    return int(not all(s["ok"] for _, s in rows))


if __name__ == "__main__":
    sys.exit(main())
