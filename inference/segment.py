"""Segmentation of raw wire-news dumps into ``Article`` records.

The dump is read line by line. Each non-blank line gets a kind (dateline paragraph, byline, credit, subhead,
title-like line or body line) from compiled regexes; an article starts at a headline followed (past an optional
caption and byline) by a dateline paragraph such as ``BEIJING/WASHINGTON (Reuters) – ...``, or, without a dateline,
at a run of title-like lines between the end of one body and the start of the next. Every line of the input ends up
in some field of some article, so no text is lost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from foreign_desk.inference.article import Article, Dateline
from foreign_desk.inference.textio import clean_line, read_text, split_lines
from foreign_desk.inference.wire import NOTE, dateline_of, parse_dateline

log = logging.getLogger(__name__)

__all__ = ["parse_dateline", "read_dump", "segment", "segment_file"]

# --- line patterns -------------------------------------------------------------------------------------------------

_NOTE_RE = re.compile(NOTE)
# A byline on its own line: names may also be in capitals (``By JOHN SMITH``) and end with ``in City``.
_LINE_NAME = r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|da|di|van|von|der|al|el|bin|le|la|dos|du))*"
BYLINE_RE = re.compile(
    rf"^By (?P<names>{_LINE_NAME}(?:(?:, | and | & |, and ){_LINE_NAME})*)(?: in (?P<place>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*))?$"
)
# A credit line without brackets: ``Reporting by A; Editing by B``.
_BARE_CREDIT_RE = re.compile(r"^(?:Additional )?(?:Reporting|Writing|Editing|Compiled|Edited|Research) by [A-Z]")
_NAME_SPLIT = re.compile(r", and |, | and | & ")
# A credit or editorial note closing the last paragraph of a one-line body.
_TRAILING_NOTE_RE = re.compile(
    r"\s*(\(\s*\(?(?:Reporting|Additional reporting|Writing|Editing|Compiled|Edited|Research|Refiles?|Corrects"
    r"|Adds|Updates|Fixes|This (?:version|story|article)|The story|The [A-Z][a-z]+\.? \d+ story|In (?:this )?[A-Z]"
    r"|Click|Graphic|For (?:a|an|more|the) )"
    r"(?:[^()]|\([^()]*\))*\)\)?)\s*$"
)
_PARAGRAPH_END = re.compile(r"[.!?…][”\"’'»)\]]*$")
_LOWER = re.compile(r"[a-z]")
_UPPER2 = re.compile(r"[A-Z].*[A-Z]")
_SENTENCE_END = re.compile(r"(?:[.,;:!]|[.,;:!?…][”\"’'»)\]]+|\([^()]{4,}\))(?: \[[^\]]{1,40}\])?$")
_ABBREVIATION_END = re.compile(r" [A-Z][\w.'’-]* (?:Jr|Sr|Inc|Corp|Ltd|Bros)\.$")  # a headline ending in a name
_HEADLINE_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Jr|Sr|Inc|Corp|Ltd|Co)\.)$")
_HEADLINE_START = re.compile(r"^[A-Z0-9‘“\"'«$€£]")

MAX_TITLE = 220  # longest headline/caption line
MAX_HEADLINE = 160  # longest headline opening an article that has no dateline
MAX_CAPTION = 320  # a caption ending in a full stop, above a dateline, can be this long
MAX_SHORT_CAPTION = 120  # a sentence-like caption of an article without dateline is shorter than its lede
MAX_SUBHEAD = 100
UNWRAPPED = 200  # a line this long is a whole paragraph, not a hard-wrapped piece of one
MAX_TRAILING_NOTE = 2000  # longest credit/editorial note closing a one-line body

BLANK, DATELINE, BYLINE, CREDIT, SUBHEAD, TITLE, BODY = range(7)


def _is_titleish(line: str) -> bool:
    return (
        len(line) <= MAX_TITLE
        and (_SENTENCE_END.search(line) is None or (len(line) <= MAX_HEADLINE and _ABBREVIATION_END.search(line)))
        and not (line[0] == "(" and line[-1] == ")")
        and line.count("(") == line.count(")")  # an unbalanced bracket: one piece of a hard-wrapped line
        and any(c.isalpha() for c in line)
    )


def _one_group(line: str) -> bool:
    """``(...)`` whose opening bracket closes at the very end: ``(Reporting by A (B); Editing by C)``, not ``(a) (b)``."""
    depth = 0
    for pos, char in enumerate(line):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pos == len(line) - 1
    return False


def classify(line: str) -> int:
    """The kind of one cleaned line."""
    if not line:
        return BLANK
    if line[0] in "(ABCDEFGHIJKLMNOPQRSTUVWXYZ" and parse_dateline(line):
        return DATELINE
    if line[0] == "(" and line[-1] == ")" and _one_group(line):
        return CREDIT
    if line.startswith("By ") and len(line) <= 160 and BYLINE_RE.match(line):
        return BYLINE
    if (
        len(line) <= 400
        and _BARE_CREDIT_RE.match(line)
        and not line.endswith(".")
        and "(" not in line
        and ")" not in line
    ):
        return CREDIT
    if len(line) <= MAX_SUBHEAD and not _LOWER.search(line) and _UPPER2.search(line) and not _SENTENCE_END.search(line):
        return SUBHEAD
    if _is_titleish(line):
        return TITLE
    return BODY


# --- segmentation --------------------------------------------------------------------------------------------------


@dataclass
class _Header:
    """Which non-blank lines (indices into the non-blank list) open an article."""

    start: int
    headline: int | None = None
    caption: int | None = None
    bylines: list[int] = field(default_factory=list)


def _titled(kinds: list[int], lines: list[str], k: int) -> bool:
    """A title-like line, or a headline whose full stop belongs to an abbreviation (``... interest of U.S.``)."""
    return kinds[k] == TITLE or (
        kinds[k] == BODY and len(lines[k]) <= MAX_TITLE and _HEADLINE_ABBREVIATION.search(lines[k]) is not None
    )


def _dateline_header(kinds: list[int], lines: list[str], j: int, taken: int) -> _Header | None:
    """Header lines above the dateline paragraph at ``j`` (headline, caption, bylines), never reaching ``taken``."""
    i = j - 1
    bylines: list[int] = []
    while i > taken and kinds[i] == BYLINE:
        bylines.insert(0, i)
        i -= 1
    caption = headline = None
    if i > taken and (kinds[i] == TITLE or (kinds[i] == BODY and len(lines[i]) <= MAX_CAPTION)):
        if i - 1 > taken and _headline_like(lines[i - 1]) and _titled(kinds, lines, i - 1):
            headline, caption = i - 1, i
        elif i - 2 > taken and kinds[i - 1] == BYLINE and _headline_like(lines[i - 2]) and _titled(kinds, lines, i - 2):
            headline, caption, bylines = i - 2, i, [i - 1, *bylines]  # headline, byline, caption
        elif _headline_like(lines[i]):
            headline = i  # a headline, even one ending in a full stop (``... in best interest of U.S.``)
    if headline is not None:
        return _Header(start=headline, headline=headline, caption=caption, bylines=bylines)
    if bylines:
        return _Header(start=bylines[0], bylines=bylines)
    match = parse_dateline(lines[j])
    has_agency = match is not None and match["place2"] is None
    if i < 0 or kinds[i] == CREDIT or has_agency:
        return _Header(start=j)
    return None  # an all-caps word and a dash inside a body: not a new article


def _find_headers(kinds: list[int], lines: list[str], numbers: list[int]) -> list[_Header]:
    """Article headers, in order; the first article always starts at the first non-blank line."""
    headers: list[_Header] = []
    taken = -1  # last non-blank index already claimed by a header
    n = len(kinds)
    wrapped = _hard_wrapped(lines, numbers)
    i = 0
    while i < n:
        kind = kinds[i]
        if kind == DATELINE:
            header = _dateline_header(kinds, lines, i, taken)
            if header is not None:
                headers.append(header)
                taken = i
            i += 1
            continue
        if kind in (TITLE, BYLINE):
            # a run of title-like lines and bylines; an article if it ends at a body and follows an article's end
            end = i
            while end < n and kinds[end] in (TITLE, BYLINE):
                end += 1
            if end < n and kinds[end] == DATELINE:
                i = end  # the dateline handles the run
                continue
            after = end + 1
            while after < n and kinds[after] == BYLINE:
                after += 1
            if end < n and kinds[end] == BODY and after < n and kinds[after] == DATELINE:
                if len(lines[end]) <= MAX_CAPTION:
                    i = after  # headline, a caption that reads as a sentence, then the dateline
                    continue
            if end < n and kinds[end] == BODY:
                header = _run_header(kinds, i, end, numbers, wrapped)
                body_at = _extend_header(kinds, lines, header, end)
                follows_end = i == 0 or kinds[i - 1] == CREDIT
                if body_at < n and (follows_end or _strong_headline(kinds, lines, numbers, i, body_at, wrapped)):
                    headers.append(header)
                    taken = body_at - 1
                    end = body_at
            i = end
            continue
        i += 1
    if n and (not headers or headers[0].start > 0):
        headers.insert(0, _Header(start=0))
    return headers


def _extend_header(kinds: list[int], lines: list[str], header: _Header, k: int) -> int:
    """Take a sentence-like caption (and bylines after it) at ``k`` into a dateline-less header; the body's index."""
    n = len(kinds)
    if header.caption is not None or kinds[k] != BODY or len(lines[k]) > MAX_SHORT_CAPTION:
        return k
    after = k + 1
    while after < n and kinds[after] == BYLINE:
        after += 1
    if after > k + 1 or (after < n and kinds[after] == BODY and len(lines[after]) > MAX_SHORT_CAPTION):
        header.caption = k
        header.bylines.extend(range(k + 1, after))
        return after
    return k


