"""HTML report size and load time: generated prediction records (1,000 articles by default) -> `foreign-desk report`
-> file size, render time, and the time headless Chromium takes to open it (navigation start until every chart has
drawn and the article list is shown), printed as a table. Targets: under 5 MB and under 3 s for 1,000 articles.

    .venv/bin/python benchmarks/bench_report.py [--articles 1000 5000] [--repeat 3] [--keep DIR]

Two kinds of records: `current` (what `predict` writes today: topics, actors with evidence sentences) and `full`
(also dates, sources, URLs, topic evidence passages and holder -> target relations). Chromium is Debian's
`/usr/bin/chromium` (or `$CHROMIUM`) driven by Playwright; without either, only sizes and render times are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from foreign_desk.inference.report_html import build_report, load_predictions, write_report
from foreign_desk.inference.report_html.models import describe_models

LABELS = ["diplomacy", "sanctions", "territorial_dispute", "military", "nuclear_missiles", "trade", "terrorism",
          "protest", "domestic_politics"]  # fmt: skip
WORDS = ("officials government talks minister said on Monday agreement border security council envoy trade tariffs "
         "sanctions missile troops protest election parliament opposition summit statement spokesman ministry deal "
         "military drills coast guard waters dispute cooperation region economic pressure leaders visit week").split()  # fmt: skip
STANCES = ["negative", "neutral", "positive"]


def _actors(rng: random.Random, n: int = 150) -> list[tuple[str, str]]:
    syll = ["ka", "lo", "mi", "ra", "ven", "dor", "sa", "ti", "na", "bel", "gor", "ul", "an", "es", "ri", "mon"]
    out = []
    for i in range(n):
        name = "".join(rng.choice(syll) for _ in range(rng.randint(2, 3))).capitalize()
        kind = "country" if i % 3 == 0 else "person" if i % 3 == 1 else "organisation"
        if kind == "person":
            name = f"{name} {''.join(rng.choice(syll) for _ in range(3)).capitalize()}"
        out.append((f"{name} {i}" if kind == "organisation" else name, kind))
    return out


def _sentence(rng: random.Random, names: list[str]) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(18, 34))]
    for name in names:
        words.insert(rng.randrange(len(words)), name)
    return " ".join(words).capitalize() + "."


def generate(n: int, full: bool, seed: int = 7) -> list[dict]:
    """``n`` prediction records shaped like `predict`'s output (with the later fields when ``full``)."""
    rng = random.Random(seed)
    pool = _actors(rng)
    weights = [1 / (i + 1) for i in range(len(pool))]  # a few actors dominate, as in the wires
    start = date(2026, 1, 5)
    records = []
    for i in range(n):
        actors = []
        while len(actors) < rng.randint(3, 8):
            actor = rng.choices(pool, weights)[0]
            if actor not in actors:
                actors.append(actor)
        sentences = [_sentence(rng, [a[0] for a in rng.sample(actors, k=min(2, len(actors)))]) for _ in range(10)]
        labels = rng.sample(LABELS, k=rng.choice([1, 1, 2, 2, 3]))
        scores = {lab: round(rng.uniform(0.6, 0.99) if lab in labels else rng.uniform(0, 0.4), 6) for lab in LABELS}
        topics: dict = {"labels": labels, "scores": scores}
        if full:
            topics["evidence"] = {
                lab: [{"text": " ".join(rng.sample(sentences, 2)), "score": round(rng.uniform(0.5, 1), 4)}
                      for _ in range(rng.randint(1, 2))]
                for lab in labels
            }  # fmt: skip
        record = {
            "id": f"a-{i:016x}",
            "headline": _sentence(rng, [actors[0][0]])[:90],
            "topics": topics,
            "actors": [
                {
                    "actor": name,
                    "type": kind,
                    "affiliation": None,
                    "mentions": rng.randint(1, 6),
                    "stance": (stance := rng.choice(STANCES)),
                    "scores": {s: round(rng.random(), 4) for s in STANCES},
                    "evidence": [{"sentence": s, "stance": stance, "score": round(rng.random(), 4)}
                                 for s in rng.sample(sentences, rng.randint(1, 3))],
                }  # fmt: skip
                for name, kind in actors
            ],
            "error": None if rng.random() > 0.01 else "RuntimeError: generated failure",
        }
        if full:
            record["date"] = (start + timedelta(days=rng.randint(0, 55))).isoformat()
            record["source"] = rng.choice(["Reuters", "AP", "AFP"])
            record["url"] = f"https://news.example.org/{i}"
            record["relations"] = [
                {"holder": h[0], "target": t[0], "stance": rng.choice(STANCES), "holder_text": h[0], "target_text": t[0],
                 "sentence": rng.choice(sentences), "score": round(rng.random(), 4)}
                for h, t in (rng.sample(actors, 2) for _ in range(rng.randint(0, 4)))
            ]  # fmt: skip
        records.append(record)
    return records


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def load_times(browser, path: Path, repeat: int) -> list[float]:  # noqa: ANN001 - a Playwright browser
    """Seconds from navigation start until the charts are drawn and the article list rendered (fresh context each)."""
    times = []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(path.as_uri(), wait_until="commit")
        page.wait_for_selector("body[data-ready]", timeout=60_000)
        page.wait_for_selector("#article-list > li")
        times.append(page.evaluate("performance.now()") / 1000)
        if errors:
            print(f"  page errors: {errors[:3]}", file=sys.stderr)
        context.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000], help="article counts (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="Chromium loads per report; the median is reported")
    parser.add_argument("--keep", type=Path, default=None, help="keep the reports in this folder")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    out_dir = args.keep or workdir
    out_dir.mkdir(parents=True, exist_ok=True)
    models = describe_models(None, ["topic-ensemble", "stance-minilm"])
    rows = []
    for n in args.articles:
        for full in (False, True):
            kind = "full" if full else "current"
            pred = workdir / f"pred-{n}-{kind}.jsonl"
            pred.write_text("".join(json.dumps(r) + "\n" for r in generate(n, full)), encoding="utf-8")
            out = out_dir / f"report-{n}-{kind}.html"
            t0 = time.perf_counter()
            write_report(build_report(load_predictions([pred]), models=models), out)
            rows.append({"n": n, "kind": kind, "jsonl": pred.stat().st_size, "html": out.stat().st_size,
                         "render": time.perf_counter() - t0, "path": out})  # fmt: skip

    executable = chromium_path()
    browser_note = ""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        browser_note = "playwright not installed: no load times"
    if executable is None and not browser_note:
        browser_note = "chromium not found: no load times"
    if sync_playwright is not None and executable is not None:
        args_ = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=args_)
            load_times(browser, rows[0]["path"], 1)  # warm-up (binary and fonts in the page cache)
            for row in rows:
                times = load_times(browser, row["path"], args.repeat)
                row["load"] = statistics.median(times)
                row["load_max"] = max(times)
            browser.close()
            browser_note = f"Chromium {browser.version}, median of {args.repeat} loads"

    header = (f"{'articles':>8} {'records':<8} {'JSONL MB':>8} {'HTML MB':>8} {'< 5 MB':>6} {'render s':>8} "
              f"{'load s':>7} {'max s':>6} {'< 3 s':>5}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for r in rows:
        load = f"{r['load']:7.2f} {r['load_max']:6.2f} {'yes' if r['load_max'] < 3 else 'NO':>5}" if "load" in r else (
            f"{'-':>7} {'-':>6} {'-':>5}")  # fmt: skip
        print(f"{r['n']:>8} {r['kind']:<8} {r['jsonl'] / 1e6:8.2f} {r['html'] / 1e6:8.2f} "
              f"{'yes' if r['html'] < 5e6 else 'NO':>6} {r['render']:8.2f} {load}")  # fmt: skip
    print(f"({browser_note}; render = Python aggregation + charts + template + write)")
    if args.keep:
        print(f"reports kept in {args.keep}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
