"""Training and evaluating stance models (``task: stance``): MiniLM span pooling and the tf-idf baseline.

The interface ``foreign_desk.training.commands`` expects: :func:`load_config`, :func:`train`, :func:`evaluate`.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import torch

from foreign_desk.inference.manifest import write_manifest
from foreign_desk.inference.stance import StanceClassifier, TfidfStanceClassifier
from foreign_desk.training.config import migrate_training_config, saved_config
from foreign_desk.training.metrics import card_rows, evaluation_result, print_report, write_metrics
from foreign_desk.training.model_card import ModelCard
from foreign_desk.training.stance.config import StanceConfig, config_from_dict, load_config, resolve
from foreign_desk.training.stance.data import label_counts, load_newsmtsc, targets_of
from foreign_desk.training.stance.metrics import stance_report
from foreign_desk.training.stance.tfidf import fit_tfidf_stance

__all__ = ["StanceConfig", "evaluate", "load_config", "train"]
log = logging.getLogger(__name__)

_USAGE = """from foreign_desk.inference.stance import StanceClassifier, StanceTarget

clf = StanceClassifier.from_pretrained("{dir}")
clf.predict([StanceTarget("Critics slammed Smith for the delay.", 16, 21)])"""


def _dataset(config: StanceConfig):
    d = config.data
    return load_newsmtsc(resolve(d.train), config.seed, d.dev_fraction, d.test_fraction, d.limit)


def train(config: StanceConfig, resume: bool = False) -> Path:
    """Train the model the config describes, save it with config, model card and manifest; return its directory."""
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    dsd = _dataset(config)
    log.info("stance data: %s", {s: len(dsd[s]) for s in dsd})
    started = time.perf_counter()
    kind = config.model.kind
    if kind == "tfidf":
        clf, summary = _train_tfidf(config, dsd)
    else:
        from foreign_desk.training.stance.minilm import train_minilm

        clf, summary = train_minilm(config, dsd, resume=resume)
    seconds = summary.get("training_seconds", time.perf_counter() - started)
    clf.config["training_config"] = config.model_dump(mode="json")
    clf.config["training"] = {k: v for k, v in summary.items() if k != "history"}

    dev = _metrics(clf, dsd["dev"])
    test = _metrics(clf, dsd["test"]) if len(dsd["test"]) else None
    out = config.output_dir
    if out.exists():
        shutil.rmtree(out)
    clf.save_pretrained(out)
    hyper = config.model.model_dump() | (config.training.model_dump() if config.training else {})
    hyper.update(seed=config.seed, chosen_C=summary.get("C")) if kind == "tfidf" else hyper.update(
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
        title=f"stance-{kind}",
        task="stance",
        model_kind=kind,
        summary=_summary(kind),
        data=[f"NewsMTSC (Hamborg & Donnay, EACL 2021), {config.data.train}"],
        label_counts=label_counts(dsd),
        metrics=card_rows(test or dev),
        metrics_split="test" if test else "dev",
        hyperparameters=hyper,
        training_seconds=seconds,
        usage=_USAGE.format(dir=out),
        notes=notes,
    ).save(out)
    write_metrics(out, "stance", kind, dev, test)
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
    args = config.model
    started = time.perf_counter()
    train_t, train_y = targets_of(dsd["train"]), list(dsd["train"]["label"])
    best, best_f1, best_c = None, -1.0, None
    for c in args.C:
        clf = fit_tfidf_stance(train_t, train_y, c=c, window=args.window, min_df=args.min_df)
        f1 = _metrics(clf, dsd["dev"])["macro_f1"]
        log.info("tfidf C=%s: dev macro-F1 %.4f", c, f1)
        if f1 > best_f1:
            best, best_f1, best_c = clf, f1, c
    return best, {"training_seconds": time.perf_counter() - started, "C": best_c, "best_dev_macro_f1": best_f1}


def _metrics(clf: StanceClassifier, ds) -> dict:
    return stance_report(clf, ds, batch_size=64)


def evaluate(
    model_dir: Path, split: str = "test", output: Path | None = None, quantize: bool = False,
    allow_unverified: bool = False,
) -> dict:
    """Recompute the held-out split recorded in the model's config, print a table, optionally write JSON.
    ``quantize`` evaluates the int8 path."""
    model_dir = Path(model_dir)
    clf = StanceClassifier.from_pretrained(model_dir, quantize=quantize, allow_unverified=allow_unverified)
    config = config_from_dict(migrate_training_config(saved_config(model_dir), model_dir), f"{model_dir}/config.json")
    dsd = _dataset(config)
    if split not in ("dev", "test"):
        raise ValueError(f"unknown split {split!r}; expected dev or test")
    started = time.perf_counter()
    report = _metrics(clf, dsd[split])
    print_report(report, f"stance {clf.kind}{' int8' if quantize else ''} on {split} ({report['n']} targets)")
    return evaluation_result(report, model_dir, "stance", clf.kind, split, quantize, time.perf_counter() - started, output)
