"""Does training the stance encoder on our labelled actor stances as well as NewsMTSC help? Measured per held-out half.

    .venv/bin/python benchmarks/stance_silver_encoder.py --held 0 [--silver-weight 1.0] [--epochs 3] [--threads 1]
        [--cache runs/stance-mention-vectors.npz] [--limit N] [--save runs/silver-h0.pt]

A fresh MiniLM span-pooling stance model is fine-tuned on the NewsMTSC training split of ``configs/stance-minilm.yaml``
(seed 13, the same dev/test sentences) together with silver in-domain instances: for every labelled actor of the
*other* half (the halves of ``foreign-desk train configs/stance-article-head.yaml``) the mention whose sentence its
label's evidence note paraphrases (``stance_article_branch.evidence_mention``), with the actor's article-level label,
through a second head of the same shape on the pooled ``[span; sentence]`` vector (the guideline's notion of stance
is not NewsMTSC's, so the NewsMTSC head is not asked to learn it). The best dev step is kept (dev every 200 steps).

Printed: NewsMTSC dev/test macro-F1 of the new encoder, and the article-level head (the committed recipe, 5 members)
fitted on the training half and scored on the held half, fed by the new encoder and by the committed one. Run
``--held 0`` and ``--held 1`` (side by side on 1 thread each: about 25 min on 2 cores).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from stance_article_branch import DEFAULT_DATA, labelled_actors, read_evidence
from torch import nn
from transformers import get_linear_schedule_with_warmup

from foreign_desk.inference.stance import MiniLMStanceClassifier, StanceClassifier
from foreign_desk.inference.stance.encoding import build_windows, collate
from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.training.loop import length_grouped_batches
from foreign_desk.training.stance.article_head import (
    ArticleHeadTrainingConfig,
    VectorCache,
    examples_of,
    fit_head,
    predict,
    scores,
)
from foreign_desk.training.stance.article_rule import DATASETS, load_items, model_fingerprint
from foreign_desk.training.stance.config import load_config
from foreign_desk.training.stance.data import load_newsmtsc, targets_of
from foreign_desk.training.stance.metrics import stance_report

REPO = Path(__file__).resolve().parents[1]


def silver_instances(items: list, actors: list, held: int) -> list[tuple]:
    """(target, label index) of every labelled actor outside the ``held`` half whose evidence note points at one of
    its mentions."""
    return [(items[a.item].targets[a.rows[a.evidence]], a.example.gold) for a in actors
            if a.evidence is not None and a.example.half != held]


def train_encoder(dsd, silver: list[tuple], weight: float, epochs: float, seed: int = 13
                  ) -> tuple[MiniLMStanceClassifier, nn.Module]:
    """NewsMTSC (the model's own head, inverse-frequency class weights) + ``weight`` x silver (a second head,
    square-root class weights); AdamW 5e-5 encoder / 1e-3 heads, 6 % warm-up then linear decay, batches of 16
    sentence windows; returns the classifier and the silver head at the best dev step."""
    torch.manual_seed(seed)
    clf = MiniLMStanceClassifier.build(max_length=128, head_hidden=256, dropout=0.1)
    net = clf.model
    hidden = net.encoder.config.hidden_size
    silver_head = nn.Sequential(nn.Dropout(0.1), nn.Linear(2 * hidden, 256), nn.GELU(), nn.Dropout(0.1),
                                nn.Linear(256, len(LABELS)))
    news = targets_of(dsd["train"])
    y = torch.tensor([LABELS.index(x) for x in dsd["train"]["label"]] + [g for _, g in silver])
    is_silver = torch.tensor([False] * len(news) + [True] * len(silver))
    windows = build_windows(clf.tokenizer, news + [t for t, _ in silver], 128)
    costs = [len(w.input_ids) for w in windows]
    n_news = torch.bincount(y[~is_silver], minlength=len(LABELS)).float().clamp(min=1)
    n_silver = torch.bincount(y[is_silver], minlength=len(LABELS)).float().clamp(min=1)
    loss_news = nn.CrossEntropyLoss(weight=n_news.sum() / (len(LABELS) * n_news))
    loss_silver = nn.CrossEntropyLoss(weight=(n_silver.sum() / (len(LABELS) * n_silver)).sqrt())
    encoder = [p for p in net.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([
        {"params": [p for p in encoder if p.ndim > 1], "lr": 5e-5, "weight_decay": 0.01},
        {"params": [p for p in encoder if p.ndim == 1], "lr": 5e-5, "weight_decay": 0.0},
        {"params": [*net.head.parameters(), *silver_head.parameters()], "lr": 1e-3, "weight_decay": 0.0},
    ])
    total = int(epochs * len(length_grouped_batches(costs, 16, 0, group=32)))
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * total), total)
    pad = clf.tokenizer.pad_token_id or 0
    best, best_state, step, start = -1.0, None, 0, time.perf_counter()
    net.train()
    silver_head.train()
    for epoch in range(math.ceil(epochs)):
        for batch in length_grouped_batches(costs, 16, seed * 1000 + epoch, group=32):
            b = collate([windows[i] for i in batch], pad_id=pad)
            logits, vectors = net.features(b.input_ids, b.attention_mask, b.target_window, b.target_mask)
            rows = torch.tensor(b.targets)
            s = is_silver[rows]
            loss = torch.zeros(())
            if (~s).any():
                loss = loss + loss_news(logits[~s], y[rows[~s]])
            if s.any():
                loss = loss + weight * loss_silver(silver_head(vectors[s][:, : 2 * hidden]), y[rows[s]])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            if step % 200 == 0 or step == total:
                net.eval()
                with torch.no_grad():
                    dev = stance_report(clf, dsd["dev"], 64)["macro_f1"]
                net.train()
                print(f"  step {step}/{total}: dev macro-F1 {dev:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
                if dev > best:
                    best = dev
                    best_state = ({k: v.detach().clone() for k, v in net.state_dict().items()},
                                  {k: v.detach().clone() for k, v in silver_head.state_dict().items()})
            if step >= total:
                break
    net.load_state_dict(best_state[0])
    silver_head.load_state_dict(best_state[1])
    net.eval()
    silver_head.eval()
    return clf, silver_head


def held_half_scores(items: list, cache: VectorCache, held: int) -> dict:
    """The committed head recipe fitted on the other half's examples, scored on the ``held`` half."""
    examples = examples_of(items, cache)
    head = fit_head([e for e in examples if e.half != held], ArticleHeadTrainingConfig(), 0)
    part = [e for e in examples if e.half == held]
    return scores(part, predict(head, part))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--held", type=int, choices=(0, 1), required=True)
    parser.add_argument("--model", type=Path, default=Path("models/stance-minilm"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--silver-weight", type=float, default=1.0)
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--limit", type=int, default=None, help="first N labelled items per set and N NewsMTSC sentences")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=None, help="the committed model's mention vectors cache")
    parser.add_argument("--save", type=Path, default=None, help="write the trained weights here (torch.save)")
    args = parser.parse_args()
    if not (args.data / "reuters_world" / "labels.jsonl").is_file():
        raise SystemExit(f"{args.data} has no labelled sets (../shared/data is needed)")
    torch.set_num_threads(args.threads)
    committed = StanceClassifier.from_pretrained(args.model)
    cache = VectorCache(args.cache, model_fingerprint(args.model))
    items, _ = load_items(args.data, committed, args.limit, 32, cache, DATASETS)
    silver = silver_instances(items, labelled_actors(items, cache, read_evidence(args.data)), args.held)
    counts = np.bincount([g for _, g in silver], minlength=len(LABELS)).tolist()
    print(f"silver instances from the training half: {len(silver)} ({dict(zip(LABELS, counts, strict=True))})")
    config = load_config(REPO / "configs" / "stance-minilm.yaml")
    dsd = load_newsmtsc(args.data / "newsmtsc" / "train.jsonl", config.seed, config.data.dev_fraction,
                        config.data.test_fraction, args.limit)
    clf, silver_head = train_encoder(dsd, silver, args.silver_weight, args.epochs, config.seed)
    if args.save:
        torch.save({"model": clf.model.state_dict(), "silver_head": silver_head.state_dict()}, args.save)
    with torch.no_grad():
        dev, test = (stance_report(clf, dsd[s], 64)["macro_f1"] for s in ("dev", "test"))
    print(f"\nNewsMTSC macro-F1 of the new encoder: dev {dev:.3f}, test {test:.3f}")
    fresh = VectorCache(None, None)
    new_items, _ = load_items(args.data, clf, args.limit, 32, fresh, DATASETS)
    rows = {"new encoder": held_half_scores(new_items, fresh, args.held),
            "committed encoder": held_half_scores(items, cache, args.held)}
    sets = [k for k in rows["committed encoder"] if k != "all"]
    print(f"\n| article head on held half {args.held}, fed by | " + " | ".join(sets) + " |")
    print("|---|" + "---:|" * len(sets))
    for name, m in rows.items():
        print(f"| {name} | " + " | ".join(
            f"{m[s]['macro_f1']:.3f} (pos {m[s]['per_label_f1']['positive']:.3f})" for s in sets) + " |")


if __name__ == "__main__":
    main()
