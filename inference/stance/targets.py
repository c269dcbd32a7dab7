"""Stance targets (a character span in a text) and predictions, with validation that names the problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
POLARITY_TO_LABEL = {2: "negative", 4: "neutral", 6: "positive"}  # NewsMTSC polarity codes


class TargetError(ValueError):
    """A stance target is invalid (missing field, span out of range, empty span...)."""


@dataclass(frozen=True)
class StanceTarget:
    """A target mention: the characters ``text[start:end]`` of ``text`` (a sentence, or a longer passage)."""

    text: str
    start: int
    end: int

    @property
    def mention(self) -> str:
        return self.text[self.start : self.end]

    def validate(self) -> StanceTarget:
        """Return ``self`` or raise :class:`TargetError` saying what is wrong with the span."""
        if not isinstance(self.text, str):
            raise TargetError(f"text must be a string, got {type(self.text).__name__}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TargetError(f"{name} must be an integer, got {value!r}")
        if self.start < 0 or self.end > len(self.text):
            raise TargetError(f"span [{self.start}, {self.end}) out of range for a text of {len(self.text)} characters")
        if self.start >= self.end:
            raise TargetError(f"empty span: start ({self.start}) must be < end ({self.end})")
        if not self.mention.strip():
            raise TargetError(f"span [{self.start}, {self.end}) covers only whitespace")
        return self


@dataclass(frozen=True)
class StancePrediction:
    """The stance toward one target: its label and the probability of every label."""

    stance: str
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return self.scores[self.stance]

    def to_dict(self) -> dict[str, Any]:
        return {"stance": self.stance, "scores": {k: round(float(v), 4) for k, v in self.scores.items()}}


TargetLike = StanceTarget | Mapping[str, Any] | Sequence[Any]


def as_target(item: TargetLike) -> StanceTarget:
    """Coerce a :class:`StanceTarget`, a ``{"text", "start", "end"}`` mapping or a ``(text, start, end)`` tuple."""
    if isinstance(item, StanceTarget):
        target = item
    elif isinstance(item, Mapping):
        missing = [k for k in ("text", "start", "end") if k not in item]
        if missing:
            raise TargetError(f"missing field(s): {', '.join(missing)}")
        target = StanceTarget(item["text"], item["start"], item["end"])
    elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 3:
        target = StanceTarget(*item)
    else:
        raise TargetError(f"expected a StanceTarget, a mapping or a (text, start, end) tuple, got {type(item).__name__}")
    return target.validate()
