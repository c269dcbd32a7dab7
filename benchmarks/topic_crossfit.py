"""Cross-fitted per-source topic figures: every held-out item scored by thresholds fitted without it.

    .venv/bin/python benchmarks/topic_crossfit.py [--models models/topic-routed models/topic-tfidf-all] [--repeats 3]
        [--f1-only]

The test slices are small (64 Reuters world articles, 101 Reuters politics), so one article moves a source's
macro-F1 by several points. This pools each model's dev and test items (1,074 for the default split), cuts them into
random halves ``--repeats`` times, refits the per-label thresholds on one half exactly as training does (the model's
own training config: balanced over sources, F-beta for its ``threshold_beta`` labels) and scores the other half. A
routed model refits each route's thresholds from that route's own config and sends each item to its route by length.
``--f1-only`` refits every threshold on F1, ignoring ``threshold_beta`` (the model before
that option). Model weights (and an ensemble's member weight) stay as trained. Prints core macro-F1 and sanctions recall / precision
per source, averaged over the repeats.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.inference.topics.routed import rescale_to_half
from foreign_desk.training.topic.evaluate import held_out_data
from foreign_desk.training.topic.metrics import decide, per_source_reports, thresholds_for


def scored_parts(model_dir: Path) -> tuple[list[tuple[object, np.ndarray]], np.ndarray | None, object]:
    """``[(training config, raw dev+test probabilities)]`` per part (routes, or the model itself), each item's part
    index (``None``: one part) and the model's split data."""
    config, data = held_out_data(model_dir)
    items = [{"title": h, "text": b} for split in ("dev", "test") for h, b in data.texts(split)]
    saved = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if saved.get("kind") != "routed":
        clf = TopicClassifier.from_pretrained(model_dir)
        return [(config, clf.predict_proba(items))], None, data
    routed = TopicClassifier.from_pretrained(model_dir)
    parts = []
    for entry, clf in zip(saved["routes"], routed.parts(), strict=True):
        route_config, _ = held_out_data((model_dir / entry["path"]).resolve())
        parts.append((route_config, clf.predict_proba(items)))
    return parts, routed.route_of(items), data


def cross_fit(model_dir: Path, repeats: int, seed: int, f1_only: bool = False) -> dict[str, dict[str, float]]:
    parts, route, data = scored_parts(model_dir)
    if f1_only:
        parts = [(config.model_copy(update={"threshold_beta": {}}), p) for config, p in parts]
    y = np.concatenate([data.y("dev"), data.y("test")])
    sources = np.asarray(list(data.splits["dev"]["source"]) + list(data.splits["test"]["source"]))
    labels, core = parts[0][0].labels, parts[0][0].core_labels
    route = np.zeros(len(y), dtype=np.int64) if route is None else route
    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(repeats):
        fold = rng.permutation(len(y)) % 2
        proba = np.zeros(y.shape)
        for k in (0, 1):
            fit, held = fold != k, fold == k
            for r, (config, p) in enumerate(parts):
                t = thresholds_for(config, y[fit], p[fit], labels, list(sources[fit]))
                rows = held & (route == r)
                proba[rows] = rescale_to_half(p[rows], np.array([t[label] for label in labels]))
        pred = decide(proba, {label: 0.5 for label in labels}, labels)
        runs.append(per_source_reports(y, pred, sources, labels, core))
    out = {}
    for source in runs[0]:
        sanctions = [r[source]["per_label"].get("sanctions", {}) for r in runs]
        out[source] = {
            "n": runs[0][source]["n"],
            "core_macro_f1": float(np.mean([r[source]["averages"]["core_macro"]["f1"] for r in runs])),
            "sanctions_recall": float(np.mean([s.get("recall", 0.0) for s in sanctions])),
            "sanctions_precision": float(np.mean([s.get("precision", 0.0) for s in sanctions])),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, nargs="+", default=[Path("models/topic-routed"), Path("models/topic-tfidf-all")])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--f1-only", action="store_true", help="ignore threshold_beta: every threshold on F1")
    args = parser.parse_args()
    table = Table(title=f"cross-fitted on dev+test, {args.repeats} x 2 folds (thresholds refit on the other half)")
    for column in ("model", "source", "items", "core macro-F1", "sanctions recall", "sanctions precision"):
        table.add_column(column, justify="left" if column in ("model", "source") else "right")
    for model_dir in args.models:
        for source, m in cross_fit(model_dir, args.repeats, args.seed, args.f1_only).items():
            table.add_row(model_dir.name, source, str(m["n"]), f"{m['core_macro_f1']:.3f}",
                          f"{m['sanctions_recall']:.2f}", f"{m['sanctions_precision']:.2f}")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
