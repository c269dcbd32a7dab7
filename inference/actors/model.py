"""Result types of actor extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from foreign_desk.inference.sentences import Sentence


@dataclass(frozen=True)
class Mention:
    """One occurrence of an actor: ``text == source[start:end]``; ``sentence`` indexes ``ActorResult.sentences``."""

    start: int
    end: int
    text: str
    sentence: int

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "sentence": self.sentence}


@dataclass
class Actor:
    """A canonical actor and its mentions. ``type`` is "country", "person" or "organisation"."""

    name: str
    type: str
    affiliation: str | None = None
    role: str | None = None
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "affiliation": self.affiliation,
            "role": self.role,
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass
class ActorResult:
    """Sentences of the analysed text and its actors, ordered by first mention."""

    sentences: list[Sentence]
    actors: list[Actor]

    def to_dict(self) -> dict[str, Any]:
        return {"actors": [a.to_dict() for a in self.actors]}
