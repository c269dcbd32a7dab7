"""Topic data: loading (via ``datasets``), validation, duplicate grouping and a stratified, grouped, seeded split.

Formats (JSONL or CSV):

- one file with ``id``, ``title`` (optional), ``text`` and ``topics`` (a list; in CSV a ``|``- or ``;``-separated
  string);
- two files joined by ``id``: texts (``id``, ``title``/``headline`` optional, ``text``) and labels (``id``,
  ``topics``), the layout of ``../shared/data/<set>/{articles,items}.jsonl`` + ``labels.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from foreign_desk.inference.topics.text import prepare
from foreign_desk.training.topic.config import SourceConfig, TopicConfig

log = logging.getLogger(__name__)
SPLITS = ("train", "dev", "test")


@dataclass
class Example:
    id: str
    title: str
    text: str
    topics: list[str]
    source: str


@dataclass
class TopicData:
    """The three splits (``datasets.Dataset`` with id, title, text, topics, source) and their label counts."""

    splits: Any  # datasets.DatasetDict
    labels: list[str]
    fingerprint: str
    base_fingerprint: str | None = None  # with ``separate_sources``: the fingerprint of the other sources' split

    def texts(self, split: str) -> list[tuple[str, str]]:
        ds = self.splits[split]
        return list(zip(ds["title"], ds["text"], strict=True))

    def y(self, split: str) -> np.ndarray:
        return label_matrix(self.splits[split]["topics"], self.labels)

    def label_counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for split in SPLITS:
            y = self.y(split)
            counts = {label: int(c) for label, c in zip(self.labels, y.sum(0), strict=True)}
            counts["(no topic)"] = int((y.sum(1) == 0).sum())
            counts["(articles)"] = len(y)
            out[split] = counts
        return out


def label_matrix(topics: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    y = np.zeros((len(topics), len(labels)), dtype=np.int64)
    for row, ts in enumerate(topics):
        for t in ts:
            if t in index:
                y[row, index[t]] = 1
    return y


# ---------------------------------------------------------------------------------------------------- reading
def _read_table(path: Path) -> list[dict[str, Any]]:
    """All records of a JSONL/CSV file through ``datasets``; unreadable files get an error naming the line."""
    from datasets import load_dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    builder = "csv" if path.suffix.lower() == ".csv" else "json"
    if path.stat().st_size == 0:
        return []
    try:
        ds = load_dataset(builder, data_files=str(path), split="train", keep_in_memory=True)
    except Exception as exc:  # datasets wraps parser errors; find the offending line for a clear message
        raise ValueError(f"{path}: cannot read {builder.upper()}: {_first_bad_line(path) or exc}") from None
    return ds.to_list()


def _first_bad_line(path: Path) -> str | None:
    if path.suffix.lower() == ".csv":
        return None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                return f"line {n} is not valid JSON ({exc.msg})"
            if not isinstance(record, dict):
                return f"line {n} is not a JSON object"
    return None


def _topics_of(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            value = json.loads(value)
        else:
            return [t.strip() for t in re.split(r"[|;]", value) if t.strip()]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError(f"{where}: 'topics' must be a list of label strings, got {value!r}")
    return list(dict.fromkeys(value))


def _record_id(record: dict[str, Any], n: int, path: Path) -> str:
    rid = record.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        raise ValueError(f"{path} record #{n}: missing 'id'")
    return str(rid)


def _text_fields(record: dict[str, Any], where: str) -> tuple[str, str]:
    title = record.get("title", record.get("headline")) or ""
    text = record.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise ValueError(f"{where}: 'title' and 'text' must be strings")
    if not title.strip() and not text.strip():
        raise ValueError(f"{where}: empty article (no title and no text)")
    return title, text


def read_source(source: SourceConfig) -> list[Example]:
    """Examples of one configured source, validated record by record."""
    name = source.name or "data"
    out: list[Example] = []
    if source.path is not None:
        for n, record in enumerate(_read_table(source.path), 1):
            rid = _record_id(record, n, source.path)
            where = f"{source.path} record {rid!r}"
            is_csv = source.path.suffix.lower() == ".csv"  # an empty CSV cell means no topic
            if "topics" not in record or (record["topics"] is None and not is_csv):
                raise ValueError(f"{where}: missing 'topics' (use [] for an article with no topic)")
            title, text = _text_fields(record, where)
            out.append(Example(rid, title, text, _topics_of(record["topics"], where), name))
    else:
        labels: dict[str, list[str]] = {}
        for n, record in enumerate(_read_table(source.labels), 1):
            rid = _record_id(record, n, source.labels)
            if rid in labels:
                raise ValueError(f"{source.labels} record {rid!r}: duplicate id")
            if record.get("topics") is None and source.labels.suffix.lower() != ".csv":
                raise ValueError(f"{source.labels} record {rid!r}: missing 'topics'")
            labels[rid] = _topics_of(record["topics"], f"{source.labels} record {rid!r}")
        seen = set()
        for n, record in enumerate(_read_table(source.texts), 1):
            rid = _record_id(record, n, source.texts)
            where = f"{source.texts} record {rid!r}"
            if rid not in labels:
                raise ValueError(f"{where}: no line with this id in {source.labels}")
            title, text = _text_fields(record, where)
            seen.add(rid)
            out.append(Example(rid, title, text, labels[rid], name))
        missing = sorted(set(labels) - seen)
        if missing:
            raise ValueError(f"{source.labels}: {len(missing)} ids have no text in {source.texts}, e.g. {missing[:3]}")
    ids = [e.id for e in out]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:3]
        raise ValueError(f"{source.path or source.texts}: duplicate ids {dup}")
    return out


def load_examples(config: TopicConfig) -> list[Example]:
    """Every configured source, cleaned (spacing, datelines) and checked against the label set."""
    examples: list[Example] = []
    owner: dict[str, str] = {}
    allowed = set(config.labels)
    for source in config.data.sources:
        for ex in read_source(source):
            if ex.id in owner:
                raise ValueError(f"record {ex.id!r} appears in both {owner[ex.id]} and {ex.source}")
            owner[ex.id] = ex.source
            unknown = [t for t in ex.topics if t not in allowed]
            if unknown and not config.data.ignore_unlisted_labels:
                raise ValueError(
                    f"{ex.source} record {ex.id!r}: unknown label(s) {unknown}; configured labels are {config.labels} "
                    "(add them to `labels`, or set data.ignore_unlisted_labels: true)"
                )
            ex.topics = [t for t in ex.topics if t in allowed]
            ex.title, ex.text = prepare(ex.title, ex.text, remove_dateline=config.data.strip_dateline)
            examples.append(ex)
    if not examples:
        raise ValueError("no training examples: every configured data file is empty")
    return examples


# ---------------------------------------------------------------------------------------------------- duplicates
def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()))


def duplicate_groups(examples: Sequence[Example], similarity: float | None = 0.9) -> np.ndarray:
    """Group id per example: same normalised title, same normalised text, or TF-IDF cosine >= ``similarity``."""
    parent = list(range(len(examples)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    for field in ("title", "text"):
        first: dict[str, int] = {}
        for i, ex in enumerate(examples):
            key = _norm(getattr(ex, field))
            if len(key.split()) < 3:  # empty or generic titles ("Around the world") say nothing
                continue
            union(first.setdefault(key, i), i)
    if similarity is not None and len(examples) > 1:
        from sklearn.feature_extraction.text import TfidfVectorizer

        x = TfidfVectorizer(sublinear_tf=True).fit_transform([f"{e.title} {e.text}" for e in examples])
        for start in range(0, x.shape[0], 2000):
            sims = (x[start : start + 2000] @ x.T).tocoo()
            for i, j, v in zip(sims.row, sims.col, sims.data, strict=True):
                if v >= similarity and start + i != j:
                    union(start + int(i), int(j))
    roots = [find(i) for i in range(len(examples))]
    remap = {r: k for k, r in enumerate(dict.fromkeys(roots))}
    return np.array([remap[r] for r in roots], dtype=np.int64)


# ---------------------------------------------------------------------------------------------------- splitting
def stratified_group_split(
    y: np.ndarray, groups: np.ndarray, fractions: Sequence[float], seed: int, extra: np.ndarray | None = None
) -> np.ndarray:
    """Split index (0..k-1) per example: iterative stratification (Sechidis et al. 2011) over duplicate groups.

    Groups are assigned whole, rarest label first, each to the split that still needs that label most. ``extra``
    columns (e.g. source one-hot) are stratified too. Deterministic for a given seed.
    """
    rng = np.random.default_rng(seed)
    cols = y if extra is None else np.hstack([y, extra])
    n_groups = int(groups.max()) + 1
    g = np.zeros((n_groups, cols.shape[1]), dtype=np.float64)
    np.add.at(g, groups, cols)
    sizes = np.bincount(groups, minlength=n_groups).astype(np.float64)
    fr = np.asarray(fractions, dtype=np.float64)
    need = fr[:, None] * g.sum(0)[None, :]
    need_size = fr * sizes.sum()
    assign = np.full(n_groups, -1)
    remaining = np.ones(n_groups, dtype=bool)
    order_key = rng.permutation(n_groups)
    while remaining.any():
        counts = g[remaining].sum(0)
        candidates = np.where(counts > 0)[0]
        if len(candidates) == 0:
            todo = np.where(remaining)[0]
            col = None
        else:
            col = candidates[np.argmin(counts[candidates])]
            todo = np.where(remaining & (g[:, col] > 0))[0]
        for gi in todo[np.argsort(order_key[todo])]:
            if col is None:
                score = np.stack([need_size, rng.random(len(fr))], 1)
            else:
                score = np.stack([need[:, col], need_size, rng.random(len(fr))], 1)
            split = int(np.lexsort(score.T[::-1])[-1])
            assign[gi] = split
            need[split] -= g[gi]
            need_size[split] -= sizes[gi]
            remaining[gi] = False
    return assign[groups]


def _split_fingerprint(examples: Sequence[Example], split_of: np.ndarray) -> str:
    return hashlib.sha256(
        "\n".join(f"{s}:{examples[i].id}" for k, s in ((1, "dev"), (2, "test")) for i in np.where(split_of == k)[0])
        .encode()
    ).hexdigest()[:16]


def _split_part(examples: Sequence[Example], config: TopicConfig) -> tuple[np.ndarray, np.ndarray]:
    """(split index, duplicate group) of one set of examples: the stratified grouped split over labels and sources."""
    y = label_matrix([e.topics for e in examples], config.labels)
    groups = duplicate_groups(examples, config.data.dedup_similarity)
    sources = sorted({e.source for e in examples})
    src = np.array([[e.source == s for s in sources] for e in examples], dtype=np.float64)
    dev, test = config.data.dev_fraction, config.data.test_fraction
    return stratified_group_split(y, groups, [1 - dev - test, dev, test], config.seed, extra=src), groups


def assign_splits(examples: list[Example], config: TopicConfig) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Split index (0 train, 1 dev, 2 test) and duplicate group of every example, and the base fingerprint.

    Without ``data.separate_sources`` all examples are split together. With it, the other sources are split exactly
    as they would be alone (their fingerprint is returned, to check against a model trained on that split), the
    separate sources on their own with the same function, fractions and seed; an example of a separate source that
    duplicates one of the others follows that one's split (no duplicate crosses train and test).
    """
    separate = set(config.data.separate_sources)
    unknown = separate - {e.source for e in examples}
    if unknown:
        raise ValueError(f"data.separate_sources {sorted(unknown)} are not configured sources")
    if not separate:
        split_of, groups = _split_part(examples, config)
        return split_of, groups, None
    base_idx = [i for i, e in enumerate(examples) if e.source not in separate]
    sep_idx = [i for i, e in enumerate(examples) if e.source in separate]
    split_of = np.zeros(len(examples), dtype=np.int64)
    groups = np.zeros(len(examples), dtype=np.int64)
    base_fp = None
    offset = 0
    if base_idx:
        base = [examples[i] for i in base_idx]
        part, g = _split_part(base, config)
        split_of[base_idx], groups[base_idx] = part, g
        base_fp = _split_fingerprint(base, part)
        offset = int(g.max()) + 1
    part, g = _split_part([examples[i] for i in sep_idx], config)
    split_of[sep_idx], groups[sep_idx] = part, g + offset
    if base_idx:  # duplicates across the two parts: the separate example joins the other's group and split
        joint = duplicate_groups(examples, config.data.dedup_similarity)
        for i in sep_idx:
            mates = [j for j in np.where(joint == joint[i])[0] if examples[j].source not in separate]
            if mates:
                split_of[i], groups[i] = split_of[mates[0]], groups[mates[0]]
    return split_of, groups, base_fp


