"""``train(config)``: data -> model of the configured kind -> saved directory with model card and manifest."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from foreign_desk.inference.manifest import write_manifest
from foreign_desk.inference.topics.base import TopicClassifier
from foreign_desk.training.metrics import card_rows, write_metrics
from foreign_desk.training.model_card import ModelCard
from foreign_desk.training.topic.config import TopicConfig
from foreign_desk.training.topic.data import TopicData, describe_sources, load_splits
from foreign_desk.training.topic.metrics import decide, multilabel_report, per_source_reports

log = logging.getLogger(__name__)

USAGE = """from foreign_desk.inference.topics import TopicClassifier

clf = TopicClassifier.from_pretrained("{path}")
pred = clf.predict(["Headline\\n\\nBody of the article ..."])[0]
print(pred.labels, pred.scores)"""

SUMMARIES = {
    "tfidf": "Baseline multi-label topic classifier: TF-IDF word and character n-grams, one-vs-rest "
    "logistic regression with balanced class weights, per-label decision thresholds tuned on dev.",
    "minilm": "Multi-label topic classifier: all-MiniLM-L6-v2 fine-tuned with BCE. Each article is read as the "
    "headline plus sliding body windows; token-mean window embeddings are pooled per article (mean and max) and fed "
    "to a linear head. Per-label decision thresholds tuned on dev.",
    "passages": "Multi-label topic classifier that reads the whole article: the headline and every window of "
    "consecutive body sentences is a passage; each sentence is encoded once by a frozen fine-tuned MiniLM encoder, "
    "a passage is the mean of its sentence embeddings, an MLP scores every passage for every label and the passage "
    "logits are pooled per label (log-sum-exp with a learned sharpness, near the max) so one strong passage anywhere "
    "carries a label. Trained as multi-instance learning on article labels together with single-sentence items "
    "(exact instances). Predictions carry the passages that decided each label as evidence. Per-label decision "
    "thresholds tuned on dev.",
    "routed": "Multi-label topic classifier that sends each article to one of two saved topic models by the length of "
    "its body (short items such as snippets and single sentences to one, long wire stories to the other); each route "
    "keeps its own per-label thresholds, its scores rescaled so the threshold sits at 0.5. The length limit is chosen "
    "on dev.",
    "ensemble": "Multi-label topic classifier: a weighted average of the probabilities of saved topic models trained "
    "on the same split (the fine-tuned MiniLM and the TF-IDF baseline); the weight and the per-label decision "
    "thresholds are chosen on dev.",
}


def _fit(config: TopicConfig, data: TopicData, resume: bool) -> tuple[TopicClassifier, dict]:
    if config.model.kind == "tfidf":
        from foreign_desk.training.topic.train_tfidf import train_tfidf

        return train_tfidf(config, data, resume)
    if config.model.kind == "ensemble":
        from foreign_desk.training.topic.train_ensemble import train_ensemble

        return train_ensemble(config, data, resume)
    if config.model.kind == "routed":
        from foreign_desk.training.topic.train_routed import train_routed

        return train_routed(config, data, resume)
    if config.model.kind == "passages":
        from foreign_desk.training.topic.train_passages import train_passages

        return train_passages(config, data, resume)
    from foreign_desk.training.topic.train_minilm import train_minilm

    return train_minilm(config, data, resume)


def _clear_output(out: Path) -> None:
    if not out.exists():
        return
    cfg = out / "config.json"
    if cfg.is_file() and json.loads(cfg.read_text("utf-8")).get("task") == "topic":
        shutil.rmtree(out)
    elif any(out.iterdir()):
        raise ValueError(f"output_dir {out} exists and is not a saved topic model; refusing to overwrite it")


def train(config: TopicConfig, resume: bool = False) -> Path:
    """Train the configured model, evaluate it on the held-out test split, and save it to ``config.output_dir``."""
    data = load_splits(config)
    counts = data.label_counts()
    log.info("split sizes: %s", {s: counts[s]["(articles)"] for s in counts})
    clf, summary = _fit(config, data, resume)

    reports, per_source = {}, {}
    for split in ("dev", "test"):
        proba = clf.predict_proba([{"title": h, "text": b} for h, b in data.texts(split)])
        pred = decide(proba, clf.thresholds, clf.labels)
        reports[split] = multilabel_report(data.y(split), pred, clf.labels, config.core_labels)
        per_source[split] = per_source_reports(
            data.y(split), pred, data.splits[split]["source"], clf.labels, config.core_labels
        )
    report = reports["test"]

    clf.config.update(
        core_labels=list(config.core_labels),
        split_fingerprint=data.fingerprint,
        **({"base_split_fingerprint": data.base_fingerprint} if data.base_fingerprint else {}),
        training_seconds=round(summary["training_seconds"], 1),
        training={k: v for k, v in summary.items() if k != "history"},
        training_config=config.model_dump(mode="json"),
    )
    out = Path(config.output_dir)
    _clear_output(out)
    clf.save_pretrained(out)
    rel = str(config.output_dir)
    unit = {"ensemble": "weight", "routed": "limit", "minilm": "step", "passages": "step"}.get(config.model.kind, "epoch")
    notes = [
        f"Split: train/dev/test {1 - config.data.dev_fraction - config.data.test_fraction:.2f}/"
        f"{config.data.dev_fraction:.2f}/{config.data.test_fraction:.2f}, iterative stratification over labels and "
        f"sources, seed {config.seed}; duplicates (same title, same text, or TF-IDF cosine >= "
        f"{config.data.dedup_similarity}) kept in one split; fingerprint `{data.fingerprint}`.",
        f"Training data fraction used: {config.data.train_fraction:.2f}.",
        f"Best {unit}: {summary.get('best_step', summary.get('best_epoch'))}. Dev history: "
        + "; ".join(
            f"{h['epoch'] if unit in ('weight', 'limit') else f'{unit} ' + str(h.get(unit, 1))}: macro-F1 {h['dev_macro_f1']:.3f}"
            + (f", core {h['dev_core_macro_f1']:.3f}" if h.get("dev_core_macro_f1") is not None else "")
            for h in summary["history"]
        ),
        f"Reproduce the test metrics: `foreign-desk evaluate {rel}` (from the repository root, with ../shared/data).",
    ]
    if config.data.separate_sources:
        notes.insert(
            1,
            f"Sources {config.data.separate_sources} are split on their own and merged; the other sources keep exactly "
            f"their own split (fingerprint `{data.base_fingerprint}`), the one a reused encoder was trained on.",
        )
    if config.core_labels:
        for split in ("test", "dev"):
            notes.append(
                f"Per source ({split}): "
                + "; ".join(
                    f"{name} (n={r['n']}): core macro-F1 {r['averages']['core_macro']['f1']:.3f}, "
                    + ", ".join(f"{c} {r['per_label'][c]['f1']:.3f}" for c in config.core_labels)
                    + (f", sanctions recall {r['per_label']['sanctions']['recall']:.3f}" if "sanctions" in config.core_labels else "")
                    for name, r in per_source[split].items()
                )
                + "."
            )
    notes += list(summary.get("notes", []))
    if config.threshold_beta:
        notes.append(
            "Thresholds maximise F-beta on dev for "
            + ", ".join(f"`{label}` (beta {beta:g}: recall weighs {beta:g} times precision)"
                        for label, beta in config.threshold_beta.items())
            + "; F1 for the other labels."
        )
    ModelCard(
        title=f"{config.name}: topic classifier ({config.model.kind})",
        task="topic",
        model_kind=config.model.kind,
        summary=SUMMARIES[config.model.kind],
        data=describe_sources(config),
        label_counts=counts,
        metrics=card_rows(report),
        metrics_split="held-out test",
        thresholds=clf.thresholds,
        hyperparameters=config.model.model_dump(mode="json")
        | (config.training.model_dump(mode="json") if config.training else {})
        | {"seed": config.seed},
        training_seconds=summary["training_seconds"],
        usage=USAGE.format(path=rel),
        notes=notes,
    ).save(out)
    write_metrics(out, "topic", config.model.kind, reports["dev"], reports["test"], per_source=per_source)
    write_manifest(out)
    core = report["averages"].get("core_macro")
    log.info("test macro-F1 %.3f, core macro-F1 %s", report["macro_f1"], f"{core['f1']:.3f}" if core else "n/a")
    return out
