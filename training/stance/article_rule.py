"""Training step ``stance_rule``: fit the article-level aggregation rule of a saved stance model.

    foreign-desk train configs/stance-article-rule.yaml

Actors come from ``ActorExtractor.default()``; every labelled actor (shared labels of reuters2017 and agnews_world)
is matched by name to an extracted one, whose mention probabilities the saved sentence-level classifier gives. Two
methods are compared by 2-fold cross-validation over the items (halves by a hash of the id; fit on one half, predict
the other, pool the predictions): a grid over averaging rules (weighting x per-label bias) and a multinomial logistic
regression over actor features. The better one is refit on all items and written as ``aggregation`` into the
model's ``config.json`` (where :class:`~foreign_desk.inference.stance.article.ArticleStance` reads it), with the
manifest regenerated, the model card's article-level section refreshed and the figures in ``rule_metrics.json``.

``benchmarks/stance_article_eval.py`` only evaluates a model's current rule.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from foreign_desk.inference.stance.article import (
    FEATURE_SETS,
    ActorMentions,
    AggregationRule,
    actor_features,
    actor_features_v2,
    actor_views,
    actor_words,
    collect_targets,
)
from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.inference.wire import headline_of
from foreign_desk.training.config_io import read_yaml_mapping, validate

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
METRICS_NAME = "rule_metrics.json"
CHUNK = 64  # items scored per classifier call
Method = Literal["averaging grid", "logistic", "logistic v2", "logistic v2 + lexicon"]
# every labelled source: dataset folder -> article file (each folder also holds labels.jsonl)
DATASETS = {
    "reuters_world": "articles.jsonl",
    "reuters2017": "articles.jsonl",
    "agnews_world": "items.jsonl",
    "conflibert_cameo": "items.jsonl",
}


class ArticleRuleConfig(BaseModel):
    """``task: stance_rule``: which saved stance model gets a rule, fitted on which labelled articles."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["stance_rule"] = "stance_rule"
    model_dir: Path = Field(Path("models/stance-minilm"), description="the saved stance model; its config is updated")
    data_dir: Path = Path("../shared/data")
    datasets: dict[str, str] = Field(
        default_factory=lambda: dict(DATASETS),
        description="dataset folder -> article file; each folder also holds labels.jsonl (actor stances by id)",
    )
    limit: int | None = Field(None, gt=0, description="first N labelled items of each dataset (tiny test configs)")
    methods: list[Method] = Field(default_factory=lambda: ["averaging grid", "logistic"], min_length=1)
    seed: int = 0
    batch_size: int = Field(32, ge=1)
    quantize: bool = False
    cache: Path | None = Field(None, description="mention probabilities cache (.npz) so a refit needs no model run")


def resolve(path: Path) -> Path:
    """A relative path against the working directory, else against the repository root."""
    if path.is_absolute() or path.exists():
        return path
    return REPO / path


def load_config(path: str | Path) -> ArticleRuleConfig:
    config = validate(ArticleRuleConfig, read_yaml_mapping(path), str(path), "stance_rule config")
    if not (resolve(config.model_dir) / "config.json").is_file():
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a saved model directory")
    for dataset in config.datasets:
        if not (resolve(config.data_dir) / dataset / "labels.jsonl").is_file():
            raise ValueError(f"{path}: {config.data_dir}/{dataset}/labels.jsonl not found")
    return config


# --- items: labelled actors with the mention probabilities of the extracted ones ------------------------------------


@dataclass
class Item:
    dataset: str
    id: str
    gold: dict[str, str]  # actor -> stance
    result: object
    proba: np.ndarray
    owners: list
    targets: list | None = None
    pairs: list | None = None


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def target_key(target) -> str:
    """Content key of a sentence-level target: the same sentence and span get the same cached probabilities,
    however the actors were extracted."""
    return hashlib.sha1(f"{target.start}:{target.end}:{target.text}".encode()).hexdigest()[:20]


WEIGHT_FILES = ("model.safetensors", "model.skops")


def model_fingerprint(model_dir: Path, quantize: bool = False) -> str:
    """What a mention cache's probabilities (and vectors) depend on: the sha256 of the model's weights file, and
    whether it runs int8. A cache written by another model (a retrained or averaged one) is not reused."""
    from foreign_desk.inference.manifest import file_sha256

    shas = [file_sha256(model_dir / name) for name in WEIGHT_FILES if (model_dir / name).is_file()]
    return "+".join(shas or ["no-weights"]) + (":int8" if quantize else "")


