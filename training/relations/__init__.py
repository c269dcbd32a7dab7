"""Training and evaluating the relation model (``task: relations``): directed holder -> target stance.

    foreign-desk train configs/relations-pairs.yaml

Data: the CAMEO sentences of ConfliBERT (:mod:`.data`): source (holder) and target spans and the event class
(statement -> neutral, cooperation -> positive, conflict -> negative). Every sentence is run through the product's
``ActorExtractor``; every ordered pair of mentions of different actors is an example, labelled with the event's
polarity when the holder mention overlaps the source span and the target mention the target span, else ``none``.
Training sentences also get the gold spans that no extracted mention covers as extra candidates (so the head sees
every labelled event). Encoder states (the frozen ``stance-minilm`` encoder) are computed once per sentence and cached;
the head trains on the cached pair features in seconds. The epoch and the decision threshold are chosen on dev by
directed accuracy of the product path.

The interface ``foreign_desk.training.commands`` expects: :func:`load_config`, :func:`train`, :func:`evaluate`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field

from foreign_desk.training.config import Strict
from foreign_desk.training.config_io import read_yaml_mapping, validate
from foreign_desk.training.relations.data import CLASS_POLARITY, RelationSentence, load_cameo, split_of

__all__ = ["RelationsConfig", "evaluate", "load_config", "train"]
log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


class RelationsConfig(Strict):
    task: Literal["relations"]
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$")
    data_dir: Path = Path("../shared/data/conflibert_cameo")
    dev_fraction: float = Field(0.1, gt=0, lt=0.5)
    test_fraction: float = Field(0.2, ge=0, lt=0.5)
    seed: int = 13
    num_threads: int | None = Field(1, ge=1)
    encoder_model: Path = Path("models/stance-minilm")
    output_dir: Path = Path("models/relations-pairs")
    cache: Path | None = Path("runs/relations/features.pt")
    head_hidden: int = Field(128, ge=8)
    dropout: float = Field(0.2, ge=0, lt=1)
    epochs: int = Field(40, ge=1, description="at most; the number is chosen by cross-validation")
    min_epochs: int = Field(
        1, ge=1, description="at least (the CAMEO CV score never sees wire co-mentions: fewer epochs underfit ours)"
    )
    folds: int = Field(5, ge=2)
    batch_size: int = Field(64, ge=1)
    learning_rate: float = Field(2e-3, gt=0)
    weight_decay: float = Field(1e-2, ge=0)
    none_weight: float = Field(0.3, gt=0, description="loss weight of the 'none' class (the others: 1)")
    parties: bool = Field(True, description="train the party tagger: relations between actors and unnamed parties")
    party_threshold: float = Field(0.5, ge=0, le=1)
    party_relation_thresholds: list[float] = Field(default_factory=lambda: [0.2, 0.4, 0.6, 0.8])
    keep_fraction: float = Field(
        0.95, gt=0, le=1, description="thresholds: the most conservative that keep this share of the best CV score"
    )
    thresholds: list[float] = Field(default_factory=lambda: [0.2, 0.3, 0.4, 0.5, 0.6])
    limit: int | None = Field(None, gt=0, description="first N sentences only (tiny test configs)")
    pair_filters: bool = Field(
        True, description="no relation between coordinated mentions nor from a holder after 'in' (model.pair_allowed)"
    )
    party_head_min_count: int | None = Field(
        2, ge=1, description="an unnamed party must end with a word that ends this many training spans; None: any"
    )
    rules: bool = Field(False, description="the string rules of inference.relations.rules (see RelationConfig)")
    passive_threshold: float = Field(0.5, ge=0, le=1, description="1 - p(none) when the holder does not act")
    generic_threshold: float = Field(0.9, ge=0, le=1, description="1 - p(none) with a one-noun unnamed party")
    supplement_repeat: int = Field(
        2, ge=0, description="times our hand-written sentences (training.relations.supplement) join train; 0: never"
    )
    supplement_wire: bool = Field(
        False, description="also the second batch of our sentences (supplement.WIRE_SENTENCES, WIRE_NEGATIVES)"
    )
    supplement_negative_repeat: int | None = Field(
        None, ge=0, description="times our negatives (no relation at all) join train; None: supplement_repeat"
    )


def resolve(path: Path) -> Path:
    if path.is_absolute() or path.exists():
        return path
    return REPO / path


def load_config(path: str | Path) -> RelationsConfig:
    config = validate(RelationsConfig, read_yaml_mapping(path), str(path), "relations config")
    if not (resolve(config.data_dir) / "ner_train.txt").is_file():
        raise FileNotFoundError(f"{path}: {config.data_dir}/ner_train.txt not found")
    if not (resolve(config.encoder_model) / "config.json").is_file():
        raise FileNotFoundError(f"{path}: encoder_model {config.encoder_model} is not a saved model directory")
    return config


# --- data ----------------------------------------------------------------------------------------------------------


def dataset(config: RelationsConfig) -> tuple[dict[str, list[RelationSentence]], dict[str, int]]:
    sentences, counts = load_cameo(resolve(config.data_dir))
    sentences = sentences[: config.limit]
    splits: dict[str, list[RelationSentence]] = {"train": [], "dev": [], "test": []}
    for s in sentences:
        splits[split_of(s.text, config.seed, config.dev_fraction, config.test_fraction)].append(s)
    negative_repeat = (
        config.supplement_repeat if config.supplement_negative_repeat is None else config.supplement_negative_repeat
    )
    if config.supplement_repeat or negative_repeat:
        from foreign_desk.training.relations.supplement import SENTENCES, WIRE_SENTENCES, supplement

        ours = supplement(config.supplement_wire)
        n = len(SENTENCES) + (len(WIRE_SENTENCES) if config.supplement_wire else 0)
        splits["train"] += ours[:n] * config.supplement_repeat + ours[n:] * negative_repeat
        counts["ours"] = len(ours)
    return splits, counts


def eligible(s: RelationSentence) -> bool:
    """Evaluated sentences: a source, a target and a cooperation/conflict class."""
    return bool(s.sources and s.targets) and s.cameo in (1, 2, 3, 4)


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < e and end > s for s, e in spans)


def _gold_label(sentence, holder, target) -> int:  # noqa: ANN001
    """The label index of an ordered candidate pair: the event's polarity when the holder overlaps the source span
    and the target the target span, else 0 (no relation)."""
    from foreign_desk.inference.relations.model import LABELS

    if (
        sentence.sources
        and sentence.targets
        and _overlaps(holder.start, holder.end, sentence.sources)
        and _overlaps(target.start, target.end, sentence.targets)
    ):
        return LABELS.index(CLASS_POLARITY[sentence.cameo])
    return 0


@dataclass
class Prepared:
    """One sentence ready for the head: product candidates (extractor mentions) and, for training, extra ones."""

    sentence: RelationSentence
    result: Any  # ActorResult of the sentence
    names: list[str]  # actor name of each product candidate
    candidates: list  # _Candidate list (product path)
    pairs: list[tuple[int, int]]
    features: torch.Tensor  # (n_pairs, d)
    labels: torch.Tensor  # (n_pairs,)
    states: torch.Tensor | None = None  # encoder states (L, H), for the party tagger
    offsets: list | None = None  # token character offsets


@torch.no_grad()
def prepare(model, extractor, sentences: list[RelationSentence], extra_gold: bool = True) -> list[Prepared]:
    from foreign_desk.inference.relations.model import (
        N_SCALARS,
        _Candidate,
        pair_features,
        token_positions,
    )

    out = []
    encoded = model.encode([s.text for s in sentences])
    for s, (states, offsets) in zip(sentences, encoded, strict=True):
        result = extractor.extract(s.text)
        cands, names = [], []
        for k, actor in enumerate(result.actors):
            for m in actor.mentions:
                cands.append(_Candidate(k, m.start, m.end))
                names.append(actor.name)
        if extra_gold:
            for role, spans in (("S", s.sources), ("T", s.targets)):
                for a, b in spans:
                    if not any(_overlaps(c.start, c.end, [(a, b)]) for c in cands):
                        cands.append(_Candidate((role, a, b), a, b))
                        names.append(s.text[a:b])
        positions = [token_positions(offsets, c.start, c.end) for c in cands]
        pairs, feats, labels = [], [], []
        for i, ci in enumerate(cands):
            for j, cj in enumerate(cands):
                if i == j or ci.key == cj.key or not positions[i] or not positions[j]:
                    continue
                label = _gold_label(s, ci, cj)
                pairs.append((i, j))
                feats.append(pair_features(states, positions[i], positions[j], len(cands), model.stance_head))
                labels.append(label)
        dim = 4 * states.shape[1] + N_SCALARS
        out.append(
            Prepared(
                s, result, names, cands, pairs,
                torch.stack(feats) if feats else torch.zeros((0, dim)),
                torch.tensor(labels, dtype=torch.long),
                states.float().clone(), list(offsets),
            )
        )  # fmt: skip
    return out


def token_labels(p: Prepared) -> torch.Tensor:
    """Per token (after [CLS]): 0 outside, 1 in the source span, 2 in the target span."""
    out = []
    for a, b in p.offsets:
        if b > a and _overlaps(a, b, p.sentence.sources):
            out.append(1)
        elif b > a and _overlaps(a, b, p.sentence.targets):
            out.append(2)
        else:
            out.append(0)
    return torch.tensor(out, dtype=torch.long)


def fit_tagger(items: list[Prepared], hidden: int, seed: int, steps: int = 300):
    """The party tagger (a linear token head) on the token states of ``items``."""
    from foreign_desk.inference.relations.model import PartyTagger

    torch.manual_seed(seed)
    x = torch.cat([p.states[1 : 1 + len(p.offsets)] for p in items])
    y = torch.cat([token_labels(p) for p in items])
    tagger = PartyTagger(hidden)
    opt = torch.optim.AdamW(tagger.parameters(), lr=1e-2, weight_decay=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(steps):
        loss = loss_fn(tagger(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return tagger.eval()


def party_heads(sentences: list[RelationSentence], min_count: int) -> list[str]:
    """The head words (see ``model.party_head``) of the CAMEO source and target spans seen ``min_count`` times."""
    from foreign_desk.inference.relations.model import party_head

    counts = Counter(
        party_head(s.text[a:b]) for s in sentences if s.match != "ours" for a, b in [*s.sources, *s.targets]
    )
    return sorted(w for w, n in counts.items() if n >= min_count and w)


@torch.no_grad()
def add_parties(items: list[Prepared], tagger, stance_head, threshold: float, heads: list[str] | None = None) -> None:
    """Replace the training-only gold candidates by the tagger's party spans (those not overlapping an actor
    mention and, with ``heads``, ending with one of those words), with their pairs."""
    from foreign_desk.inference.relations.model import (
        _Candidate,
        _is_agency,
        is_party,
        pair_features,
        party_head,
        party_spans,
        token_positions,
    )

    allowed = frozenset(heads) if heads is not None else None
    from foreign_desk.inference.wire import dateline_spans

    for p in items:
        # the parties replace the gold spans added for training: the head learns on what the product will see
        p.candidates = [c for c in p.candidates if isinstance(c.key, int)]
        keep = [r for r, (i, j) in enumerate(p.pairs) if i < len(p.candidates) and j < len(p.candidates)]
        p.pairs = [p.pairs[r] for r in keep]
        p.features, p.labels = p.features[keep], p.labels[keep]
        taken = [(c.start, c.end) for c in p.candidates] + dateline_spans(p.sentence.text)
        spans = party_spans(tagger, p.states, p.offsets, p.sentence.text, taken, threshold)
        spans = [(lo, hi) for lo, hi in spans if not _is_agency(p.sentence.text[lo:hi])
                 and (allowed is None or party_head(p.sentence.text[lo:hi]) in allowed)]  # fmt: skip
        if not spans:
            continue
        base = len(p.candidates)
        p.candidates = p.candidates + [_Candidate(("party", lo, hi), lo, hi) for lo, hi in spans]
        positions = [token_positions(p.offsets, c.start, c.end) for c in p.candidates]
        s = p.sentence
        pairs, feats, labels = [], [], []
        for i, ci in enumerate(p.candidates):
            for j, cj in enumerate(p.candidates):
                if i == j or (i < base and j < base) or (i >= base and j >= base):
                    continue
                if not isinstance(ci.key, int) and not is_party(ci.key) or not positions[i] or not positions[j]:
                    continue
                if not isinstance(cj.key, int) and not is_party(cj.key):
                    continue
                label = _gold_label(s, ci, cj)
                pairs.append((i, j))
                feats.append(pair_features(p.states, positions[i], positions[j], len(p.candidates), stance_head))
                labels.append(label)
        if pairs:
            p.pairs = p.pairs + pairs
            p.features = torch.cat([p.features, torch.stack(feats)])
            p.labels = torch.cat([p.labels, torch.tensor(labels, dtype=torch.long)])


# --- metrics -------------------------------------------------------------------------------------------------------


def score_relations(items: list[tuple[RelationSentence, list[tuple[tuple[int, int], tuple[int, int], str]]]]) -> dict:
    """Pair-found rate, polarity accuracy (on found pairs) and directed accuracy over eligible sentences, from each
    sentence's predicted relations ``(holder span, target span, stance)`` (offsets in the sentence)."""
    n = found = correct = 0
    for s, relations in items:
        if not eligible(s):
            continue
        n += 1
        gold = CLASS_POLARITY[s.cameo]
        hits = [r for r in relations if _overlaps(*r[0], s.sources) and _overlaps(*r[1], s.targets)]
        if hits:
            found += 1
            correct += any(r[2] == gold for r in hits[:1])
    return {
        "sentences": n,
        "pair_found_rate": found / n if n else 0.0,
        "polarity_accuracy": correct / found if found else 0.0,
        "directed_accuracy": correct / n if n else 0.0,
    }