def load_splits(config: TopicConfig) -> TopicData:
    """Read, validate, group duplicates, split train/dev/test (seeded), subsample train by ``train_fraction``."""
    from datasets import Dataset, DatasetDict

    examples = load_examples(config)
    split_of, groups, base_fp = assign_splits(examples, config)
    index = {name: np.where(split_of == k)[0] for k, name in enumerate(SPLITS)}
    if config.data.train_fraction < 1.0:
        train_groups = np.unique(groups[index["train"]])
        keep_n = max(1, round(len(train_groups) * config.data.train_fraction))
        kept = set(np.random.default_rng(config.seed + 1).permutation(train_groups)[:keep_n].tolist())
        index["train"] = np.array([i for i in index["train"] if groups[i] in kept])
    for name in SPLITS:
        if len(index[name]) == 0:
            raise ValueError(f"the {name} split is empty: {len(examples)} examples are too few for this config")
    fingerprint = hashlib.sha256(
        "\n".join(f"{s}:{examples[i].id}" for s in ("dev", "test") for i in sorted(index[s])).encode()
    ).hexdigest()[:16]
    columns = ("id", "title", "text", "topics", "source")
    splits = DatasetDict(
        {
            name: Dataset.from_dict({c: [getattr(examples[i], c) for i in idx] for c in columns})
            for name, idx in index.items()
        }
    )
    data = TopicData(splits=splits, labels=list(config.labels), fingerprint=fingerprint, base_fingerprint=base_fp)
    check_label_support(data, config.data.min_train_positives)
    return data


def check_label_support(data: TopicData, min_positives: int) -> None:
    """Fail when a configured label has no training positive; warn loudly when it has few."""
    counts = data.label_counts()
    absent = [label for label in data.labels if counts["train"][label] == 0]
    if absent:
        raise ValueError(
            f"label(s) {absent} have no positive example in the training split "
            f"(whole data: {[sum(counts[s][a] for s in SPLITS) for a in absent]} positives); "
            "remove them from `labels` or add data"
        )
    for label in data.labels:
        if counts["train"][label] < min_positives:
            log.warning(
                "label %r has only %d training positives (< %d): its scores will be unreliable",
                label,
                counts["train"][label],
                min_positives,
            )
        if counts["dev"][label] == 0:
            log.warning("label %r has no dev positive: its threshold falls back to the default", label)


def describe_sources(config: TopicConfig) -> list[str]:
    out = []
    for s in config.data.sources:
        files = [str(p) for p in (s.path, s.texts, s.labels) if p is not None]
        out.append(f"{s.name}: " + " + ".join(f"`{f}`" for f in files))
    return out


def resolve(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path
