"""Where the saved models live."""

from __future__ import annotations

import os
from pathlib import Path


def default_models_dir() -> Path:
    """``$FOREIGN_DESK_MODELS``, else the ``models/`` folder of this checkout."""
    env = os.environ.get("FOREIGN_DESK_MODELS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "models"
