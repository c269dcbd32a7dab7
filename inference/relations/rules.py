"""Cheap string rules over a scored holder -> target pair of one sentence, for precision on wire copy.

Wire sentences name many actors that do nothing to each other (places, lists, background); CAMEO sentences, on which
the head is trained, each hold one event whose source is nearly always the subject or the speaker. So:

- :func:`holder_acts`: the holder is the subject of a verb right after it ("China said", "Turkish authorities
  on Friday issued", "Trump to urge"), the speaker of a quote ('," Lavrov said'), the agent of a passive ("by X") or
  the one "according to" whom. Pairs whose holder is none of these need a higher ``1 - p(none)``.
- :func:`titled_together`: the two mentions are one person and their country or body ("Zimbabwe's Finance Minister
  Patrick Chinamasa", "Lavrov, Russia's foreign minister", "a spokesman for the EU, Jane Doe"): same side, never a
  relation.
- :func:`generic_party`: an unnamed party that is one bare common noun or title ("the country", "decision", "Some
  states", "President"):
  needs a higher ``1 - p(none)``.
"""

from __future__ import annotations

import re

# title and role words between a country/body and its person ("Russian Foreign Minister", "'s chief of staff")
ROLE_WORDS = frozenset(
    "minister ministers president presidents prime foreign defence defense finance interior home economy trade "
    "justice spokesman spokeswoman spokesperson spokesmen secretary secretary-general ambassador envoy leader "
    "leaders chief head official officials general commander king queen prince princess crown emir sheikh senator "
    "lawmaker lawmakers deputy vice state affairs chairman chairwoman governor mayor premier chancellor director "
    "adviser advisor representative speaker top senior former then new acting economist central bank army military "
    "navy police intelligence security national counter-terrorism health energy oil labour labor "
    "opposition ruling party member members staff of for at to the a an his her their its".split()
)
# words that may sit between a subject and its verb ("China on Monday said", "Iran has also")
_BETWEEN = frozenset(
    "has have had will would could can may might must should shall is was were are be been being also already "
    "again still not never repeatedly strongly earlier later then now jointly once further quickly formally "
    "publicly privately officially reportedly allegedly on last this next week month year day today yesterday "
    "tuesday monday wednesday thursday friday saturday sunday morning evening night "
    "recently just first".split()
)
_IRREGULAR = frozenset(
    "said told met sent gave took made struck won led held hit shot fought sought brought left put set cut "
    "beat began broke built bought caught chose drew drove fell fled felt forbade forgave froze got grew hung "
    "knew laid lost meant overtook paid ran rang rose saw sold shut sank spoke spent stood stole swore threw "
    "understood upheld withdrew wrote bore bid let quit spread thrust became kept read sat slew went did "
    "say tell meet send give take make strike win lead hold seek bring urge warn call accuse back reject "
    "condemn criticise criticize demand ask threaten offer sign agree support oppose praise welcome deny "
    "plan vow pledge attack help push press refuse continue provide send".split()
)
_NOT_VERB = frozenset(
    "news us its his has was is this thus as plus bus gas status crisis analysis basis process press "
    "series species means chaos congress campus census virus consensus focus bonus corps".split()
)
_AUX = frozenset("has have had will would could can may might must should shall is was were are be been".split())
_STOP = frozenset(
    "of for at to in on by with from into over after before than and or but if when while since because not no the "
    "a an as that which who whose where this these those its his her their our there here".split()
)
_SPEECH = frozenset(
    "said says told added wrote tweeted asked argued warned stated noted insisted denied declined urged called "
    "announced according quoted".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z.'’-]*|[0-9][0-9,.]*|[^\sA-Za-z0-9]")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _drop_possessive(words: list[str]) -> list[str]:
    """``words`` without a leading possessive ("'s", "’s", or wire copy's bare " s")."""
    if words[:1] in (["'"], ["’"]) and words[1:2] == ["s"]:
        return words[2:]
    if words[:1] in (["'s"], ["’s"], ["s"], ["'"], ["’"]):
        return words[1:]
    return words


def _looks_verb(word: str) -> bool:
    w = word.lower().strip(".")
    if w in _IRREGULAR:
        return True
    if not w.isalpha() or w in _NOT_VERB or word[:1].isupper():
        return False
    return (w.endswith("ed") and len(w) > 3) or (w.endswith("s") and not w.endswith("ss") and len(w) > 3)


def holder_acts(text: str, start: int, end: int) -> bool:
    """The mention ``text[start:end]`` is the subject of a verb right after it, the speaker of a quote or of
    "said", the agent after "by" or the source after "according to"."""
    before = [w.lower() for w in _tokens(text[max(0, start - 60) : start])]
    while before and before[-1] in ("the", "a", "an"):
        before.pop()
    if before and (before[-1] in ("by", "said", "says", "told") or before[-2:] == ["according", "to"]):
        return True
    if before and before[-1] in ("’", "'", "\"", "”", ",") and '"' in text[max(0, start - 6) : start]:
        return True  # ... ," X said / ' X
    after = _tokens(text[end : end + 120])
    # the mention can be the modifier of the subject ("Turkish authorities", "Iran's foreign ministry")
    after = _drop_possessive(after)
    k = 0
    skipped = 0
    while k < len(after) and skipped < 4 and (after[k].lower() in ROLE_WORDS or after[k][:1].isupper()
                                              or after[k].lower() in ("authorities", "government", "forces", "troops",
                                                                      "ministry", "office", "officials", "media",
                                                                      "warplanes", "jets", "embassy", "agency")):
        if after[k].lower() in ("of", "for", "at", "to", "the", "a", "an") and skipped == 0:
            break
        k += 1
        skipped += 1
    # a parenthesis or a short apposition ("Iran, which ..., " is too far)
    if k < len(after) and after[k] == "(":
        while k < len(after) and after[k] != ")":
            k += 1
        k += 1
    # the head noun of a subject the mention modifies ("Taliban suicide bomber", "Swiss court")
    nouns = 0
    while (k < len(after) and nouns < 3 and after[k].isalpha() and after[k].islower() and not _looks_verb(after[k])
           and after[k] not in _BETWEEN and after[k] not in _STOP):
        k += 1
        nouns += 1
    if k + 1 < len(after) and after[k] == "," and _looks_verb(after[k + 1]):
        return True  # "Gorran, or the Change Movement, blamed ..."
    steps, aux = 0, False
    while k < len(after) and steps < 5 and (after[k].lower() in _BETWEEN or after[k].lower().endswith("ly")):
        aux = aux or after[k].lower() in _AUX
        k += 1
        steps += 1
    if k >= len(after):
        return False
    word = after[k]
    if aux and word.isalpha() and word.islower() and word not in _STOP:
        return True  # "is sending", "is ready to", "must continue", "will fully support"
    if word.lower() == "to" and k + 1 < len(after) and after[k + 1].isalpha() and after[k + 1].islower():
        return True  # headline future: "Trump to urge ..."
    if word.lower() in _SPEECH or _looks_verb(word):
        return True
    return word == "," and k + 1 < len(after) and after[k + 1].lower() in ("who", "which")


def titled_together(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """The two mentions are a country/body and its titled person: only title words, a possessive or an
    apposition between them ("Zimbabwe's Finance Minister Patrick Chinamasa", "Lavrov, Russia's foreign
    minister", "Tusk, the European Council president")."""
    (s1, e1), (s2, e2) = sorted([a, b])
    gap = text[e1:s2]
    if len(gap) > 60:
        return False
    words = _tokens(gap)
    if not words:
        return False
    stripped = _drop_possessive(words)
    if all(w.lower() in ROLE_WORDS or (w[:1].isupper() and w.isalpha()) for w in stripped):
        return any(w.lower() not in _FUNCTION for w in stripped) or (not stripped and stripped != words)
    words = stripped
    if words and words[0] == "," and all(w.lower() in ROLE_WORDS for w in words[1:]) and len(words) > 1:
        return True  # "Jane Doe, spokeswoman for the EU" / "Lavrov, the foreign minister of Russia"
    if words == [","]:
        tail = _drop_possessive(_tokens(text[e2 : e2 + 40]))
        n = 0
        while n < len(tail) and tail[n].lower() in ROLE_WORDS:
            n += 1
        return n >= 1 and any(t.lower() not in ("the", "a", "an", "of", "for", "at", "to") for t in tail[:n])
    return False


_FUNCTION = frozenset("of for at to the a an his her their its".split())
_QUANT = frozenset("some all many several most other few both each any two three four five various such".split())


def generic_party(name: str) -> bool:
    """An unnamed party that is one bare common noun ("country", "decision", "Some states", "President")."""
    words = [w for w in name.split() if w.lower() not in _QUANT]
    return len(words) <= 1 and all(w.isalpha() and (w.islower() or w.lower() in ROLE_WORDS) for w in words)
