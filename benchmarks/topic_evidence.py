"""Topic evidence and errors on a saved model's held-out split (needs ../shared/data).

    .venv/bin/python benchmarks/topic_evidence.py models/topic-ensemble [--split test] [-o runs/evidence.json]

Prints (1) the share of predicted topics whose evidence passages are all found verbatim (whitespace-normalised) in
the article as given (headline + text), overall and per source; (2) for each core label, the misses (false
negatives) and false alarms with the article's score, the threshold and the best passage, for error analysis.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.training.topic.evaluate import held_out_data


def _norm(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    clf = TopicClassifier.from_pretrained(args.model_dir, quantize=args.int8)
    config, data = held_out_data(args.model_dir)
    ds = data.splits[args.split]
    items = [{"title": h, "text": b} for h, b in data.texts(args.split)]
    preds = clf.predict(items)
    found, total = Counter(), Counter()
    errors: dict[str, list[dict]] = {label: [] for label in config.core}
    for i, (item, pred) in enumerate(zip(items, preds, strict=True)):
        source = ds["source"][i]
        article = _norm(f"{item['title']} {item['text']}")
        for label in pred.labels:
            passages = pred.evidence.get(label) or []
            total[source] += 1
            found[source] += bool(passages) and all(_norm(p["text"]) in article for p in passages)
        gold = set(ds["topics"][i])
        for label in config.core:
            predicted = label in pred.labels
            if predicted != (label in gold):
                errors[label].append(
                    {
                        "id": ds["id"][i],
                        "source": source,
                        "kind": "miss" if label in gold else "false alarm",
                        "score": pred.scores[label],
                        "threshold": clf.thresholds[label],
                        "headline": item["title"][:120],
                        "best_passage": (pred.evidence.get(label) or [{}])[0].get("text", "")[:200],
                    }
                )
    print(f"evidence found verbatim: {sum(found.values())}/{sum(total.values())} predicted topics "
          f"({sum(found.values()) / max(1, sum(total.values())):.1%})")
    for s in total:
        print(f"  {s}: {found[s]}/{total[s]}")
    for label, errs in errors.items():
        kinds = Counter((e["kind"], e["source"]) for e in errs)
        print(f"{label}: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(kinds.items())))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        payload = {"found": dict(found), "total": dict(total), "errors": errors}
        args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
