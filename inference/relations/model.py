"""Directed stance between actors (holder -> target) from one encoder pass per sentence.

For every sentence that mentions two or more distinct actors, every ordered pair of mentions of different actors is
scored by a small head over features of the sentence's encoder states (the fine-tuned, frozen ``stance-minilm``
encoder, shared with the stance model: the pipeline reuses the states of the stance pass, see
:meth:`RelationModel.reuse_states`):

``[holder span mean; target span mean; sentence mean; mean of the tokens between them; order/position features]``

The head predicts ``none`` (no directed relation from this holder to this target) or the polarity
``negative`` / ``neutral`` / ``positive``. Per sentence and pair of actors, the strongest direction over their mention
pairs is kept when ``1 - p(none)`` reaches the model's ``threshold``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field, field_validator
from safetensors.torch import load_file, save_file
from torch import nn

from foreign_desk.inference.encoder import StateCache, capture_states
from foreign_desk.inference.manifest import ModelLoadError, file_sha256
from foreign_desk.inference.saved_model import ModelConfig, SavedModel
from foreign_desk.inference.wire import dateline_spans

log = logging.getLogger(__name__)

TASK = "relations"
LABELS = ("none", "negative", "neutral", "positive")
STANCES = LABELS[1:]
WEIGHTS_NAME = "head.safetensors"
N_SCALARS = 12  # 6 order/position features + the stance head's probabilities toward holder and target


class RelationConfig(ModelConfig):
    task: Literal["relations"] = TASK
    kind: Literal["pairs"] = "pairs"
    encoder_model: str = Field(
        "stance-minilm", description="the stance model (sibling directory) whose encoder is used"
    )
    encoder_sha256: str | None = Field(None, description="sha256 of that model's weights when the head was trained")
    hidden_size: int = Field(384, ge=1)
    head_hidden: int = Field(128, ge=1)
    max_length: int = Field(128, ge=8)
    threshold: float = Field(0.5, ge=0, le=1)
    parties: bool = Field(False, description="also relate actors to the unnamed parties the token tagger finds")
    party_threshold: float = Field(0.5, ge=0, le=1, description="tagger: a token is in a party when 1 - p(O) >= this")
    party_relation_threshold: float = Field(0.5, ge=0, le=1, description="1 - p(none) a relation with a party needs")
    party_heads: list[str] | None = Field(
        None,
        description="head words (last word, lower-cased) an unnamed party may end with: those of the training "
        "sources and targets (at least twice); None: any",
    )
    pair_filters: bool = Field(
        False, description="skip pairs that cannot be holder -> target: coordinated mentions, a holder after 'in'"
    )
    rules: bool = Field(
        False, description="string rules (relations.rules): no relation between a titled person and their country "
        "or body; a holder that is not the subject/speaker/agent needs `passive_threshold`; a bare generic-noun "
        "party needs `generic_threshold`",
    )
    passive_threshold: float = Field(0.5, ge=0, le=1, description="1 - p(none) a relation needs when its holder "
                                     "is not the subject, speaker or agent of the sentence (with `rules`)")
    generic_threshold: float = Field(0.9, ge=0, le=1, description="1 - p(none) a relation with a one-noun party "
                                     "needs (with `rules`)")

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: list[str]) -> list[str]:
        if tuple(labels) != LABELS:
            raise ValueError(f"labels {labels} differ from {list(LABELS)}")
        return labels


class PairHead(nn.Module):
    """The relation head: features of one ordered mention pair -> logits over :data:`LABELS`."""

    def __init__(self, hidden_size: int, head_hidden: int = 128, dropout: float = 0.2):
        super().__init__()
        self.net = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(4 * hidden_size + N_SCALARS, head_hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(head_hidden, len(LABELS)),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)


class PartyTagger(nn.Module):
    """Token head: is a token part of an event participant (``O`` / source ``S`` / target ``T``)? Finds holders and
    targets the actor extractor does not name ("protesters", "18 people", "the rebel-held enclave")."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.net = nn.Linear(hidden_size, 3)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.net(states)


