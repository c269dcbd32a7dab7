"""Training and evaluating stance models (``task: stance``): MiniLM span pooling and the tf-idf baseline.

The interface ``foreign_desk.training.commands`` expects: :func:`load_config`, :func:`train`, :func:`evaluate`.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import torch

from foreign_desk.inference.manifest import write_manifest
from foreign_desk.inference.stance.classifier import StanceClassifier, TfidfStanceClassifier
from foreign_desk.training.model_card import ModelCard
from foreign_desk.training.stance.config import StanceConfig, load_config, resolve
from foreign_desk.training.stance.data import label_counts, load_newsmtsc, targets_of
from foreign_desk.training.stance.metrics import card_rows, stance_metrics

__all__ = ["StanceConfig", "evaluate", "load_config", "train"]
log = logging.getLogger(__name__)

_USAGE = """from foreign_desk.inference.stance import StanceClassifier, StanceTarget

clf = StanceClassifier.from_pretrained("{dir}")
clf.predict([StanceTarget("Critics slammed Smith for the delay.", 16, 21)])"""


def _dataset(config: StanceConfig):
    d = config.data
    return load_newsmtsc(resolve(d.train), config.seed, d.dev_fraction, d.test_fraction, d.limit)


def _data_config(config: StanceConfig) -> dict:
    return {**config.data.model_dump(mode="json"), "seed": config.seed}


def train(config: StanceConfig, resume: bool = False) -> Path:
    """Train the model the config describes, save it with config, model card and manifest; return its directory."""
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    dsd = _dataset(config)
    log.info("stance data: %s", {s: len(dsd[s]) for s in dsd})
    started = time.perf_counter()
    if config.kind == "tfidf":
        clf, summary = _train_tfidf(config, dsd)
    else:
        from foreign_desk.training.stance.minilm import train_minilm

        clf, summary = train_minilm(config, dsd, resume=resume)
    seconds = summary.get("training_seconds", time.perf_counter() - started)
    clf.config["data"] = _data_config(config)
    clf.config["training"] = {k: v for k, v in summary.items() if k != "history"}

    dev = _metrics(clf, dsd["dev"])
    test = _metrics(clf, dsd["test"]) if len(dsd["test"]) else None
    out = config.output_dir
    if out.exists():
        shutil.rmtree(out)
    clf.save_pretrained(out)
    hyper = config.minilm.model_dump() if config.kind == "minilm" else config.tfidf.model_dump()
    hyper.update(seed=config.seed, chosen_C=summary.get("C")) if config.kind == "tfidf" else hyper.update(
        seed=config.seed, best_step=summary.get("best_step"), steps=summary.get("steps")
    )
    notes = [
        f"dev macro-F1 {dev['macro_f1']:.3f}, accuracy {dev['accuracy']:.3f}"
        + (f"; test macro-F1 {test['macro_f1']:.3f}, accuracy {test['accuracy']:.3f}" if test else ""),
        "held-out splits: NewsMTSC train.jsonl split by a seeded hash of the sentence text "
        f"(dev {config.data.dev_fraction:.0%}, test {config.data.test_fraction:.0%}); "
        "`foreign-desk evaluate <dir>` recomputes them",
    ]
    ModelCard(
        title=f"stance-{config.kind}",
        task="stance",
        model_kind=config.kind,
        summary=_summary(config.kind),
        data=[f"NewsMTSC (Hamborg & Donnay, EACL 2021), {config.data.train}"],
        label_counts=label_counts(dsd),
        metrics=card_rows(test or dev),
        metrics_split="test" if test else "dev",
        hyperparameters=hyper,
        training_seconds=seconds,
        usage=_USAGE.format(dir=out),
        notes=notes,
    ).save(out)
    (out / "metrics.json").write_text(json.dumps({"dev": dev, "test": test}, indent=2) + "\n", encoding="utf-8")
    write_manifest(out)
    log.info("saved %s (dev macro-F1 %.4f)", out, dev["macro_f1"])
    return out


def _summary(kind: str) -> str:
    if kind == "minilm":
        return (
            "Stance (negative/neutral/positive) toward a target span. all-MiniLM-L6-v2 fine-tuned with frozen word "
            "embeddings; each sentence is encoded once and every target is classified from the mean of its token "
            "states concatenated with the sentence mean (one forward pass for all targets of a sentence). Weights "
            "stored in float16 without the word embeddings (restored from the packaged base model)."
        )
    return (
        "Stance baseline: tf-idf of the target's left/right context windows, the sentence with the target masked, "
        "position-tagged neighbour words and the mention; class-balanced logistic regression (scikit-learn, skops)."
    )


def _train_tfidf(config: StanceConfig, dsd) -> tuple[TfidfStanceClassifier, dict]:
    args = config.tfidf
    started = time.perf_counter()
    train_t, train_y = targets_of(dsd["train"]), list(dsd["train"]["label"])
    best, best_f1, best_c = None, -1.0, None
    for c in args.C:
        from foreign_desk.inference.stance.tfidf import build_pipeline

        clf = TfidfStanceClassifier(
            build_pipeline(c=c, min_df=args.min_df), {"C": c, "window": args.window, "min_df": args.min_df}
        )
        clf.fit(train_t, train_y)
        f1 = _metrics(clf, dsd["dev"])["macro_f1"]
        log.info("tfidf C=%s: dev macro-F1 %.4f", c, f1)
        if f1 > best_f1:
            best, best_f1, best_c = clf, f1, c
    return best, {"training_seconds": time.perf_counter() - started, "C": best_c, "best_dev_macro_f1": best_f1}


def _metrics(clf: StanceClassifier, ds) -> dict:
    preds = [p.stance for p in clf.predict(targets_of(ds), batch_size=64)] if len(ds) else []
    return stance_metrics(list(ds["label"]), preds)


def evaluate(model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False) -> dict:
    """Recompute the held-out split recorded in the model's config, print a table, optionally write JSON.
    ``quantize`` evaluates the int8 path."""
    from rich.console import Console
    from rich.table import Table

    model_dir = Path(model_dir)
    clf = StanceClassifier.from_pretrained(model_dir, quantize=quantize)
    data = clf.config.get("data")
    if not data:
        raise ValueError(f"{model_dir}: config.json records no data split; cannot evaluate")
    path = resolve(Path(data["train"]))
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: training data not found: {data['train']}")
    dsd = load_newsmtsc(path, int(data["seed"]), data["dev_fraction"], data["test_fraction"], data.get("limit"))
    if split not in dsd:
        raise ValueError(f"unknown split {split!r}; expected dev or test")
    started = time.perf_counter()
    metrics = _metrics(clf, dsd[split])
    metrics.update(model=str(model_dir), kind=clf.kind, int8=quantize, split=split, seconds=round(time.perf_counter() - started, 2))
    table = Table(title=f"stance {clf.kind} on {split} ({metrics['n']} targets): macro-F1 {metrics['macro_f1']:.3f}, "
                  f"accuracy {metrics['accuracy']:.3f}")
    for col in ("label", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, m in metrics["per_label"].items():
        table.add_row(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    Console().print(table)
    if output is not None:
        from foreign_desk.inference.encoder import write_json

        output.parent.mkdir(parents=True, exist_ok=True)
        write_json(output, metrics)
    return metrics
