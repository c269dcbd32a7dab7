"""Training step ``stance_article_head``: fit the article-level stance head of a saved MiniLM stance model.

    foreign-desk train configs/stance-article-head.yaml

Every labelled actor of the configured sets (``../shared`` labels) is matched by name to an actor that
``ActorExtractor.default()`` finds; the stance model scores all its mentions once and returns their vectors
(:meth:`MiniLMStanceClassifier.scores_and_vectors`, cached by content so a refit needs no model run). An
:class:`~foreign_desk.inference.stance.article_head.ArticleHead` learns the labelled article-level stance from the
mentions (multi-instance) and the actor features. Figures are 2-fold cross-validated over items (halves by a hash of
the id, as the aggregation rule's), per source, with a missed actor counted as wrong; the aggregation rule is
cross-validated on the same folds for comparison. The head is then refit on every item and stored beside the
stance model (``article_head.safetensors``, ``config.json`` ``article_head``), with the manifest regenerated, the
model card's section refreshed and the figures in ``article_head_metrics.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from foreign_desk.inference.stance.article import FEATURES_V2, ActorMentions, actor_features_v2, actor_views
from foreign_desk.inference.stance.article_head import (
    CONFIG_KEY,
    PRIOR_FEATURES,
    ArticleHead,
    ArticleHeadConfig,
    mention_inputs,
    prior_features,
    prior_key,
    save_article_head,
)
from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.training.config_io import read_yaml_mapping, validate
from foreign_desk.training.stance.article_rule import (
    DATASETS,
    METHODS,
    Item,
    compact_json,
    cross_validate,
    half,
    load_items,
    model_fingerprint,
    read_cache,
    resolve,
    target_key,
    write_card_section,
)

METRICS_NAME = "article_head_metrics.json"
CARD_MARKER = "## Article-level head"


class ArticleHeadTrainingConfig(BaseModel):
    """``task: stance_article_head``: which saved MiniLM stance model gets a head, fitted on which labelled items."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["stance_article_head"] = "stance_article_head"
    model_dir: Path = Field(Path("models/stance-minilm"), description="the saved MiniLM stance model; updated in place")
    data_dir: Path = Path("../shared/data")
    datasets: dict[str, str] = Field(default_factory=lambda: dict(DATASETS))
    limit: int | None = Field(None, gt=0, description="first N labelled items of each dataset (tiny test configs)")
    hidden: int = Field(128, gt=0)
    dropout: float = Field(0.3, ge=0.0, lt=1.0)
    members: int = Field(12, ge=1, description="heads trained from seeds seed..seed+members-1, averaged")
    epochs: int = Field(8, ge=1)
    batch_size: int = Field(32, ge=1, description="actors per optimisation step")
    learning_rate: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-3, ge=0)
    actor_prior: bool = Field(
        True, description="the head also reads each actor's labelled stance counts in the training items (by name)")
    prior_alpha: float = Field(3.0, gt=0, description="pseudo-counts at the overall class rates smoothing the prior")
    seed: int = 0
    num_threads: int | None = Field(None, ge=1)
    encode_batch_size: int = Field(32, ge=1)
    compare_rule: str | None = Field(
        "logistic v2 + lexicon", description="aggregation-rule method cross-validated on the same folds (null: none)"
    )
    cache: Path | None = Field(None, description="mention vectors cache (.npz) so a refit needs no model run")


def load_config(path: str | Path) -> ArticleHeadTrainingConfig:
    config = validate(ArticleHeadTrainingConfig, read_yaml_mapping(path), str(path), "stance_article_head config")
    model_config = resolve(config.model_dir) / "config.json"
    if not model_config.is_file():
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a saved model directory")
    if json.loads(model_config.read_text(encoding="utf-8")).get("kind") != "minilm":
        raise ValueError(f"{path}: model_dir {config.model_dir} is not a MiniLM stance model (the head reads its vectors)")
    for dataset in config.datasets:
        if not (resolve(config.data_dir) / dataset / "labels.jsonl").is_file():
            raise ValueError(f"{path}: {config.data_dir}/{dataset}/labels.jsonl not found")
    if config.compare_rule is not None and config.compare_rule not in METHODS:
        raise ValueError(f"{path}: compare_rule must be one of {sorted(METHODS)} or null")
    return config


# --- mention vectors ------------------------------------------------------------------------------------------------