# Spans that name no one: a party made only of these words is dropped.
_EMPTY_PARTY = {
    "he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us", "his", "its", "their", "our", "this",
    "that", "these", "those", "who", "which", "one", "some", "others", "all", "both", "each", "the", "a", "an",
    "more", "most", "less", "least", "many", "much", "several", "other",
}  # fmt: skip
_LEADING = ("the ", "a ", "an ")
# A span that starts with one of these is a phrase, not a party ("to the", "in a society").
_NOT_A_START = {
    "to", "in", "on", "at", "of", "for", "by", "with", "from", "as", "into", "over", "after", "before", "than",
    "and", "or", "but", "if", "when", "while", "since", "because", "not", "no",
}  # fmt: skip


def party_name(text: str) -> str | None:
    """A readable name for an unlinked party span: leading article and trailing possessive dropped; ``None`` when
    the span names no one (pronouns, articles)."""
    name = " ".join(text.split()).strip(" ,.;:\"'“”‘’()")
    for prefix in _LEADING:
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
    for suffix in ("'s", "’s", "ʼs"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    lowered = name.lower().split()
    if not lowered or lowered[0] in _NOT_A_START:
        return None
    words = [w for w in lowered if w not in _EMPTY_PARTY and w not in _NOT_A_START]
    return name if words and len(name) > 1 and any(ch.isalpha() for ch in name) else None


def party_head(text: str) -> str:
    """The head word of a party span: its last word, lower-cased, without a possessive or punctuation."""
    words = (party_name(text) or text).lower().split()
    if not words:
        return ""
    word = words[-1].strip(" ,.;:\"'“”‘’()")
    for suffix in ("'s", "’s", "ʼs"):
        word = word.removesuffix(suffix)
    return word


# Mentions separated only by these are coordinated ("Saudi Arabia, the UAE and Bahrain imposed..."): co-holders or
# co-targets of one act, never holder and target of each other.
_GLUE = {",", "and", "or", "nor", "&", "the", "as", "well", "both", "along", "together", "alongside", "plus", "also"}
# A mention right after one of these is a place where something happens ("clashes in Syria"), not a holder.
_LOCATIVE = {"in", "at", "near", "inside", "across", "throughout", "around"}


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " , ").replace(";", " ; ").lower().split() if w]


