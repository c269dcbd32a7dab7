"""Statistical recognition of actor names outside the gazetteer: capitalised phrases scored by a trained classifier.

Candidates are the maximal capitalised runs of a text ("the opposition Movement for Democratic Change said") and
their suffixes ("Khalifa Haftar s Libyan National Army"), each described by sparse features (its words, shape,
length, organisation heads, given names, the words around it, a parenthesised acronym after it, repeats...). A
logistic regression fitted on silver spans (the labelled actor names of ``../shared/data`` found verbatim in their
articles; :mod:`foreign_desk.training.stance.actor_phrases`) scores them; per run the best-scoring span above the
threshold becomes an actor (type person or organisation from a second logistic regression), with every verbatim
repeat and the parenthesised acronym as mentions. A recognised name replaces the rule matches inside it ("Free
Democrats" is not the US Democratic Party) but never an extracted actor that covers the same span.

The weights ship as ``inference/data/actor_phrases.json`` (plain JSON: feature -> weight).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from foreign_desk.inference.actors.lexicon import (
    BODY_HEADS,
    COMMON_WORDS,
    CONNECTORS,
    NAME_PARTICLES,
    ORG_HEADS,
    TITLE_WORDS,
    US_STATES,
    first_names,
)
from foreign_desk.inference.actors.lexicon import NOT_NAMES as NOT_NAMES_START
from foreign_desk.inference.actors.model import Actor, ActorResult, Mention
from foreign_desk.inference.actors.tokens import ABBREVIATIONS, Token, alias_key, joined, tokenize


class _SpanIndex:
    """Character spans, sorted for overlap queries in logarithmic time (a text naming one actor thousands of times
    must not cost mentions x spans)."""

    def __init__(self, spans) -> None:  # noqa: ANN001 - any iterable of (start, end)
        self.spans = sorted(set(spans))
        self.starts = [s for s, _ in self.spans]
        self.longest = max((e - s for s, e in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans that overlap ``[start, end)``."""
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        return [(s, e) for s, e in self.spans[lo:hi] if s < end and start < e]

    def strictly_covers(self, start: int, end: int) -> bool:
        """Whether a span other than ``(start, end)`` itself contains ``[start, end)``."""
        return any(s <= start and end <= e and (s, e) != (start, end) for s, e in self.overlapping(start, end))

MODEL_FILE = Path(__file__).resolve().parents[1] / "data" / "actor_phrases.json"
SHORT_TEXT = 600  # characters: below, features also fire in a "short text" variant
MAX_RUN = 8  # tokens; longer capitalised runs are headlines or lists
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z0-9&.-]{1,9})\)")
_STARTERS = {"The", "the", "A", "An"}
# the wire itself ("(Reuters)", "told Reuters") and acronyms that are not actors
NOT_ACTORS = frozenset("Reuters GDP CEO CFO PM MP MPs TV GMT VAT IPO LNG HIV AIDS DNA CCTV NGO NGOs".split())
# a lower-case word after a name that makes it a place or an operation ("Hodeidah port", "Euphrates Shield operation")
PLACE_NOUNS = frozenset("""port operation province region city airport river valley district area border camp village
town state county island islands street square base field peninsula sea strait""".split())


@dataclass(frozen=True)
class Candidate:
    start: int  # token indices [i, j) of the span, [a, b) of its run
    end: int
    run_start: int
    run_end: int
    text: str
    char_start: int
    char_end: int


# Last words of place and document names, which are not actors ("Marawi City", "Act of Parliament").
PLACE_HEADS = frozenset("""City Province Region Island Islands Street Square Sea River Valley Mountains Airport Port
Peninsula Strait Bay Gulf District County State Act Agreement Accord Treaty Bill Law Day Cup Prize Award Games
Garden Gardens Park Hall Building Tower Stadium Hotel Constitution Charter Convention
""".split())
_ADJECTIVE_CUTS: set[str] = set()


def _cut_point(word: str) -> bool:
    """A suffix candidate may start after a title, a country adjective or name ("Libyan National Army"' suffix
    "National Army" is not one, "Kenyan opposition leader ..." cuts are), or a possessive left as "s"."""
    return word in TITLE_WORDS or word in _countries() or word == "s"


