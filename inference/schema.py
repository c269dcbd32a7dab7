"""The output record of one article, declared once: what ``ArticleResult.to_dict`` returns, the CLI writes as JSONL,
Spark returns (:data:`SPARK_SCHEMA`) and CSV/Parquet flatten to one row (:func:`flat_columns`, :func:`flatten`).

```
{"id", "headline", "topics": {"labels", "scores", "evidence": {label: [{"text", "score"}]}},
 "actors": [{"actor", "type", "affiliation", "mentions", "stance", "scores", "evidence": [{"sentence", "stance", "score"}]}],
 "relations": [{"holder", "target", "stance", "holder_text", "target_text", "sentence", "score"}],
 "relation_summary": [{"holder", "target", "counts": {stance: n}, "stance", "n", "mean_score"}],
 "warnings": ["truncated to ... characters", ...], "error"}
```
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True)
class Struct:
    fields: tuple[tuple[str, Type], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.fields]


@dataclass(frozen=True)
class Array:
    item: Type


@dataclass(frozen=True)
class Map:
    key: str
    value: Type


Type = Union[str, Struct, Array, Map]  # noqa: UP007 - a runtime alias referenced by the dataclasses above
"""A field type: a scalar (``"string"``, ``"int"``, ``"double"``, all nullable), a struct, an array or a map."""

EVIDENCE = Struct((("sentence", "string"), ("stance", "string"), ("score", "double")))
ACTOR = Struct(
    (
        ("actor", "string"),
        ("type", "string"),
        ("affiliation", "string"),
        ("mentions", "int"),
        ("stance", "string"),
        ("scores", Map("string", "double")),
        ("evidence", Array(EVIDENCE)),
    )
)
TOPIC_EVIDENCE = Struct((("text", "string"), ("score", "double")))
TOPICS = Struct(
    (("labels", Array("string")), ("scores", Map("string", "double")), ("evidence", Map("string", Array(TOPIC_EVIDENCE))))
)
RELATION = Struct(
    (
        ("holder", "string"),
        ("target", "string"),
        ("stance", "string"),
        ("holder_text", "string"),
        ("target_text", "string"),
        ("sentence", "string"),
        ("score", "double"),
    )
)
"""One directed holder -> target relation found in a sentence (canonical actor names, mention texts verbatim)."""
RELATION_SUMMARY = Struct(
    (
        ("holder", "string"),
        ("target", "string"),
        ("counts", Map("string", "int")),
        ("stance", "string"),
        ("n", "int"),
        ("mean_score", "double"),
    )
)
"""The article's relations aggregated per (holder, target): counts by stance, majority stance, mean score."""
RECORD = Struct(
    (
        ("id", "string"),
        ("headline", "string"),
        ("date", "string"),
        ("source", "string"),
        ("url", "string"),
        ("topics", TOPICS),
        ("actors", Array(ACTOR)),
        ("relations", Array(RELATION)),
        ("relation_summary", Array(RELATION_SUMMARY)),
        ("warnings", Array("string")),
        ("error", "string"),
    )
)
"""One article's output record."""


def spark_type(t: Type) -> str:
    """Spark DDL of a field type."""
    if isinstance(t, str):
        return t
    if isinstance(t, Array):
        return f"array<{spark_type(t.item)}>"
    if isinstance(t, Map):
        return f"map<{t.key}, {spark_type(t.value)}>"
    return "struct<" + ", ".join(f"{name}: {spark_type(sub)}" for name, sub in t.fields) + ">"


SPARK_SCHEMA = ", ".join(f"{name} {spark_type(t)}" for name, t in RECORD.fields)
"""The Spark DDL schema of :data:`RECORD` (``predict_dataframe``'s output)."""


# --- one flat row per article (CSV/Parquet) ------------------------------------------------------------------------


