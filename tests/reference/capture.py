"""Write the stored reference predictions that ``tests/test_reference_outputs.py`` compares against.

Run once with the models and code you want to freeze (``python -m tests.reference.capture``): the sample dump through
the whole pipeline, and the committed topic and stance models on the first items of their held-out test splits
(ids and scores only: no third-party text is stored).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
N_TOPIC = 120
N_STANCE = 400
TOPIC_MODELS = ("topic-tfidf", "topic-minilm", "topic-ensemble")
STANCE_MODELS = ("stance-minilm", "stance-tfidf")


def topic_items(model_dir: Path) -> list[dict]:
    from foreign_desk.inference.topics import TopicClassifier  # noqa: F401 - imported for the kind registry
    from foreign_desk.training.topic.evaluate import held_out_data

    _, data = held_out_data(model_dir)
    ds = data.splits["test"]
    return [{"id": i, "title": t, "text": x} for i, t, x in zip(ds["id"], ds["title"], ds["text"], strict=True)][:N_TOPIC]


def stance_items(model_dir: Path) -> list:
    from foreign_desk.training.stance.data import load_newsmtsc, targets_of

    data = json.loads((model_dir / "config.json").read_text("utf-8"))["data"]
    path = (ROOT / data["train"]).resolve()
    dsd = load_newsmtsc(path, int(data["seed"]), data["dev_fraction"], data["test_fraction"], data.get("limit"))
    return targets_of(dsd["test"])[:N_STANCE]


def key_of(target) -> str:
    return hashlib.sha256(f"{target.text}|{target.start}|{target.end}".encode()).hexdigest()[:16]


def main() -> None:
    from foreign_desk.inference import Pipeline
    from foreign_desk.inference.segment import read_dump
    from foreign_desk.inference.stance import StanceClassifier
    from foreign_desk.inference.topics import TopicClassifier

    models = ROOT / "models"
    pipe = Pipeline.from_pretrained(models)
    articles = read_dump(ROOT / "samples" / "sample_dump.txt")
    with open(HERE / "sample_predict.jsonl", "w", encoding="utf-8") as fh:
        for res in pipe.predict(articles):
            fh.write(json.dumps(res.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")

    topics = {}
    items = topic_items(models / "topic-ensemble")
    for name in TOPIC_MODELS:
        clf = TopicClassifier.from_pretrained(models / name)
        proba = clf.predict_proba(items)
        topics[name] = {"labels": clf.labels, "ids": [x["id"] for x in items], "proba": proba.round(6).tolist()}
    (HERE / "topic_test.json").write_text(json.dumps(topics) + "\n", encoding="utf-8")

    stance = {}
    targets = stance_items(models / "stance-minilm")
    for name in STANCE_MODELS:
        clf = StanceClassifier.from_pretrained(models / name)
        proba = clf.predict_proba(targets)
        stance[name] = {"keys": [key_of(t) for t in targets], "proba": proba.round(6).tolist()}
    (HERE / "stance_test.json").write_text(json.dumps(stance) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