def _countries() -> set[str]:
    """Country names, aliases and adjectives of the shipped gazetteer (one word each)."""
    if not _ADJECTIVE_CUTS:
        from foreign_desk.inference.actors.gazetteer import Gazetteer

        for entry in Gazetteer.shipped().entries.values():
            if entry.type == "country":
                _ADJECTIVE_CUTS.update([entry.name, *entry.adjectives, *entry.aliases])
    return _ADJECTIVE_CUTS


_DOTTED_CAPS = re.compile(r"(?:[A-Z]\.)+")  # "U.S.", "F.C.C."


def _crosses_full_stop(words: list[str]) -> bool:
    """A word of ``words`` ends a sentence ("told Fox News. In party-line votes"): it ends with a full stop that is no
    initial, dotted acronym ("U.S.") or title abbreviation ("St.")."""
    return any(w.endswith(".") and not _DOTTED_CAPS.fullmatch(w) and w[:-1] not in ABBREVIATIONS for w in words)


def occurrences(text: str, name: str, start: int = 0, left: str = "", lo: int = 0) -> list[tuple[int, int]]:
    r"""Spans of ``name`` in ``text`` from ``start`` on, left to right and non-overlapping, with no word character
    (nor a character of ``left``) right before and no word character right after: what
    ``re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, start)`` gives (``(?<![\w.])`` with
    ``left="."``), by ``str.find`` rather than one compiled pattern per name. Characters before ``lo`` are treated
    as absent (the text was cut there)."""
    out: list[tuple[int, int]] = []
    size, n = len(name), len(text)
    if not size:
        return out
    find = text.find
    p = find(name, start)
    while p >= 0:
        e = p + size
        if p > lo:
            before = text[p - 1]
            ok = not (before.isalnum() or before == "_" or before in left)
        else:
            ok = True
        if ok and e < n:
            after = text[e]
            ok = not (after.isalnum() or after == "_")
        if ok:
            out.append((p, e))
            p = find(name, e)
        else:
            p = find(name, p + 1)
    return out


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "XX"
    if _DOTTED_CAPS.fullmatch(word):
        return "X.X."
    if word[:1].isupper() and any(c.isupper() for c in word[1:]):
        return "XxX"
    if word[:1].isupper():
        return "Xx"
    return "x"


def candidates(text: str, tokens: list[Token], generic_from: int = 0) -> list[Candidate]:
    """Capitalised runs of ``text`` (after ``generic_from``) and their suffixes, without leading articles."""
    out: list[Candidate] = []
    n, i = len(tokens), 0
    while i < n:
        t = tokens[i]
        if t.start < generic_from or not t.text[:1].isupper():
            i += 1
            continue
        j = i + 1
        while j < n and (tokens[j].text[:1].isupper() or tokens[j].text in CONNECTORS) and joined(
            text, tokens[j - 1], tokens[j]
        ):
            j += 1
        b = j
        while b > i + 1 and tokens[b - 1].text in CONNECTORS:
            b -= 1
        a = i
        while a < b - 1 and tokens[a].text in _STARTERS:
            a += 1
        # the whole run and, when it has an "and", each side of it ("Food and Drug Administration" stays whole)
        parts = [(a, b)]
        ands = [k for k in range(a + 1, b - 1) if tokens[k].text == "and"]
        if ands:
            bounds = [a, *ands, b]
            parts += [(bounds[n] + (n > 0), bounds[n + 1]) for n in range(len(bounds) - 1)]
        for pa, pb in parts:
            while pa < pb - 1 and tokens[pa].text in _STARTERS:
                pa += 1
            if not (pb - pa <= MAX_RUN and tokens[pb - 1].text not in PLACE_HEADS and tokens[pa].text not in _STARTERS):
                continue
            for k in range(pa, pb):
                if tokens[k].text in CONNECTORS or k > pa and not _cut_point(tokens[k - 1].text):
                    continue
                s, e = tokens[k].start, tokens[pb - 1].end
                out.append(Candidate(k, pb, pa, pb, text[s:e], s, e))
        i = j
    return out


