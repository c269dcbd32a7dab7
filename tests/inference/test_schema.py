"""One output schema: ``ArticleResult.to_dict``, the Spark schema and the flat CSV/Parquet columns agree."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from foreign_desk.inference.pipeline import ArticleResult, TopicResult
from foreign_desk.inference.schema import ACTOR, EVIDENCE, RECORD, SPARK_SCHEMA, flat_columns, flatten, problems
from foreign_desk.inference.spark import _COLUMNS, OUTPUT_SCHEMA, _to_spark_row
from foreign_desk.inference.stance import ActorStance
from foreign_desk.inference.writers import ResultWriter

LABELS = ["diplomacy", "trade"]


def _result() -> ArticleResult:
    actor = ActorStance(
        actor="China", type="country", affiliation=None, mentions=2, stance="positive",
        scores={"negative": 0.1, "neutral": 0.3, "positive": 0.6},
        evidence=[{"sentence": "Beijing praised it.", "stance": "positive", "score": 0.9}],
    )  # fmt: skip
    return ArticleResult(
        id="a1", headline="H", topics=TopicResult(["diplomacy"], {"diplomacy": 0.9, "trade": 0.1}), actors=[actor]
    )


def test_to_dict_follows_the_schema() -> None:
    record = _result().to_dict()
    assert problems(record) == []
    assert list(record) == RECORD.names
    assert list(record["actors"][0]) == ACTOR.names
    assert list(record["actors"][0]["evidence"][0]) == EVIDENCE.names
    assert problems(ArticleResult(id="x", error="boom").to_dict()) == []
    assert problems({**record, "extra": 1})  # a field outside the schema is caught


def test_spark_schema_derives_from_the_schema() -> None:
    assert OUTPUT_SCHEMA == SPARK_SCHEMA
    assert _COLUMNS == RECORD.names
    assert SPARK_SCHEMA == (  # the DDL Spark receives, unchanged by the move
        "id string, headline string, date string, source string, url string, "
        "topics struct<labels: array<string>, scores: map<string, double>, "
        "evidence: map<string, array<struct<text: string, score: double>>>>, "
        "actors array<struct<actor: string, type: string, affiliation: string, mentions: int, stance: string, "
        "scores: map<string, double>, evidence: array<struct<sentence: string, stance: string, score: double>>>>, "
        "relations array<struct<holder: string, target: string, stance: string, holder_text: string, "
        "target_text: string, sentence: string, score: double>>, "
        "relation_summary array<struct<holder: string, target: string, counts: map<string, int>, stance: string, "
        "n: int, mean_score: double>>, "
        "warnings array<string>, error string"
    )
    row = _to_spark_row(_result().to_dict())
    assert list(row) == RECORD.names and problems(row) == []


def test_flat_columns_derive_from_the_schema(tmp_path: Path) -> None:
    names = [name for name, _ in flat_columns(LABELS)]
    assert names == [
        "id", "headline", "date", "source", "url", "topics", "topic_score.diplomacy", "topic_score.trade", "topic_evidence_json", "actors",
        "actors_json", "relations", "relations_json", "relation_summary", "warnings",
        "error",
    ]  # fmt: skip
    row = flatten(_result().to_dict(), LABELS)
    assert list(row) == names
    assert row["actors"] == "China (positive)" and row["topics"] == "diplomacy"
    assert list(flatten({}, LABELS)) == names
    out = tmp_path / "out.parquet"
    writer = ResultWriter(out, topic_labels=LABELS)
    writer.write(_result().to_dict())
    writer.finish()
    schema = pq.read_schema(out)
    assert schema.names == names
    assert [str(schema.field(n).type) for n in names] == [
        {"string": "string", "double": "double"}[t] for _, t in flat_columns(LABELS)
    ]
