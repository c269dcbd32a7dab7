"""Article-level stance with a fine-tuned encoder branch: does adapting the encoder's top layers to the labelled actor
stances move the article level? 2-fold cross-validated per source, against the committed recipe on the same halves.

    .venv/bin/python benchmarks/stance_article_branch.py [--model models/stance-minilm] [--from-layer 2]
        [--epochs 2] [--lr 5e-5] [--mix 0.5] [--instance-weight 0] [--limit N] [--threads 2]
        [--cache runs/stance-mention-vectors.npz]

The branch is a copy of the stance encoder's layers ``from-layer``..5 (0-based; 2 = the top four) and of its
sentence head, fed by the stance pass's token states after layer ``from-layer`` (cached once). Per half it is
fine-tuned end to end with one article-head member on the other half's labelled actors (the member reads the branch's
mention vectors and probabilities, as the committed head reads the frozen pass's). At run time it would cost
``6 - from-layer`` transformer layers per mention sentence on top of the stance pass; the stance encoder itself, and
so NewsMTSC, topics and relations, are untouched. ``--instance-weight w`` adds instance supervision from the silver
labels' evidence notes: the actor's mention whose sentence shares the most words with the note (at least 30 % of
them) gets the actor's label through the branch's sentence head, weighted ``w`` against the article-level loss.

Rows: ``frozen, 1 member`` / ``frozen, 5 members`` (the committed head's recipe, `stance-article-head.yaml`),
``branch, 1 member`` and ``branch + frozen 5, mixed`` (probabilities averaged with weight ``--mix`` on the branch).
A missed actor counts as wrong, as everywhere. Measured with ``--from-layer 2``: see the README's stance section.
"""

from __future__ import annotations

import argparse
import copy
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.inference.stance.article import actor_features_v2
from foreign_desk.inference.stance.article_head import ArticleHead, ArticleHeadConfig
from foreign_desk.inference.stance.encoding import build_windows, collate
from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.inference.topics.top_layers import TopLayer
from foreign_desk.training.stance.article_head import (
    ArticleHeadTrainingConfig,
    Example,
    VectorCache,
    fit_head,
    labelled_examples,
    scores,
)
from foreign_desk.training.stance.article_rule import DATASETS, load_items, model_fingerprint, read_jsonl

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class Labelled:
    """A labelled actor: the example the committed head reads, its item and its mentions' target rows."""

    example: Example
    item: int
    rows: list[int]
    evidence: int | None = None  # index into ``rows`` of the mention whose sentence best matches the label's evidence


_WORD = re.compile(r"[a-z0-9]{3,}")


def evidence_mention(evidence: str, sentences: list[str], least: float = 0.3) -> int | None:
    """The sentence sharing the most words with a label's evidence note (the notes paraphrase and quote the article),
    or ``None`` when none shares ``least`` of the note's words."""
    words = set(_WORD.findall(evidence.lower()))
    if not words or not sentences:
        return None
    shares = [len(words & set(_WORD.findall(t.lower()))) / len(words) for t in sentences]
    best = int(np.argmax(shares))
    return best if shares[best] >= least else None


def read_evidence(data: Path) -> dict[tuple[str, str], str]:
    """(item id, actor) -> the label's evidence note, over the labelled sets."""
    return {(rec["id"], a["actor"]): a.get("evidence") or ""
            for dataset in DATASETS for rec in read_jsonl(data / dataset / "labels.jsonl") for a in rec["actors"]}


def labelled_actors(items: list, cache: VectorCache, evidence: dict[tuple[str, str], str] | None = None
                    ) -> list[Labelled]:
    """Every labelled actor of ``items`` (as ``examples_of``) with where its mentions are and, given the labels'
    evidence notes, which mention's sentence the note points at."""
    out = []
    for i, actor, rows, example in labelled_examples(items, cache):
        note = (evidence or {}).get((items[i].id, actor), "")
        pointed = evidence_mention(note, [items[i].targets[r].text for r in rows]) if note and rows else None
        out.append(Labelled(example, i, rows, pointed))
    return out


class BranchData:
    """Token states after layer ``from_layer`` of every sentence window holding a labelled actor's mention."""

    def __init__(self, clf, items: list, actors: list[Labelled], from_layer: int, batch_size: int = 64):
        self.states: dict[tuple[int, int], torch.Tensor] = {}
        self.where: dict[tuple[int, int], tuple[int, list[int]]] = {}  # (item, row) -> (window, token positions)
        need: dict[int, set[int]] = {}
        for a in actors:
            if a.example.view is not None and a.rows:
                need.setdefault(a.item, set()).update(a.rows)
        todo = []
        for i, rows in need.items():
            ordered = sorted(rows)
            windows = build_windows(clf.tokenizer, [items[i].targets[r] for r in ordered], int(clf.config["max_length"]))
            for w, window in enumerate(windows):
                for t, positions in zip(window.targets, window.positions, strict=True):
                    self.where[(i, ordered[t])] = (w, positions)
                todo.append(((i, w), window))
        todo.sort(key=lambda kw: len(kw[1].input_ids))
        encoder = clf.model.encoder
        encoder.eval()
        with torch.inference_mode():
            for start in range(0, len(todo), batch_size):
                group = todo[start : start + batch_size]
                b = collate([w for _, w in group], pad_id=clf.tokenizer.pad_token_id or 0)
                hidden = encoder(input_ids=b.input_ids, attention_mask=b.attention_mask,
                                 output_hidden_states=True).hidden_states[from_layer]
                for (key, window), h in zip(group, hidden, strict=True):
                    self.states[key] = h[: len(window.input_ids)].to(torch.float16).clone()