@lru_cache(maxsize=65536)
def _word_class(word: str) -> str:
    """A word inside a candidate, as a feature: closed-class words (organisation heads, connectors, titles, common
    words) by themselves, any other word by its shape and suffix only, so that the model learns what names look like
    rather than which names it saw."""
    if word in ORG_HEADS or word in CONNECTORS or word in TITLE_WORDS or word.lower() in COMMON_WORDS:
        return word.lower()
    if word in first_names():
        return "GIVEN"
    return f"{_shape(word)}~{word[-2:].lower()}"


_LED = re.compile(r"(?<![\w.])((?:[A-Z][\w.]*)(?: [A-Z][\w.]*)?)-led (?:(military|Arab|international|Western|NATO) )?"
                  r"(coalition|alliance|forces)\b")
_NAME = r"(?:[A-Z][\w'&.-]*|\d[\w-]*[A-Za-z][\w-]*)"  # a capitalised word ("PDeCAT", "Al-Shabaab", "1MDB")
_LOWER_HEAD = re.compile(r"(?<![\w.-])((?:" + _NAME + r" ){0,2}" + _NAME +
                         r") (group|network|family|coalition|militia|clan|tribe)\b")
# "<Name> party", "<Name> news agency": the name alone is the actor ("his ERC party", "the TASS news agency")
_NAMED_BY_HEAD = re.compile(r"(?<![\w.-])((?:" + _NAME + r" ){0,2}" + _NAME +
                            r") (party|news agency|newspaper|daily|broadcaster)\b")
# "<kind> <Name>": a lower-case noun of an organisation kind right before a name ("German newspaper Bild", "polling
# firm Gezici", "state nuclear company Rosatom")
_KIND_BEFORE = re.compile(r"\b(newspaper|daily|weekly|broadcaster|news agency|agency|firm|company|group|lender|bank|"
                          r"carrier|airline|operator|publisher|website|insurer|conglomerate|retailer|miner|watchdog|"
                          r"monitor|charity|outfit|party|movement|militia|rebel group|insurgent group|"
                          r"think tank|network|organisation|organization|association|union|channel) (" + _NAME +
                          r"(?: (?:" + _NAME + r"|of|for|and))*)(?=[\s,;:.)]|$)")
# "<place> police", "<region> government": the body of a city or region ("Copenhagen police", "Johor government")
_LOCAL_BODY = re.compile(r"(?<![\w.-])((?:" + _NAME + r" ){0,2}" + _NAME +
                         r")( state| State| regional| provincial)? (police|Police|government|Government)\b")
_REUTERS_STAFF = re.compile(r"\bReuters (?:journalists|reporters)\b")


def _plain_name(words: list[str], gazetteer=None) -> bool:
    """``words`` can be an organisation's name on their own: no country, title, common or function word, not a
    demonym-like adjective, not a person's given name first."""
    if not words or words[0] in NOT_NAMES_START or words[0] in first_names():
        return False
    if words[-1] in CONNECTORS:
        return False
    for w in words:
        if w in CONNECTORS:
            continue
        if w in _countries() or w in TITLE_WORDS or w.lower() in COMMON_WORDS or w in NOT_ACTORS or w in US_STATES:
            return False
    if gazetteer is not None and alias_key(" ".join(words)) in gazetteer.index:
        return False
    return True


def _known_actor(words: list[str], gazetteer) -> bool:
    """``words`` name a gazetteer actor ("Hezbollah" of "Hezbollah group", "ISIS" of "ISIS group")."""
    if gazetteer is None:
        return False
    surface = gazetteer.index.get(alias_key(" ".join(words)))
    return surface is not None and surface.kind in ("alias", "weak")