def read_cache(path: Path | None, fingerprint: str | None) -> dict | None:
    """The arrays of a mention cache ``.npz`` (no pickle), or ``None`` when there is none or another model wrote it."""
    if path is None or not Path(path).is_file():
        return None
    data = np.load(path, allow_pickle=False)
    saved = str(data["fingerprint"]) if "fingerprint" in data else None
    if fingerprint is not None and saved != fingerprint:
        log.warning("%s was computed by another model (or an older version): not reused, scoring again", path)
        return None
    return {k: data[k] for k in data.files}


class ProbaCache:
    """Mention probabilities by target content (``keys`` + ``proba`` arrays in one ``.npz``, no pickle), valid for
    the model whose :func:`model_fingerprint` it was given."""

    def __init__(self, path: Path | None = None, fingerprint: str | None = None) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.rows: dict[str, np.ndarray] = {}
        data = read_cache(path, fingerprint)
        if data is not None and "keys" in data and "proba" in data:
            self.rows = dict(zip(data["keys"].tolist(), data["proba"], strict=True))

    def score(self, clf, targets: list, batch_size: int) -> tuple[np.ndarray, int]:
        """Probabilities of ``targets`` (missing ones scored by ``clf``) and how many came from the cache."""
        keys = [target_key(t) for t in targets]
        todo = [i for i, k in enumerate(keys) if k not in self.rows]
        if todo:
            proba = np.asarray(clf.predict_proba([targets[i] for i in todo], batch_size=batch_size), dtype=np.float32)
            for i, p in zip(todo, proba, strict=True):
                self.rows[keys[i]] = p
        out = np.array([self.rows[k] for k in keys], dtype=np.float32).reshape(len(keys), len(LABELS))
        return out, len(keys) - len(todo)

    def save(self) -> None:
        if self.path is None:
            return
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.rows)
        proba = np.array([self.rows[k] for k in keys], dtype=np.float32).reshape(len(keys), len(LABELS))
        np.savez(self.path, keys=np.array(keys, dtype="U20"), proba=proba, fingerprint=np.array(self.fingerprint or ""))


def load_items(
    data: Path,
    clf,
    limit: int | None,
    batch_size: int,
    cache: ProbaCache | None = None,
    datasets: dict[str, str] | None = None,
    extractor=None,
) -> tuple[list[Item], dict]:
    """Every labelled item of ``datasets`` (default: :data:`DATASETS`) with its extracted actors and the mention
    probabilities of ``clf``; ``cache`` (:class:`ProbaCache`) is read and filled."""
    from foreign_desk.inference.actors import ActorExtractor

    extractor = extractor or ActorExtractor.default()
    cache = cache if cache is not None else ProbaCache()
    items: list[Item] = []
    timing = {"extract_s": 0.0, "stance_s": 0.0, "targets": 0, "cached_targets": 0}
    for dataset, name in (datasets or DATASETS).items():
        texts = {r["id"]: r for r in read_jsonl(data / dataset / name)}
        labels = read_jsonl(data / dataset / "labels.jsonl")[:limit]
        for start in range(0, len(labels), CHUNK):
            chunk, pending, all_targets = labels[start : start + CHUNK], [], []
            t0 = time.perf_counter()
            for label in chunk:
                rec = texts[label["id"]]
                result = extractor.extract(rec["text"], headline=headline_of(rec))
                targets, owners = collect_targets(result)
                pending.append((label, result, owners, targets, len(all_targets)))
                all_targets.extend(targets)
            t1 = time.perf_counter()
            if all_targets:
                proba, cached = cache.score(clf, all_targets, batch_size)
            else:
                proba, cached = np.zeros((0, len(LABELS)), dtype=np.float32), 0
            timing["cached_targets"] += cached
            timing["extract_s"] += t1 - t0
            timing["stance_s"] += time.perf_counter() - t1
            timing["targets"] += len(all_targets)
            for label, result, owners, targets, offset in pending:
                gold = {a["actor"]: a["stance"] for a in label["actors"]}
                rows = proba[offset : offset + len(targets)]
                items.append(Item(dataset, label["id"], gold, result, rows, owners, targets))
            print(f"\r{dataset}: {min(start + CHUNK, len(labels))}/{len(labels)}", end="", file=sys.stderr)
        print(file=sys.stderr)
        cache.save()
    return items, timing


