"""Wire-news conventions, in one place: news agencies, datelines, headline-vs-title priority and the coercion of a
record (a JSONL/CSV/Parquet row, an API dict or string) into an :class:`~foreign_desk.inference.article.Article`.

Segmentation (:data:`DATELINE_RE`, :func:`parse_dateline`), the readers and the pipeline (:func:`as_article`), topic
text preparation (:func:`strip_dateline`, :func:`headline_of`), actor extraction (:func:`dateline_spans`) and Spark
all use these, so a new agency or a dateline rule is added here once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from foreign_desk.inference.article import Article, Dateline
from foreign_desk.inference.textio import scrub_surrogates

# --- agencies ------------------------------------------------------------------------------------------------------

AGENCIES: tuple[str, ...] = (
    "Reuters", "Reuters Breakingviews", "Reuters Health", "Thomson Reuters Foundation", "IFR",
    "AP", "AFP", "dpa", "DPA", "Xinhua", "UPI", "TASS", "Tass", "Kyodo", "Yonhap", "EFE", "ANSA", "IANS", "PTI",
    "ANI", "Bloomberg", "Interfax", "RIA", "Anadolu", "Bernama", "Antara", "CNA", "WAM", "SPA", "KUNA", "IRNA", "BBC",
    "Canadian Press", "CP",
)  # fmt: skip
"""News agencies recognised in datelines (``PLACE (Agency) –``), source prefixes (``AFP – ``) and credits."""

_AGENCY_ALT = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
AGENCY = f"(?:{_AGENCY_ALT})"
"""Regex alternation of :data:`AGENCIES` (longest first)."""

# --- the dateline paragraph opening an article (segmentation) -------------------------------------------------------

_DASH = r"(?:[–—-]{1,2}|--)"
# A dateline place: all-caps words (``NEW YORK``, ``U.S.``), optionally ``, Mixed Region`` (``AUSTIN, Texas``),
# several joined by ``/`` (``BEIJING/WASHINGTON``).
# Linear time: every word is an atomic group (taken whole, never given back letter by letter) and a run of capital
# words is possessive (giving one back can never help: a capital word is always followed by a space or the end), so
# a crafted line (``U.S.U.S.U.S...``, ``By J. J. J. ...``) cannot make the engine backtrack; the name list of a byline
# is bounded, and callers match at most :data:`DATELINE_WINDOW` characters of a line.
_CAPS_WORD = r"(?>[A-Z][A-Z.'’&-]*)"
_MIXED_WORD = r"(?>[A-Z][A-Za-z.'’-]*)"
_PLACE_UNIT = rf"{_CAPS_WORD}(?: {_CAPS_WORD})*+(?:, {_MIXED_WORD}(?: {_MIXED_WORD}){{0,3}})?"
_PLACE = rf"{_PLACE_UNIT}(?: ?/ ?{_PLACE_UNIT})*"
NOTE = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"  # a parenthesised note, nesting up to two levels
_NAME_WORD = r"(?>[A-Z](?:[a-z]|['’][A-Z])[\w'’.-]*|[A-Z]\.(?:[A-Z]\.)*)"  # Smith, O’Brien, McCain, J.
_NAME = rf"{_NAME_WORD}(?: (?:{_NAME_WORD}|de|da|di|van|von|der|al|el|bin|le|la|dos|du)){{0,6}}"
NAMES = rf"{_NAME}(?:(?:, | and | & |, and ){_NAME}){{0,9}}"

DATELINE_RE = re.compile(
    rf"^(?P<notes>(?:{NOTE} ?)*)"
    rf"(?:By (?P<by>{NAMES}) )?"
    rf"(?:(?P<place>{_PLACE}),? ?\((?P<agency>{AGENCY}|[A-Z][A-Za-z]{{1,14}})?\)"
    rf"|\((?P<agency2>{AGENCY})\)"
    rf"|(?P<place2>{_PLACE})(?=,? {_DASH} ))"
    rf",? {_DASH} (?=\S)"
)
"""``(notes) By A and B PLACE (Agency) – `` opening a paragraph, every part optional but the agency or the place."""


DATELINE_WINDOW = 400
"""The most characters of a line the dateline patterns look at: a dateline with notes and a byline is far shorter,
and a bound keeps every match fast whatever the line."""


def parse_dateline(paragraph: str) -> re.Match[str] | None:
    """Match a dateline opening ``paragraph`` (``PLACE (Agency) – ``); ``None`` when it has none. Offsets of the match
    are offsets into ``paragraph`` (only its first :data:`DATELINE_WINDOW` characters are examined)."""
    return DATELINE_RE.match(paragraph[:DATELINE_WINDOW])


def dateline_of(match: re.Match[str]) -> Dateline:
    """The :class:`Dateline` (place, agency) of a :data:`DATELINE_RE` match."""
    place = (match["place"] or match["place2"] or "").strip() or None
    return Dateline(place=place, agency=match["agency"] or match["agency2"])


# --- a dateline left at the start of a body (topic text preparation) ------------------------------------------------

_BODY_CITY = r"[A-Z][A-Z.'’/-]+(?: [A-Z][A-Z.'’/-]+){0,4}(?:, [A-Z][\w.'’]*(?: [A-Z][\w.'’]*){0,2})?"
_BODY_DATELINE = re.compile(
    rf"^(?:{AGENCY} [-–—] )?(?:(?:{_BODY_CITY})\s*(?:\({AGENCY}?[^)]{{0,30}}\)\s*)?|\({AGENCY}\)\s*|{AGENCY}\s+)"
    r"[-–—]{1,2}\s+"
)


def strip_dateline(text: str) -> str:
    """Drop a leading wire dateline (``WASHINGTON (Reuters) - ``, ``AFP - ``...) from a body, as segmentation does."""
    match = _BODY_DATELINE.match(text[:DATELINE_WINDOW])
    return text[match.end() :] if match else text


# --- datelines anywhere in a text (actor extraction: their places are not actors) ----------------------------------

_PAREN_AGENCY = rf"(?:\({AGENCY}\))"
_SOURCE = rf"(?:{AGENCY}\s*[-–—]+\s*)"
_CAPS_PLACE = r"[A-Z][A-Z.'’&-]*(?:[ /][A-Z][A-Z.'’&-]*)*"
_TITLE_PLACE = r"[A-Z][\w.'’&-]*(?:[ /][A-Z][\w.'’&-]*){0,3}"
_REGION = r"(?:,\s*[A-Z][\w.]*(?: [A-Z][\w.]*){0,2})"
_DATE = r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))"
_SPAN_DASH = r"\s*[-–—]+\s"

LINE_DATELINE_RE = re.compile(
    rf"[ \t]*{_SOURCE}?(?:"
    rf"{_CAPS_PLACE}{_REGION}?{_DATE}?\s*{_PAREN_AGENCY}?"  # WASHINGTON (Reuters) / KABUL, Afghanistan / BEIJING, Feb 3
    rf"|{_TITLE_PLACE}{_REGION}?{_DATE}?\s*{_PAREN_AGENCY}"  # Washington (Reuters) / Tokyo (Kyodo)
    rf"|{_TITLE_PLACE}{_DATE}"  # Beijing, Feb 3
    rf"|{_PAREN_AGENCY}"  # (Reuters)
    rf"){_SPAN_DASH}"
)
"""A dateline at the start of any line of a text (``WASHINGTON (Reuters) -``, ``Tokyo (Kyodo) -``, ``BEIJING, Feb 3 -``)."""
_SOURCE_ONLY = re.compile(rf"[ \t]*{_SOURCE}")
_LINE_START = re.compile(r"^", re.M)
# "... slams chief (Canadian Press)" / "(AFP)" at the end of a headline line
_TRAILING_CREDIT = re.compile(rf"(?m)\((?:{_AGENCY_ALT}|AFP Photo)\)[ \t]*$")


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of datelines (and agency source prefixes or trailing agency credits) at the start of ``text``
    or of any of its lines."""
    starts = [m.start() for m in _LINE_START.finditer(text)]
    heads = [(start, text[start : start + DATELINE_WINDOW]) for start in starts]  # each line's bounded head
    spans = [(start + m.start(), start + m.end()) for start, head in heads if (m := LINE_DATELINE_RE.match(head))]
    spans += [(start + m.start(), start + m.end()) for start, head in heads if (m := _SOURCE_ONLY.match(head))]
    spans += [(m.start(), m.end()) for m in _TRAILING_CREDIT.finditer(text)]
    return spans