def _headline_like(line: str) -> bool:
    """Short enough for a headline and not opening with a double quote (a quoted paragraph)."""
    return len(line) <= MAX_HEADLINE and line[0] not in '“"„«'


def _strong_headline(kinds: list[int], lines: list[str], numbers: list[int], i: int, body: int, wrapped: bool) -> bool:
    """A title-like run ``i`` .. ``body - 1`` inside a dateline-less stretch that reads as a headline, not as a short
    body line or the first piece of a hard-wrapped paragraph.

    Apart from its own shape, it needs a byline, or a blank line before it and a first paragraph of some length.
    In a hard-wrapped dump (``wrapped``) the header block must also end with a blank line.
    """
    line = lines[i]
    if not (
        kinds[i] == TITLE
        and body - i <= 4
        and kinds[i - 1] in (BODY, DATELINE)
        and _HEADLINE_START.match(line) is not None
        and line.count(" ") >= 2
        and len(line) <= MAX_HEADLINE
        and not line.endswith("?")
    ):
        return False
    if wrapped and numbers[body] - numbers[body - 1] == 1:
        return False
    if BYLINE in kinds[i:body]:
        return True
    first_paragraph, k = len(lines[body]), body
    while first_paragraph < 80 and k + 1 < len(lines) and numbers[k + 1] - numbers[k] == 1:
        k += 1
        first_paragraph += 1 + len(lines[k])
    return (numbers[i] - numbers[i - 1] > 1 or len(lines[body]) >= UNWRAPPED) and first_paragraph >= 80


