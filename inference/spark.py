"""Prediction over a Spark DataFrame (optional extra ``foreign-desk[spark]``).

>>> from foreign_desk.inference.spark import predict_dataframe
>>> out = predict_dataframe(spark.read.parquet("articles.parquet"), models_dir="/opt/foreign-desk/models")

The input DataFrame needs a ``text`` column and may have ``id`` and ``headline``/``title``. The work runs in
``mapInPandas``: each Python worker loads the models once (cached per process) and streams its partition through the
same :class:`~foreign_desk.inference.pipeline.Pipeline` the CLI uses, so the rows are the CLI's JSONL records with the same schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame

    from foreign_desk.inference.pipeline import Pipeline

from foreign_desk.inference.paths import DEFAULT_BATCH_SIZE, DEFAULT_STANCE_MODEL, DEFAULT_TOPIC_MODEL
from foreign_desk.inference.schema import RECORD, SPARK_SCHEMA
from foreign_desk.inference.wire import HEADLINE_KEYS, headline_of

OUTPUT_SCHEMA = SPARK_SCHEMA  # the CLI's record (foreign_desk.inference.schema.RECORD) as a Spark DDL schema
_COLUMNS = RECORD.names


@lru_cache(maxsize=4)
def _pipeline(models_dir: str | None, topic_model: str, stance_model: str, quantize: bool) -> Pipeline:
    """One pipeline per Python worker process and model choice: models are loaded once per executor worker."""
    from foreign_desk.inference.pipeline import Pipeline

    return Pipeline.from_pretrained(models_dir, topic_model=topic_model, stance_model=stance_model, quantize=quantize)


def _row_records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = set(frame.columns)
    for row in frame.itertuples(index=False):
        data = row._asdict()
        record: dict[str, Any] = {"text": data.get("text")}
        if "id" in columns and data.get("id") is not None:
            record["id"] = str(data["id"])
        record["headline"] = headline_of(data)
        yield record


def _to_spark_row(record: dict[str, Any]) -> dict[str, Any]:
    actors = []
    for actor in record["actors"]:
        actors.append({**actor, "affiliation": actor.get("affiliation"), "mentions": int(actor["mentions"])})
    return {**record, "actors": actors}


def predict_dataframe(
    df: DataFrame,
    models_dir: str | None = None,
    topic_model: str = DEFAULT_TOPIC_MODEL,
    stance_model: str = DEFAULT_STANCE_MODEL,
    quantize: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> DataFrame:
    """Topics and actor stances for every row of ``df`` (columns ``text`` and optionally ``id``, ``headline``/``title``).

    Returns a DataFrame with the CLI's output schema (:data:`OUTPUT_SCHEMA`). ``models_dir`` must be readable at the
    same path on every executor (a shared file system, or shipped with ``--archives``).
    """
    import pandas as pd

    if "text" not in df.columns:
        raise ValueError(f"the DataFrame needs a 'text' column (has {df.columns})")
    wanted = [c for c in ("id", *HEADLINE_KEYS, "text") if c in df.columns]

    def predict_partition(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        pipe = _pipeline(models_dir, topic_model, stance_model, quantize)
        for frame in frames:
            results = pipe.predict(list(_row_records(frame)), batch_size=batch_size)
            yield pd.DataFrame([_to_spark_row(r.to_dict()) for r in results], columns=_COLUMNS)

    return df.select(*wanted).mapInPandas(predict_partition, schema=OUTPUT_SCHEMA)