def coordinated(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when the text between two mention spans of a sentence is only list glue (commas, "and", "as well as")."""
    lo, hi = (a[1], b[0]) if a[0] < b[0] else (b[1], a[0])
    words = _words(text[lo:hi]) if hi >= lo else ["x"]
    return all(w in _GLUE for w in words)


def locative(text: str, start: int) -> bool:
    """True when the mention starting at ``start`` follows a locative preposition ("in", "at", "near"; an article
    between them allowed)."""
    words = _words(text[max(0, start - 40) : start])
    while words and words[-1] in ("the", "a", "an"):
        words.pop()
    return bool(words) and words[-1] in _LOCATIVE


def pair_allowed(text: str, holder: tuple[int, int], target: tuple[int, int]) -> bool:
    """Precision filters over an ordered mention pair of one sentence: no relation between coordinated mentions, and
    no holder that is a place ("in Syria")."""
    return not coordinated(text, holder, target) and not locative(text, holder[0])


def party_spans(
    tagger: PartyTagger, states: torch.Tensor, offsets: Sequence[tuple[int, int]], text: str,
    taken: Sequence[tuple[int, int]], threshold: float = 0.5, max_words: int = 8,
) -> list[tuple[int, int]]:  # fmt: skip
    """Character spans (whole words) of the parties the tagger finds in a sentence, except those overlapping
    ``taken`` (the actor mentions)."""
    if not offsets:
        return []
    proba = torch.softmax(tagger(states[1 : 1 + len(offsets)].float()), dim=-1)
    # punctuation never belongs to a party: "the confusion, these fighters" is two spans
    inside = [
        flag and any(ch.isalnum() for ch in text[s:e])
        for flag, (s, e) in zip((1.0 - proba[:, 0] >= threshold).tolist(), offsets, strict=True)
    ]
    runs, start = [], None
    for k, flag in enumerate([*inside, False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((start, k - 1))
            start = None
    out = []
    for a, b in runs:
        lo, hi = offsets[a][0], offsets[b][1]
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and (text[hi].isalnum() or text[hi] in "-"):
            hi += 1
        words = text[lo:hi].split()
        if len(words) > max_words:
            hi = lo + len(" ".join(words[:max_words]))
        if any(lo < e and hi > s for s, e in taken) or party_name(text[lo:hi]) is None:
            continue
        out.append((lo, hi))
    return out


@dataclass
class Relation:
    """One directed relation found in a sentence (``to_dict`` is the output record's entry)."""

    holder: str
    target: str
    stance: str
    holder_text: str
    target_text: str
    sentence: str
    score: float
    strength: float = 1.0  # 1 - p(none): the evidence for a relation at all (``score`` is p(stance))
    sentence_index: int = -1
    holder_span: tuple[int, int] = (0, 0)  # character offsets in the analysed text
    target_span: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "target": self.target,
            "stance": self.stance,
            "holder_text": self.holder_text,
            "target_text": self.target_text,
            "sentence": self.sentence,
            "score": round(float(self.score), 4),
        }


def relation_summary(relations: Sequence[Relation | dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (holder, target): counts by stance, the majority stance (ties: the higher total score) and the mean
    score, strongest pairs first (by summed score, then mean score)."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in relations:
        d = r.to_dict() if isinstance(r, Relation) else r
        entry = pairs.setdefault(
            (d["holder"], d["target"]),
            {"holder": d["holder"], "target": d["target"], "counts": {s: 0 for s in STANCES}, "_scores": []},
        )
        entry["counts"][d["stance"]] += 1
        entry["_scores"].append((d["stance"], float(d["score"])))
    out = []
    for entry in pairs.values():
        scores = entry.pop("_scores")
        totals = {s: sum(v for k, v in scores if k == s) for s in STANCES}
        entry["stance"] = max(STANCES, key=lambda s: (entry["counts"][s], totals[s]))
        entry["n"] = len(scores)
        entry["mean_score"] = round(sum(v for _, v in scores) / len(scores), 4)
        out.append(entry)
    # strongest first: the summed score (the evidence of all the pair's sentences), then the mean
    out.sort(key=lambda e: (-round(e["n"] * e["mean_score"], 4), -e["mean_score"], e["holder"], e["target"]))
    return out


# --- features ------------------------------------------------------------------------------------------------------


def token_positions(offsets: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Positions (in the encoder input, after [CLS]) of the tokens overlapping ``[start, end)``."""
    return [i + 1 for i, (s, e) in enumerate(offsets) if s < end and e > start and e > s]


def pair_features(
    states: torch.Tensor, holder: Sequence[int], target: Sequence[int], n_mentions: int, stance_head=None
) -> torch.Tensor:
    """Features of one ordered pair from a sentence's states ``(L, H)`` (with [CLS] ... [SEP]) and the token
    positions of the holder and target mentions; ``stance_head`` (the stance model's head over
    ``[span mean; sentence mean]``) adds its probabilities toward each of the two mentions."""
    return sentence_pair_features(states, [holder, target], [(0, 1)], n_mentions, stance_head)[0]


def sentence_pair_features(
    states: torch.Tensor,
    positions: Sequence[Sequence[int]],
    pairs: Sequence[tuple[int, int]],
    n_mentions: int,
    stance_head=None,
) -> torch.Tensor:
    """:func:`pair_features` of every ordered pair ``(holder, target)`` of one sentence, ``(len(pairs), F)``: each
    mention's span mean and stance probabilities are computed once (one head call for all of them), not per pair."""
    length = states.shape[0]
    sentence = states.mean(0)
    used = sorted({k for pair in pairs for k in pair})
    spans = {k: states[list(positions[k])].mean(0) for k in used}
    if stance_head is not None and used:
        logits = stance_head(torch.stack([torch.cat([spans[k], sentence]) for k in used]))
        proba = torch.softmax(logits.float(), dim=-1)
        stance = {k: proba[r] for r, k in enumerate(used)}
    else:
        stance = {k: torch.full((3,), 1.0 / 3, dtype=states.dtype) for k in used}
    inner = max(length - 2, 1)
    if not pairs:
        return states.new_zeros((0, 4 * states.shape[1] + N_SCALARS))
    # built for all pairs at once (the same values as one row at a time): gathers, one scalar tensor, one cat
    between_rows, scalar_rows = [], []
    for i, j in pairs:
        holder, target = positions[i], positions[j]
        lo, hi = (max(holder), min(target)) if holder[0] < target[0] else (max(target), min(holder))
        between_rows.append(states[lo + 1 : hi].mean(0) if hi > lo + 1 else torch.zeros_like(sentence))
        scalar_rows.append([
            1.0 if holder[0] < target[0] else 0.0,
            max(hi - lo - 1, 0) / 32.0,
            (holder[0] - 1) / inner,
            (target[0] - 1) / inner,
            min(n_mentions, 8) / 8.0,
            1.0 if holder[0] == 1 else 0.0,
        ])
    slot = {k: r for r, k in enumerate(used)}
    first = torch.tensor([slot[i] for i, _ in pairs])
    second = torch.tensor([slot[j] for _, j in pairs])
    span_table = torch.stack([spans[k] for k in used])
    stance_table = torch.stack([stance[k] for k in used])
    return torch.cat(
        [
            span_table[first],
            span_table[second],
            sentence.expand(len(pairs), -1),
            torch.stack(between_rows),
            torch.tensor(scalar_rows, dtype=states.dtype),
            stance_table[first],
            stance_table[second],
        ],
        dim=1,
    )


@dataclass
class _Candidate:
    """A mention that can be a holder or target: ``key`` identifies its actor."""

    key: Any
    start: int  # offsets in the sentence text
    end: int


def is_party(key: Any) -> bool:
    return isinstance(key, tuple) and key[0] == "party"


def sentence_pairs(candidates: Sequence[_Candidate]) -> list[tuple[int, int]]:
    """Ordered pairs (holder, target) of candidates that belong to different actors (an unnamed party is only paired
    with actors)."""
    return [
        (i, j)
        for i, a in enumerate(candidates)
        for j, b in enumerate(candidates)
        if i != j and a.key != b.key and not (is_party(a.key) and is_party(b.key))
    ]


# --- the model -----------------------------------------------------------------------------------------------------


class RelationModel(SavedModel):
    """Directed holder -> target stance between the actors of a sentence. Load with :meth:`from_pretrained`."""

    task = TASK
    kind = "pairs"
    config_class = RelationConfig
    labels = LABELS

    def __init__(self, head: PairHead, config: dict[str, Any] | None = None, encoder=None, tokenizer=None, tagger=None):
        self.head = head.eval()
        self.tagger = tagger.eval() if tagger is not None else None
        self.config = {"task": TASK, "kind": self.kind, "labels": list(LABELS), **(config or {})}
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.stance_head = None
        self.model_dir: Path | None = None
        self._cache: StateCache | None = None
        self.reused = 0  # sentences whose states came from the stance pass (for benchmarks)
        self.encoded = 0  # sentences encoded by this model

    # ------------------------------------------------------------------ seam
    @classmethod
    def from_pretrained(
        cls, model_dir: str | Path, quantize: bool = False, allow_unverified: bool = False, stance_model=None
    ) -> RelationModel:
        """Load a saved relation model; its encoder is ``stance_model``'s (a loaded ``MiniLMStanceClassifier``)
        or, when not given, the one of the sibling directory named by ``encoder_model`` (loaded on first use)."""
        model = super().from_pretrained(model_dir, quantize=quantize, allow_unverified=allow_unverified)
        assert isinstance(model, RelationModel)
        model.model_dir = Path(model_dir)
        model._quantize = quantize
        if stance_model is not None:
            model.attach(stance_model)
        return model

    @classmethod
    def _load(cls, model_dir: Path, config: RelationConfig, quantize: bool, allow_unverified: bool) -> RelationModel:
        weights = load_file(str(model_dir / WEIGHTS_NAME))
        head = PairHead(config.hidden_size, config.head_hidden)
        head.load_state_dict({k: v for k, v in weights.items() if not k.startswith("tagger.")})
        tagger = None
        if any(k.startswith("tagger.") for k in weights):
            tagger = PartyTagger(config.hidden_size)
            tagger.load_state_dict({k[len("tagger.") :]: v for k, v in weights.items() if k.startswith("tagger.")})
        config_dict = config.model_dump(exclude_unset=False) | dict(config.model_extra or {})
        return cls(head, config_dict, tagger=tagger)

    def _save_weights(self, model_dir: Path) -> None:
        weights = {k: v.contiguous() for k, v in self.head.state_dict().items()}
        if self.tagger is not None:
            weights |= {f"tagger.{k}": v.contiguous() for k, v in self.tagger.state_dict().items()}
        save_file(weights, str(model_dir / WEIGHTS_NAME))

    def to_config(self) -> dict[str, Any]:
        return self.config

    def attach(self, stance_model) -> None:
        """Use the encoder and tokenizer of a loaded MiniLM stance model (warns when its weights differ from the
        ones the head was trained on)."""
        network = getattr(stance_model, "model", None)
        if network is None or not hasattr(network, "encoder"):
            raise ModelLoadError(f"relations need a MiniLM stance model's encoder, got {type(stance_model).__name__}")
        self.encoder = network.encoder
        self.tokenizer = stance_model.tokenizer
        self.stance_head = network.head
        expected = self.config.get("encoder_sha256")
        source = getattr(stance_model, "model_dir", None)
        weights = Path(source) / "model.safetensors" if source else None
        if expected and weights is not None and weights.is_file() and file_sha256(weights) != expected:
            log.warning("relation head was trained on another %s encoder; retrain it", self.config["encoder_model"])

    def _ensure_encoder(self) -> None:
        if self.encoder is not None:
            return
        if self.model_dir is None:
            raise ModelLoadError("relation model has no encoder: attach a stance model")
        from foreign_desk.inference.stance import StanceClassifier

        stance_dir = self.model_dir.parent / str(self.config["encoder_model"])
        if not stance_dir.is_dir():  # a relation model saved elsewhere: the encoder of the default models folder
            from foreign_desk.inference.paths import default_models_dir

            stance_dir = default_models_dir() / str(self.config["encoder_model"])
        stance = StanceClassifier.from_pretrained(stance_dir, quantize=getattr(self, "_quantize", False))
        stance.model_dir = stance_dir
        self.attach(stance)

    # ------------------------------------------------------------------ encoder states
    @contextlib.contextmanager
    def reuse_states(self) -> Iterator[None]:
        """While active, every forward pass of the shared encoder (the stance pass) leaves its states here, and
        :meth:`predict` reuses those of identical sentence windows instead of encoding them again."""
        self._ensure_encoder()
        with capture_states(self.encoder) as cache:
            self._cache = cache
            try:
                yield
            finally:
                self._cache = None

    def _input_ids(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, return_attention_mask=False, verbose=False
        )
        cap = int(self.config["max_length"]) - 2
        ids = [self.tokenizer.cls_token_id, *enc["input_ids"][:cap], self.tokenizer.sep_token_id]
        return ids, [tuple(o) for o in enc["offset_mapping"][:cap]]

    @torch.inference_mode()
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> list[tuple[torch.Tensor, list[tuple[int, int]]]]:
        """``(states (L, H), token offsets)`` of every text: from the stance pass when available, else encoded here
        (texts longer than ``max_length`` tokens are cut)."""
        self._ensure_encoder()
        inputs = [self._input_ids(t) for t in texts]
        out: list[Any] = [None] * len(texts)
        todo = []
        for i, (ids, offsets) in enumerate(inputs):
            hit = self._cache.states.get(tuple(ids)) if self._cache is not None else None
            if hit is not None:
                out[i] = (hit, offsets)
                self.reused += 1
            else:
                todo.append(i)
        todo.sort(key=lambda i: len(inputs[i][0]))
        pad = self.tokenizer.pad_token_id or 0
        for k in range(0, len(todo), batch_size):
            group = todo[k : k + batch_size]
            length = max(len(inputs[i][0]) for i in group)
            ids = torch.full((len(group), length), pad, dtype=torch.long)
            mask = torch.zeros((len(group), length), dtype=torch.long)
            for r, i in enumerate(group):
                n = len(inputs[i][0])
                ids[r, :n] = torch.tensor(inputs[i][0])
                mask[r, :n] = 1
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state.float()
            for r, i in enumerate(group):
                out[i] = (hidden[r, : len(inputs[i][0])], inputs[i][1])
            self.encoded += len(group)
        return out

    # ------------------------------------------------------------------ scoring
    @torch.inference_mode()
    def score_pairs(
        self,
        encoded: Sequence[tuple[torch.Tensor, list[tuple[int, int]]]],
        candidates: Sequence[Sequence[_Candidate]],
        texts: Sequence[str] | None = None,
    ) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Per sentence: its ordered candidate pairs and their probabilities ``(n_pairs, 4)`` over :data:`LABELS`
        (with ``texts`` and the model's ``pair_filters``, the pairs :func:`pair_allowed` refuses are not scored)."""
        feats, spans = [], []
        filters = bool(self.config.get("pair_filters")) and texts is not None
        for k, ((states, offsets), cands) in enumerate(zip(encoded, candidates, strict=True)):
            positions = [token_positions(offsets, c.start, c.end) for c in cands]
            pairs = [(i, j) for i, j in sentence_pairs(cands) if positions[i] and positions[j]]
            if filters:
                text = texts[k]
                pairs = [(i, j) for i, j in pairs
                         if pair_allowed(text, (cands[i].start, cands[i].end), (cands[j].start, cands[j].end))]  # fmt: skip
            spans.append(pairs)
            if pairs:
                feats.append(sentence_pair_features(states, positions, pairs, len(cands), self.stance_head))
        if feats:
            proba = torch.softmax(self.head(torch.cat(feats)), dim=-1).numpy()
        else:
            proba = np.zeros((0, len(LABELS)), dtype=np.float32)
        out, row = [], 0
        for pairs in spans:
            out.append((pairs, proba[row : row + len(pairs)]))
            row += len(pairs)
        return out

    def predict(self, actor_results: Sequence[Any], batch_size: int = 32) -> list[list[Relation]]:
        """Relations of each ``ActorResult`` (from ``foreign_desk.inference.actors``), in sentence order."""
        jobs = []  # (article index, sentence, candidates with (actor index, mention))
        for a_idx, result in enumerate(actor_results):
            sentences = {s.index: s for s in result.sentences}
            by_sentence: dict[int, list[tuple[int, Any]]] = {}
            for k, actor in enumerate(result.actors):
                for m in actor.mentions:
                    by_sentence.setdefault(m.sentence, []).append((k, m))
            need = 1 if self.use_parties else 2
            for s_idx, mentions in sorted(by_sentence.items()):
                sentence = sentences.get(s_idx)
                if sentence is None or len({k for k, _ in mentions}) < need:
                    continue
                mentions = [(k, m) for k, m in mentions if sentence.start <= m.start < m.end <= sentence.end]
                mentions = _outside_datelines(mentions, sentence, result.actors)
                if len({k for k, _ in mentions}) >= need:
                    jobs.append((a_idx, sentence, sorted(mentions, key=lambda km: km[1].start)))
        out: list[list[Relation]] = [[] for _ in actor_results]
        if not jobs:
            return out
        encoded = self.encode([s.text for _, s, _ in jobs], batch_size=batch_size)
        candidates = [[_Candidate(k, m.start - s.start, m.end - s.start) for k, m in ms] for _, s, ms in jobs]
        if self.use_parties:
            with torch.inference_mode():
                for (_, sentence, _), (states, offsets), cands in zip(jobs, encoded, candidates, strict=True):
                    taken = [(c.start, c.end) for c in cands] + dateline_spans(sentence.text)
                    spans = party_spans(
                        self.tagger, states, offsets, sentence.text, taken, float(self.config["party_threshold"])
                    )
                    spans = [(lo, hi) for lo, hi in spans if self.party_allowed(sentence.text[lo:hi])]
                    cands += [_Candidate(("party", lo, hi), lo, hi) for lo, hi in spans]
        scored = self.score_pairs(encoded, candidates, [s.text for _, s, _ in jobs])
        for (a_idx, sentence, _), cands, (pairs, proba) in zip(jobs, candidates, scored, strict=True):
            actors = actor_results[a_idx].actors

            def who(c: _Candidate, sentence=sentence, actors=actors) -> tuple[str, str]:
                text = sentence.text[c.start : c.end]
                return (party_name(text) or text, text) if is_party(c.key) else (actors[c.key].name, text)

            party_min = float(self.config.get("party_relation_threshold", 0.5))
            for i, j, p in decide(pairs, proba, [c.key for c in cands], float(self.config["threshold"])):
                if same_side(actors, cands[i].key, cands[j].key):
                    continue
                if (is_party(cands[i].key) or is_party(cands[j].key)) and 1.0 - float(p[0]) < party_min:
                    continue
                (holder, holder_text), (target, target_text) = who(cands[i]), who(cands[j])
                if not rule_allows(
                    self.config, sentence.text, (cands[i].start, cands[i].end), (cands[j].start, cands[j].end),
                    1.0 - float(p[0]), holder if is_party(cands[i].key) else None,
                    target if is_party(cands[j].key) else None,
                ):  # fmt: skip
                    continue
                label = int(np.argmax(p[1:])) + 1
                out[a_idx].append(
                    Relation(
                        holder=holder,
                        target=target,
                        stance=LABELS[label],
                        holder_text=holder_text,
                        target_text=target_text,
                        sentence=sentence.text,
                        score=float(p[label]),
                        strength=1.0 - float(p[0]),
                        sentence_index=sentence.index,
                        holder_span=(sentence.start + cands[i].start, sentence.start + cands[i].end),
                        target_span=(sentence.start + cands[j].start, sentence.start + cands[j].end),
                    )
                )
        return out

    def party_allowed(self, text: str) -> bool:
        """An unnamed party span may take part in a relation: not a news agency, and (when the model has a list of
        ``party_heads``) ending with one of those words."""
        if _is_agency(text):
            return False
        heads = self.config.get("party_heads")
        if heads is None:
            return True
        if getattr(self, "_heads", None) is None or self._heads[0] is not heads:
            self._heads = (heads, frozenset(heads))
        return party_head(text) in self._heads[1]

    @property
    def use_parties(self) -> bool:
        return bool(self.config.get("parties")) and self.tagger is not None


def _is_agency(text: str) -> bool:
    from foreign_desk.inference.wire import AGENCIES

    name = (party_name(text) or text).strip(" ()").lower()
    return name in {a.lower() for a in AGENCIES}


def _outside_datelines(mentions: list[tuple[int, Any]], sentence: Any, actors: Sequence[Any]) -> list[tuple[int, Any]]:
    """Mentions that are not part of a dateline or credit (``BEIRUT (Reuters) -``) and not a news agency: the place
    and the agency reporting a story are not parties to it."""
    from foreign_desk.inference.wire import AGENCIES

    spans = [(sentence.start + a, sentence.start + b) for a, b in dateline_spans(sentence.text)]
    agencies = {a.lower() for a in AGENCIES}
    return [
        (k, m)
        for k, m in mentions
        if not any(m.start < b and m.end > a for a, b in spans) and actors[k].name.lower() not in agencies
    ]


def same_side(actors: Sequence[Any], a: Any, b: Any) -> bool:
    """Two actors of one side (a leader and their country, two officials of one government): not a relation."""
    if not (isinstance(a, int) and isinstance(b, int)):
        return False
    x, y = actors[a], actors[b]
    return (x.affiliation is not None and x.affiliation in (y.name, y.affiliation)) or (
        y.affiliation is not None and y.affiliation == x.name
    )


def rule_allows(
    config: dict[str, Any], text: str, holder: tuple[int, int], target: tuple[int, int], strength: float,
    holder_party: str | None = None, target_party: str | None = None,
) -> bool:
    """The string rules of :mod:`.rules` over one decided pair of a sentence (offsets in ``text``; the party names
    when a side is an unnamed party); always true without the model's ``rules``."""
    if not config.get("rules"):
        return True
    from foreign_desk.inference.relations.rules import generic_party, holder_acts, titled_together

    if holder_party is None and target_party is None and titled_together(text, holder, target):
        return False
    if any(p is not None and generic_party(p) for p in (holder_party, target_party)):
        if strength < float(config.get("generic_threshold", 0.9)):
            return False
    if not holder_acts(text, *holder) and strength < float(config.get("passive_threshold", 0.5)):
        return False
    return True


def decide(
    pairs: Sequence[tuple[int, int]], proba: np.ndarray, keys: Sequence[Any], threshold: float
) -> list[tuple[int, int, np.ndarray]]:
    """The relations of one sentence: per unordered pair of actors, the mention pair and direction with the highest
    ``1 - p(none)``, kept when that reaches ``threshold``."""
    best: dict[frozenset, tuple[float, int, int, np.ndarray]] = {}
    for (i, j), p in zip(pairs, proba, strict=True):
        strength = 1.0 - float(p[0])
        key = frozenset((keys[i], keys[j]))
        if strength >= threshold and (key not in best or strength > best[key][0]):
            best[key] = (strength, i, j, p)
    return [(i, j, p) for _, i, j, p in sorted(best.values(), key=lambda b: (b[1], b[2]))]