# --- records -> articles -------------------------------------------------------------------------------------------

MAX_TEXT_CHARS = 100_000
"""The most body characters any step sees (a long wire story is ~10,000): a longer body is cut there, with a
``"truncated to N characters"`` warning in its record, so one huge record costs bounded time and memory."""
MAX_HEADLINE_CHARS = 1_000
MAX_ID_CHARS = 512


def cut_text(value: str, limit: int) -> str:
    """``value`` cut to at most ``limit`` characters, at the last whitespace of the final 200 when there is one."""
    if len(value) <= limit:
        return value
    space = max(value.rfind(" ", limit - 200, limit), value.rfind("\n", limit - 200, limit))
    return value[: space if space > 0 else limit].rstrip()


def sanitize_article(article: Article) -> Article:
    """The article every step may safely process: lone surrogates replaced by U+FFFD and the body, headline and id
    cut to :data:`MAX_TEXT_CHARS` / :data:`MAX_HEADLINE_CHARS` / :data:`MAX_ID_CHARS`, each change named in
    ``warnings``. The id (a content hash of the whole input) is kept. A clean article is returned as is."""
    text, n_text = scrub_surrogates(article.text)
    headline, n_head = scrub_surrogates(article.headline)
    record_id, n_id = scrub_surrogates(article.id)
    warnings = list(article.warnings)
    if n_text + n_head + n_id:
        warnings.append(f"replaced {n_text + n_head + n_id} lone surrogate(s) with U+FFFD")
    if len(text) > MAX_TEXT_CHARS:
        warnings.append(f"text truncated to {MAX_TEXT_CHARS} characters (of {len(text)})")
        text = cut_text(text, MAX_TEXT_CHARS)
    if len(headline) > MAX_HEADLINE_CHARS:
        warnings.append(f"headline truncated to {MAX_HEADLINE_CHARS} characters (of {len(headline)})")
        headline = cut_text(headline, MAX_HEADLINE_CHARS)
    if len(record_id) > MAX_ID_CHARS:
        warnings.append(f"id truncated to {MAX_ID_CHARS} characters (of {len(record_id)})")
        record_id = record_id[:MAX_ID_CHARS]
    if len(warnings) == len(article.warnings):
        return article
    paragraphs = article.paragraphs
    if text != article.text:
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return replace(article, id=record_id, text=text, headline=headline, paragraphs=paragraphs, warnings=warnings)


