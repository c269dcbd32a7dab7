"""Where the saved models live."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def default_models_dir() -> Path:
    """``$FOREIGN_DESK_MODELS``, else the models shipped with the package (``models/`` of a source checkout, which
    an installed wheel carries as the package data of ``foreign_desk.models``)."""
    env = os.environ.get("FOREIGN_DESK_MODELS")
    return Path(env) if env else Path(str(files("foreign_desk.models")))

DEFAULT_TOPIC_MODEL = "topic-routed"
"""The topic model :class:`~foreign_desk.inference.pipeline.Pipeline`, the CLI and Spark load by default."""
DEFAULT_BATCH_SIZE = 32
"""Articles per batch of :meth:`~foreign_desk.inference.pipeline.Pipeline.predict`, the CLI and Spark: 32 ran the
60-article benchmark 9-14 % faster than 16 (fuller length-sorted encoder batches; 64 gained nothing more)."""
DEFAULT_STANCE_MODEL = "stance-minilm"
"""The stance model :class:`~foreign_desk.inference.pipeline.Pipeline`, the CLI and Spark load by default."""