def pattern_spans(text: str, start: int = 0, gazetteer=None) -> dict[str, list[tuple[int, int]]]:
    """Names of generic forms wire copy gives collective actors: "<country>-led coalition" ("Saudi-led coalition");
    "<Name> group|network|family|coalition|militia|clan|tribe" ("Haqqani network", "Maute group") where the name is
    no country, title, common word or gazetteer actor; "<Name> party|news agency|newspaper" and "<kind> <Name>"
    ("his ERC party", "polling firm Gezici") as the name alone; "<place> police|government" ("Copenhagen police",
    "Johor government") where the place is no country; "Reuters" when its journalists are the story."""
    out: dict[str, list[tuple[int, int]]] = {}

    def add(name: str, s: int, e: int) -> None:
        out.setdefault(name, []).append((s, e))
    for m in _LED.finditer(text, start):
        lead = m.group(1).split()
        for k in range(len(lead)):
            if " ".join(lead[k:]) in _countries() or (gazetteer is not None and (
                    s := gazetteer.index.get(alias_key(" ".join(lead[k:])))) is not None and s.entry.type == "country"
                    and s.kind in ("alias", "adjective")):
                add(f"{' '.join(lead[k:])}-led {m.group(3)}", m.end(1) - len(" ".join(lead[k:])), m.end())
                break
    for m in _LOWER_HEAD.finditer(text, start):
        words = m.group(1).split()
        while words and words[0] in _STARTERS:
            words = words[1:]
        if not words or _crosses_full_stop(words) or words[0].endswith(("ist", "ish", "ian", "ese", "ic")) or any(w in _countries() or w in TITLE_WORDS or w.lower() in COMMON_WORDS or w in ORG_HEADS for w in words):
            continue
        cut = max((k + 1 for k, w in enumerate(words) if "-" in w and w.rsplit("-", 1)[1].islower()), default=0)
        words = words[cut:]  # "Pakistan-based Lashkar-e-Taiba group"
        if not words or _known_actor(words, gazetteer):
            continue  # "Hezbollah group" is Hezbollah
        if _sentence_start(text, m.start()) and len(words) == 1 and m.group(1) == words[0]:
            continue
        add(" ".join([*words, m.group(2)]), m.end(1) - len(" ".join(words)), m.end())
    for m in _NAMED_BY_HEAD.finditer(text, start):
        words = m.group(1).split()
        while words and words[0] in _STARTERS:
            words = words[1:]
        while words and (words[0] in _countries() or words[0] in TITLE_WORDS):
            words = words[1:]  # "Poland s ruling Law and Justice party" -> no; "Turkish Dogan news agency" -> Dogan
        if _crosses_full_stop(words):
            continue  # "told Fox News. In party-line votes"
        if len(words) > 1 and m.group(2) == "party" and words[-1] in ("Labour", "Labor", "Conservative", "Green",
                                                                      "Liberal", "Communist", "Socialist"):
            continue
        if words and _plain_name(words, gazetteer) and not _known_actor(words, gazetteer) and not (
                _sentence_start(text, m.start()) and len(words) == 1 and len(words[0]) <= 3):
            add(" ".join(words), m.end(1) - len(" ".join(words)), m.end(1))
    for m in _KIND_BEFORE.finditer(text, start):
        words = m.group(2).split()
        end = next((k for k, w in enumerate(words) if w.endswith(".") and not _DOTTED_CAPS.fullmatch(w)), None)
        if end is not None:  # "broadcaster RTE. I don t..." ends at the full stop
            words = [*words[:end], words[end].rstrip(".")]
        if "and" in words and not any(w in ORG_HEADS for w in words[words.index("and"):]):
            words = words[:words.index("and")]  # "company Apple and Google"
        while words and words[-1] in CONNECTORS:
            words = words[:-1]
        if len(words) > 4 or not words or words[0] in _STARTERS:
            continue
        nxt = text[m.end(2):m.end(2) + 3]
        if nxt.startswith(" s ") or nxt.startswith("'s"):
            continue  # "the group Trump s ..." is no name of the group
        if _plain_name(words, gazetteer) and not _known_actor(words, gazetteer):
            add(" ".join(words), m.start(2), m.start(2) + len(" ".join(words)))
    for m in _LOCAL_BODY.finditer(text, start):
        words = m.group(1).split()
        while words and words[0] in _STARTERS:
            words = words[1:]
        cut = max((k + 1 for k, w in enumerate(words) if w.endswith(("'", "’")) or "-" in w and w.rsplit("-", 1)[1].islower()),
                  default=0)
        if cut or _crosses_full_stop(words):
            continue  # "Hamas-led government", "Palestinians' government", "told Reuters. Three government"
        suffix = m.group(2) or ""
        if len(words) > 1 and words[-1] == "State" and not suffix:
            words, suffix = words[:-1], " State"  # "Kaduna State Government"
        if not words or len(words) == 1 and words[0].endswith(("al", "ary", "ive", "ist", "ic", "ed")):
            continue  # "Federal", "Provisional", "Interim"... government
        place = " ".join(words)
        body = m.group(3).lower()
        surface = gazetteer.index.get(alias_key(place)) if gazetteer is not None else None
        if surface is None and gazetteer is not None and len(words) == 1 and place.endswith("s"):
            surface = gazetteer.index.get((place[:-1],))  # "Nepals government": a possessive without apostrophe
            if surface is not None and surface.entry.type != "country":
                surface = None
        if surface is not None and surface.entry.type == "country" and surface.kind in ("alias", "adjective", "capital"):
            if body == "police" and surface.kind == "adjective" and not suffix:
                add(f"{place} police", m.end(1) - len(place), m.end())  # "Kenyan police": the force, beside the country
            continue  # "<country> government" is the country
        if surface is not None and surface.entry.type != "country":
            continue  # "Trump government", "Hamas government"
        if words[0] in first_names() and len(words) > 1 or words[0] in NOT_NAMES_START or any(
                w in TITLE_WORDS or w in ORG_HEADS or w.lower() in COMMON_WORDS for w in words):
            continue
        add(f"{place}{suffix} {m.group(3)}", m.end(1) - len(place) - (len(suffix) if not m.group(2) else 0), m.end())
    if (m := _REUTERS_STAFF.search(text, start)) is not None:
        add("Reuters", m.start(), m.start() + 7)
    return out