# --- scoring -------------------------------------------------------------------------------------------------------


def gold_pairs(item: Item) -> list[tuple[str, ActorMentions | None]]:
    """(gold stance, the mentions of the matching extracted actor, or None when it was missed)."""
    if item.pairs is None:
        from foreign_desk.inference.actors import ActorExtractor
        from foreign_desk.inference.actors.matching import match_name

        gazetteer = ActorExtractor.default().gazetteer
        views = actor_views(item.result, item.proba, item.owners, item.targets)
        found = {a.name: view for a, view in zip(item.result.actors, views, strict=True)}
        item.pairs = []
        for actor, stance in item.gold.items():
            name = match_name(actor, found, gazetteer)
            item.pairs.append((stance, found[name] if name is not None else None))
    return item.pairs


def score_pairs(pairs: list[tuple[Item, AggregationRule]]) -> dict:
    """Macro-F1/accuracy over all labelled actors (a missed actor is the wrong label ``missing``) and over the
    found ones."""
    from sklearn.metrics import accuracy_score, f1_score

    gold, pred, gold_found, pred_found = [], [], [], []
    for item, rule in pairs:
        for stance, view in gold_pairs(item):
            p = rule.decide(rule.aggregate(view)) if view is not None else "missing"
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


def score(items: list[Item], rule: AggregationRule) -> dict:
    return score_pairs([(item, rule) for item in items])


def score_by_dataset(items: list[Item], rule: AggregationRule) -> dict[str, dict]:
    rows = {ds: score([i for i in items if i.dataset == ds], rule) for ds in dict.fromkeys(i.dataset for i in items)}
    rows["all"] = score(items, rule)
    return rows


# --- fitting -------------------------------------------------------------------------------------------------------


def half(item: Item) -> int:
    return hashlib.sha256(item.id.encode()).digest()[0] % 2


def rule_grid() -> list[AggregationRule]:
    grid = []
    neutral = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
    for weighting in ("mean", "confidence"):
        for neg, neu, pos in itertools.product((0.8, 1.0, 1.25, 1.5, 2.0), neutral, (0.8, 1.0, 1.5, 2.0)):
            grid.append(AggregationRule(weighting=weighting, bias=(neg, neu, pos)))
    return grid


def fit_grid(items: list[Item], seed: int = 0) -> AggregationRule:
    return max(rule_grid(), key=lambda r: score(items, r)["macro_f1"])


def _training_rows(items: list[Item]) -> tuple[list[ActorMentions], np.ndarray]:
    views, y = [], []
    for item in items:
        for stance, view in gold_pairs(item):
            if view is not None:
                views.append(view)
                y.append(LABELS.index(stance))
    return views, np.array(y, dtype=int)