def _hard_wrapped(lines: list[str], numbers: list[int]) -> bool:
    """Whether the dump looks hard-wrapped: short lines, many running straight on into the next line."""
    if len(lines) < 4:
        return False
    lengths = sorted(len(line) for line in lines)
    runs_on = sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b - a == 1)
    return lengths[len(lengths) // 2] <= 90 and runs_on >= 0.3 * len(lines)


def _run_header(kinds: list[int], i: int, end: int, numbers: list[int], wrapped: bool) -> _Header:
    """Headline, caption and bylines of a dateline-less header run ``i`` .. ``end - 1``."""
    header = _Header(start=i)
    for k in range(i, end):
        if kinds[k] == BYLINE:
            header.bylines.append(k)
        elif header.headline is None:
            header.headline = k
        elif header.caption is None and not (wrapped and _wrapped_start(numbers, k)):
            header.caption = k
        else:
            break  # further title-like lines are body paragraphs
    return header


def _wrapped_start(numbers: list[int], k: int) -> bool:
    """Line ``k`` follows a blank line but runs straight on into the next: the first piece of a wrapped paragraph."""
    return 0 < k < len(numbers) - 1 and numbers[k] - numbers[k - 1] > 1 and numbers[k + 1] - numbers[k] == 1


def _wrapped_lines(body: list[int], numbers: list[int], kinds: list[int], lines: list[str]) -> set[int]:
    """Body lines that continue on the next line: the body separates paragraphs with blank lines, the line ends
    mid-sentence and the next line follows without a blank. Single-newline bodies are never joined."""
    if not any(numbers[b] - numbers[a] > 1 for a, b in zip(body, body[1:], strict=False)):
        return set()
    return {
        a
        for a, b in zip(body, body[1:], strict=False)
        if numbers[b] - numbers[a] == 1
        and kinds[a] != CREDIT
        and kinds[b] != CREDIT
        and _PARAGRAPH_END.search(lines[a]) is None
    }


def _names(by: str) -> list[str]:
    return [name.strip() for name in _NAME_SPLIT.split(by) if name.strip()]


def _build(lines: list[str], numbers: list[int], kinds: list[int], header: _Header, stop: int) -> Article:
    """Assemble the article whose non-blank lines are ``header.start`` .. ``stop - 1``."""
    used = {k for k in (header.headline, header.caption, *header.bylines) if k is not None}
    headline = lines[header.headline] if header.headline is not None else ""
    caption = lines[header.caption] if header.caption is not None else None
    byline_matches = [BYLINE_RE.match(lines[k]) for k in header.bylines]
    byline = [name for match in byline_matches for name in _names(match["names"])]
    byline_place = next((match["place"] for match in byline_matches if match["place"]), None)
    body = [k for k in range(header.start, stop) if k not in used]
    tail: list[str] = []
    while body and kinds[body[-1]] == CREDIT:
        tail.insert(0, lines[body.pop()])
    notes: list[str] = []
    dateline = Dateline()
    paragraphs: list[str] = []
    subheads: list[str] = []
    wrapped = _wrapped_lines(body, numbers, kinds, lines)
    for pos, k in enumerate(body):
        line = lines[k]
        if pos == 0 and kinds[k] in (DATELINE, BODY, TITLE):
            match = parse_dateline(line)
            if match is not None:
                dateline = dateline_of(match)
                notes = _NOTE_RE.findall(match["notes"])
                if match["by"] and not byline:
                    byline = _names(match["by"])
                line = line[match.end() :]
        if pos > 0 and body[pos - 1] in wrapped and paragraphs:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"  # continuation of a hard-wrapped paragraph
        elif kinds[k] == SUBHEAD and pos > 0 and body[pos] not in wrapped:
            subheads.append(line)
        else:
            paragraphs.append(line)
    while len(paragraphs) > 1 and paragraphs[-1][0] == "(" and paragraphs[-1][-1] == ")" and _one_group(paragraphs[-1]):
        tail.insert(0, paragraphs.pop())  # a credit hard-wrapped over several lines
    if paragraphs:
        last = paragraphs[-1]
        offset = max(0, len(last) - MAX_TRAILING_NOTE)  # the pattern sees a bounded tail: linear time
        note = _TRAILING_NOTE_RE.search(last, offset)
        if note is not None and note.start() > 0:
            notes.append(note.group(1))
            paragraphs[-1] = last[: note.start()]
    credits = notes + tail
    text = "\n\n".join(paragraphs)
    return Article(
        id=Article.make_id(headline, text),
        headline=headline,
        caption=caption,
        byline=byline,
        byline_place=byline_place,
        dateline=dateline,
        paragraphs=paragraphs,
        subheads=subheads,
        credits=credits,
        text=text,
        span=(numbers[header.start], numbers[stop - 1]),
    )


def segment(text: str) -> list[Article]:
    """Split a raw dump into articles, in input order. Empty or blank input gives an empty list."""
    lines: list[str] = []
    numbers: list[int] = []
    for number, raw in enumerate(split_lines(text), start=1):
        line = clean_line(raw)
        if line:
            lines.append(line)
            numbers.append(number)
    if not lines:
        return []
    kinds = [classify(line) for line in lines]
    headers = _find_headers(kinds, lines, numbers)
    stops = [h.start for h in headers[1:]] + [len(lines)]
    return [_build(lines, numbers, kinds, header, stop) for header, stop in zip(headers, stops, strict=True)]


def read_dump(path: str | Path) -> list[Article]:
    """Read and segment one dump file.

    A binary or non-text file raises ``ValueError`` naming it; undecodable bytes are replaced and reported in a
    warning with their count; an empty file gives no articles and a warning.
    """
    articles = segment(read_text(path))
    if not articles:
        log.warning("%s: no articles found (empty or blank file)", path)
    return articles


segment_file = read_dump  # the same reader, under the name the brief also uses
