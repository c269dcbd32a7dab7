"""Recognition beyond the gazetteer: organisations and people in runs of capitalised words.

A mixin of the extractor's per-text state (``_Document``): it reads the tokens, the gazetteer matches that own them
(``owner``) and adds :class:`Found` records for new organisations ("Senate Appropriations Committee"), titled or
named people ("Philippine Trade Secretary Ramon Dalisay") and surname candidates ("Senator Colburn").
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING

from foreign_desk.inference.actors.found import Found, is_title
from foreign_desk.inference.actors.gazetteer import strip_article
from foreign_desk.inference.actors.lexicon import (
    ARABIC_PARTICLE,
    BODY_HEADS,
    BODY_WORDS,
    COMMON_WORDS,
    CONNECTORS,
    CORPORATE,
    FUNCTION_WORDS,
    GENERIC_BODY,
    NAME_PARTICLES,
    NICKNAMES,
    NOT_ACTORS,
    NOT_NAMES,
    NOT_SURNAMES,
    ORG_HEADS,
    SPEECH_VERBS,
    STRONG_TITLES,
    TITLE_CUES,
    US_STATES,
)

if TYPE_CHECKING:
    from foreign_desk.inference.actors.extractor import ActorExtractor
    from foreign_desk.inference.actors.gazetteer import Entry, Gazetteer
    from foreign_desk.inference.actors.tokens import Token


@lru_cache(maxsize=4096)
def _similar_given_name(a: str, b: str) -> bool:
    return a != b and a[:1] == b[:1] and SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.8


class NameRecognition:
    """Organisation and person recognition over capitalised runs (mixed into the per-text state)."""

    text: str
    tokens: list[Token]
    tok_sent: list[int]
    owner: list[Found | None]
    found: list[Found]
    blocked: list[bool] | None
    generic_from: int
    gaz: Gazetteer
    ex: ActorExtractor

    def _same_name(self, a: int, b: int) -> bool:
        raise NotImplementedError

    @staticmethod
    def _as_found(i: int, j: int, entry: Entry) -> Found:
        return Found(i, j, entry.name, entry.type, entry.affiliation, entry.role)

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
        return t[:1].isupper() or t in CONNECTORS or self.owner[k] is not None or ARABIC_PARTICLE.match(t) is not None

    def _analyse_run(self, a: int, b: int) -> None:
        toks = self.tokens
        while a < b and toks[a].text.lower() in ("the", "a", "an") and self.owner[a] is None:
            a += 1
        if a >= b:
            return
        # split at "and" unless an organisation head follows it only ("Food and Drug Administration")
        parts, start = [], a
        # heads[m - a]: organisation heads among tokens a .. m - 1 (prefix counts: linear in the run's length)
        heads = [0]
        for m in range(a, b):
            heads.append(heads[-1] + self._is_head(m))
        for k in range(a, b):
            if toks[k].text == "and" and self.owner[k] is None:
                heads_before = heads[k - a] > heads[start - a]
                heads_after = heads[b - a] > heads[k + 1 - a]
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
                    if toks[k].text in STRONG_TITLES and owner[k] is None or (
                            toks[k].text in CONNECTORS and k + 1 < q and toks[k + 1].text in NOT_NAMES):
                        end = k  # "... Secretary X", "... on Nov"
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
                    toks[k - 1].text not in NOT_NAMES and not is_title(toks[k - 1].text)):
                k -= 1
            if k < last.i:
                self._add(Found(k, q, self._span_text(k, q), "organisation"))
                if k > p:
                    self._people(p, k)
                return
        self._people(p, q)

    def _surface_kind(self, f: Found) -> str | None:
        surface = self.gaz.index.get(tuple(t.text for t in self.tokens[f.i:f.j]))
        return surface.kind if surface else None

    def _organisation(self, i: int, j: int) -> None:
        toks = self.tokens
        free = [k for k in range(i, j) if self.owner[k] is None]
        if j - i < 2 or not free:
            return
        corporate = False
        while j - i > 1 and toks[j - 1].text.rstrip(".") in CORPORATE and self.owner[j - 1] is None:
            j -= 1  # "Alphabet Inc" is Alphabet
            corporate = True
        if toks[i].text.rstrip(".") in CORPORATE and j - i == 1:
            return  # a bare "Co" or "Inc"
        tail = self.owner[j - 1]
        if j - i > 2 and tail is not None and tail.type == "country" and self._surface_kind(tail) == "adjective":
            j = tail.i  # "Administrative Centre of the Russian [branch]": the adjective belongs to what follows
            while j - i > 1 and toks[j - 1].text in CONNECTORS:
                j -= 1
        first = self.owner[i]
        if first is not None and first.type == "organisation" and not any(k < j for k in free):
            return  # "ExxonMobil Corp" is ExxonMobil
        if toks[i].text in FUNCTION_WORDS and self.owner[i] is None:
            return
        own_name = toks[j - 1].text in BODY_HEADS and self._named_body(i, j)
        if first is not None and first.type == "country" and toks[j - 1].text in BODY_HEADS and not own_name:
            self._add(Found(i, j, first.name, "country"))  # "Chinese Foreign Ministry" -> China
            return
        if (toks[j - 1].text in BODY_HEADS and not own_name) or toks[j - 1].text in ("Ministry", "Department") and (
                j - i == 1):
            return  # a ministry or "Foreign Ministry" without its country
        if j - i < 2 and not corporate:
            return
        name = self._span_text(i, j)
        if name in NOT_ACTORS:
            return
        entry = self.gaz.get(name)
        self._add(self._as_found(i, j, entry) if entry else Found(i, j, name, "organisation"))

    def _named_body(self, i: int, j: int) -> bool:
        """An army, force or office with a name of its own ("Arakan Rohingya Salvation Army", "Special Deterrence
        Force", "National Audit Office"), not a state body ("Chinese Foreign Ministry", "Afghan National Army"): a
        free word before the head that is no body, generic or title word."""
        toks = self.tokens
        if toks[j - 1].text in ("Ministry", "Ministries", "Government", "Embassy", "Consulate", "Cabinet"):
            return False
        return any(self.owner[k] is None and toks[k].text not in BODY_WORDS and toks[k].text not in GENERIC_BODY
                   and toks[k].text not in CONNECTORS and not is_title(toks[k].text) and toks[k].text not in US_STATES
                   for k in range(i, j - 1))

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
        last_title = max((k for k in range(i, j - 1) if is_title(toks[k].text)), default=None)
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
        if not all(t.text[:1].isupper() or t.text in NAME_PARTICLES or ARABIC_PARTICLE.match(t.text)
                   for t in name_toks):
            return
        if any(t.text in ORG_HEADS or is_title(t.text) or t.text.lower() in COMMON_WORDS for t in name_toks[:-1]):
            return
        last = name_toks[-1].text
        if last.lower() in NOT_SURNAMES or is_title(last) or last in NOT_NAMES or (len(last) > 2 and last.isupper()):
            return
        if name_toks[-1].text in US_STATES or self.text[name_toks[0].start:name_toks[-1].end] in NOT_ACTORS:
            return
        if len(name_toks) > 1 and all(t.text.isupper() for t in name_toks):
            return  # ALL-CAPS phrases are emphasis or headlines, not names
        if len(name_toks) == 1:
            if titled:
                self._add(Found(s, j, "", "surname"))  # resolved by surname linking
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
        entry = self.gaz.person_by_ends.get((first, last)) or self.gaz.person_by_ends.get((NICKNAMES.get(first, ""), last)) or (
            self._misspelt_person(first, last))
        if entry is not None:
            self._add(self._as_found(s, j, entry))
            return
        affiliation, role = self._affiliation(run_start, i, s)
        self._add(Found(s, j, name, "person", affiliation, role))

    def _misspelt_person(self, first: str, last: str) -> Entry | None:
        """The one gazetteer person of surname ``last`` whose given name is ``first`` give or take a typo or a
        transliteration ("Benjamim Netanyahu"): similarity ratio at least 0.8 and the same initial."""
        if len(first) < 4:
            return None
        close = [e for e in self.gaz.person_by_last.get(last, ()) if _similar_given_name(first, e.name.split()[0])]
        return close[0] if len(close) == 1 else None

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

    def _found_at(self, k: int) -> Found | None:
        """The last-added found actor covering token ``k``: an index kept up to date as ``found`` grows (a scan of
        the whole list per call was quadratic on long runs of names)."""
        cached = getattr(self, "_found_index", None)
        if cached is None or cached[0] is not self.found or cached[1] > len(self.found):
            cached = (self.found, 0, {})
        found, seen, index = cached
        for f in found[seen:]:
            for t in range(f.i, f.j):
                index[t] = f
        self._found_index = (found, len(found), index)
        return index.get(k)

    def _add(self, f: Found) -> None:
        self.found.append(f)

    def _span_text(self, i: int, j: int) -> str:
        text = self.text[self.tokens[i].start:self.tokens[j - 1].end]
        return text[:-1] if text.endswith(".") and not text.endswith("Jr.") and text.count(".") == 1 else text