HEADLINE_KEYS = ("headline", "title")
"""Where a record keeps its headline, in priority order: ``headline`` wins over ``title``."""


def headline_of(record: Mapping[str, Any]) -> str:
    """The headline of a record: the first non-empty of :data:`HEADLINE_KEYS`; a non-string value is converted with
    ``str`` and a missing one (``None``, NaN) gives ``""``."""
    for key in HEADLINE_KEYS:
        value = record.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            continue
        return value if isinstance(value, str) else str(value)
    return ""


class RecordError(ValueError):
    """A record that is not an article; ``id`` is the record's id when it has one."""

    def __init__(self, message: str, id: str | None = None) -> None:
        super().__init__(message)
        self.id = id


PASSTHROUGH_FIELDS = ("date", "source", "url")
"""Fields of an input record (JSONL, CSV, Parquet, API dict) that ``predict`` copies to its output record as
strings, so reports and downstream users can group by time and origin."""
MAX_PASSTHROUGH_CHARS = 2_000


def passthrough_of(item: Mapping[str, Any]) -> dict[str, str]:
    """The :data:`PASSTHROUGH_FIELDS` of a record as strings (dates as ISO 8601); missing, empty or NaN ones left
    out; each cut to :data:`MAX_PASSTHROUGH_CHARS` characters."""
    out: dict[str, str] = {}
    for key in PASSTHROUGH_FIELDS:
        value = item.get(key)
        if value is None or value == "" or (isinstance(value, float) and value != value):
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        out[key] = scrub_surrogates(text)[0][:MAX_PASSTHROUGH_CHARS]
    return out


def as_article(item: Article | str | Mapping[str, Any], where: str, require_text: bool = True) -> Article:
    """An :class:`Article` from an ``Article`` (returned as is), a body string, or a mapping with ``text``, optional
    ``id`` and a headline (:func:`headline_of`); text and headline of a mapping are stripped.

    The article is passed through :func:`sanitize_article` (surrogates, size limits, with ``warnings``).
    ``where`` names the item in errors (``"feed.jsonl:3"``). With ``require_text`` (the default) an empty or missing
    text is an error; without it a mapping needs a text or a headline. Raises :class:`RecordError`, or ``TypeError``
    for an item of another type.
    """
    if isinstance(item, Article):
        return sanitize_article(item)
    if isinstance(item, str):
        if require_text and not item.strip():
            raise RecordError(f"{where}: empty text")
        return sanitize_article(Article.from_text(item))
    if not isinstance(item, Mapping):
        raise TypeError(f"{where}: expected Article, str or dict with text and headline/title, got {type(item).__name__}")
    raw_id = item.get("id")
    record_id = str(raw_id) if raw_id not in (None, "") else None
    text = item.get("text")
    headline = headline_of(item)
    problem = None
    if not isinstance(text, str | None):
        problem = "'text' is not a string"
    elif require_text and text is None:
        problem = "missing 'text'"
    elif require_text and not text.strip():
        problem = "'text' is empty"
    elif text is None and not headline:
        problem = "neither 'text' nor a headline"
    if problem is not None:
        raise RecordError(f"{where} (id {record_id or where}): {problem}", id=record_id)
    article = Article.from_text((text or "").strip(), headline=headline.strip(), id=record_id)
    article.meta = passthrough_of(item)
    return sanitize_article(article)
