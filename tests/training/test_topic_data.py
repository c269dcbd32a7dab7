"""Topic data loading, validation, duplicate grouping and splitting (tiny corpora written here)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from foreign_desk.training.topic.config import config_from_dict
from foreign_desk.training.topic.data import duplicate_groups, load_examples, load_splits, stratified_group_split

LABELS = ["diplomacy", "sanctions", "trade"]
_PLACES = ["Avaland", "Borduria", "Carpania", "Dorvia", "Elbonia", "Freedonia", "Genovia", "Holmia", "Ishtar"]
_PEOPLE = ["Minister Ostrava", "Envoy Pell", "President Quist", "Chancellor Rhee", "Senator Vale", "Premier Yuen"]
_SNIPPETS = {
    "diplomacy": [
        "{p} flew to {a} for talks with counterparts on a new friendship treaty.",
        "The ambassador of {a} was summoned after {p} criticised the embassy in {b}.",
        "{p} hosted a summit where leaders of {a} and {b} signed a joint declaration.",
        "Diplomats from {a} proposed reopening a consulate in {b} next spring.",
    ],
    "sanctions": [
        "{a} imposed sanctions on banks in {b}, freezing assets worth {n} million.",
        "{p} announced an export embargo and a travel ban on officials from {b}.",
        "The blacklist now includes {n} firms accused of helping {b} evade sanctions.",
        "{a} threatened to extend penalties unless {b} stopped shipping fuel.",
    ],
    "trade": [
        "{a} raised tariffs on {n} categories of steel imported from {b}.",
        "Negotiators from {a} and {b} closed a trade deal cutting customs duties.",
        "{p} complained about a deficit of {n} billion in goods trade with {b}.",
        "Exporters in {a} hope the new free-trade pact lowers quotas on grain.",
    ],
}
_FILLER = [
    "Weather in the capital was mild on {d}.",
    "A local football club from {a} won its match by {n} goals.",
    "Museums in {b} reported {n} thousand visitors this season.",
]


def make_records(n: int = 60, seed: int = 0) -> list[dict]:
    """Varied, self-written multi-label articles (every label well represented)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topics = sorted({LABELS[i % 3]} | {t for t in LABELS if rng.random() < 0.25})
        slots = {
            "a": rng.choice(_PLACES),
            "b": rng.choice(_PLACES),
            "p": rng.choice(_PEOPLE),
            "n": rng.randint(2, 900),
            "d": rng.choice(["Monday", "Tuesday", "Friday"]),
        }
        sentences = [rng.choice(_SNIPPETS[t]).format(**slots) for t in topics for _ in range(2)]
        sentences += [rng.choice(_FILLER).format(**slots) for _ in range(rng.randint(1, 4))]
        rng.shuffle(sentences)
        out.append(
            {"id": f"t{i:03d}", "title": f"Report {i} from {slots['a']}", "text": " ".join(sentences), "topics": topics}
        )
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def tiny_config(tmp_path: Path, kind: str = "tfidf", records: list[dict] | None = None, **over) -> dict:
    """A config dict over a tiny corpus written into ``tmp_path``."""
    data = write_jsonl(tmp_path / "data.jsonl", records if records is not None else make_records())
    model = {"kind": kind}
    if kind == "tfidf":
        model |= {"char_ngram_range": None, "max_features_word": 500, "min_df": 1}
    else:
        model |= {"max_length": 48, "max_windows": 2, "stride": 4, "max_headline_tokens": 8}
    cfg = {
        "task": "topic",
        "name": f"tiny-{kind}",
        "labels": list(LABELS),
        "core_labels": ["diplomacy", "sanctions"],
        "data": {"sources": [{"path": str(data)}], "dev_fraction": 0.2, "test_fraction": 0.2, "min_train_positives": 2},
        "model": model,
        "seed": 3,
        "output_dir": str(tmp_path / f"model-{kind}"),
        "checkpoint_dir": str(tmp_path / f"ckpt-{kind}"),
        "num_threads": 1,
    }
    if kind == "minilm":
        cfg["training"] = {"epochs": 2, "max_steps": 2, "batch_size": 4, "checkpoint_every": 1, "eval_batch_size": 8}
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    return cfg


def test_split_is_deterministic_stratified_and_disjoint(tmp_path: Path) -> None:
    config = config_from_dict(tiny_config(tmp_path))
    a, b = load_splits(config), load_splits(config)
    assert a.fingerprint == b.fingerprint
    ids = {s: set(a.splits[s]["id"]) for s in ("train", "dev", "test")}
    assert not (ids["train"] & ids["test"]) and not (ids["train"] & ids["dev"]) and not (ids["dev"] & ids["test"])
    assert sum(len(v) for v in ids.values()) == 60
    counts = a.label_counts()
    for label in LABELS:  # every label present in every split
        assert all(counts[s][label] > 0 for s in ("train", "dev", "test"))
    other = load_splits(config_from_dict(tiny_config(tmp_path, seed=4)))
    assert other.fingerprint != a.fingerprint


