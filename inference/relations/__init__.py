"""Directed stance between actors: who is negative, neutral or positive toward whom, sentence by sentence.

:class:`RelationModel` (a saved model of task ``relations``) scores every ordered pair of actor mentions of a sentence
from the shared encoder's states; :func:`relation_summary` aggregates an article's relations per (holder, target).
Importing this package imports torch (the model module is only imported when a relation model is loaded).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LABELS", "STANCES", "Relation", "RelationModel", "relation_summary"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from foreign_desk.inference.relations import model

        return getattr(model, name)
    raise AttributeError(name)
