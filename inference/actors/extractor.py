"""``ActorExtractor``: gazetteer matching (longest match) plus recognition of titled and named people and
of organisations, surname linking and context rules, with mentions as character spans and sentence indices.

The headline, when given, is prefixed as in :attr:`inference.article.Article.full_text`
(``headline + "\\n\\n" + text``) and every offset refers to that string.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from inference.actors.context import georgia_is_us_state, is_place_use, word_in
from inference.actors.datelines import dateline_spans
from inference.actors.gazetteer import DATA_DIR, SHIPPED_FILES, Entry, Gazetteer, Surface, strip_article
from inference.actors.lexicon import (
    BODY_HEADS,
    COMMON_WORDS,
    CONNECTORS,
    FUNCTION_WORDS,
    NAME_PARTICLES,
    NICKNAMES,
    NOT_ACTORS,
    NOT_NAMES,
    NOT_SURNAMES,
    ORG_HEADS,
    SPEECH_VERBS,
    TITLE_CUES,
    TITLE_WORDS,
    US_STATES,
    first_names,
)
from inference.actors.model import Actor, ActorResult, Mention
from inference.actors.tokens import joined, tokenize
from inference.sentences import split_sentences

# Single-token names that are also given names or surnames: a first name before them makes them a person.
_NAME_LIKE = frozenset({"Jordan", "Chad", "Georgia", "Washington", "Israel", "Paris", "Victoria", "Kent", "Lincoln",
                        "Lebanon", "Charlotte", "Florence", "Austin", "Houston", "Jackson", "Pence", "Trump",
                        "England", "Chile", "India", "Jamaica", "Kenya", "Sudan"})
_STRONG_TITLES = frozenset({"Secretary", "Chairman", "Chairwoman", "Director", "Spokesman", "Spokeswoman", "President",
                            "Chief", "Commissioner", "Administrator", "Minister", "Leader", "Speaker", "Judge",
                            "Inspector", "Senator", "Governor", "Ambassador", "Representative", "Rep.", "Sen."})
_ARABIC_PARTICLE = re.compile(r"(?:al|el|ad|as|ash|at|bin|ibn|abu|abd|ben)-[A-Z]")
_CORPORATE = frozenset({"Corp", "Inc", "Co", "Ltd", "LLC", "Plc", "PLC", "Group", "Holdings", "SA", "AG", "NV"})
_EAST_ASIA = frozenset({"China", "Taiwan", "North Korea", "South Korea", "Vietnam", "Hong Kong", "Singapore",
                        "Cambodia", "Myanmar"})


@dataclass(slots=True)
class _Found:
    """A mention before grouping: token span and what it refers to."""

    i: int
    j: int
    name: str
    type: str
    affiliation: str | None = None
    role: str | None = None


class ActorExtractor:
    """Finds countries, people and organisations in wire-news text and normalises them to canonical names."""

    def __init__(self, gazetteer_files: Sequence[Path] | None = None, user_files: Sequence[Path] = ()) -> None:
        files = list(gazetteer_files) if gazetteer_files is not None else [DATA_DIR / f for f in SHIPPED_FILES]
        self.gazetteer = Gazetteer([*files, *user_files])
        self.all_first_names = first_names()
        self.first_names = frozenset(
            n for n in first_names() - TITLE_WORDS - US_STATES
            if n.lower() not in COMMON_WORDS and (n,) not in self.gazetteer.index)

    @classmethod
    def default(cls) -> ActorExtractor:
        """The extractor over the shipped gazetteer, built once per process."""
        return _default()

    def extract(self, text: str, headline: str = "") -> ActorResult:
        """Actors of ``headline + "\\n\\n" + text`` (or of ``text`` alone when there is no headline)."""
        full = f"{headline}\n\n{text}" if headline else text
        generic_from = len(headline) if headline and _title_cased(headline) else 0
        return _Document(self, full, generic_from).run()


def _is_title(word: str) -> bool:
    return word in TITLE_WORDS or word.rstrip(".") in TITLE_WORDS


def _title_cased(line: str) -> bool:
    """True for Headline Style Capitalisation, where capitals do not mark names."""
    words = [w for w in line.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.6


@lru_cache(maxsize=1)
def _default() -> ActorExtractor:
    return ActorExtractor()


class _Document:
    """Working state for one text."""

    def __init__(self, ex: ActorExtractor, text: str, generic_from: int = 0) -> None:
        self.ex = ex
        self.gaz = ex.gazetteer
        self.text = text
        self.sentences = split_sentences(text)
        self.sent_starts = [s.start for s in self.sentences]
        self.tokens = tokenize(text)
        self.tok_sent = [self._sentence_of(t.start) for t in self.tokens]
        blocked = dateline_spans(text)
        self.blocked = [any(a <= t.start < b for a, b in blocked) for t in self.tokens] if blocked else None
        self.owner: list[_Found | None] = [None] * len(self.tokens)  # gazetteer match covering each token
        self.found: list[_Found] = []
        self.generic_from = generic_from  # no name discovery before this offset (a title-cased headline)

    def _sentence_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, pos) - 1)

    def _same_name(self, a: int, b: int) -> bool:
        """Tokens a and b=a+1 are adjacent words of one name in one sentence."""
        return self.tok_sent[a] == self.tok_sent[b] and joined(self.text, self.tokens[a], self.tokens[b])

    # -- pipeline ------------------------------------------------------------------------------------------------
    def run(self) -> ActorResult:
        gaz_found = self._match_gazetteer()
        for f in gaz_found:
            for k in range(f.i, f.j):
                self.owner[k] = f
        self.found.extend(gaz_found)
        self._scan_runs()
        self._link_surnames()
        return self._result()

    # -- gazetteer -----------------------------------------------------------------------------------------------
    def _match_gazetteer(self) -> list[_Found]:
        toks, index, max_len = self.tokens, self.gaz.index, self.gaz.max_len
        out: list[_Found] = []
        n = len(toks)
        i = 0
        while i < n:
            hit = None
            if not (self.blocked and self.blocked[i]):
                hit = self._lookup(i, index, max_len, lambda t: t.text)
                word = toks[i].text
                if hit is None and len(word) > 2 and word.isupper() and word.isalpha():
                    hit = self._lookup(i, self.gaz.index_upper, self.gaz.max_len_upper, lambda t: t.text.upper())
                    if hit is not None and hit[1].kind == "capital":
                        hit = None  # an upper-case capital is a dateline-like place, not a metonym
                if hit is None and len(word) > 3 and word.endswith("s") and word[0].isupper():
                    surface = index.get((word[:-1],))  # "Indias" (possessive without apostrophe)
                    if surface and surface.kind == "alias" and surface.entry.type == "country":
                        hit = (1, surface)
            if hit is None:
                if "-" in toks[i].text and not (self.blocked and self.blocked[i]):
                    out.extend(self._hyphen_parts(i))
                i += 1
                continue
            size, surface = hit
            f = self._accept(i, i + size, surface)
            if f is not None:
                out.append(f)
            i += size
        return out

    def _lookup(self, i: int, index: dict, max_len: dict[str, int], key_of) -> tuple[int, Surface] | None:
        toks = self.tokens
        longest = max_len.get(key_of(toks[i]), 0)
        for size in range(min(longest, len(toks) - i), 0, -1):
            surface = index.get(tuple(key_of(t) for t in toks[i:i + size]))
            if surface and all(self._same_name(k, k + 1) for k in range(i, i + size - 1)):
                return size, surface
        return None

    def _hyphen_parts(self, i: int) -> list[_Found]:
        """Countries and people inside hyphenated words: "Saudi-led", "anti-Trump", "U.S.-China"."""
        tok = self.tokens[i]
        out = []
        pos = tok.start
        for part in tok.text.split("-"):
            surface = self.gaz.index.get((part,))
            if surface and surface.kind != "capital" and (surface.entry.type != "organisation" or part.isupper()):
                out.append(self._as_found(i, i + 1, surface.entry))
            pos += len(part) + 1
        return out

    def _accept(self, i: int, j: int, surface: Surface) -> _Found | None:
        """Apply context rules to a gazetteer match; None drops it."""
        entry, text, toks = surface.entry, self.text, self.tokens
        word = toks[i].text
        if surface.kind == "capital" and is_place_use(text, toks, i, j):
            return _Found(i, j, "", "ignore")  # a place: neither an actor nor part of a discovered name
        if surface.kind == "weak" and not any(word_in(w, text) for w in entry.context):
            return None
        if word == "Georgia" and j == i + 1 and entry.type == "country" and georgia_is_us_state(
                text, toks[i].start, toks[i].end):
            return _Found(i, j, "", "ignore")
        if entry.name == "Congress" and word in ("Senate", "House", "Assembly") and i > 0 and self._same_name(i - 1, i):
            prev = toks[i - 1].text
            before = self.gaz.index.get((prev,))
            if prev in US_STATES or (before is not None and before.entry.type == "country"
                                     and before.entry.name != "United States"):
                return None  # "Alabama Senate", "Philippine Senate": not the U.S. Congress
        if j == i + 1 and (word in _NAME_LIKE or entry.type == "person") and i > 0 and self._same_name(i - 1, i):
            k = i - 1
            while k > 0 and len(toks[k].text) == 1 and toks[k].text.isupper() and self._same_name(k - 1, k):
                k -= 1  # "Lynndie R. England"
            prev = toks[k].text
            if prev in self.ex.first_names and self.gaz.index.get((prev,)) is None:
                return None  # "Jim Jordan", "Eric Trump": left to name recognition
        if j == i + 1 and entry.type == "person" and word in self.ex.all_first_names and j < len(toks) and (
                self._same_name(i, j) and toks[j].text[:1].isupper() and toks[j].text not in NOT_NAMES
                and not _is_title(toks[j].text) and (toks[j].text,) not in self.gaz.index):
            return None  # "Sharon Bernstein": a given name, not Ariel Sharon
        found = self._as_found(i, j, entry)
        if entry.type == "person" and j < len(toks) and toks[j].text in ("administration", "government") and (
                self._same_name(j - 1, j)):
            country = self.gaz.get(entry.affiliation or "")
            if country is not None and country.type == "country":  # "Bush administration" -> also the country
                self.found.append(_Found(i, j + 1, country.name, "country"))
        return found

    @staticmethod
    def _as_found(i: int, j: int, entry: Entry) -> _Found:
        return _Found(i, j, entry.name, entry.type, entry.affiliation, entry.role)

    # -- capitalised runs ----------------------------------------------------------------------------------------
    def _scan_runs(self) -> None:
        toks = self.tokens
        n = len(toks)
        i = 0
        while i < n:
            if toks[i].start < self.generic_from:
                i += 1
                continue
            if not self._runnable(i) or toks[i].text in CONNECTORS and self.owner[i] is None:
                i += 1
                continue
            j = i + 1
            while j < n and self._runnable(j) and self._same_name(j - 1, j):
                j += 1
            while j > i + 1 and toks[j - 1].text in CONNECTORS and self.owner[j - 1] is None:
                j -= 1
            self._analyse_run(i, j)
            i = j

    def _runnable(self, k: int) -> bool:
        if self.blocked and self.blocked[k]:
            return False
        t = self.tokens[k].text
        return t[:1].isupper() or t in CONNECTORS or self.owner[k] is not None or _ARABIC_PARTICLE.match(t) is not None

    def _analyse_run(self, a: int, b: int) -> None:
        toks = self.tokens
        while a < b and toks[a].text.lower() in ("the", "a", "an") and self.owner[a] is None:
            a += 1
        if a >= b:
            return
        # split at "and" unless an organisation head follows it only ("Food and Drug Administration")
        parts, start = [], a
        for k in range(a, b):
            if toks[k].text == "and" and self.owner[k] is None:
                heads_before = any(self._is_head(m) for m in range(start, k))
                heads_after = any(self._is_head(m) for m in range(k + 1, b))
                if heads_before or not heads_after or self.owner[k - 1] is not None:
                    parts.append((start, k))
                    start = k + 1
        parts.append((start, b))
        for p, q in parts:
            if p < q:
                self._analyse_part(p, q)

    def _is_head(self, k: int) -> bool:
        return self.owner[k] is None and self.tokens[k].text in ORG_HEADS

    def _analyse_part(self, p: int, q: int) -> None:
        toks, owner = self.tokens, self.owner
        heads = [k for k in range(p, q) if self._is_head(k)]
        if heads:
            h = heads[-1]
            end = h + 1
            if end + 1 < q and toks[end].text in ("of", "for", "on") and toks[end + 1].text not in NOT_NAMES:
                end = q  # "Department of Homeland Security", stopping before a title: "... Secretary X"
                for k in range(h + 1, q):
                    if toks[k].text in _STRONG_TITLES and owner[k] is None:
                        end = k
                        break
            start = p
            # "Democrat on the Senate Rules Committee": the name starts after a connector before the first head
            for k in range(p, heads[0]):
                if toks[k].text in CONNECTORS and owner[k] is None and toks[k].text not in NAME_PARTICLES:
                    start = k + 1
            while start < h and toks[start].text in CONNECTORS:
                start += 1
            while start < h and owner[start] is not None and (owner[start].type == "person" or (
                    owner[start].type == "country" and self._surface_kind(owner[start]) == "alias")):
                start = owner[start].j  # "U.S. Federal Communications Commission" -> the commission + U.S.
            if start > p:
                self._people(p, start)
            self._organisation(start, end)
            if end < q:
                self._people(end, q)
            return
        last = owner[q - 1]
        if last is not None and last.type == "organisation" and toks[q - 1].text == "Party" and last.i > p:
            k = last.i  # "Alabama Republican Party"
            while k > p and owner[k - 1] is None and toks[k - 1].text[:1].isupper() and (
                    toks[k - 1].text not in NOT_NAMES and not _is_title(toks[k - 1].text)):
                k -= 1
            if k < last.i:
                self._add(_Found(k, q, self._span_text(k, q), "organisation"))
                if k > p:
                    self._people(p, k)
                return
        self._people(p, q)

    def _surface_kind(self, f: _Found) -> str | None:
        surface = self.gaz.index.get(tuple(t.text for t in self.tokens[f.i:f.j]))
        return surface.kind if surface else None

    def _organisation(self, i: int, j: int) -> None:
        toks = self.tokens
        free = [k for k in range(i, j) if self.owner[k] is None]
        if j - i < 2 or not free:
            return
        corporate = False
        while j - i > 1 and toks[j - 1].text.rstrip(".") in _CORPORATE and self.owner[j - 1] is None:
            j -= 1  # "Alphabet Inc" is Alphabet
            corporate = True
        first = self.owner[i]
        if first is not None and first.type == "organisation" and not any(k < j for k in free):
            return  # "ExxonMobil Corp" is ExxonMobil
        if toks[i].text in FUNCTION_WORDS and self.owner[i] is None:
            return
        if first is not None and first.type == "country" and toks[j - 1].text in BODY_HEADS:
            self._add(_Found(i, j, first.name, "country"))  # "Chinese Foreign Ministry" -> China
            return
        if toks[j - 1].text in BODY_HEADS or toks[j - 1].text in ("Ministry", "Department") and j - i == 1:
            return  # a ministry or "Foreign Ministry" without its country
        if j - i < 2 and not corporate:
            return
        name = self._span_text(i, j)
        if name in NOT_ACTORS:
            return
        entry = self.gaz.get(name)
        self._add(self._as_found(i, j, entry) if entry else _Found(i, j, name, "organisation"))

    def _people(self, p: int, q: int) -> None:
        """Person names among the free tokens of ``tokens[p:q]``."""
        owner = self.owner
        k = p
        while k < q:
            if owner[k] is not None:
                k += 1
                continue
            m = k
            while m < q and owner[m] is None:
                m += 1
            self._person_segment(k, m, p)
            k = m

    def _person_segment(self, i: int, j: int, run_start: int) -> None:
        toks = self.tokens
        # a lower-case connector other than a name particle ends a name: "Ahmed Chalabi on Wednesday"
        for k in range(i, j):
            if toks[k].text in CONNECTORS and toks[k].text not in NAME_PARTICLES:
                self._person_segment(i, k, run_start)
                if k + 1 < j:
                    self._person_segment(k + 1, j, k + 1)
                return
        titled = False
        s = i
        last_title = max((k for k in range(i, j - 1) if _is_title(toks[k].text)), default=None)
        if last_title is not None:  # "Iowa Gov. Tom Vilsack", "Defence Secretary Delfin Lorenzana"
            titled = True
            s = last_title + 1
        elif j - i >= 3 and toks[i].text not in self.ex.first_names:
            # "Refugees Ruud Lubbers": start at the first given name
            start = next((k for k in range(i + 1, j - 1) if toks[k].text in self.ex.first_names), None)
            if start is not None:
                s = start
        while j > s and toks[j - 1].text in CONNECTORS:
            j -= 1
        if s >= j:
            return
        name_toks = toks[s:j]
        if any(t.text[:1].isdigit() for t in name_toks) or name_toks[0].text in NOT_NAMES:
            return
        if not all(t.text[:1].isupper() or t.text in NAME_PARTICLES or _ARABIC_PARTICLE.match(t.text)
                   for t in name_toks):
            return
        if any(t.text in ORG_HEADS or _is_title(t.text) or t.text.lower() in COMMON_WORDS for t in name_toks[:-1]):
            return
        last = name_toks[-1].text
        if last.lower() in NOT_SURNAMES or _is_title(last) or last in NOT_NAMES or (len(last) > 2 and last.isupper()):
            return
        if name_toks[-1].text in US_STATES or self.text[name_toks[0].start:name_toks[-1].end] in NOT_ACTORS:
            return
        if len(name_toks) > 1 and all(t.text.isupper() for t in name_toks):
            return  # ALL-CAPS phrases are emphasis or headlines, not names
        if len(name_toks) == 1:
            if titled:
                self._add(_Found(s, j, "", "surname"))  # resolved by surname linking
            return
        if len(name_toks) > 5:
            return
        cue = titled or self._cue_before(run_start, i) or self._cue_after(j)
        if not cue and name_toks[0].text not in self.ex.first_names:
            return
        if name_toks[0].text in self.ex.first_names and not cue and len(name_toks) > 3:
            return
        name = " ".join(t.text for t in name_toks if not (len(t.text) == 1 and t.text.isupper())
                        or t is name_toks[0]) if len(name_toks) > 2 else self._span_text(s, j)
        if name_toks[-1].text in ("Jr", "Sr"):
            name += "."
        first, last = name_toks[0].text, strip_article(name_toks[-1].text)
        entry = self.gaz.person_by_ends.get((first, last)) or self.gaz.person_by_ends.get((NICKNAMES.get(first, ""), last))
        if entry is not None:
            self._add(self._as_found(s, j, entry))
            return
        affiliation, role = self._affiliation(run_start, i, s)
        self._add(_Found(s, j, name, "person", affiliation, role))

    def _cue_before(self, run_start: int, i: int) -> bool:
        if i > run_start:
            prev = self.owner[i - 1]
            return prev is not None and prev.type in ("country", "organisation")
        k = run_start - 1
        if k < 0 or self.tok_sent[k] != self.tok_sent[run_start]:
            return False
        return self.tokens[k].text.lower() in TITLE_CUES

    def _cue_after(self, j: int) -> bool:
        if j >= len(self.tokens):
            return False
        gap = self.text[self.tokens[j - 1].end:self.tokens[j].start]
        nxt = self.tokens[j].text
        return (gap == " " and nxt in SPEECH_VERBS) or (gap.strip() == "," and nxt in ("who", "a", "an", "the")) or (
            gap.strip() == "(" and len(nxt) <= 2 and nxt[:1] in "RDI")

    def _affiliation(self, run_start: int, i: int, s: int) -> tuple[str | None, str | None]:
        """Country from a preceding adjective/body ("Philippine Defence Secretary") and the title words as role."""
        sent = self.tok_sent[s]
        k = i - 1
        country = None
        limit = max(0, run_start - 6)
        while k >= limit and self.tok_sent[k] == sent:
            f = self.owner[k] or self._found_at(k)
            if f is not None and f.type == "country":
                country = f
                break
            if "," in self.text[self.tokens[k].end:self.tokens[k + 1].start]:
                break
            k -= 1
        role_start = self.tokens[country.j].start if country is not None and country.j <= s else None
        if role_start is None and s > i:
            role_start = self.tokens[i].start
        role = self.text[role_start:self.tokens[s].start].strip() if role_start is not None else ""
        return (country.name if country else None), (role or None)

    def _found_at(self, k: int) -> _Found | None:
        for f in reversed(self.found):
            if f.i <= k < f.j:
                return f
        return None

    def _add(self, f: _Found) -> None:
        self.found.append(f)

    def _span_text(self, i: int, j: int) -> str:
        text = self.text[self.tokens[i].start:self.tokens[j - 1].end]
        return text[:-1] if text.endswith(".") and not text.endswith("Jr.") and text.count(".") == 1 else text

    # -- surnames ------------------------------------------------------------------------------------------------
    def _link_surnames(self) -> None:
        surnames: dict[str, _Found] = {}
        for f in self.found:
            if f.type != "person" or f.j - f.i < 2:
                continue
            parts = [t.text for t in self.tokens[f.i:f.j] if t.text not in ("Jr", "Sr", "II", "III")]
            if len(parts) >= 2:
                surnames.setdefault(parts[-1], f)
                if f.affiliation in _EAST_ASIA:
                    surnames.setdefault(parts[0], f)
        if not surnames:
            self.found = [f for f in self.found if f.type != "surname"]
            return
        covered = [False] * len(self.tokens)
        keep = []
        for f in self.found:
            if f.type == "surname":
                target = surnames.get(self.tokens[f.i].text)
                if target is not None:
                    keep.append(_Found(f.i, f.j, target.name, "person", target.affiliation, target.role))
                continue
            if f.j == f.i + 1 and f.type != "person" and self.tokens[f.i].text in surnames and (
                    self.tokens[f.i].text in _NAME_LIKE) and self._person_reading(f):
                target = surnames[self.tokens[f.i].text]  # "Jordan said" after "Jim Jordan"
                keep.append(_Found(f.i, f.j, target.name, "person", target.affiliation, target.role))
                continue
            keep.append(f)
        for f in keep:
            for k in range(f.i, f.j):
                covered[k] = True
        for k, tok in enumerate(self.tokens):
            if covered[k] or tok.text not in surnames or (self.blocked and self.blocked[k]):
                continue
            if k > 0 and not covered[k - 1] and self.tokens[k - 1].text[:1].isupper() and self._same_name(k - 1, k):
                continue  # part of another, unrecognised name
            target = surnames[tok.text]
            keep.append(_Found(k, k + 1, target.name, "person", target.affiliation, target.role))
        self.found = keep

    def _person_reading(self, f: _Found) -> bool:
        """A surname that is also a country ("Jordan") reads as the person unless the country is otherwise in play."""
        k = f.i
        if k + 1 < len(self.tokens) and self.tokens[k + 1].text in SPEECH_VERBS and self._same_name(k, k + 1):
            return True
        if k > 0 and _is_title(self.tokens[k - 1].text):
            return True
        word = self.tokens[k].text
        return not any(g.name == f.name and self.tokens[g.i].text != word for g in self.found)

    # -- output --------------------------------------------------------------------------------------------------
    def _result(self) -> ActorResult:
        actors: dict[str, Actor] = {}
        seen: set[tuple[int, int, str]] = set()
        covering: dict[str, int] = {}  # actor name -> end token of its last mention, to drop nested repeats
        for f in sorted(self.found, key=lambda f: (self.tokens[f.i].start, -f.j)):
            if f.type in ("surname", "ignore") or not f.name:
                continue
            if covering.get(f.name, -1) >= f.j:
                continue
            covering[f.name] = f.j
            start, end = self.tokens[f.i].start, self.tokens[f.j - 1].end
            if end < len(self.text) and self.text[end] == "." and self.tokens[f.j - 1].text in ("Jr", "Sr"):
                end += 1
            if (start, end, f.name) in seen:
                continue
            seen.add((start, end, f.name))
            actor = actors.get(f.name)
            if actor is None:
                entry = self.gaz.get(f.name)
                if entry is not None:
                    actor = Actor(entry.name, entry.type, entry.affiliation, entry.role)
                else:
                    actor = Actor(f.name, f.type, f.affiliation, f.role)
                actors[f.name] = actor
            elif actor.affiliation is None and f.affiliation:
                actor.affiliation = f.affiliation
            if actor.role is None and f.role:
                actor.role = f.role
            actor.mentions.append(Mention(start, end, self.text[start:end], self._sentence_of(start)))
        return ActorResult(self.sentences, list(actors.values()))