def product_rows(p: Prepared) -> list[int]:
    """The pairs the product sees: mentions found by the extractor or party spans found by the tagger (not the gold
    spans added for training)."""
    from foreign_desk.inference.relations.model import is_party

    def seen(c) -> bool:
        return isinstance(c.key, int) or is_party(c.key)

    return [r for r, (i, j) in enumerate(p.pairs) if seen(p.candidates[i]) and seen(p.candidates[j])]


def pair_proba(head, prepared: list[Prepared]) -> list[np.ndarray]:
    head.eval()
    with torch.no_grad():
        return [
            torch.softmax(head(p.features), dim=-1).numpy() if len(p.pairs) else np.zeros((0, 4), dtype=np.float32)
            for p in prepared
        ]


def product_relations(
    head,
    prepared: list[Prepared],
    threshold: float,
    proba: list[np.ndarray] | None = None,
    party_min: float = 0.0,
    filters: bool = False,
    rules: dict | None = None,
):
    """What the product outputs per sentence (the decision of :class:`RelationModel` over the extractor's
    mentions, with its pair filters when ``filters`` and its string rules when ``rules`` is the model config), as
    spans and stances."""
    from foreign_desk.inference.relations.model import (
        LABELS,
        decide,
        is_party,
        pair_allowed,
        party_name,
        rule_allows,
        same_side,
    )

    proba = proba if proba is not None else pair_proba(head, prepared)
    out = []
    for p, pr_all in zip(prepared, proba, strict=True):
        rows = product_rows(p)
        if filters:
            cands, text = p.candidates, p.sentence.text
            rows = [r for r in rows if pair_allowed(text, (cands[p.pairs[r][0]].start, cands[p.pairs[r][0]].end),
                                                    (cands[p.pairs[r][1]].start, cands[p.pairs[r][1]].end))]  # fmt: skip
        pairs = [p.pairs[r] for r in rows]
        rels = []
        for i, j, pr in decide(pairs, pr_all[rows], [c.key for c in p.candidates], threshold):
            ci, cj = p.candidates[i], p.candidates[j]
            if same_side(p.result.actors, ci.key, cj.key):
                continue
            if (is_party(ci.key) or is_party(cj.key)) and 1.0 - float(pr[0]) < party_min:
                continue
            text = p.sentence.text
            names = [party_name(text[c.start : c.end]) or text[c.start : c.end] if is_party(c.key) else None
                     for c in (ci, cj)]  # fmt: skip
            if rules is not None and not rule_allows(
                rules, text, (ci.start, ci.end), (cj.start, cj.end), 1.0 - float(pr[0]), *names
            ):
                continue
            rels.append(((ci.start, ci.end), (cj.start, cj.end), LABELS[int(np.argmax(pr[1:])) + 1]))
        out.append((p.sentence, rels))
    return out


