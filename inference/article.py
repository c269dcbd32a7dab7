"""The structured article record produced by segmentation and consumed by every later step."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Dateline:
    """Where and through whom an article was filed: ``BEIJING (Reuters) –`` -> place BEIJING, agency Reuters."""

    place: str | None = None
    agency: str | None = None


@dataclass
class Article:
    """One news article.

    ``text`` is the clean body: paragraphs joined by blank lines, without the dateline prefix and without credits.
    ``span`` is ``[first_line, last_line]`` (1-based, inclusive) in the input the article was segmented from, or
    ``None`` for articles that did not come from a dump.
    """

    id: str
    headline: str = ""
    caption: str | None = None
    byline: list[str] = field(default_factory=list)
    byline_place: str | None = None
    """Where the byline says the reporter filed from (``By Jane Doe in London``); left out of ``to_dict`` when
    unknown."""
    dateline: Dateline = field(default_factory=Dateline)
    paragraphs: list[str] = field(default_factory=list)
    subheads: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    text: str = ""
    span: tuple[int, int] | None = None
    meta: dict[str, str] = field(default_factory=dict)
    """Fields of the input record passed through to the output unchanged (``date``, ``source``, ``url``: see
    :data:`foreign_desk.inference.wire.PASSTHROUGH_FIELDS`); not part of the segmentation record."""
    warnings: list[str] = field(default_factory=list)
    """What was changed to make the article safe to process (``"truncated to N characters"``...); not part of the
    segmentation record (``to_dict`` leaves it out while it is empty)."""

    @staticmethod
    def make_id(headline: str, text: str) -> str:
        """Stable id: a content hash of headline and body, the same for the same input."""
        # surrogatepass: a lone surrogate (from a JSON ``"\\ud800"``) still hashes instead of raising
        digest = hashlib.sha1(f"{headline}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()
        return f"a-{digest[:16]}"

    @classmethod
    def from_text(cls, text: str, headline: str = "", id: str | None = None) -> Article:
        """Wrap an already-clean body (e.g. a JSONL record) as an article."""
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        return cls(
            id=id or cls.make_id(headline, text),
            headline=headline,
            paragraphs=paragraphs,
            text=text,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = list(self.span) if self.span is not None else None
        if not self.warnings:
            del data["warnings"]
        if self.byline_place is None:
            del data["byline_place"]
        if not self.meta:
            del data["meta"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        dateline = data.pop("dateline", None) or {}
        span = data.pop("span", None)
        return cls(
            dateline=Dateline(**dateline) if isinstance(dateline, dict) else dateline,
            span=tuple(span) if span else None,
            **data,
        )

    @property
    def full_text(self) -> str:
        """Headline and body, as the classifiers read them."""
        return f"{self.headline}\n\n{self.text}" if self.headline else self.text