class Branch(nn.Module):
    """Copies of the stance encoder's layers ``from_layer``..5 and of its sentence head."""

    def __init__(self, clf, from_layer: int):
        super().__init__()
        layers = clf.model.encoder.encoder.layer
        self.layers = nn.ModuleList(TopLayer.from_bert(layers[i]) for i in range(from_layer, len(layers)))
        self.head = copy.deepcopy(clf.model.head)

    def forward(self, data: BranchData, actors: list[Labelled]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per actor: its mentions' probabilities ``(m, 3)`` and vectors ``(m, d)``, as the stance pass computes them."""
        keys: dict[tuple[int, int], int] = {}
        rows: list[tuple[int, list[int]]] = []
        spans = []
        for a in actors:
            first = len(rows)
            for r in a.rows:
                w, positions = data.where[(a.item, r)]
                rows.append((keys.setdefault((a.item, w), len(keys)), positions))
            spans.append((first, len(rows)))
        states = [data.states[k].float() for k in keys]
        lengths = torch.tensor([len(s) for s in states])
        x = nn.utils.rnn.pad_sequence(states, batch_first=True)
        padding = torch.arange(x.shape[1])[None, :] >= lengths[:, None]
        for layer in self.layers:
            x = layer(x, padding)
        keep = (~padding).unsqueeze(-1).to(x.dtype)
        sentence = (x * keep).sum(1) / keep.sum(1)
        window = torch.tensor([w for w, _ in rows])
        tmask = torch.zeros((len(rows), x.shape[1]))
        for r, (_, positions) in enumerate(rows):
            tmask[r, positions] = 1.0
        span = (x[window] * tmask.unsqueeze(-1)).sum(1) / tmask.sum(1, keepdim=True).clamp(min=1.0)
        pooled = torch.cat([span, sentence[window]], -1)
        hidden = self.head[2](self.head[1](self.head[0](pooled)))
        proba = torch.softmax(self.head[4](self.head[3](hidden)), -1)
        vectors = torch.cat([pooled, hidden], -1)
        return [(proba[a:b], vectors[a:b]) for a, b in spans]


def mention_rows(example: Example, proba: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """The head's mention inputs (``mention_inputs``) from the branch's outputs, differentiable."""
    sents = torch.tensor(example.view.sentences[: len(proba)], dtype=torch.float32)[:, None]
    position = torch.cat([(sents == 0).float(), (sents <= 2).float(), sents / max(1, example.view.n_sentences)], 1)
    return torch.cat([vectors, proba, position], 1)


def features_of(actors: list[Labelled]) -> torch.Tensor:
    return torch.tensor(np.array([actor_features_v2(a.example.view) for a in actors]), dtype=torch.float32)


def fit_branch(clf, data: BranchData, train: list[Labelled], args: argparse.Namespace) -> tuple[Branch, ArticleHead]:
    """Branch + one head member, end to end (square-root class weights; AdamW, warm-up then linear decay; batches of
    whole items of about 16 actors so shared sentences are encoded once per step)."""
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    branch = Branch(clf, args.from_layer)
    features = features_of(train)
    head = ArticleHead(ArticleHeadConfig(
        vector_dim=train[0].example.vectors.shape[1], hidden=128, dropout=0.3, members=1,
        feature_mean=features.mean(0).tolist(), feature_scale=features.std(0).clamp(min=1e-6).tolist()))
    member = head.members[0]
    y = torch.tensor([a.example.gold for a in train])
    counts = np.bincount(y.numpy(), minlength=len(LABELS)).astype(float)
    weights = np.sqrt(counts.sum() / (len(LABELS) * np.maximum(counts, 1.0)))
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    instance_loss = nn.NLLLoss(weight=torch.tensor(weights, dtype=torch.float32))
    by_item: dict[int, list[int]] = {}
    for p, a in enumerate(train):
        by_item.setdefault(a.item, []).append(p)
    groups = list(by_item.values())
    optimizer = torch.optim.AdamW([{"params": branch.parameters(), "lr": args.lr, "weight_decay": 0.01},
                                   {"params": member.parameters(), "lr": 1e-3, "weight_decay": 1e-3}])
    steps, filled = 0, 0
    for g in groups:  # optimisation steps per epoch (about: the item order changes the cuts)
        filled += len(g)
        if filled >= 16:
            steps, filled = steps + 1, 0
    total = (steps + 1) * args.epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.06 * total)) * max(0.0, 1 - s / total))
    for epoch in range(args.epochs):
        branch.train()
        member.train()
        start, batch = time.perf_counter(), []
        order = rng.permutation(len(groups))
        for g_idx, g in enumerate(order):
            batch.extend(groups[g])
            if len(batch) < 16 and g_idx < len(order) - 1:
                continue
            part = [train[p] for p in batch]
            outs = branch(data, part)
            bags = [mention_rows(a.example, *out) for a, out in zip(part, outs, strict=True)]
            loss = loss_fn(member(bags, head.standardise(features[batch])), y[batch])
            pointed = [(out[0][a.evidence], a.example.gold) for a, out in zip(part, outs, strict=True)
                       if a.evidence is not None]
            if args.instance_weight and pointed:  # the mention the evidence note points at carries the label
                proba = torch.stack([p for p, _ in pointed]).clamp(min=1e-9)
                loss = loss + args.instance_weight * instance_loss(proba.log(), torch.tensor([g for _, g in pointed]))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([*branch.parameters(), *member.parameters()], 1.0)
            optimizer.step()
            schedule.step()
            batch = []
        print(f"  epoch {epoch + 1}/{args.epochs}: {time.perf_counter() - start:.0f} s", flush=True)
    branch.eval()
    head.eval()
    return branch, head