class VectorCache:
    """Mention probabilities and vectors by target content (``keys``, ``proba``, ``vectors`` in one ``.npz``; vectors
    stored as float16, no pickle). Its :meth:`score` has the signature ``load_items`` expects of a cache."""

    def __init__(self, path: Path | None = None, fingerprint: str | None = None) -> None:
        self.path = path
        self.fingerprint = fingerprint  # the model's (see ``model_fingerprint``): another model's cache is not reused
        self.proba: dict[str, np.ndarray] = {}
        self.vectors: dict[str, np.ndarray] = {}
        data = read_cache(path, fingerprint)
        if data is not None:
            keys = data["keys"].tolist()
            self.proba = dict(zip(keys, data["proba"], strict=True))
            self.vectors = dict(zip(keys, data["vectors"], strict=True))

    def score(self, clf, targets: list, batch_size: int) -> tuple[np.ndarray, int]:
        keys = [target_key(t) for t in targets]
        todo = [i for i, k in enumerate(keys) if k not in self.proba]
        if todo:
            proba, vectors = clf.scores_and_vectors([targets[i] for i in todo], batch_size=batch_size)
            for i, p, v in zip(todo, proba, vectors, strict=True):
                self.proba[keys[i]] = p.astype(np.float32)
                self.vectors[keys[i]] = v.astype(np.float16)
        out = np.array([self.proba[k] for k in keys], dtype=np.float32).reshape(len(keys), len(LABELS))
        return out, len(keys) - len(todo)

    def vectors_of(self, targets: list) -> np.ndarray:
        return np.array([self.vectors[target_key(t)] for t in targets], dtype=np.float32)

    def save(self) -> None:
        if self.path is None or not self.proba:
            return
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.proba)
        np.savez(self.path, keys=np.array(keys, dtype="U20"), proba=np.array([self.proba[k] for k in keys]),
                 vectors=np.array([self.vectors[k] for k in keys]), fingerprint=np.array(self.fingerprint or ""))


# --- examples -------------------------------------------------------------------------------------------------------


@dataclass
class Example:
    """One labelled actor of one item: its gold stance and, when extracted, its mentions and their vectors."""

    dataset: str
    item: str
    half: int
    gold: int
    view: ActorMentions | None
    vectors: np.ndarray | None


def labelled_examples(items: list[Item], cache: VectorCache) -> Iterator[tuple[int, str, list[int], Example]]:
    """Per labelled actor of ``items`` (found or not): the item's index, the labelled name, the item's target rows of
    the matching extracted actor's mentions (empty when missed) and its :class:`Example`."""
    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.actors.matching import match_name

    gazetteer = ActorExtractor.default().gazetteer
    for index, item in enumerate(items):
        views = actor_views(item.result, item.proba, item.owners, item.targets)
        vectors = cache.vectors_of(item.targets or [])
        rows_of: dict[int, list[int]] = {}
        for i, (owner, _) in enumerate(item.owners):
            rows_of.setdefault(owner, []).append(i)
        found = {a.name: k for k, a in enumerate(item.result.actors)}
        for actor, stance in item.gold.items():
            name = match_name(actor, found, gazetteer)
            k = found[name] if name is not None else None
            rows = rows_of.get(k, []) if k is not None else []
            yield index, actor, rows, Example(item.dataset, item.id, half(item), LABELS.index(stance),
                                              views[k] if k is not None else None, vectors[rows] if rows else None)


def examples_of(items: list[Item], cache: VectorCache) -> list[Example]:
    """Every labelled actor of ``items`` (found or not) with what the head reads."""
    return [example for *_, example in labelled_examples(items, cache)]


# --- fitting --------------------------------------------------------------------------------------------------------


