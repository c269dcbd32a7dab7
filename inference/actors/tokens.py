"""Word tokens with offsets, shared by the gazetteer index and the matcher."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# "U.S." / "H.R." as one token; words with inner hyphens, apostrophes or ampersands ("al-Sadr", "AT&T").
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’][^\W_]+|-(?![A-Za-z]\.[A-Za-z]\.)[^\W_]+|&[A-Z][^\W_]*)*")
_POSSESSIVE = ("'s", "’s")
# Abbreviations whose period may sit between two tokens of one name: "Mr. Smith", "George W. Bush".
ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt", "Sgt", "Adm", "Maj", "St", "Rev",
           "Jr", "Sr", "Prof", "Pres", "Cmdr"})


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str


# Compound suffixes split off a name: "Saudi-led", "al Qaeda-linked", "U.N.-backed".
_SUFFIXES = frozenset("""led linked backed based born style era run owned allied affiliated inspired controlled held
sponsored funded made brokered bound friendly leaning aligned dominated supported organised organized
""".split())


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``; a trailing possessive "'s" and a compound suffix ("-led") are separate from the name."""
    out: list[Token] = []
    append = out.append
    for m in _TOKEN.finditer(text):
        t = m.group()
        s, e = m.span()
        if "'" in t or "’" in t:
            if len(t) > 2 and t.endswith(_POSSESSIVE):
                e -= 2
                t = t[:-2]
        if "-" in t:
            head, _, tail = t.rpartition("-")
            if head and tail.lower() in _SUFFIXES:
                append(Token(s, s + len(head), head))
                append(Token(s + len(head) + 1, e, tail))
                continue
        append(Token(s, e, t))
    return out


@lru_cache(maxsize=1 << 16)
def alias_key(alias: str) -> tuple[str, ...]:
    """The token tuple an alias is indexed under."""
    return tuple(t.text for t in tokenize(alias))


def joined(text: str, left: Token, right: Token) -> bool:
    """True when ``left`` and ``right`` are adjacent words of one name (only a space, or "W. " after an initial)."""
    gap = text[left.end:right.start]
    if gap == " ":
        return True
    if gap == ". " and (len(left.text) == 1 and left.text.isupper() or left.text in ABBREVIATIONS):
        return True
    return gap == "" and left.text.endswith(".")