def fit_logistic(
    items: list[Item], seed: int = 0, features: str = "v1", lexicon_min_df: int | None = None, c: float = 1.0,
    tune_bias: bool = False, lexicon_weight: float = 1.0,
) -> AggregationRule:
    """Multinomial logistic regression from actor features (``features``: "v1" or "v2", standardised for v2) and,
    with ``lexicon_min_df``, the words near the mentions (binary, words around at least that many training actors)
    to the labelled stance (found actors only), with square-root class weights; ``tune_bias`` then picks the
    per-label decision bias that maximises macro-F1 on the training items. ``lexicon_weight`` scales the word
    columns (below 1: the words are regularised more strongly than the standardised features)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    views, y_arr = _training_rows(items)
    featurise = actor_features if features == "v1" else actor_features_v2
    x = np.array([featurise(v.proba) if features == "v1" else featurise(v) for v in views])
    scale = np.maximum(x.std(0), 1e-6) if features != "v1" else None
    xs = x / scale if scale is not None else x
    vocab: list[str] = []
    if lexicon_min_df:
        from collections import Counter

        bags = [actor_words(v) for v in views]
        df = Counter(w for bag in bags for w in bag)
        vocab = sorted(w for w, n in df.items() if n >= lexicon_min_df)
        col = {w: k for k, w in enumerate(vocab)}
        rows = [(r, col[w]) for r, bag in enumerate(bags) for w in bag if w in col]
        lex = sparse.csr_matrix(
            (np.full(len(rows), lexicon_weight), ([r for r, _ in rows], [k for _, k in rows])),
            shape=(len(views), len(vocab)))
        xs = sparse.hstack([sparse.csr_matrix(xs), lex]).tocsr()
    counts = np.bincount(y_arr, minlength=len(LABELS)).astype(float)
    # square root of the "balanced" weights: rare labels count more without flooding the (majority) neutral class
    weights = {k: float(np.sqrt(counts.sum() / (len(LABELS) * counts[k]))) for k in np.unique(y_arr)}
    model = LogisticRegression(C=c, class_weight=weights, max_iter=5000, random_state=seed).fit(xs, y_arr)
    width = len(FEATURE_SETS[features])
    coef = np.zeros((len(LABELS), width + len(vocab)))
    intercept = np.full(len(LABELS), -1e4)  # a label never seen in the labels is never predicted
    coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else 0.0
    intercept[model.classes_] = model.intercept_ if len(model.classes_) > 2 else 0.0
    coef[:, width:] *= lexicon_weight  # run time sees a word as 1
    lexicon = tuple(
        (w, tuple(round(float(v), 5) for v in coef[:, width + k]))
        for k, w in enumerate(vocab) if np.abs(coef[:, width + k]).max() >= 0.01
    )
    rule = AggregationRule(coef=tuple(map(tuple, coef[:, :width])), intercept=tuple(intercept), features=features,
                           scale=tuple(scale) if scale is not None else None, lexicon=lexicon)
    if tune_bias:
        rule = _tune_bias(items, rule)
    return rule


def _tune_bias(items: list[Item], rule: AggregationRule) -> AggregationRule:
    from dataclasses import replace

    from sklearn.metrics import f1_score

    gold, scores = [], []
    for item in items:
        for stance, view in gold_pairs(item):
            if view is not None:
                gold.append(LABELS.index(stance))
                scores.append(rule.aggregate(view))
    s = np.array(scores)
    best, best_f1 = (1.0, 1.0, 1.0), -1.0
    for neg, pos in itertools.product((0.8, 1.0, 1.2, 1.5, 2.0), (0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)):
        pred = (s * np.array([neg, 1.0, pos])).argmax(1)
        f1 = f1_score(gold, pred, labels=[0, 1, 2], average="macro", zero_division=0)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = (neg, 1.0, pos), f1
    return replace(rule, bias=best)


def fit_v2(items: list[Item], seed: int = 0) -> AggregationRule:
    """Logistic regression over :data:`FEATURES_V2` (where and how the actor is mentioned, its type)."""
    return fit_logistic(items, seed, features="v2")


def fit_v2_lexical(items: list[Item], seed: int = 0) -> AggregationRule:
    """As :func:`fit_v2` plus the words near the mentions (left/right of the nearest three kept apart), in at least
    10 training actors, regularised more strongly than the features (cross-validated choice: C 1, word scale
    0.15)."""
    return fit_logistic(items, seed, features="v2", lexicon_min_df=10, c=1.0, lexicon_weight=0.15)


METHODS = {
    "averaging grid": fit_grid,
    "logistic": fit_logistic,
    "logistic v2": fit_v2,
    "logistic v2 + lexicon": fit_v2_lexical,
}


def cross_validate(items: list[Item], fit, seed: int = 0) -> dict[str, dict]:
    """2-fold CV: rules fitted on one half predict the other; metrics over the pooled held-out predictions."""
    folds = [[i for i in items if half(i) == k] for k in (0, 1)]
    held: list[tuple[Item, AggregationRule]] = []
    for k in (0, 1):
        rule = fit(folds[1 - k], seed)
        held.extend((item, rule) for item in folds[k])
    rows = {ds: score_pairs([(i, r) for i, r in held if i.dataset == ds]) for ds in dict.fromkeys(i.dataset for i in items)}
    rows["all"] = score_pairs(held)
    return rows


# --- saving --------------------------------------------------------------------------------------------------------

CARD_MARKER = "## Article-level stance"


def write_card_section(model_dir: Path, lines: list[str]) -> None:
    """Replace (or add, before "## Versions") the model card section whose heading is ``lines[0]``."""
    card = model_dir / "README.md"
    if not card.is_file():
        return
    text = card.read_text(encoding="utf-8")
    marker = lines[0]
    if marker in text:
        head, _, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)
        text = head.rstrip("\n") + ("\n\n## " + tail[1] if len(tail) > 1 else "\n")
    head, sep, versions = text.partition("\n## Versions")
    card.write_text(head.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + sep + versions, encoding="utf-8")


def card_section(model_dir: Path, method: str, cv: dict[str, dict]) -> None:
    """Replace (or add) the article-level section of the model card with the cross-validated figures."""
    lines = [
        CARD_MARKER,
        "",
        f"Aggregation rule: {method}, calibrated on the actor stances of {' + '.join(k for k in cv if k != 'all')} "
        "(shared labels); "
        "actors from `ActorExtractor.default()`, missed actors count as wrong. 2-fold cross-validated "
        "(`foreign-desk train configs/stance-article-rule.yaml`):",
        "",
        "| set | actor pairs | found | macro-F1 | accuracy | F1 positive |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {k} | {m['pairs']} | {m['found']} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | "
              f"{m['per_label_f1']['positive']:.3f} |" for k, m in cv.items()]
    write_card_section(model_dir, lines)


def compact_json(data: Any) -> str:
    """Indented JSON with every list of numbers on one line (a coefficient row, a word's coefficients per label)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return re.sub(r"\[\s+([-+\d.eE,\s]+?)\s+\]", lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]",
                  text)


