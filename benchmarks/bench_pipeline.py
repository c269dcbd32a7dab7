"""End-to-end speed: segmentation -> actors -> topics -> stance, fp32 and int8, against the peer architecture.

    .venv/bin/python benchmarks/bench_pipeline.py [--articles 60] [--peer-targets 60] [--threads 2]

Corpus: the first N Reuters articles of ../shared/data/reuters2017 written out as a raw dump (so segmentation is part
of the run), or the bundled sample dump when the shared data is absent. Each stage is timed on its own, then the whole
``Pipeline`` end to end. The peer is NewsSentiment's architecture cost: a randomly initialised RoBERTa-base doing one
forward pass per target over the target's sentence (the same sentences and targets our stance step scores), timed on
a sample of targets and reported per target. Also printed: how often int8 agrees with fp32 (topic labels, actor
stances) on the same articles — the accuracy cost of the int8 path on this corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from foreign_desk.inference.pipeline import Pipeline, _bound_mentions
from foreign_desk.inference.segment import segment
from foreign_desk.inference.stance.article import collect_targets

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def corpus_dump(data: Path, n: int) -> tuple[str, str]:
    path = data / "reuters2017" / "articles.jsonl"
    if not path.is_file():
        return (REPO / "samples" / "sample_dump.txt").read_text(encoding="utf-8"), "bundled sample dump"
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("title") and row.get("text"):
                rows.append(row)
            if len(rows) >= n:
                break
    dump = "".join(f"{r['title']}\n\n{r['text']}\n\n" for r in rows)
    return dump, f"{len(rows)} reuters2017 articles as a raw dump"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def peer_seconds_per_target(sentences: list[str], tokenizer, max_length: int) -> float:
    """One RoBERTa-base forward pass per target (batch of 1, like NewsSentiment's per-target inference)."""
    from transformers import RobertaConfig, RobertaModel

    torch.manual_seed(0)
    model = RobertaModel(RobertaConfig()).eval()  # roberta-base shape, random weights: cost only
    vocab = model.config.vocab_size
    with torch.inference_mode():
        model(input_ids=torch.ones(1, 16, dtype=torch.long))  # warm-up
        t = time.perf_counter()
        for sentence in sentences:
            ids = tokenizer(sentence, truncation=True, max_length=max_length)["input_ids"]
            ids = torch.tensor([[i % vocab for i in ids]])
            model(input_ids=ids, attention_mask=torch.ones_like(ids))
        return (time.perf_counter() - t) / max(1, len(sentences))


def run_variant(pipe: Pipeline, articles, label: str) -> dict:
    topics, t_topics = timed(lambda: pipe.topic_model.predict(articles))
    results, t_actors = timed(lambda: [pipe.extractor.extract(a.text, headline=a.headline) for a in articles])
    targets = [t for r in results for t in collect_targets(r)[0]]
    _, t_stance = timed(lambda: pipe.stance_model.predict_proba(targets))
    t_topics_shared = float("nan")
    if pipe.shared_encoder:  # as the pipeline runs it: topics reuse the stance pass's sentence states
        bounded = [_bound_mentions(r)[0] for r in results]
        with pipe.topic_model.reuse_states():
            pipe.stance.predict(bounded)
            _, t_topics_shared = timed(lambda: pipe.topic_model.predict(articles))
    t_relations = float("nan")
    if pipe.relation_model is not None:  # as the pipeline runs it: reusing the stance pass's encoder states
        bounded = [_bound_mentions(r)[0] for r in results]
        with pipe.relation_model.reuse_states():
            pipe.stance.predict(bounded)
            _, t_relations = timed(lambda: pipe.relation_model.predict(bounded))
    e2e, t_e2e = timed(lambda: pipe.predict(articles))  # the pipeline's default batch (DEFAULT_BATCH_SIZE articles)
    return {
        "label": label,
        "topics_s": t_topics,
        "topics_shared_s": t_topics_shared,
        "actors_s": t_actors,
        "stance_s": t_stance,
        "relations_s": t_relations,
        "targets": len(targets),
        "sentences": len({(t.text) for t in targets}),
        "e2e_s": t_e2e,
        "results": e2e,
        "target_texts": [t.text for t in targets],
    }


def agreement(a: list, b: list) -> tuple[float, float]:
    topic_same = np.mean([x.topics.labels == y.topics.labels for x, y in zip(a, b, strict=True)])
    pairs = [
        (s.stance == t.stance)
        for x, y in zip(a, b, strict=True)
        for s, t in zip(x.actors, y.actors, strict=True)
    ]
    return float(topic_same), float(np.mean(pairs)) if pairs else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--peer-targets", type=int, default=60, help="targets timed for the RoBERTa-base peer")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=128, help="peer's max tokens per target sentence")
    parser.add_argument("--topic-model", default=None, help="topic model name or path (default: the pipeline's)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    console = Console()

    dump, what = corpus_dump(args.data, args.articles)
    articles, t_seg = timed(lambda: segment(dump))
    n = len(articles)
    console.print(f"corpus: {what}; {len(dump) / 1e6:.2f} MB; {n} articles segmented; torch threads {args.threads}")

    variants = []
    for quantize in (False, True):
        kwargs = {"topic_model": args.topic_model} if args.topic_model else {}
        pipe, t_load = timed(lambda q=quantize, kw=kwargs: Pipeline.from_pretrained(quantize=q, **kw))
        pipe.predict(articles[:2])  # warm-up
        v = run_variant(pipe, articles, "int8" if quantize else "fp32")
        v["load_s"] = t_load
        variants.append(v)

    rng = random.Random(0)
    sample = rng.sample(variants[0]["target_texts"], min(args.peer_targets, len(variants[0]["target_texts"])))
    peer_per_target = peer_seconds_per_target(sample, _tokenizer(), args.max_length)

    table = Table(title=f"foreign-desk end to end ({n} articles, {variants[0]['targets']} actor mentions)")
    for col in ("stage", "fp32 s", "fp32 /s", "int8 s", "int8 /s"):
        table.add_column(col, justify="right" if col != "stage" else "left")
    rows = [
        ("segmentation (articles)", t_seg, t_seg, n),
        ("actors (articles)", variants[0]["actors_s"], variants[1]["actors_s"], n),
        ("topics (articles)", variants[0]["topics_s"], variants[1]["topics_s"], n),
        ("topics, given the stance pass (articles; shared encoder only)", variants[0]["topics_shared_s"],
         variants[1]["topics_shared_s"], n),
        ("stance (targets)", variants[0]["stance_s"], variants[1]["stance_s"], variants[0]["targets"]),
        ("relations, given the stance pass (articles)", variants[0]["relations_s"], variants[1]["relations_s"], n),
        ("end to end incl. segmentation (articles)", variants[0]["e2e_s"] + t_seg, variants[1]["e2e_s"] + t_seg, n),
    ]
    for name, a, b, count in rows:
        table.add_row(name, f"{a:.2f}", f"{count / a:.1f}", f"{b:.2f}", f"{count / b:.1f}")
    console.print(table)

    peer = Table(title="stance work vs the peer (RoBERTa-base, one forward pass per target, random weights)")
    for col in ("", "targets/s", "s for this corpus's targets", "speed-up vs peer"):
        peer.add_column(col, justify="right" if col else "left")
    n_targets = variants[0]["targets"]
    peer_total = peer_per_target * n_targets
    peer.add_row("peer (RoBERTa-base, per target)", f"{1 / peer_per_target:.1f}", f"{peer_total:.1f}", "1.0x")
    for v in variants:
        peer.add_row(
            f"foreign-desk stance {v['label']}",
            f"{n_targets / v['stance_s']:.1f}",
            f"{v['stance_s']:.1f}",
            f"{peer_total / v['stance_s']:.1f}x",
        )
    console.print(peer)
    topic_agree, stance_agree = agreement(variants[0]["results"], variants[1]["results"])
    console.print(
        f"int8 vs fp32 on this corpus: identical topic label sets {topic_agree:.1%}, same actor stance {stance_agree:.1%}"
    )
    console.print(f"model load: fp32 {variants[0]['load_s']:.1f} s, int8 {variants[1]['load_s']:.1f} s")


def _tokenizer():
    from foreign_desk.inference.encoder import load_tokenizer

    return load_tokenizer()


if __name__ == "__main__":
    main()
