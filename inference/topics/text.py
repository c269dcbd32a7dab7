"""Text preparation shared by training and inference: what a topic model reads from an article."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from foreign_desk.inference.article import Article

_AGENCY = r"(?:Reuters|AFP|AP|Xinhua|Canadian Press|CP)"
_CITY = r"[A-Z][A-Z.'’/-]+(?: [A-Z][A-Z.'’/-]+){0,4}(?:, [A-Z][\w.'’]*(?: [A-Z][\w.'’]*){0,2})?"
_DATELINE = re.compile(
    rf"^(?:{_AGENCY} [-–—] )?(?:(?:{_CITY})\s*(?:\({_AGENCY}?[^)]{{0,30}}\)\s*)?|\({_AGENCY}\)\s*|{_AGENCY}\s+)[-–—]{{1,2}}\s+"
)
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200b]+")
_BLANKS = re.compile(r"\s*\n\s*\n\s*")


def strip_dateline(text: str) -> str:
    """Drop a leading wire dateline (``WASHINGTON (Reuters) - ``, ``AFP - ``...), as segmentation does."""
    return _DATELINE.sub("", text, count=1)


def normalize_space(text: str) -> str:
    """Collapse runs of spaces/tabs, keep paragraph breaks, strip."""
    text = _BLANKS.sub("\n\n", text.replace("\r\n", "\n"))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def prepare(headline: str, text: str, remove_dateline: bool = True) -> tuple[str, str]:
    """Normalised ``(headline, body)`` of one article."""
    body = normalize_space(text or "")
    if remove_dateline:
        body = strip_dateline(body)
    return normalize_space(headline or ""), body


def as_headline_body(item: Article | str | Mapping[str, Any], index: int = 0) -> tuple[str, str]:
    """``(headline, body)`` of an :class:`Article`, a plain string (all body) or a dict with title/headline and text.

    Raises ``TypeError``/``ValueError`` naming the item when it is none of these.
    """
    if isinstance(item, Article):
        return item.headline or "", item.text or ""
    if isinstance(item, str):
        return "", item
    if isinstance(item, Mapping):
        headline = item.get("title") or item.get("headline") or ""
        text = item.get("text")
        if text is None and not headline:
            raise ValueError(f"article {item.get('id', index)!r}: dict has neither 'text' nor 'title'")
        if not isinstance(text or "", str) or not isinstance(headline, str):
            raise ValueError(f"article {item.get('id', index)!r}: 'title'/'text' must be strings")
        return headline, text or ""
    raise TypeError(f"article #{index}: expected Article, str or dict with title/text, got {type(item).__name__}")


def as_full_text(item: Article | str | Mapping[str, Any], index: int = 0, remove_dateline: bool = True) -> str:
    """Headline and body as one string (what the TF-IDF model reads)."""
    headline, body = prepare(*as_headline_body(item, index), remove_dateline=remove_dateline)
    return f"{headline}\n\n{body}" if headline else body