def actor_prior(examples: list[Example]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Labelled stance counts per :func:`prior_key` of the extracted actor's name, and the overall class rates."""
    table: dict[str, np.ndarray] = {}
    for e in examples:
        key = prior_key(e.view.name) if e.view is not None else ""
        if key:
            table.setdefault(key, np.zeros(len(LABELS)))[e.gold] += 1
    counts = np.bincount([e.gold for e in examples], minlength=len(LABELS)).astype(float)
    return table, np.maximum(counts, 1.0) / max(1.0, counts.sum())


def prior_inputs(examples: list[Example], table: dict[str, np.ndarray], rates: np.ndarray, alpha: float) -> np.ndarray:
    """:data:`PRIOR_FEATURES` of the training ``examples`` with each one's own label left out of its actor's counts,
    so that the head meets the prior as it will on unseen items (an actor labelled once is as good as unknown)."""
    rows = []
    for e in examples:
        counts = table.get(prior_key(e.view.name)) if e.view is not None else None
        if counts is not None:
            counts = counts.copy()
            counts[e.gold] -= 1
        rows.append(prior_features(counts if counts is not None and counts.sum() > 0 else None, rates, alpha))
    return np.array(rows)


def fit_head(examples: list[Example], config: ArticleHeadTrainingConfig, seed: int) -> ArticleHead:
    """Train a head on the found, scored actors of ``examples`` (square-root class weights, AdamW); with
    ``config.actor_prior`` it also reads the actor prior counted on these examples."""
    import torch
    from torch import nn

    usable = [e for e in examples if e.view is not None and e.vectors is not None]
    if not usable:
        raise ValueError("no labelled actor was found and scored: nothing to fit the article head on")
    bags = [torch.from_numpy(mention_inputs(e.view, e.vectors)) for e in usable]
    raw = np.array([actor_features_v2(e.view) for e in usable])
    prior: dict[str, Any] = {}
    if config.actor_prior:
        table, rates = actor_prior(usable)
        raw = np.hstack([raw, prior_inputs(usable, table, rates, config.prior_alpha)])
        prior = {"features": [*FEATURES_V2, *PRIOR_FEATURES], "class_rates": rates.tolist(),
                 "prior_alpha": config.prior_alpha, "actor_prior": {k: v.tolist() for k, v in sorted(table.items())}}
    features = torch.tensor(raw, dtype=torch.float32)
    y = torch.tensor([e.gold for e in usable])
    mean, scale = features.mean(0), features.std(0).clamp(min=1e-6)
    head = ArticleHead(ArticleHeadConfig(
        vector_dim=usable[0].vectors.shape[1], hidden=config.hidden, dropout=config.dropout, members=config.members,
        feature_mean=mean.tolist(), feature_scale=scale.tolist(), **prior,
    ))
    x = head.standardise(features)
    counts = np.bincount(y.numpy(), minlength=len(LABELS)).astype(float)
    weights = np.sqrt(counts.sum() / (len(LABELS) * np.maximum(counts, 1.0)))
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    for k, member in enumerate(head.members):
        torch.manual_seed(seed + k)
        rng = np.random.default_rng(seed + k)
        with torch.no_grad():  # each member starts from its own seed's initialisation
            for module in member.modules():
                if hasattr(module, "reset_parameters"):
                    module.reset_parameters()
        optimizer = torch.optim.AdamW(member.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
        for _ in range(config.epochs):
            member.train()
            order = rng.permutation(len(usable))
            for start in range(0, len(order), config.batch_size):
                batch = order[start : start + config.batch_size]
                loss = loss_fn(member([bags[i] for i in batch], x[batch]), y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    head.eval()
    return head


def predict(head: ArticleHead, examples: list[Example]) -> list[int | None]:
    """Predicted label index per example (``None``: the actor was not found); a found actor without a scored mention
    is neutral, as at run time."""
    found = [e for e in examples if e.view is not None]
    proba = head.predict_proba([e.view for e in found], [e.vectors if e.vectors is not None else np.zeros((0, 1))
                                                         for e in found])
    by_id = {id(e): int(p.argmax()) for e, p in zip(found, proba, strict=True)}
    return [by_id.get(id(e)) for e in examples]


def scores(examples: list[Example], predicted: list[int | None]) -> dict[str, dict]:
    """Per dataset and overall: macro-F1 and accuracy (a missed actor is wrong), per-label F1, found-only macro-F1."""
    from sklearn.metrics import accuracy_score, f1_score

    def one(rows: list[tuple[Example, int | None]]) -> dict[str, Any]:
        gold = [e.gold for e, _ in rows]
        pred = [p if p is not None else -1 for _, p in rows]
        found = [(e.gold, p) for e, p in rows if p is not None]
        labels = list(range(len(LABELS)))
        per_label = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
        return {
            "pairs": len(rows), "found": len(found),
            "macro_f1": float(per_label.mean()),
            "accuracy": float(accuracy_score(gold, pred)) if rows else 0.0,
            "macro_f1_found": float(f1_score([g for g, _ in found], [p for _, p in found], labels=labels,
                                             average="macro", zero_division=0)) if found else 0.0,
            "per_label_f1": {label: float(f) for label, f in zip(LABELS, per_label, strict=True)},
        }

    rows = list(zip(examples, predicted, strict=True))
    out = {ds: one([r for r in rows if r[0].dataset == ds]) for ds in dict.fromkeys(e.dataset for e in examples)}
    out["all"] = one(rows)
    return out


def cross_validate_head(examples: list[Example], config: ArticleHeadTrainingConfig) -> dict[str, dict]:
    """2-fold CV over items (the rule's halves): fit on one half, predict the other, score the pooled predictions."""
    predicted: dict[int, int | None] = {}
    for k in (0, 1):
        train_part = [e for e in examples if e.half != k]
        held = [e for e in examples if e.half == k]
        head = fit_head(train_part, config, config.seed)
        predicted.update((id(e), p) for e, p in zip(held, predict(head, held), strict=True))
    return scores(examples, [predicted[id(e)] for e in examples])


# --- saving ---------------------------------------------------------------------------------------------------------


def card_section(model_dir: Path, cv: dict[str, dict], rule_cv: dict[str, dict] | None,
                 head: ArticleHead | None = None) -> None:
    """Replace (or add) the model card's article-level head section with the cross-validated figures."""
    about = ""
    if head is not None:
        about = f"{head.config.members} heads trained from different seeds, their probabilities averaged. "
    if head is not None and head.config.uses_prior:
        about += (f"With an actor prior: the labelled stance counts of {len(head.config.actor_prior):,} actor names "
                  f"(no text), smoothed by {head.config.prior_alpha:g} pseudo-counts at the class rates; in the "
                  "figures below it is counted on the training half only. ")
    lines = [
        CARD_MARKER, "",
        "The article-level stance toward each actor is decided by a small multi-instance head over all the actor's "
        "mentions (their encoder vectors from the stance pass, probabilities and positions) and actor features, "
        "trained on the labelled actor stances (`foreign-desk train configs/stance-article-head.yaml`). " + about +
        "2-fold cross-validated over items, missed actors counted as wrong"
        + ("; the aggregation rule on the same folds for comparison:" if rule_cv else ":"),
        "",
        "| set | actor pairs | found | macro-F1 | F1 negative | F1 neutral | F1 positive |"
        + (" rule macro-F1 |" if rule_cv else ""),
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if rule_cv else ""),
    ]
    for k, m in cv.items():
        f1 = m["per_label_f1"]
        row = (f"| {k} | {m['pairs']} | {m['found']} | {m['macro_f1']:.3f} | {f1['negative']:.3f} | "
               f"{f1['neutral']:.3f} | {f1['positive']:.3f} |")
        if rule_cv:
            row += f" {rule_cv[k]['macro_f1']:.3f} |" if k in rule_cv else " – |"
        lines.append(row)
    write_card_section(model_dir, lines)


def train(config: ArticleHeadTrainingConfig, resume: bool = False) -> Path:
    """Cross-validate, refit on every item and store the head in ``config.model_dir`` (``resume`` has no meaning: the
    step is minutes once the mention vectors are cached)."""
    import torch

    from foreign_desk.inference.manifest import write_manifest
    from foreign_desk.inference.stance import StanceClassifier

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    model_dir = resolve(config.model_dir)
    clf = StanceClassifier.from_pretrained(model_dir)
    if not hasattr(clf, "scores_and_vectors"):
        raise ValueError(f"{model_dir}: the article head needs a MiniLM stance model")
    cache = VectorCache(resolve(config.cache) if config.cache is not None else None, model_fingerprint(model_dir))
    t0 = time.perf_counter()
    items, timing = load_items(resolve(config.data_dir), clf, config.limit, config.encode_batch_size, cache,
                               config.datasets)
    if not items:
        raise ValueError("no labelled items to fit the article head on")
    examples = examples_of(items, cache)
    timing["load_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    cv = cross_validate_head(examples, config)
    timing["cv_s"] = time.perf_counter() - t1
    rule_cv = cross_validate(items, METHODS[config.compare_rule], config.seed) if config.compare_rule else None
    head = fit_head(examples, config, config.seed)
    entry = save_article_head(model_dir, head, {"cv_macro_f1": {k: round(v["macro_f1"], 4) for k, v in cv.items()}})
    model_config_path = model_dir / "config.json"
    model_config = json.loads(model_config_path.read_text(encoding="utf-8"))
    model_config[CONFIG_KEY] = entry
    model_config_path.write_text(compact_json(model_config) + "\n", encoding="utf-8")
    metrics = {"cv": cv, "rule_cv": rule_cv, "compare_rule": config.compare_rule, "items": len(items),
               "labelled_actors": len(examples), "timing": timing, "config": json.loads(config.model_dump_json())}
    (model_dir / METRICS_NAME).write_text(compact_json(metrics) + "\n", encoding="utf-8")
    card_section(model_dir, cv, rule_cv, head)
    write_manifest(model_dir)
    print(f"article head: 2-fold CV macro-F1 {cv['all']['macro_f1']:.3f} over {cv['all']['pairs']} actor pairs"
          + (f" (rule {rule_cv['all']['macro_f1']:.3f})" if rule_cv else "") + "; head saved")
    for k, m in cv.items():
        print(f"  {k}: macro-F1 {m['macro_f1']:.3f}, positive F1 {m['per_label_f1']['positive']:.3f}"
              + (f", rule {rule_cv[k]['macro_f1']:.3f}" if rule_cv and k in rule_cv else ""))
    return model_dir


def evaluate(model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False) -> dict:
    """The head's figures are cross-validated by :func:`train`; ``benchmarks/stance_article_eval.py`` evaluates it."""
    raise ValueError("the article head is cross-validated when trained; run benchmarks/stance_article_eval.py")