def test_duplicates_never_straddle_splits(tmp_path: Path) -> None:
    records = make_records(60)
    twins = []
    for i in range(0, 20, 2):  # same text under a new title, and same title with re-spaced text
        twins.append({**records[i], "id": f"dup-text-{i}", "title": f"Another headline number {i}"})
        twins.append({**records[i + 1], "id": f"dup-title-{i}", "text": records[i + 1]["text"].replace(" ", "  ")})
    config = config_from_dict(tiny_config(tmp_path, records=records + twins))
    data = load_splits(config)
    where = {rid: s for s in ("train", "dev", "test") for rid in data.splits[s]["id"]}
    for i in range(0, 20, 2):
        assert where[f"dup-text-{i}"] == where[records[i]["id"]]
        assert where[f"dup-title-{i}"] == where[records[i + 1]["id"]]


def test_group_split_keeps_groups_whole() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random((200, 4)) < 0.2).astype(int)
    groups = np.arange(200) // 3
    split = stratified_group_split(y, groups, [0.7, 0.15, 0.15], seed=1)
    for g in np.unique(groups):
        assert len(set(split[groups == g])) == 1
    assert abs((split == 0).mean() - 0.7) < 0.08


def test_two_file_format_joined_by_id(tmp_path: Path) -> None:
    records = make_records(10)
    texts = write_jsonl(tmp_path / "items.jsonl", [{k: r[k] for k in ("id", "title", "text")} for r in records])
    labels = write_jsonl(tmp_path / "labels.jsonl", [{"id": r["id"], "topics": r["topics"]} for r in records[::-1]])
    cfg = tiny_config(tmp_path, data={"sources": [{"texts": str(texts), "labels": str(labels)}]})
    examples = load_examples(config_from_dict(cfg))
    assert [e.id for e in examples] == [r["id"] for r in records]
    assert [e.topics for e in examples] == [r["topics"] for r in records]


def test_csv_single_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('id,title,text,topics\nc1,Head,"Some text here.",diplomacy|trade\nc2,,Body only.,\n', "utf-8")
    examples = load_examples(config_from_dict(tiny_config(tmp_path, data={"sources": [{"path": str(path)}]})))
    assert [(e.id, e.topics) for e in examples] == [("c1", ["diplomacy", "trade"]), ("c2", [])]


def test_dateline_and_spacing_cleaned(tmp_path: Path) -> None:
    rec = {"id": "d1", "title": "T", "text": "PARIS (Reuters) - Envoys\t met.", "topics": ["diplomacy"]}
    [ex] = load_examples(config_from_dict(tiny_config(tmp_path, records=[rec])))
    assert ex.text == "Envoys met."


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "bad1", "title": "x", "text": "y", "topics": ["weather"]}, r"'bad1'.*unknown label.*weather"),
        ({"id": "bad2", "title": "", "text": "", "topics": []}, r"'bad2'.*empty article"),
        ({"id": "bad3", "title": "x", "text": "y"}, r"'bad3'.*missing 'topics'"),
        ({"id": "bad4", "title": "x", "text": "y", "topics": "diplomacy"}, None),  # a plain string is one label
        ({"title": "x", "text": "y", "topics": []}, r"missing 'id'"),
    ],
)
def test_bad_records_are_named(tmp_path: Path, record: dict, message: str | None) -> None:
    config = config_from_dict(tiny_config(tmp_path, records=[*make_records(5), record]))
    if message is None:
        assert load_examples(config)[-1].topics == ["diplomacy"]
        return
    with pytest.raises(ValueError, match=message):
        load_examples(config)


def test_invalid_json_line_is_named(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path)
    path = Path(cfg["data"]["sources"][0]["path"])
    path.write_text(path.read_text() + "{not json\n", "utf-8")
    with pytest.raises(ValueError, match=r"line 61 is not valid JSON"):
        load_examples(config_from_dict(cfg))


def test_unlisted_labels_can_be_ignored(tmp_path: Path) -> None:
    rec = {"id": "w1", "title": "x", "text": "y", "topics": ["weather", "trade"]}
    cfg = tiny_config(tmp_path, records=[rec], data={"ignore_unlisted_labels": True})
    assert load_examples(config_from_dict(cfg))[0].topics == ["trade"]


def test_duplicate_groups_near_duplicates() -> None:
    from foreign_desk.training.topic.data import Example

    base = "The foreign minister of Avaland met her Borduria counterpart to discuss a border treaty on Monday."
    exs = [
        Example("a", "One", base, [], "s"),
        Example("b", "Two", base.replace("Monday", "Tuesday"), [], "s"),
        Example("c", "Three", "Completely different story about grain tariffs and customs duties.", [], "s"),
    ]
    groups = duplicate_groups(exs, similarity=0.8)
    assert groups[0] == groups[1] != groups[2]
    assert len(set(duplicate_groups(exs, similarity=None))) == 3
