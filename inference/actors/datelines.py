"""Find datelines ("WASHINGTON (Reuters) -", "BEIJING, Feb 3 -", "KABUL, Afghanistan -") so their places are not
counted as actors."""

from __future__ import annotations

import re

_AGENCY = r"(?:\((?:Reuters|AP|AFP|CP|Reuters Breakingviews|IFR|dpa|UPI|Xinhua)\))"
_SOURCE = r"(?:(?:Reuters|AP|AFP|Canadian Press|UPI|dpa)\s*[-–—]+\s*)"
_CAPS_PLACE = r"[A-Z][A-Z.'’&-]*(?:[ /][A-Z][A-Z.'’&-]*)*"
_TITLE_PLACE = r"[A-Z][\w.'’&-]*(?:[ /][A-Z][\w.'’&-]*){0,3}"
_REGION = r"(?:,\s*[A-Z][\w.]*(?: [A-Z][\w.]*){0,2})"
_DATE = r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))"
_DASH = r"\s*[-–—]+\s"

DATELINE = re.compile(
    rf"(?m)^[ \t]*{_SOURCE}?(?:"
    rf"{_CAPS_PLACE}{_REGION}?{_DATE}?\s*{_AGENCY}?"  # WASHINGTON (Reuters) / KABUL, Afghanistan / BEIJING, Feb 3
    rf"|{_TITLE_PLACE}{_REGION}?{_DATE}?\s*{_AGENCY}"  # Washington (Reuters)
    rf"|{_TITLE_PLACE}{_DATE}"  # Beijing, Feb 3
    rf"|{_AGENCY}"  # (Reuters)
    rf"){_DASH}"
)
_SOURCE_ONLY = re.compile(rf"(?m)^[ \t]*{_SOURCE}")
# "... slams chief (Canadian Press)" / "(AFP)" at the end of a headline line
_TRAILING_CREDIT = re.compile(r"(?m)\((?:Reuters|AP|AFP|Canadian Press|CP|UPI|dpa|Xinhua|AFP Photo)\)[ \t]*$")


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of datelines at the start of ``text`` or of any of its lines."""
    spans = []
    for m in DATELINE.finditer(text):
        spans.append((m.start(), m.end()))
    for m in _SOURCE_ONLY.finditer(text):
        spans.append((m.start(), m.end()))
    for m in _TRAILING_CREDIT.finditer(text):
        spans.append((m.start(), m.end()))
    return spans