def pattern_names(text: str, start: int = 0, gazetteer=None) -> list[str]:
    """The names of :func:`pattern_spans`, in order."""
    return list(pattern_spans(text, start, gazetteer))


def _implausible(c: Candidate, toks: tuple[list[Token], Token | None]) -> bool:
    """Spans that are not a whole actor name, whatever their score: a two-letter acronym, a demonym plural
    ("Koreans"), a bare head ("Organisation"), a body without its country ("Interior Ministry": the rules decide
    those), a name cut before a particle ("Abdel Fatah" of "Abdel Fatah al-Sisi")."""
    words, nxt = toks
    last = words[-1].text
    if c.text in NOT_ACTORS or any(w.text in TITLE_WORDS for w in words[1:]):
        return True  # "London Mayor Sadiq Khan": the person is the part after the title
    if nxt is not None and nxt.start - words[-1].end <= 2 and (nxt.text in PLACE_NOUNS or nxt.text in PLACE_HEADS):
        return True
    if words[0].text in US_STATES and last in ("Republicans", "Democrats", "Republican", "Democrat"):
        return True  # "Texas Republicans": members of the US parties, which the rules handle
    if words[0].text in first_names() and any(w.text == "of" for w in words):
        return True  # "Chuck Schumer of New York": the person is the part before "of"
    if len(words) == 1 and len(last) > 5 and last.isupper():
        return True  # an ALL-CAPS word ("MINNEAPOLIS"), not an acronym
    if words[0].text in ("Mount", "Mt", "St", "Lake", "Cape", "Fort"):
        return True  # places
    if len(words) > 2 and words[0].text in _countries() and words[1].text in CONNECTORS:
        return True  # "Syria for Raqqa"
    if len(words) == 1 and last[:-1].isupper() and last.endswith("s"):
        return True  # "MPs"
    if len(words) == 1 and (len(last) <= 2 or last in ORG_HEADS or last.endswith(("ans", "ians", "ese", "ists"))):
        return True
    if last in BODY_HEADS:
        return True
    if nxt is not None and (nxt.text in NAME_PARTICLES or nxt.text.split("-")[0] in NAME_PARTICLES) and (
            nxt.start - words[-1].end == 1):
        return True
    return False


def _sentence_start(text: str, pos: int) -> bool:
    """Nothing but spaces before ``pos``, or they follow a sentence end, colon, line break or dash."""
    k = pos
    while k > 0 and text[k - 1] == " ":
        k -= 1
    return k == 0 or text[k - 1] in ".!?\n:-—–"


