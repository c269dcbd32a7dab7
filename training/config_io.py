"""Reading YAML training configs and validating them with pydantic, with errors that name the file and fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def read_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; ``FileNotFoundError``/``ValueError`` naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: config must be a YAML mapping")
    return data


def validate(model: type[M], data: dict[str, Any], source: str, what: str) -> M:
    """``model.model_validate(data)``, or one ``ValueError`` listing every invalid field (``what``: 'topic config')."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{source}: invalid {what}: {problems}") from None