def baseline_relations(prepared: list[Prepared], polarity: str):
    """First actor -> second actor (by first mention in the sentence), the majority polarity."""
    out = []
    for p in prepared:
        firsts: dict[Any, Any] = {}
        for c in sorted((c for c in p.candidates if isinstance(c.key, int)), key=lambda c: c.start):
            firsts.setdefault(c.key, c)
        order = list(firsts.values())
        rels = [((order[0].start, order[0].end), (order[1].start, order[1].end), polarity)] if len(order) > 1 else []
        out.append((p.sentence, rels))
    return out


def majority_polarity(sentences: list[RelationSentence]) -> str:
    counts = Counter(CLASS_POLARITY[s.cameo] for s in sentences if eligible(s))
    return counts.most_common(1)[0][0] if counts else "negative"


# --- training ------------------------------------------------------------------------------------------------------


def _load_or_prepare(config: RelationsConfig, model, splits) -> dict[str, list[Prepared]]:
    from foreign_desk.inference.actors import ActorExtractor
    from foreign_desk.inference.manifest import file_sha256

    sha = file_sha256(resolve(config.encoder_model) / "model.safetensors")
    # each distinct sentence object once (our sentences join train several times: the copies share one Prepared, so
    # changing how often they repeat reuses the cache)
    unique = {name: list({id(x): x for x in sents}.values()) for name, sents in splits.items()}
    digest = hashlib.sha256(
        "\n".join(f"{name}\t{x.text}" for name, sents in unique.items() for x in sents).encode()
    ).hexdigest()
    key = {"features": 4, "sha": sha, "seed": config.seed, "dev": config.dev_fraction, "test": config.test_fraction,
           "limit": config.limit, "texts": digest}  # fmt: skip
    cache = resolve(config.cache) if config.cache is not None else None
    done = None
    if cache is not None and cache.is_file():
        saved = torch.load(cache, weights_only=False)
        if saved.get("key") == key:
            log.info("relation features from %s", cache)
            done = saved["prepared"]
    if done is None:
        extractor = ActorExtractor.default()
        started = time.perf_counter()
        done = {name: prepare(model, extractor, sents) for name, sents in unique.items()}
        log.info("features of %d sentences in %.0f s", sum(map(len, unique.values())), time.perf_counter() - started)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"key": key, "prepared": done}, cache)
    out = {}
    for name, sents in splits.items():
        by_id = {id(x): p for x, p in zip(unique[name], done[name], strict=True)}
        out[name] = [by_id[id(x)] for x in sents]
    return out