def features(text: str, tokens: list[Token], c: Candidate, counts: dict[str, int], headline_end: int) -> dict:
    """Sparse features of one candidate span."""
    toks = tokens[c.start : c.end]
    words = [t.text for t in toks]
    first, last = words[0], words[-1]
    n = len(words)
    f: dict[str, float] = {"bias": 1.0, f"n={min(n, 5)}": 1.0, f"last={_word_class(last)}": 1.0,
                           f"lastshape={_shape(last)}": 1.0, f"firstshape={_shape(first)}": 1.0}
    if n > 1:
        f[f"first={_word_class(first)}"] = 1.0
    else:
        f[f"only={_word_class(first)}"] = 1.0
    for w in words[1:-1]:
        f[f"mid={_word_class(w)}"] = 1.0
    names = first_names()
    f["head"] = float(last in ORG_HEADS)
    f["any_head"] = float(any(w in ORG_HEADS for w in words))
    f["given_first"] = float(first in names)
    f["title_first"] = float(first in TITLE_WORDS)
    f["common_first"] = float(first.lower() in COMMON_WORDS)
    f["common_last"] = float(last.lower() in COMMON_WORDS)
    f["connector"] = float(any(w in CONNECTORS for w in words))
    f["suffix"] = float(c.start > c.run_start)
    f[f"cut={min(3, c.start - c.run_start)}"] = 1.0
    if c.start > c.run_start:
        f[f"cutword={tokens[c.start - 1].text.lower()}"] = 1.0
    f[f"run_n={min(6, c.run_end - c.run_start)}"] = 1.0
    prev = tokens[c.run_start - 1].text if c.run_start > 0 else ""
    prev2 = tokens[c.run_start - 2].text if c.run_start > 1 else ""
    if _sentence_start(text, tokens[c.run_start].start):
        f["sent_start"] = 1.0
    elif prev:
        f[f"prev={prev.lower()}"] = 1.0
        f[f"prev2={prev2.lower()} {prev.lower()}"] = 1.0
    nxt = tokens[c.run_end].text if c.run_end < len(tokens) else ""
    if nxt:
        f[f"next={nxt.lower() if not nxt[:1].isupper() else 'CAP'}"] = 1.0
    after = text[c.char_end : c.char_end + 14]
    if _ACRONYM.match(after):
        f["paren_acronym"] = 1.0
    if after.startswith(" s ") or after.startswith("'s") or after.startswith("’s"):
        f["possessive"] = 1.0
    repeats = counts.get(c.text, 1)
    f[f"repeats={min(3, repeats)}"] = 1.0
    f["headline"] = float(c.char_start < headline_end)
    f["digit"] = float(any(ch.isdigit() for ch in c.text))
    if len(text) < SHORT_TEXT:  # a snippet or one sentence: what it names is what it is about
        for k in ("n=", "last=", "lastshape=", "only=", "next=", "sent_start", "suffix"):
            for key in [key for key in f if key.startswith(k)]:
                f[f"short&{key}"] = f[key]
        f["short"] = 1.0
    return f


