"""Context rules for ambiguous surface forms: metonym capitals vs places, Georgia the country vs the US state."""

from __future__ import annotations

import re
from functools import lru_cache

from foreign_desk.inference.actors.lexicon import LOCATION_WORDS, MOVEMENT_WORDS
from foreign_desk.inference.actors.tokens import Token

_US_STATE_NEAR = re.compile(
    r"Atlanta|Savannah|Augusta|Macon|state of|State of|Georgia'?s? (?:state|State|Republican|Democrat|Rep\.|Sen\.|"
    r"governor|Governor|lawmaker|voters|congress|Congress|district|county|County|Bulldogs|Tech|Power)|"
    r"\b(?:Sen|Rep|Gov)\.|Senator|Representative|Congressman|Congresswoman|\b[RD]-Ga\b|"
    r"Alabama|Florida|Tennessee|Carolina|Texas|Ohio|Virginia|Mississippi|Louisiana|Arizona|Iowa|Michigan"
)
_COUNTRY_CUES = re.compile(r"Tbilisi|Saakashvili|Georgian|Abkhaz|Ossetia|Soviet|Caucasus|Shevardnadze|Armenia|"
                           r"Azerbaijan|Margvelashvili|Kvirikashvili|Russia|Moscow|Kremlin|Ukraine")
_SPEAKERS = frozenset("officials official diplomats diplomat sources source government leaders analysts".split())
_CITY_SUFFIX = re.compile(r"\s*(?:,\s*D\.?C\.?|D\.C\.|[Ss]tate\b|-based|-area|[Cc]ity\b|[Uu]niversity\b|"
                          r"Post\b|Nationals|Redskins|Wizards|Capitals|Mystics|Dulles|National Airport)")


def is_place_use(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """True when the capital/seat of power ``tokens[i:j]`` names a place ("in Beijing", "Washington, D.C.")."""
    if _CITY_SUFFIX.match(text, tokens[j - 1].end):
        return True
    k = i - 1
    if k >= 0 and tokens[k].text == "the":
        k -= 1
    if k > 0 and tokens[k].text == "from" and tokens[k - 1].text.lower() in MOVEMENT_WORDS:
        return True
    if k >= 0 and tokens[k].text.lower() in LOCATION_WORDS and text.find("\n", tokens[k].end, tokens[i].start) < 0:
        # "officials in Washington said" speaks for the state
        return not (k > 0 and tokens[k].text == "in" and tokens[k - 1].text.lower() in _SPEAKERS)
    return False


def georgia_is_us_state(text: str, start: int, end: int) -> bool:
    """Decide "Georgia" from its neighbourhood and the whole text."""
    window = text[max(0, start - 60): end + 60]
    before = text[max(0, start - 30): start]
    if re.search(r"[A-Z][a-z]+,\s*$", before) and not re.search(r"(?:and|of|in)\s*,?\s*$", before):
        return True  # "Atlanta, Georgia"
    if re.match(r"'?s?\s*(?:Republican|Democrat|state|governor|Governor|voters|Senate|House|lawmakers?)", text[end : end + 80]):
        return True
    if _has_country_cues(text):
        return False
    return bool(_US_STATE_NEAR.search(window))


@lru_cache(maxsize=8)
def _has_country_cues(text: str) -> bool:
    return _COUNTRY_CUES.search(text) is not None  # once per text, not once per "Georgia" (linear time)


@lru_cache(maxsize=64)
def word_in(word: str, text: str) -> bool:
    """``word`` occurs in ``text`` as a whole word (cached: asked for every weak alias of the same text)."""
    return re.search(rf"\b{re.escape(word)}\b", text) is not None
