"""Text preparation shared by training and inference: what a topic model reads from an article."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from foreign_desk.inference.article import Article
from foreign_desk.inference.wire import as_article, strip_dateline

__all__ = ["as_full_text", "as_headline_body", "normalize_space", "prepare", "strip_dateline"]

_SPACES = re.compile(r"[ \t\u00a0\u2009\u200b]+")
_BLANKS = re.compile(r"\s*\n\s*\n\s*")


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
    """``(headline, body)`` of an :class:`Article`, a plain string (all body) or a dict with a text and a headline
    (``headline`` or ``title``, as :func:`foreign_desk.inference.wire.headline_of` decides).

    Raises ``TypeError``/``ValueError`` naming the item when it is none of these.
    """
    where = f"article {item.get('id', index)!r}" if isinstance(item, Mapping) else f"article #{index}"
    article = as_article(item, where, require_text=False)
    return article.headline or "", article.text or ""


def as_full_text(item: Article | str | Mapping[str, Any], index: int = 0, remove_dateline: bool = True) -> str:
    """Headline and body as one string (what the TF-IDF model reads)."""
    headline, body = prepare(*as_headline_body(item, index), remove_dateline=remove_dateline)
    return f"{headline}\n\n{body}" if headline else body
