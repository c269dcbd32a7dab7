"""Training step ``actor_phrases``: the statistical name recogniser of :mod:`foreign_desk.inference.actors.phrases`.

    foreign-desk train configs/stance-actor-phrases.yaml

Silver spans: in every labelled item of the shared sets, a candidate phrase (capitalised run or suffix of one) whose
text is a labelled actor name is positive, every other candidate negative (labels list only the salient actors, so
the negatives are conservative: the model learns to add only names that look like labelled actors). Candidates the
rule extractor already covers are left out, as at run time. Two logistic regressions (actor or not; person or
organisation, on the positives) over the sparse features. 2-fold cross-validation over the items (halves by a hash
of the id) measures recall of the labelled actors with and without the recogniser and the share of added actors
that are labelled ones; the models refit on all items are written to ``inference/data/actor_phrases.json``.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from foreign_desk.training.config_io import read_yaml_mapping, validate

REPO = Path(__file__).resolve().parents[2]


class ActorPhrasesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: Literal["actor_phrases"] = "actor_phrases"
    data_dir: Path = Path("../shared/data")
    datasets: dict[str, str] = Field(default_factory=lambda: {
        "reuters_world": "articles.jsonl", "reuters2017": "articles.jsonl",
        "agnews_world": "items.jsonl", "conflibert_cameo": "items.jsonl"})
    output: Path = Path("inference/data/actor_phrases.json")
    C: float = Field(0.5, gt=0)
    threshold: float = Field(0.5, gt=0, lt=1)
    limit: int | None = Field(None, gt=0)
    metrics: Path | None = Path("runs/actor_phrases_metrics.json")


def resolve(path: Path) -> Path:
    if path.is_absolute() or path.exists():
        return path
    return REPO / path


def load_config(path: str | Path) -> ActorPhrasesConfig:
    return validate(ActorPhrasesConfig, read_yaml_mapping(path), str(path), "actor_phrases config")


@dataclass
class Doc:
    dataset: str
    id: str
    text: str
    generic_from: int
    headline_end: int
    gold: dict[str, str]  # name -> type
    result: object  # the rule extractor's ActorResult
    feats: list
    cands: list
    labels: list[int]
    rule_feats: list  # candidates the rules extracted as a person or organisation: silver positives
    rule_types: list[str]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_docs(config: ActorPhrasesConfig) -> list[Doc]:
    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.actors.extractor import _title_cased, fold_accents
    from foreign_desk.inference.actors.phrases import NOT_ACTORS, fresh_candidates, scored_candidates
    from foreign_desk.inference.wire import headline_of

    extractor = ActorExtractor()
    extractor.phrases = None  # the rule extractor only: the recogniser is what is being trained
    docs = []
    for dataset, name in config.datasets.items():
        data = resolve(config.data_dir) / dataset
        texts = {r["id"]: r for r in read_jsonl(data / name)}
        for label in read_jsonl(data / "labels.jsonl")[: config.limit]:
            rec = texts[label["id"]]
            headline = headline_of(rec)
            text = fold_accents(f"{headline}\n\n{rec['text']}" if headline else rec["text"])  # as extract() reads it
            generic_from = len(headline) if headline and _title_cased(headline) else 0
            result = extractor.extract(rec["text"], headline=headline)
            cands, feats = fresh_candidates(text, result, generic_from, len(headline), extractor.gazetteer)
            gold = {a["actor"]: a["type"] for a in label["actors"]}
            spans = {(m.start, m.end): a.type for a in result.actors if a.type != "country" for m in a.mentions}
            _, all_cands, all_feats = scored_candidates(text, generic_from, len(headline))
            rule = [(f, spans[(c.char_start, c.char_end)]) for c, f in zip(all_cands, all_feats, strict=True)
                    if (c.char_start, c.char_end) in spans and c.text not in NOT_ACTORS]
            docs.append(Doc(dataset, label["id"], text, generic_from, len(headline), gold, result,
                            feats, cands, [int(c.text in gold) for c in cands],
                            [f for f, _ in rule], [t for _, t in rule]))
    return docs


def half(doc: Doc) -> int:
    return hashlib.sha256(doc.id.encode()).digest()[0] % 2


def silver_names(docs: list[Doc]) -> dict[str, str]:
    """Names that are actors (-> type): the labelled person and organisation names of ``docs`` plus the gazetteer's
    people and organisations (names and aliases)."""
    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.actors.phrases import NOT_ACTORS

    names: dict[str, str] = {}
    for entry in ActorExtractor.default().gazetteer.entries.values():
        if entry.type in ("person", "organisation"):
            for n in (entry.name, *entry.aliases):
                if len(n) > 2:
                    names.setdefault(n, entry.type)
    for d in docs:
        for n, t in d.gold.items():
            if t in ("person", "organisation") and n not in NOT_ACTORS:
                names[n] = t
    return names


def fit(docs: list[Doc], c: float, threshold: float):
    """Fit both models on ``docs``: a candidate is positive when its text is a silver actor name
    (:func:`silver_names` of ``docs``)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from foreign_desk.inference.actors.phrases import PhraseModel

    names = silver_names(docs)
    x = [f for d in docs for f in d.feats] + [f for d in docs for f in d.rule_feats]
    y = [int(cand.text in names) for d in docs for cand in d.cands] + [1 for d in docs for _ in d.rule_feats]
    vec = DictVectorizer()
    xm = vec.fit_transform(x)
    if len(set(y)) < 2:
        raise ValueError("actor_phrases: the labelled items give no positive (or no negative) candidate")
    actor = LogisticRegression(C=c, max_iter=3000, fit_intercept=False).fit(xm, y)
    px, py = [], []
    for d in docs:
        for f, cand in zip(d.feats, d.cands, strict=True):
            if cand.text in names:
                px.append(f)
                py.append(int(names[cand.text] == "person"))
    for d in docs:
        px.extend(d.rule_feats)
        py.extend(int(t == "person") for t in d.rule_types)
    features = vec.get_feature_names_out()

    def weights(model) -> dict[str, float]:
        return {str(n): round(float(w), 4) for n, w in zip(features, model.coef_[0], strict=True) if abs(w) >= 1e-4}

    if len(set(py)) > 1:
        person = weights(LogisticRegression(C=c, max_iter=3000, fit_intercept=False).fit(vec.transform(px), py))
    else:  # one type only among the positives (tiny sets)
        person = {"bias": 5.0 if py and py[0] else -5.0}
    return PhraseModel(weights(actor), person, threshold)