def flat_columns(topic_labels: Sequence[str]) -> list[tuple[str, str]]:
    """``(column, type)`` of the flat row, in order: scalars as they are; ``topics`` as the labels joined by ';'
    plus a ``topic_score.<label>`` column per label and ``topic_evidence_json`` (label -> passages); ``actors`` as ``Name (stance)`` joined by '; ' plus
    ``actors_json`` with the full actor records; ``relations`` as ``Holder -> Target (stance)`` joined by '; ' plus
    ``relations_json``; ``relation_summary`` as ``Holder -> Target (stance xN)``; ``warnings`` joined by '; '."""
    columns: list[tuple[str, str]] = []
    for name, t in RECORD.fields:
        if t == TOPICS:
            columns.append((name, "string"))
            columns += [(f"topic_score.{label}", "double") for label in topic_labels]
            columns.append(("topic_evidence_json", "string"))
        elif t == Array(ACTOR):
            columns += [(name, "string"), (f"{name}_json", "string")]
        elif t == Array(RELATION):
            columns += [(name, "string"), (f"{name}_json", "string")]
        elif t == Array(RELATION_SUMMARY):
            columns.append((name, "string"))
        elif t == Array("string"):
            columns.append((name, "string"))
        elif isinstance(t, str):
            columns.append((name, t))
        else:  # pragma: no cover - a new nested field needs a flattening rule here
            raise TypeError(f"no flat column rule for the {name!r} field")
    return columns


def flatten(record: dict[str, Any], topic_labels: Sequence[str]) -> dict[str, Any]:
    """One flat row (columns of :func:`flat_columns`) of a record; missing parts give empty/None cells."""
    row: dict[str, Any] = {}
    for name, t in RECORD.fields:
        value = record.get(name)
        if t == TOPICS:
            topics = value or {}
            scores = topics.get("scores") or {}
            row[name] = ";".join(topics.get("labels") or [])
            for label in topic_labels:
                score = scores.get(label)
                row[f"topic_score.{label}"] = float(score) if score is not None else None
            row["topic_evidence_json"] = json.dumps(topics.get("evidence") or {}, ensure_ascii=False)
        elif t == Array(ACTOR):
            actors = value or []
            row[name] = "; ".join(f"{a['actor']} ({a['stance']})" for a in actors)
            row[f"{name}_json"] = json.dumps(actors, ensure_ascii=False)
        elif t == Array(RELATION):
            relations = value or []
            row[name] = "; ".join(f"{r['holder']} -> {r['target']} ({r['stance']})" for r in relations)
            row[f"{name}_json"] = json.dumps(relations, ensure_ascii=False)
        elif t == Array(RELATION_SUMMARY):
            row[name] = "; ".join(f"{r['holder']} -> {r['target']} ({r['stance']} x{r['n']})" for r in value or [])
        elif t == Array("string"):
            row[name] = "; ".join(value or [])
        else:
            row[name] = value
    return row


# --- checking a record against the schema --------------------------------------------------------------------------

_SCALARS = {"string": (str,), "int": (int,), "double": (float, int)}


def problems(value: Any, t: Type = RECORD, where: str = "record") -> list[str]:
    """Where ``value`` departs from type ``t`` (missing or extra keys, wrong types); empty when it conforms."""
    if value is None:
        return []
    if isinstance(t, str):
        ok = isinstance(value, _SCALARS[t]) and not isinstance(value, bool)
        if t == "double" and ok and math.isnan(float(value)):
            return []
        return [] if ok else [f"{where}: {type(value).__name__} is not {t}"]
    if isinstance(t, Array):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not a list"]
        return [p for i, v in enumerate(value) for p in problems(v, t.item, f"{where}[{i}]")]
    if isinstance(t, Map):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not a dict"]
        return [p for k, v in value.items() for p in problems(k, t.key, where) + problems(v, t.value, f"{where}.{k}")]
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} is not a dict"]
    if list(value) != t.names:
        return [f"{where}: keys {list(value)} are not {t.names}"]
    return [p for name, sub in t.fields for p in problems(value[name], sub, f"{where}.{name}")]