@torch.no_grad()
def branch_proba(branch: Branch, head: ArticleHead, data: BranchData, actors: list[Labelled]) -> np.ndarray:
    out = []
    for start in range(0, len(actors), 64):
        part = actors[start : start + 64]
        bags = [mention_rows(a.example, *o) for a, o in zip(part, branch(data, part), strict=True)]
        out.append(torch.softmax(head(bags, features_of(part)), 1).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(LABELS)))


def frozen_proba(head: ArticleHead, actors: list[Labelled]) -> np.ndarray:
    return head.predict_proba([a.example.view for a in actors], [a.example.vectors for a in actors])


def print_table(rows: dict[str, dict[str, dict]]) -> None:
    sets = list(next(iter(rows.values())))
    print("\n| decision | " + " | ".join(sets) + " |")
    print("|---|" + "---:|" * len(sets))
    for name, m in rows.items():
        cells = [f"{m[s]['macro_f1']:.3f} (pos {m[s]['per_label_f1']['positive']:.3f})" for s in sets]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("models/stance-minilm"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--from-layer", type=int, default=2, choices=range(0, 6))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--mix", type=float, default=0.5)
    parser.add_argument("--instance-weight", type=float, default=0.0,
                        help="weight of a loss on the mention the label's evidence note points at (0: off)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    if not (args.data / "reuters_world" / "labels.jsonl").is_file():
        raise SystemExit(f"{args.data} has no labelled sets (../shared/data is needed)")
    torch.set_num_threads(args.threads)
    clf = StanceClassifier.from_pretrained(args.model)
    cache = VectorCache(args.cache, model_fingerprint(args.model))
    items, _ = load_items(args.data, clf, args.limit, 32, cache, DATASETS)
    actors = labelled_actors(items, cache, read_evidence(args.data))
    pointed = [a for a in actors if a.evidence is not None]
    print(f"evidence notes matched to a mention sentence for {len(pointed)} of {len(actors)} labelled actors",
          flush=True)
    start = time.perf_counter()
    data = BranchData(clf, items, actors, args.from_layer)
    print(f"{len(actors)} labelled actors, {len(data.states)} sentence windows cached in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    names = ("frozen, 1 member", "frozen, 5 members", "branch, 1 member", f"branch + frozen 5, mixed {args.mix}")
    predicted: dict[str, dict[int, int | None]] = {n: {} for n in names}
    for k in (0, 1):
        train = [a for a in actors if a.example.half != k and a.example.view is not None
                 and a.example.vectors is not None]
        held = [j for j, a in enumerate(actors) if a.example.half == k]
        scored = [j for j in held if actors[j].example.view is not None and actors[j].example.vectors is not None]
        for j in held:  # missed actors stay wrong; found but never scored is neutral, as at run time
            for n in names:
                predicted[n][j] = None if actors[j].example.view is None else LABELS.index("neutral")
        frozen = {}
        for members, name in ((1, names[0]), (5, names[1])):
            head = fit_head([a.example for a in train],
                            ArticleHeadTrainingConfig(members=members, seed=args.seed), args.seed)
            frozen[members] = frozen_proba(head, [actors[j] for j in scored])
            predicted[name].update(zip(scored, frozen[members].argmax(1).tolist(), strict=True))
        start = time.perf_counter()
        branch, head = fit_branch(clf, data, train, args)
        print(f"half {k}: branch trained in {time.perf_counter() - start:.0f} s", flush=True)
        joint = branch_proba(branch, head, data, [actors[j] for j in scored])
        predicted[names[2]].update(zip(scored, joint.argmax(1).tolist(), strict=True))
        mixed = (1 - args.mix) * frozen[5] + args.mix * joint
        predicted[names[3]].update(zip(scored, mixed.argmax(1).tolist(), strict=True))
    examples = [a.example for a in actors]
    print_table({n: scores(examples, [p[j] for j in range(len(actors))]) for n, p in predicted.items()})


if __name__ == "__main__":
    main()