def evaluate(docs: list[Doc], model, thresholds=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8)) -> dict:
    """Recall of the labelled actors without/with the recogniser per dataset, and the added actors that are
    labelled ones ("silver precision": a lower bound, unlabelled minor actors count as wrong)."""
    from dataclasses import replace

    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.actors.matching import match_name
    from foreign_desk.inference.actors.phrases import recognise

    gaz = ActorExtractor.default().gazetteer
    out: dict = {}
    for t in thresholds:
        m = replace(model, threshold=t)
        rows: dict[str, dict] = {}
        for d in docs:
            r = rows.setdefault(d.dataset, {"labelled": 0, "before": 0, "after": 0, "added": 0, "added_labelled": 0})
            before = {a.name for a in d.result.actors}
            import copy

            res = recognise(d.text, copy.deepcopy(d.result), m, d.generic_from, d.headline_end, gaz)
            after = {a.name for a in res.actors}
            added = after - before
            r["added"] += len(added)
            r["added_labelled"] += sum(1 for a in added if a in d.gold)
            for g in d.gold:
                r["labelled"] += 1
                r["before"] += match_name(g, before, gaz) is not None
                r["after"] += match_name(g, after, gaz) is not None
        for r in rows.values():
            r["recall_before"] = r["before"] / max(1, r["labelled"])
            r["recall_after"] = r["after"] / max(1, r["labelled"])
            r["silver_precision"] = r["added_labelled"] / max(1, r["added"])
        out[t] = rows
    return out


def cross_validate(docs: list[Doc], c: float) -> dict:
    folds = [[d for d in docs if half(d) == k] for k in (0, 1)]
    merged: dict = {}
    for k in (0, 1):
        model = fit(folds[1 - k], c, 0.5)
        for t, rows in evaluate(folds[k], model).items():
            for ds, r in rows.items():
                acc = merged.setdefault(t, {}).setdefault(ds, {})
                for key in ("labelled", "before", "after", "added", "added_labelled"):
                    acc[key] = acc.get(key, 0) + r[key]
    for rows in merged.values():
        for r in rows.values():
            r["recall_before"] = round(r["before"] / max(1, r["labelled"]), 4)
            r["recall_after"] = round(r["after"] / max(1, r["labelled"]), 4)
            r["silver_precision"] = round(r["added_labelled"] / max(1, r["added"]), 4)
    return merged


def train(config: ActorPhrasesConfig, resume: bool = False) -> Path:
    started = time.perf_counter()
    docs = load_docs(config)
    cv = cross_validate(docs, config.C)
    for t, rows in cv.items():
        print(f"threshold {t}: " + "; ".join(
            f"{ds} recall {r['recall_before']:.3f} -> {r['recall_after']:.3f} (added {r['added']}, silver precision "
            f"{r['silver_precision']:.2f})" for ds, r in rows.items()))
    model = fit(docs, config.C, config.threshold)
    out = resolve(config.output) if config.output.parent.exists() or (REPO / config.output.parent).exists() else config.output
    model.save(out)
    if config.metrics is not None:
        path = resolve(config.metrics.parent) / config.metrics.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"cv": {str(k): v for k, v in cv.items()}, "seconds": time.perf_counter() - started,
                                    "config": json.loads(config.model_dump_json())}, indent=2) + "\n")
    print(f"saved {out} ({len(model.weights)} actor features, {len(model.person)} type features)")
    return out
