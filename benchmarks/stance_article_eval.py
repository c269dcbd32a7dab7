"""Article-level stance quality: macro-F1 of per-actor stances against the shared labels (reuters2017, agnews_world).

    .venv/bin/python benchmarks/stance_article_eval.py [--model models/stance-minilm] [--int8] [--limit N]
        [--cache runs/stance-article-cache.npz] [--calibrate [--save]] [--output metrics.json]

Actors come from ``ActorExtractor.default()``; every labelled actor the extractor misses counts as a wrong
prediction (it is scored as the non-label "missing"). Macro-F1 is over negative/neutral/positive.

``--calibrate`` compares two ways of fitting the aggregation rule by 2-fold cross-validation over the items (halves
by a hash of the id; fit on one half, predict the other, pool the predictions): a grid over averaging rules
(weighting x per-label bias) and a logistic regression over actor features. The cross-validated figures are the
honest ones; the better method is then refit on all items and, with ``--save``, written into the model's
``config.json`` (its manifest refreshed). ``--cache`` keeps the mention probabilities (numeric arrays, no pickle) so
calibration can be rerun without the model.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.stance import LABELS, StanceClassifier
from foreign_desk.inference.stance.article import FEATURES, AggregationRule, actor_features, collect_targets, rule_of

DATASETS = {"reuters2017": "articles.jsonl", "agnews_world": "items.jsonl"}
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CHUNK = 64  # items scored per classifier call


@dataclass
class Item:
    dataset: str
    id: str
    gold: dict[str, str]  # actor -> stance
    result: object
    proba: np.ndarray
    owners: list
    pairs: list | None = None


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_items(
    data: Path, clf, limit: int | None, batch_size: int, cache: dict[str, np.ndarray] | None = None
) -> tuple[list[Item], dict]:
    extractor = ActorExtractor.default()
    items: list[Item] = []
    timing = {"extract_s": 0.0, "stance_s": 0.0, "targets": 0, "cached_targets": 0}
    for dataset, name in DATASETS.items():
        texts = {r["id"]: r for r in read_jsonl(data / dataset / name)}
        labels = read_jsonl(data / dataset / "labels.jsonl")[:limit]
        for start in range(0, len(labels), CHUNK):
            chunk, pending, all_targets = labels[start : start + CHUNK], [], []
            t0 = time.perf_counter()
            for label in chunk:
                rec = texts[label["id"]]
                result = extractor.extract(rec["text"], headline=rec.get("title") or "")
                targets, owners = collect_targets(result)
                pending.append((label, result, owners, len(all_targets), len(targets)))
                all_targets.extend(targets)
            t1 = time.perf_counter()
            key = f"{dataset}/{start}"
            if cache is not None and key in cache and len(cache[key]) == len(all_targets):
                proba = cache[key]
                timing["cached_targets"] += len(all_targets)
            else:
                proba = clf.predict_proba(all_targets, batch_size=batch_size) if all_targets else np.zeros((0, 3))
                if cache is not None:
                    cache[key] = np.asarray(proba, dtype=np.float32)
            timing["extract_s"] += t1 - t0
            timing["stance_s"] += time.perf_counter() - t1
            timing["targets"] += len(all_targets)
            for label, result, owners, offset, n in pending:
                gold = {a["actor"]: a["stance"] for a in label["actors"]}
                items.append(Item(dataset, label["id"], gold, result, proba[offset : offset + n], owners))
            print(f"\r{dataset}: {min(start + CHUNK, len(labels))}/{len(labels)}", end="", file=sys.stderr)
        print(file=sys.stderr)
    return items, timing


def score(items: list[Item], rule: AggregationRule) -> dict:
    return score_pairs([(item, rule) for item in items])


def gold_pairs(item: Item) -> list[tuple[str, np.ndarray | None]]:
    """(gold stance, mention probabilities of the matching extracted actor or None when it was missed)."""
    if item.pairs is None:
        rows_of: dict[int, list[int]] = {}
        for i, (owner, _) in enumerate(item.owners):
            rows_of.setdefault(owner, []).append(i)
        found = {a.name: item.proba[rows_of.get(k, [])] for k, a in enumerate(item.result.actors)}
        item.pairs = [(stance, found.get(actor)) for actor, stance in item.gold.items()]
    return item.pairs


def score_pairs(pairs: list[tuple[Item, AggregationRule]]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    gold, pred, gold_found, pred_found = [], [], [], []
    for item, rule in pairs:
        for stance, proba in gold_pairs(item):
            p = rule.decide(rule.aggregate(proba)) if proba is not None else "missing"
            gold.append(stance)
            pred.append(p)
            if p != "missing":
                gold_found.append(stance)
                pred_found.append(p)
    labels = list(LABELS)
    return {
        "pairs": len(gold),
        "found": len(gold_found),
        "macro_f1": float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)) if gold else 0.0,
        "macro_f1_found": float(f1_score(gold_found, pred_found, labels=labels, average="macro", zero_division=0)),
        "accuracy_found": float(accuracy_score(gold_found, pred_found)) if gold_found else 0.0,
        "per_label_f1": dict(
            zip(labels, map(float, f1_score(gold, pred, labels=labels, average=None, zero_division=0)), strict=True)
        ),
    }


def half(item: Item) -> int:
    return hashlib.sha256(item.id.encode()).digest()[0] % 2


def rule_grid() -> list[AggregationRule]:
    grid = []
    neutral = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
    for weighting in ("mean", "confidence"):
        for neg, neu, pos in itertools.product((0.8, 1.0, 1.25, 1.5, 2.0), neutral, (0.8, 1.0, 1.5, 2.0)):
            grid.append(AggregationRule(weighting=weighting, bias=(neg, neu, pos)))
    return grid


def fit_grid(items: list[Item]) -> AggregationRule:
    return max(rule_grid(), key=lambda r: score(items, r)["macro_f1"])


def fit_logistic(items: list[Item]) -> AggregationRule:
    """Multinomial logistic regression from actor features to the labelled stance (found actors only), with
    square-root class weights."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for item in items:
        for stance, proba in gold_pairs(item):
            if proba is not None:
                x.append(actor_features(proba))
                y.append(LABELS.index(stance))
    y_arr = np.array(y)
    counts = np.bincount(y_arr, minlength=len(LABELS)).astype(float)
    # square root of the "balanced" weights: rare labels count more without flooding the (majority) neutral class
    weights = {k: float(np.sqrt(counts.sum() / (len(LABELS) * counts[k]))) for k in np.unique(y_arr)}
    model = LogisticRegression(C=1.0, class_weight=weights, max_iter=3000).fit(np.array(x), y_arr)
    coef = np.zeros((len(LABELS), len(FEATURES)))
    intercept = np.full(len(LABELS), -1e4)  # a label never seen in the labels is never predicted
    coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else 0.0
    intercept[model.classes_] = model.intercept_ if len(model.classes_) > 2 else 0.0
    return AggregationRule(coef=tuple(map(tuple, coef)), intercept=tuple(intercept))


