"""The working record of one recognised mention, shared by matching, name recognition and linking."""

from __future__ import annotations

from dataclasses import dataclass

from foreign_desk.inference.actors.lexicon import TITLE_WORDS


@dataclass(slots=True)
class Found:
    """A mention before grouping: token span and what it refers to."""

    i: int
    j: int
    name: str
    type: str
    affiliation: str | None = None
    role: str | None = None
    weak: bool = False  # matched by a weak (context-dependent) alias
    span: tuple[int, int] | None = None  # character span when it is part of a token ("Saudi" in "Saudi-British")


def is_title(word: str) -> bool:
    return word in TITLE_WORDS or word.rstrip(".") in TITLE_WORDS