def save_rule(model_dir: Path, rule: AggregationRule) -> Path:
    """Write ``rule`` as ``aggregation`` into the model's ``config.json``; returns its path (manifest not touched)."""
    config_path = model_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["aggregation"] = rule.to_config()
    config_path.write_text(compact_json(config) + "\n", encoding="utf-8")
    return config_path


def fit(items: list[Item], methods: list[str], seed: int = 0) -> tuple[str, AggregationRule, dict[str, Any]]:
    """Cross-validate ``methods``, refit the best on all items: ``(method, rule, metrics)``."""
    cv = {name: cross_validate(items, METHODS[name], seed) for name in methods}
    best = max(cv, key=lambda n: cv[n]["all"]["macro_f1"])
    rule = METHODS[best](items, seed)
    metrics = {"method": best, "rule": rule.to_config(), "cv": cv, "in_sample": score_by_dataset(items, rule)}
    return best, rule, metrics


def train(config: ArticleRuleConfig, resume: bool = False) -> Path:
    """Fit the rule and store it in ``config.model_dir`` (``resume`` has no meaning for this step: it is quick once the
    mention probabilities are cached)."""
    from foreign_desk.inference.manifest import write_manifest
    from foreign_desk.inference.stance import StanceClassifier

    np.random.seed(config.seed)
    model_dir = resolve(config.model_dir)
    clf = StanceClassifier.from_pretrained(model_dir, quantize=config.quantize)
    cache = ProbaCache(resolve(config.cache) if config.cache is not None else None,
                       model_fingerprint(model_dir, config.quantize))
    items, timing = load_items(resolve(config.data_dir), clf, config.limit, config.batch_size, cache, config.datasets)
    if not items:
        raise ValueError("no labelled items to fit the aggregation rule on")
    method, rule, metrics = fit(items, list(config.methods), config.seed)
    metrics.update(config=json.loads(config.model_dump_json()), timing=timing, items=len(items))
    save_rule(model_dir, rule)
    card_section(model_dir, method, metrics["cv"][method])
    (model_dir / METRICS_NAME).write_text(compact_json(metrics) + "\n", encoding="utf-8")
    write_manifest(model_dir)
    all_cv = metrics["cv"][method]["all"]
    print(f"{method}: 2-fold CV macro-F1 {all_cv['macro_f1']:.3f} over {all_cv['pairs']} actor pairs; rule saved")
    return model_dir


def evaluate(model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False) -> dict:
    """A fitted rule is evaluated by ``benchmarks/stance_article_eval.py``; the model by ``foreign-desk evaluate``."""
    raise ValueError("evaluate the stance model itself (task 'stance') or run benchmarks/stance_article_eval.py")