def _fit(config: RelationsConfig, items: list[Prepared], hidden: int, epochs: int, on_epoch=None):
    """Train a fresh head on the pairs of ``items`` for ``epochs`` epochs; ``on_epoch(epoch, head)`` after each."""
    from foreign_desk.inference.relations.model import LABELS, PairHead

    torch.manual_seed(config.seed)
    x = torch.cat([p.features for p in items])
    y = torch.cat([p.labels for p in items])
    head = PairHead(hidden, config.head_hidden, config.dropout)
    weights = torch.ones(len(LABELS))
    weights[0] = config.none_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    opt = torch.optim.AdamW(head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    gen = torch.Generator().manual_seed(config.seed)
    for epoch in range(epochs):
        head.train()
        perm = torch.randperm(len(y), generator=gen)
        for k in range(0, len(y), config.batch_size):
            idx = perm[k : k + config.batch_size]
            loss = loss_fn(head(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if on_epoch is not None:
            on_epoch(epoch, head)
    head.eval()
    return head, {"pairs": len(y), "label_counts": dict(Counter(LABELS[i] for i in y.tolist()))}


def fit_head(config: RelationsConfig, prepared: dict[str, list[Prepared]], hidden: int):
    """Choose the number of epochs and the threshold by ``folds``-fold cross-validation over the CAMEO train+dev
    sentences (directed accuracy of the product path, pooled), then train on all of them (+ our sentences)."""
    ours = [p for p in prepared["train"] if p.sentence.match == "ours"]
    pool = [p for p in prepared["train"] + prepared["dev"] if p.sentence.match != "ours"]
    folds = config.folds
    fold_of = [hashlib.sha256(f"{config.seed}:{p.sentence.text}".encode()).digest()[0] % folds for p in pool]
    party_mins = config.party_relation_thresholds if config.parties else [0.0]
    grid = np.zeros((config.epochs, len(config.thresholds), len(party_mins)))
    n_eligible = 0
    for k in range(folds):
        train_items = [p for p, f in zip(pool, fold_of, strict=True) if f != k] + ours
        held = [p for p, f in zip(pool, fold_of, strict=True) if f == k]
        n_eligible += sum(eligible(p.sentence) for p in held)

        def on_epoch(epoch, head, held=held):
            proba = pair_proba(head, held)
            for t, threshold in enumerate(config.thresholds):
                for u, party_min in enumerate(party_mins):
                    m = score_relations(
                        product_relations(head, held, threshold, proba, party_min, config.pair_filters)
                    )
                    grid[epoch, t, u] += m["directed_accuracy"] * m["sentences"]

        _fit(config, train_items, hidden, config.epochs, on_epoch)
        log.info("fold %d/%d done", k + 1, folds)
    grid /= max(n_eligible, 1)
    grid[: min(config.min_epochs, config.epochs) - 1] = -1.0  # epochs below min_epochs are never chosen
    epoch, t, u = np.unravel_index(int(np.argmax(grid)), grid.shape)
    best = float(grid[epoch, t, u])
    # CAMEO sentences all hold an event, so this score never penalises a relation found where there is none: take
    # the most conservative thresholds of the best epoch that keep `keep_fraction` of the best score
    ok = [(pm, th, a, b) for a, th in enumerate(config.thresholds) for b, pm in enumerate(party_mins)
          if grid[epoch, a, b] >= config.keep_fraction * best]  # fmt: skip
    _, _, t, u = max(ok)
    head, info = _fit(config, pool + ours, hidden, int(epoch) + 1)
    return head, {
        "epochs": int(epoch) + 1,
        "threshold": float(config.thresholds[t]),
        "party_relation_threshold": float(party_mins[u]),
        "cv_best_directed_accuracy": best,
        "cv_directed_accuracy": float(grid[epoch, t, u]),
        "cv_folds": folds,
        "cv_sentences": n_eligible,
        "train_pairs": info["pairs"],
        "train_label_counts": info["label_counts"],
    }


def rule_config(config: RelationsConfig) -> dict[str, Any]:
    """The string-rule settings the saved model carries."""
    return {"rules": config.rules, "passive_threshold": config.passive_threshold,
            "generic_threshold": config.generic_threshold}  # fmt: skip


def _report(
    head, prepared: list[Prepared], threshold: float, polarity: str, party_min: float = 0.0, filters: bool = False,
    rules: dict | None = None,
) -> dict[str, Any]:
    return {
        "model": score_relations(
            product_relations(head, prepared, threshold, party_min=party_min, filters=filters, rules=rules)
        ),
        "baseline": score_relations(baseline_relations(prepared, polarity)),
    }


def train(config: RelationsConfig, resume: bool = False) -> Path:
    from foreign_desk.inference.manifest import file_sha256, write_manifest
    from foreign_desk.inference.relations.model import LABELS, RelationModel
    from foreign_desk.inference.stance import StanceClassifier
    from foreign_desk.training.model_card import ModelCard

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    started = time.perf_counter()
    splits, counts = dataset(config)
    encoder_dir = resolve(config.encoder_model)
    stance = StanceClassifier.from_pretrained(encoder_dir)
    from foreign_desk.inference.relations.model import PairHead

    hidden = int(stance.model.encoder.config.hidden_size)
    model = RelationModel(PairHead(hidden, config.head_hidden), {"max_length": int(stance.config["max_length"])})
    model.attach(stance)
    prepared = _load_or_prepare(config, model, splits)
    tagger = None
    heads = None
    if config.parties:
        tagger = fit_tagger(prepared["train"] + prepared["dev"], hidden, config.seed)
        if config.party_head_min_count:
            heads = party_heads(splits["train"] + splits["dev"], config.party_head_min_count)
        for items in prepared.values():
            add_parties(
                list({id(p): p for p in items}.values()), tagger, model.stance_head, config.party_threshold, heads
            )
    head, summary = fit_head(config, prepared, hidden)
    polarity = majority_polarity(splits["train"])
    test = (
        _report(head, prepared["test"], summary["threshold"], polarity, summary["party_relation_threshold"],
                config.pair_filters, rule_config(config))  # fmt: skip
        if prepared["test"]
        else None
    )
    seconds = time.perf_counter() - started
    rel = RelationModel(
        head,
        {
            "encoder_model": encoder_dir.name,
            "encoder_sha256": file_sha256(encoder_dir / "model.safetensors"),
            "hidden_size": hidden,
            "head_hidden": config.head_hidden,
            "max_length": int(stance.config["max_length"]),
            "threshold": summary["threshold"],
            "parties": tagger is not None,
            "party_threshold": config.party_threshold,
            "party_relation_threshold": summary["party_relation_threshold"],
            "party_heads": heads,
            "pair_filters": config.pair_filters,
            **rule_config(config),
            "training_config": json.loads(config.model_dump_json()),
            "training": summary
            | {"training_seconds": round(seconds, 1), "data": counts, "majority_polarity": polarity},  # fmt: skip
        },
        tagger=tagger,
    )
    out = resolve(config.output_dir)
    if out.exists():
        shutil.rmtree(out)
    rel.save_pretrained(out)
    label_counts = {
        name: dict(Counter(LABELS[i] for p in prepared[name] for i in p.labels.tolist())) for name in prepared
    }
    rows = {f"{who} (test)": dict(test[who]) for who in ("model", "baseline")} if test else {}
    ModelCard(
        title="relations-pairs",
        task="relations",
        model_kind="pairs",
        summary=(
            "Directed stance between actors (holder -> target: negative / neutral / positive, or none). Every ordered "
            "pair of mentions of different actors in a sentence is scored by a small MLP over [holder span mean; "
            "target span mean; sentence mean; mean of the tokens between them; order and position features] of the "
            f"frozen `{encoder_dir.name}` encoder's states: one encoder pass per sentence, shared with the stance "
            "model in the pipeline. Per sentence and pair of actors the strongest direction is kept when "
            f"1 - p(none) >= {summary['threshold']}."
        ),
        data=[
            "ConfliBERT CAMEO sentences (Hu et al., NAACL 2022): `ner_train.txt` source/target spans joined to the "
            "`train.tsv` PentaClass (0 statement -> neutral, 1/2 cooperation -> positive, 3/4 conflict -> negative); "
            f"matching: {counts}",
            f"split by a seeded hash of the sentence text (seed {config.seed}, dev {config.dev_fraction:.0%}, "
            f"test {config.test_fraction:.0%}); actors from `ActorExtractor.default()`",
        ],
        label_counts=label_counts,
        metrics=rows,
        metrics_split="test",
        hyperparameters={k: v for k, v in json.loads(config.model_dump_json()).items() if k not in ("task",)},
        training_seconds=seconds,
        usage=(
            "from foreign_desk.inference import Pipeline\n\npipe = Pipeline.from_pretrained()  # loads "
            f"{out.name} when present\nprint([r.to_dict() for r in pipe('Beijing condemned Washington.').relations])"
        ),
        notes=[
            "Metrics over held-out sentences with a source, a target and a cooperation/conflict class: pair found = "
            "a relation whose holder mention overlaps the source span and target mention the target span; polarity "
            "accuracy over found pairs; directed accuracy = found and right polarity, over all such sentences. "
            "Baseline: first actor -> second actor, majority polarity of train.",
            f"Epochs ({summary['epochs']}) and threshold ({summary['threshold']}) chosen by {summary['cv_folds']}-fold "
            f"cross-validation over the train+dev sentences: directed accuracy {summary['cv_directed_accuracy']:.3f} "
            f"on {summary['cv_sentences']} held-out sentences (best {summary['cv_best_directed_accuracy']:.3f}: the most "
            f"conservative thresholds within {config.keep_fraction:.0%} of it are kept, since every CAMEO sentence holds "
            "an event and false relations elsewhere cost nothing there); the head is then trained on all of them. "
            f"Relations with an unnamed party need 1 - p(none) >= {summary['party_relation_threshold']}.",
            'Many CAMEO holders and targets are not named actors ("18 people", "army camp"): with `parties` a '
            "linear token tagger over the same states (trained on the source/target spans) proposes such unnamed "
            "parties, which are related to actors only (never to each other) and named by their text.",
        ],
    ).save(out)
    (out / "metrics.json").write_text(
        json.dumps(
            {
                "task": "relations",
                "kind": "pairs",
                "cv": {k: v for k, v in summary.items() if k.startswith("cv")},
                "test": test,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    write_manifest(out)
    log.info("saved %s: cv %.3f, test %s", out, summary["cv_directed_accuracy"], test)
    if test:
        print_table(test, "relations on test")
    return out


def evaluate(
    model_dir: Path,
    split: str = "test",
    output: Path | None = None,
    quantize: bool = False,
    allow_unverified: bool = False,
) -> dict:
    """Recompute the model's held-out split (from its saved training config) and print model vs baseline."""
    from foreign_desk.inference.relations.model import RelationModel

    model_dir = Path(model_dir)
    model = RelationModel.from_pretrained(model_dir, quantize=quantize, allow_unverified=allow_unverified)
    config = RelationsConfig.model_validate(model.config["training_config"])
    config = config.model_copy(update={"cache": None})
    splits, _ = dataset(config)
    if split not in ("dev", "test"):
        raise ValueError(f"unknown split {split!r}; expected dev or test")
    from foreign_desk.inference.actors import ActorExtractor

    started = time.perf_counter()
    model._ensure_encoder()
    prepared = prepare(model, ActorExtractor.default(), splits[split])
    if model.use_parties:
        add_parties(prepared, model.tagger, model.stance_head, float(model.config["party_threshold"]),
                    model.config.get("party_heads"))  # fmt: skip
    report = _report(
        model.head,
        prepared,
        float(model.config["threshold"]),
        model.config["training"]["majority_polarity"],
        float(model.config.get("party_relation_threshold", 0.0)) if model.use_parties else 0.0,
        bool(model.config.get("pair_filters")),
        model.config,
    )
    print_table(report, f"relations on {split}")
    result = {"model": str(model_dir), "task": "relations", "kind": "pairs", "split": split, "int8": quantize,
              "seconds": round(time.perf_counter() - started, 2), **report}  # fmt: skip
    if output is not None:
        Path(output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def print_table(report: dict[str, dict[str, float]], title: str) -> None:
    print(f"{title} ({report['model']['sentences']} sentences with source, target and a cooperation/conflict class)")
    print(f"| {'system':<34} | pair found | polarity acc. | directed acc. |")
    print(f"|{'-' * 36}|-----------:|--------------:|--------------:|")
    names = {"model": "relations-pairs", "baseline": "baseline: 1st -> 2nd actor, majority"}
    for who, m in report.items():
        print(f"| {names.get(who, who):<34} | {m['pair_found_rate']:10.3f} | {m['polarity_accuracy']:13.3f} | "
              f"{m['directed_accuracy']:13.3f} |")  # fmt: skip