@dataclass
class PhraseModel:
    """Two linear models over :func:`features`: actor-or-not (``weights``) and person-vs-organisation (``person``)."""

    weights: dict[str, float]
    person: dict[str, float]
    threshold: float = 0.5
    single_threshold: float = 0.8  # a one-word name that is not an acronym ("Fidesz") needs more evidence

    @staticmethod
    def _score(w: dict[str, float], f: dict[str, float]) -> float:
        import math

        z = sum(w.get(k, 0.0) * v for k, v in f.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def actor_score(self, f: dict[str, float]) -> float:
        return self._score(self.weights, f)

    def is_person(self, f: dict[str, float]) -> bool:
        return self._score(self.person, f) > 0.5

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "single_threshold": self.single_threshold, "weights": self.weights,
                "person": self.person}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhraseModel:
        return cls(dict(data["weights"]), dict(data["person"]), float(data.get("threshold", 0.5)),
                   float(data.get("single_threshold", 0.8)))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=0, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_model() -> PhraseModel | None:
    """The shipped phrase model, or None when the file is absent."""
    if not MODEL_FILE.is_file():
        return None
    return PhraseModel.from_dict(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def _counted_candidates(text: str, generic_from: int, tokens: list[Token]
                        ) -> tuple[list[Candidate], dict[str, int]]:
    """:func:`candidates` and how often each candidate's text occurs in ``text`` as a whole word sequence."""
    cands = candidates(text, tokens, generic_from)
    counts: dict[str, int] = {}
    for name in {c.text for c in cands}:
        counts[name] = len(occurrences(text, name))
    return cands, counts


def scored_candidates(text: str, generic_from: int = 0, headline_end: int = 0, tokens: list[Token] | None = None,
                      ) -> tuple[list[Token], list[Candidate], list[dict]]:
    tokens = tokenize(text) if tokens is None else tokens
    cands, counts = _counted_candidates(text, generic_from, tokens)
    return tokens, cands, [features(text, tokens, c, counts, headline_end) for c in cands]


def _open_candidates(text: str, result: ActorResult, generic_from: int, gazetteer, tokens: list[Token],
                     ) -> tuple[list[Candidate], dict[str, int]]:
    """The candidates of :func:`fresh_candidates` (without their features) and the repeat counts features need."""
    from foreign_desk.inference.wire import dateline_spans

    cands, counts = _counted_candidates(text, generic_from, tokens)
    existing = {(m.start, m.end) for a in result.actors for m in a.mentions}
    taken = {a.name for a in result.actors} | {m.text for a in result.actors for m in a.mentions}
    name_tokens = {tuple(a.name.split()[k:m]) for a in result.actors for k in range(len(a.name.split()))
                   for m in range(k + 1, len(a.name.split()) + 1)}
    blocked = dateline_spans(text)
    out = []
    for c in cands:
        if (c.char_start, c.char_end) in existing or c.text in taken or tuple(c.text.split()) in name_tokens or (
                c.text in NOT_ACTORS):
            continue
        if gazetteer is not None and alias_key(c.text) in gazetteer.index:
            continue
        if any(a < c.char_end and c.char_start < b for a, b in blocked):
            continue
        out.append(c)
    return out, counts


def fresh_candidates(text: str, result: ActorResult, generic_from: int = 0, headline_end: int = 0,
                     gazetteer=None, tokens: list[Token] | None = None) -> tuple[list[Candidate], list[dict]]:
    """The candidates the rules left open, with their features: not an extracted mention or actor name, no part of
    an extracted name ("Duterte" of "Rodrigo Duterte"), no gazetteer surface (the rules decided on those), not in a
    dateline ("(Reuters)")."""
    tokens = tokenize(text) if tokens is None else tokens
    cands, counts = _open_candidates(text, result, generic_from, gazetteer, tokens)
    return cands, [features(text, tokens, c, counts, headline_end) for c in cands]


def recognise(text: str, result: ActorResult, model: PhraseModel, generic_from: int = 0, headline_end: int = 0,
              gazetteer=None, tokens: list[Token] | None = None) -> ActorResult:
    """``result`` with the actors ``model`` recognises in ``text`` added (see the module docstring); ``tokens``:
    ``tokenize(text)`` when the caller has it."""
    tokens = tokenize(text) if tokens is None else tokens
    cands, counts = _open_candidates(text, result, generic_from, gazetteer, tokens)

    def tokens_of(c: Candidate) -> tuple[list[Token], Token | None]:
        return tokens[c.start : c.end], tokens[c.end] if c.end < len(tokens) else None

    existing = {(m.start, m.end) for a in result.actors for m in a.mentions}
    existing_index = _SpanIndex(existing)
    names = {a.name for a in result.actors}
    best: dict[tuple[int, int], tuple[float, Candidate, dict]] = {}
    for c in cands:
        if _implausible(c, tokens_of(c)) or (c.char_end == headline_end and text.endswith(": ", 0, c.char_start)):
            continue  # ... or a headline's credit ("...: Anadolu")
        f = features(text, tokens, c, counts, headline_end)  # only for the plausible candidates
        score = model.actor_score(f)
        key = (c.run_start, c.run_end)
        single = c.end - c.start == 1 and _shape(c.text) not in ("XX", "X.X.")
        if score >= (model.single_threshold if single else model.threshold) and (key not in best or score > best[key][0]):
            best[key] = (score, c, f)
    sent_starts = [s.start for s in result.sentences]

    def sentence_of(pos: int) -> int:
        return max(0, bisect.bisect_right(sent_starts, pos) - 1)

    new: dict[str, Actor] = {}
    spans: list[tuple[int, int]] = []
    chosen: list[tuple[float, Candidate, dict]] = []
    taken_spans: list[tuple[int, int]] = []  # the chosen spans, sorted and disjoint
    for item in sorted(best.values(), key=lambda x: -x[0]):  # overlapping choices: the higher score wins
        start, end = item[1].char_start, item[1].char_end
        k = bisect.bisect_left(taken_spans, (start, end))
        if (k > 0 and taken_spans[k - 1][1] > start) or (k < len(taken_spans) and taken_spans[k][0] < end):
            continue
        taken_spans.insert(k, (start, end))
        chosen.append(item)
    chosen.sort(key=lambda x: x[1].char_start)
    acronyms = {m.group(1) for _, c, _ in chosen if (m := _ACRONYM.match(text, c.char_end))}
    # the parenthesised acronym of a name the rules found ("Congressional Black Caucus (CBC)") is that actor
    acronyms |= {m.group(1) for a in result.actors for x in a.mentions if (m := _ACRONYM.match(text, x.end))}
    for _, c, f in chosen:
        single = c.end - c.start == 1
        if single and (c.text in acronyms or model.is_person(f)):
            continue  # the acronym of a recognised name; a lone surname or given name
        actor = new.get(c.text)
        if actor is None:
            actor = new[c.text] = Actor(c.text, "person" if model.is_person(f) else "organisation")
            for s, e in occurrences(text, c.text, generic_from):
                actor.mentions.append(Mention(s, e, text[s:e], sentence_of(s)))
            acr = _ACRONYM.match(text, c.char_end)
            if acr and acr.group(1) not in names:
                for s, e in occurrences(text, acr.group(1), generic_from, left="."):
                    actor.mentions.append(Mention(s, e, text[s:e], sentence_of(s)))
            actor.mentions = sorted(
                (m for m in actor.mentions if not any(
                    not (m.start <= s and e <= m.end and (s, e) != (m.start, m.end))
                    for s, e in existing_index.overlapping(m.start, m.end))),
                key=lambda m: m.start)
            spans.extend((m.start, m.end) for m in actor.mentions)  # once per actor, not once per chosen span
    datelines = None
    for name, found_at in pattern_spans(text, generic_from, gazetteer).items():
        if name in new or name in names or (gazetteer is not None and alias_key(name) in gazetteer.index):
            continue
        if datelines is None:
            from foreign_desk.inference.wire import dateline_spans

            datelines = dateline_spans(text)
        actor = new[name] = Actor(name, "organisation")
        at = set(occurrences(text, name, generic_from, left=".", lo=generic_from))
        for start, end in sorted(at | set(found_at)):
            if any(a < end and start < b for a, b in datelines):
                continue  # "(Reuters)"
            if not any(not (start <= s and e <= end) for s, e in existing_index.overlapping(start, end)):
                actor.mentions.append(Mention(start, end, text[start:end], sentence_of(start)))
        spans.extend((m.start, m.end) for m in actor.mentions)
    if not new:
        return result
    # rule matches of people and organisations strictly inside a recognised name are dropped ("Democrats" in "Free
    # Democrats"); a country stays ("Zimbabwe" in "Zimbabwe Electoral Commission")
    kept: list[Actor] = []
    span_index = _SpanIndex(spans)
    for a in result.actors:
        mentions = [m for m in a.mentions if a.type == "country" or not span_index.strictly_covers(m.start, m.end)]
        if mentions:
            a.mentions = mentions
            kept.append(a)
    actors = kept + [a for a in new.values() if a.mentions]
    actors.sort(key=lambda a: a.mentions[0].start)
    return ActorResult(result.sentences, actors)
