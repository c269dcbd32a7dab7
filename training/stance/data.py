"""NewsMTSC targets as a ``datasets.Dataset``, split into train/dev/test by sentence (deterministic by seed)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from foreign_desk.inference.stance.targets import LABELS, POLARITY_TO_LABEL, StanceTarget

SPLITS = ("train", "dev", "test")


def _bucket(key: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(sentence: str, seed: int, dev_fraction: float, test_fraction: float) -> str:
    """The split of a sentence: a hash of the sentence text, so every target of a sentence (and every duplicate
    of the sentence) lands in the same split, independent of file order."""
    u = _bucket(sentence, seed)
    if u < test_fraction:
        return "test"
    if u < test_fraction + dev_fraction:
        return "dev"
    return "train"


def load_newsmtsc(path: Path, seed: int, dev_fraction: float, test_fraction: float, limit: int | None = None):
    """A ``DatasetDict`` with ``train``/``dev``/``test``: one row per target (``text``, ``start``, ``end``,
    ``mention``, ``label``, ``group``). Raises ``ValueError`` naming the line of a malformed record."""
    from datasets import Dataset, DatasetDict, load_dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    raw = load_dataset("json", data_files=str(path), split="train")
    if limit is not None:
        raw = raw.select(range(min(limit, len(raw))))
    rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for line, rec in enumerate(raw, 1):
        text = rec.get("sentence_normalized")
        if not isinstance(text, str) or not rec.get("targets"):
            raise ValueError(f"{path}:{line}: record without sentence_normalized/targets")
        split = split_of(text, seed, dev_fraction, test_fraction)
        for t in rec["targets"]:
            polarity = int(round(float(t["polarity"])))
            if polarity not in POLARITY_TO_LABEL:
                raise ValueError(f"{path}:{line}: unknown polarity {t['polarity']!r}")
            target = StanceTarget(text, int(t["from"]), int(t["to"]))
            try:
                target.validate()
            except ValueError as exc:
                raise ValueError(f"{path}:{line}: target {t.get('mention')!r}: {exc}") from None
            rows[split].append(
                {
                    "text": text,
                    "start": target.start,
                    "end": target.end,
                    "mention": target.mention,
                    "label": POLARITY_TO_LABEL[polarity],
                    "group": rec.get("primary_gid") or text[:64],
                }
            )
    return DatasetDict({s: Dataset.from_list(rows[s]) if rows[s] else _empty() for s in SPLITS})


def _empty():
    from datasets import Dataset

    return Dataset.from_dict({"text": [], "start": [], "end": [], "mention": [], "label": [], "group": []})


def targets_of(ds) -> list[StanceTarget]:
    return [StanceTarget(t, s, e) for t, s, e in zip(ds["text"], ds["start"], ds["end"], strict=True)]


def label_counts(dsd) -> dict[str, dict[str, int]]:
    return {s: {label: sum(1 for x in dsd[s]["label"] if x == label) for label in LABELS} for s in SPLITS}