METHODS = {"averaging grid": fit_grid, "logistic": fit_logistic}


def cross_validate(items: list[Item], fit) -> dict[str, dict]:
    """2-fold CV: rules fitted on one half predict the other; metrics over the pooled held-out predictions."""
    folds = [[i for i in items if half(i) == k] for k in (0, 1)]
    held: list[tuple[Item, AggregationRule]] = []
    for k in (0, 1):
        rule = fit(folds[1 - k])
        held.extend((item, rule) for item in folds[k])
    rows = {ds: score_pairs([(i, r) for i, r in held if i.dataset == ds]) for ds in DATASETS}
    rows["all"] = score_pairs(held)
    return rows


CARD_MARKER = "## Article-level stance"


def _card_section(model_dir: Path, method: str, cv: dict[str, dict]) -> None:
    """Replace (or add) the article-level section of the model card with the cross-validated figures."""
    card = model_dir / "README.md"
    if not card.is_file():
        return
    text = card.read_text(encoding="utf-8")
    if CARD_MARKER in text:
        head, _, rest = text.partition(CARD_MARKER)
        tail = rest.split("\n## ", 1)
        text = head.rstrip("\n") + ("\n\n## " + tail[1] if len(tail) > 1 else "\n")
    lines = [
        CARD_MARKER,
        "",
        f"Aggregation rule: {method}, calibrated on the actor stances of reuters2017 + agnews_world (shared labels); "
        "actors from `ActorExtractor.default()`, missed actors count as wrong. 2-fold cross-validated "
        "(`benchmarks/stance_article_eval.py --calibrate`):",
        "",
        "| set | actor pairs | found | macro-F1 | accuracy |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {k} | {m['pairs']} | {m['found']} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} |" for k, m in cv.items()]
    head, sep, versions = text.partition("\n## Versions")
    card.write_text(head.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + sep + versions, encoding="utf-8")


