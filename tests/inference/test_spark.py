"""Spark: predict_dataframe on a local[2] session gives exactly the CLI's records."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main

pyspark = pytest.importorskip("pyspark", reason="pyspark not installed (pip install -e '.[spark]')")

from tests.inference.test_predict import ARTICLES  # noqa: E402

FAST_MODELS = {"topic_model": "topic-tfidf", "stance_model": "stance-tfidf"}


@pytest.fixture(scope="module")
def spark():
    import os

    from pyspark.sql import SparkSession

    # Python workers must run this interpreter (the venv with foreign-desk), not whatever `python3` is on PATH.
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("foreign-desk-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def _normalise(record: dict) -> dict:
    return json.loads(json.dumps(record, sort_keys=True))


def test_spark_output_equals_cli_output(spark, tmp_path: Path) -> None:
    from foreign_desk.inference.spark import predict_dataframe

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(src), "-o", str(out), "--no-progress",
                 "--topic-model", "topic-tfidf", "--stance-model", "stance-tfidf"]) == 0
    cli = {r["id"]: _normalise(r) for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}

    df = spark.createDataFrame(ARTICLES).repartition(2)
    rows = predict_dataframe(df, **FAST_MODELS).collect()
    got = {r["id"]: _normalise(r.asDict(recursive=True)) for r in rows}
    assert set(got) == set(cli)
    for key, expected in cli.items():
        actual = got[key]
        assert actual["topics"]["labels"] == expected["topics"]["labels"]
        assert actual["topics"]["scores"] == pytest.approx(expected["topics"]["scores"])
        assert [a["actor"] for a in actual["actors"]] == [a["actor"] for a in expected["actors"]]
        for a, b in zip(actual["actors"], expected["actors"], strict=True):
            assert {k: v for k, v in a.items() if k != "scores"} == {k: v for k, v in b.items() if k != "scores"}
            assert a["scores"] == pytest.approx(b["scores"])
        assert actual["error"] is None


def test_missing_text_column_is_a_clear_error(spark) -> None:
    from foreign_desk.inference.spark import predict_dataframe

    with pytest.raises(ValueError, match="'text' column"):
        predict_dataframe(spark.createDataFrame([{"id": "a", "body": "x"}]))
