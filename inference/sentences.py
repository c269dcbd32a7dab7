"""Rule-based sentence splitter for wire-news English, with character offsets into the input.

A small hand-written splitter instead of NLTK's Punkt: Punkt needs a separately downloaded model and NLTK is not a
runtime dependency. It knows the abbreviations that matter in wire copy ("U.S.", "Mr.", "Jan.", "Sen.", initials)
and treats every line break as a boundary (headlines, paragraphs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == source[start:end]``; ``index`` counts from 0."""

    index: int
    start: int
    end: int
    text: str


# Words after which a period never ends a sentence (titles, months, corporate suffixes...).
_NEVER_FINAL = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "adm", "maj", "cmdr",
    "rev", "fr", "st", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "vs", "v", "inc", "corp", "co", "ltd", "jr", "sr", "pres", "supt", "messrs", "gens", "reps",
    "sens", "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md",
    "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt",
    "wash", "wis", "wyo", "approx", "est", "dept", "univ", "e.g", "i.e", "etc.,",
}
# Ordinary words that, capitalised after "U.S." or similar, start a new sentence.
_STARTERS = {
    "The", "He", "She", "It", "They", "We", "I", "You", "But", "And", "In", "A", "An", "This", "That", "These",
    "Those", "There", "On", "At", "As", "If", "When", "While", "His", "Her", "Their", "Its", "Our", "Some", "Many",
    "Most", "Asked", "Under", "After", "Before", "Since", "So", "Yet", "Still", "However", "Meanwhile", "Other",
}

# Linear time: a candidate starts only at the first mark of a run (never inside it) and takes the run whole, so a
# crafted ``!!!!...`` or ``.”””...`` line is scanned once; the other patterns look at a bounded window.
_CANDIDATE = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([\w.&-]+)[.!?]*[\"'”’)\]]*$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]*(\S+?)(?:[\s,;:.]|$)")
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")


def _is_boundary(text: str, match: re.Match[str], text_end: int) -> bool:
    """Decide whether the punctuation at ``match`` ends a sentence (``text_end``: where the text's trailing
    whitespace starts)."""
    if match.group() == "\n":
        return True
    punct = match.group()
    if match.end() >= text_end:  # nothing but whitespace follows
        return True
    nxt = _NEXT_WORD.match(text, match.end())
    next_word = nxt.group(1) if nxt else ""
    if next_word and next_word[0].islower():
        return False
    if not punct.startswith("."):
        return True
    before = _WORD_BEFORE.search(text, max(0, match.start() - 40), match.start() + 1)
    word = before.group(1) if before else ""
    bare = word.rstrip(".").lower()
    if bare in _NEVER_FINAL:
        return bare in {"inc", "corp", "co", "ltd", "jr", "sr", "etc.,"} and next_word in _STARTERS
    if len(bare) == 1 and word[:1].isupper():  # an initial: "George W. Bush"
        return False
    if _INITIALISM.fullmatch(bare):  # "U.S.", "U.N.", "a.m."
        return next_word in _STARTERS
    if next_word[:1].isdigit() and bare in {"no", "nos"}:
        return False
    return True


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences whose offsets point into ``text`` (surrounding whitespace trimmed)."""
    sentences: list[Sentence] = []
    start = 0
    text_end = len(text.rstrip())
    for match in _CANDIDATE.finditer(text):
        if not _is_boundary(text, match, text_end):
            continue
        _append(sentences, text, start, match.end())
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    s = start + (len(chunk) - len(chunk.lstrip()))
    e = s + len(stripped)
    sentences.append(Sentence(len(sentences), s, e, text[s:e]))