def print_table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n## {title}\n")
    print("| set | pairs | found | macro-F1 | accuracy | macro-F1 (found only) | F1 neg | F1 neu | F1 pos |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in rows.items():
        f = m["per_label_f1"]
        print(
            f"| {name} | {m['pairs']} | {m['found']} | **{m['macro_f1']:.3f}** | {m['accuracy']:.3f} | "
            f"{m['macro_f1_found']:.3f} | {f['negative']:.3f} | {f['neutral']:.3f} | {f['positive']:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="stance model dir (default models/stance-minilm)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="first N items of each dataset")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--calibrate", action="store_true", help="choose the aggregation rule on half the items")
    parser.add_argument("--save", action="store_true", help="with --calibrate: store the rule in the model config")
    parser.add_argument("--output", type=Path, help="write all metrics as JSON")
    parser.add_argument("--cache", type=Path, help="mention probabilities cache (.npz) for this model")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"shared data not found at {args.data}")
    clf = StanceClassifier.from_pretrained(args.model, quantize=args.int8)
    cache = None
    if args.cache is not None:
        cache = dict(np.load(args.cache, allow_pickle=False)) if args.cache.is_file() else {}
    items, timing = load_items(args.data, clf, args.limit, args.batch_size, cache)
    if args.cache is not None:
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.cache, **cache)
    scored = timing["targets"] - timing["cached_targets"]
    speed = f"{scored / timing['stance_s']:.1f} targets/s" if scored else "from the cache"
    print(
        f"\nmodel {args.model or 'models/stance-minilm'} ({clf.kind}{', int8' if args.int8 else ''}): "
        f"{len(items)} items, {timing['targets']} mention targets, extraction {timing['extract_s']:.1f} s, "
        f"stance {timing['stance_s']:.1f} s ({speed})"
    )
    current = rule_of(clf)
    report: dict = {"model": args.model, "kind": clf.kind, "timing": timing, "rule": current.to_config()}
    rows = {ds: score([i for i in items if i.dataset == ds], current) for ds in DATASETS}
    rows["all"] = score(items, current)
    name = "logistic" if current.coef is not None else f"{current.weighting}, bias {current.bias}"
    print_table(f"model's current aggregation rule ({name})", rows)
    report["results"] = rows
    if args.calibrate:
        methods = {}
        for name, fit in METHODS.items():
            rows = cross_validate(items, fit)
            print_table(f"{name}: 2-fold cross-validated (fit on one half, predict the other)", rows)
            methods[name] = rows
        best_name = max(methods, key=lambda n: methods[n]["all"]["macro_f1"])
        best = METHODS[best_name](items)
        final = {ds: score([i for i in items if i.dataset == ds], best) for ds in DATASETS}
        final["all"] = score(items, best)
        print_table(f"chosen: {best_name} refit on all items (in-sample; the CV table above is the estimate)", final)
        report["calibrated"] = {"method": best_name, "rule": best.to_config(), "cv": methods, "in_sample": final}
        if args.save:
            from foreign_desk.inference.manifest import write_manifest
            from foreign_desk.inference.stance.classifier import default_model_dir

            model_dir = Path(args.model) if args.model else default_model_dir()
            config_path = model_dir / "config.json"
            config = json.loads(config_path.read_text(encoding="utf-8"))
            config["aggregation"] = best.to_config()
            config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            _card_section(model_dir, best_name, methods[best_name])
            write_manifest(model_dir)
            print(f"saved the {best_name} aggregation rule to {config_path}")
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
