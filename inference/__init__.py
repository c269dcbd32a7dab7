"""foreign-desk runtime: segmentation, actors, saved-model loading and prediction.

This package never imports ``training``: serving needs no training code. ``Pipeline`` is imported lazily so that
``import inference`` stays light (segmentation and actors need no torch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from foreign_desk.inference.article import Article, Dateline

if TYPE_CHECKING:  # pragma: no cover
    from foreign_desk.inference.pipeline import ArticleResult, Pipeline

__all__ = ["Article", "ArticleResult", "Dateline", "Pipeline"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in {"Pipeline", "ArticleResult"}:
        from foreign_desk.inference import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'inference' has no attribute {name!r}")
