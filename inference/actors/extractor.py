"""``ActorExtractor``: gazetteer matching (longest match) plus recognition of titled and named people and
of organisations, surname linking and context rules, with mentions as character spans and sentence indices.

The headline, when given, is prefixed as in :attr:`foreign_desk.inference.article.Article.full_text`
(``headline + "\\n\\n" + text``) and every offset refers to that string.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from foreign_desk.inference.actors.context import georgia_is_us_state, is_place_use, word_in
from foreign_desk.inference.actors.coref import link_pronouns
from foreign_desk.inference.actors.found import Found, is_title
from foreign_desk.inference.actors.gazetteer import DATA_DIR, SHIPPED_FILES, Gazetteer, Surface
from foreign_desk.inference.actors.lexicon import (
    COMMON_WORDS,
    EAST_ASIA,
    NAME_LIKE,
    NOT_NAMES,
    ORG_HEADS,
    PERSON_TITLES,
    SPEECH_VERBS,
    TITLE_WORDS,
    US_STATES,
    first_names,
)
from foreign_desk.inference.actors.model import Actor, ActorResult, Mention
from foreign_desk.inference.actors.phrases import SHORT_TEXT, PhraseModel, recognise, shipped_model
from foreign_desk.inference.actors.recognise import NameRecognition
from foreign_desk.inference.actors.tokens import Token, joined, tokenize
from foreign_desk.inference.sentences import Sentence, split_sentences
from foreign_desk.inference.wire import dateline_spans

# words after a lone name or acronym that make it the subject of its sentence ("Syms has pushed", "UNITA had claimed")
_AUXILIARIES = frozenset("has had have is was were will would can could should must".split())
# endings of group nouns and demonyms, not of a person's name ("Londoners said", "Maoists said")
_GROUP_SUFFIXES = ("ians", "ans", "ers", "ists", "ites", "ies", "ese", "ants", "ents")
_PLACE_PREPOSITIONS = frozenset("of in from at to for on near into across".split())
# ALL-CAPS words that are no actors: measures, diseases, currencies, times, documents
_NOT_ACTOR_ACRONYMS = frozenset("""COVID SARS MERS HIV AIDS GDP CEO CFO COO CTO NGO NGOs USD EUR GBP GMT EST UTC PST
TV DNA IPO LNG LPG VAT CCTV IED IEDs RPG UAV WMD ICBM SUV MRI ISBN FAQ VIP PPE LGBT LGBTQ IDP IDPs THE AND""".split())


def _sentence_initial(text: str, pos: int) -> bool:
    """Only spaces and quotes between ``pos`` and the text's start, a sentence end, a colon or semicolon, a dash or
    a line break."""
    k = pos
    while k > 0 and text[k - 1] in " \"'“‘":
        k -= 1
    return k == 0 or text[k - 1] in ".!?\n:;-—–"


class ActorExtractor:
    """Finds countries, people and organisations in wire-news text and normalises them to canonical names."""

    def __init__(self, gazetteer_files: Sequence[Path] | None = None, user_files: Sequence[Path] = ()) -> None:
        files = list(gazetteer_files) if gazetteer_files is not None else [DATA_DIR / f for f in SHIPPED_FILES]
        self.gazetteer = Gazetteer([*files, *user_files])
        self.all_first_names = first_names()
        self.first_names = frozenset(
            n for n in first_names() - TITLE_WORDS - US_STATES
            if n.lower() not in COMMON_WORDS and (n,) not in self.gazetteer.index)
        # the statistical recogniser of names outside the gazetteer (None: rules only)
        self.phrases: PhraseModel | None = shipped_model()
        self.pronouns = False  # True: "he"/"she" linked to the one person named just before (see .coref); off:
        # measured neutral for article-level stance (2-fold CV macro-F1 0.570 -> 0.572)

    @classmethod
    def default(cls) -> ActorExtractor:
        """The extractor over the shipped gazetteer, built once per process."""
        return _default()

    def extract(self, text: str, headline: str = "") -> ActorResult:
        """Actors of ``headline + "\\n\\n" + text`` (or of ``text`` alone when there is no headline)."""
        original = f"{headline}\n\n{text}" if headline else text
        full = fold_accents(original)  # "Erdoğan", "Pérez Molina": matched and named as "Erdogan", "Perez Molina"
        generic_from = len(headline) if headline and _title_cased(headline) else 0
        doc = _Document(self, full, generic_from)
        result = doc.run()
        if self.phrases is not None:
            result = recognise(full, result, self.phrases, generic_from, len(headline) if headline else 0, self.gazetteer,
                               doc.tokens)
        if self.pronouns:
            result = link_pronouns(full, result)
        if full is not original:  # same offsets: mentions and sentences quote the text as given
            result = _requote(original, result)
        return result


_FOLD_EXTRA = str.maketrans("øØłŁđĐıħ", "oOlLdDih")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if len(base) == 1 and base.isascii() and base.isalpha():
        return base
    return ch.translate(_FOLD_EXTRA)


class _FoldTable(dict):
    """``str.translate`` table of :func:`_fold_char`, filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = self[code] = _fold_char(ch) if code > 127 else ch
        return folded


_FOLD_TABLE = _FoldTable()


def fold_accents(text: str) -> str:
    """``text`` with accented Latin letters replaced by their base letter, one character for one (offsets are
    kept): "Erdoğan" -> "Erdogan". ``text`` itself when it is ASCII."""
    if text.isascii():
        return text
    return text.translate(_FOLD_TABLE)


def _requote(original: str, result: ActorResult) -> ActorResult:
    sentences = [Sentence(s.index, s.start, s.end, original[s.start:s.end]) for s in result.sentences]
    for actor in result.actors:
        actor.mentions = [Mention(m.start, m.end, original[m.start:m.end], m.sentence) for m in actor.mentions]
    return ActorResult(sentences, result.actors)


def _text(token: Token) -> str:
    return token.text


def _title_cased(line: str) -> bool:
    """True for Headline Style Capitalisation, where capitals do not mark names."""
    words = [w for w in line.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.6


@lru_cache(maxsize=1)
def _default() -> ActorExtractor:
    return ActorExtractor()


class _Document(NameRecognition):
    """Working state for one text."""

    def __init__(self, ex: ActorExtractor, text: str, generic_from: int = 0) -> None:
        self.ex = ex
        self.gaz = ex.gazetteer
        self.text = text
        self.sentences = split_sentences(text)
        self.sent_starts = [s.start for s in self.sentences]
        self.tokens = tokenize(text)
        self.tok_sent = self._token_sentences()
        blocked = dateline_spans(text)
        self.blocked = self._blocked_tokens(blocked) if blocked else None
        self.owner: list[Found | None] = [None] * len(self.tokens)  # gazetteer match covering each token
        self.found: list[Found] = []
        self.secondary: list[Found] = []  # parents ("part_of") and "<leader> administration" countries
        self.generic_from = generic_from  # no name discovery before this offset (a title-cased headline)

    def _blocked_tokens(self, spans: list[tuple[int, int]]) -> list[bool]:
        """Whether each token starts inside one of ``spans`` (datelines), by bisection over the token starts."""
        starts = [t.start for t in self.tokens]
        out = [False] * len(starts)
        for a, b in spans:
            for k in range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)):
                out[k] = True
        return out

    def _token_sentences(self) -> list[int]:
        """Sentence index of every token, in one pass."""
        out = []
        starts = self.sent_starts
        k, n = 0, len(starts)
        for t in self.tokens:
            while k + 1 < n and starts[k + 1] <= t.start:
                k += 1
            out.append(k)
        return out

    def _sentence_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, pos) - 1)

    def _possessive_gap(self, a: int) -> bool:
        """"People's" + "Army": a possessive inside a gazetteer name ("New People's Army")."""
        return self.text[self.tokens[a].end:self.tokens[a + 1].start] in ("'s ", "’s ")

    def _same_name(self, a: int, b: int) -> bool:
        """Tokens a and b=a+1 are adjacent words of one name in one sentence."""
        return self.tok_sent[a] == self.tok_sent[b] and joined(self.text, self.tokens[a], self.tokens[b])

    # -- pipeline ------------------------------------------------------------------------------------------------
    def run(self) -> ActorResult:
        gaz_found = self._of_country(self._match_gazetteer())
        for f in gaz_found:
            for k in range(f.i, f.j):
                self.owner[k] = f
        self.found.extend(gaz_found)
        self.found.extend(self.secondary)  # after the matches, so that ties in position list the match first
        self._scan_runs()
        self._link_surnames()
        self._lone_agents()
        return self._result()

    # -- gazetteer -----------------------------------------------------------------------------------------------
    def _match_gazetteer(self) -> list[Found]:
        toks, index, max_len = self.tokens, self.gaz.index, self.gaz.max_len
        out: list[Found] = []
        n = len(toks)
        i = 0
        while i < n:
            hit = None
            word = toks[i].text
            if not (self.blocked and self.blocked[i]) and (word[:1].isupper() or word in max_len):
                hit = self._lookup(i, index, max_len, _text) if word in max_len else None
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

    def _lookup(self, i: int, index: dict, max_len: dict[str, int], key_of: Callable[[Token], str],
                ) -> tuple[int, Surface] | None:
        toks = self.tokens
        longest = max_len.get(key_of(toks[i]), 0)
        for size in range(min(longest, len(toks) - i), 0, -1):
            surface = index.get(tuple(key_of(t) for t in toks[i:i + size]))
            if surface and all(self._same_name(k, k + 1) or self._possessive_gap(k) for k in range(i, i + size - 1)):
                return size, surface
        return None

    def _of_country(self, found: list[Found]) -> list[Found]:
        """"Supreme Court" + "of Ukraine" is Ukraine's court, not the U.S. Supreme Court: one organisation."""
        toks = self.tokens
        by_start = {f.i: f for f in found}
        out: list[Found] = []
        skip: set[int] = set()
        for f in found:
            if id(f) in skip:
                continue
            nxt = by_start.get(f.j + 1)
            if (f.type == "organisation" and toks[f.j - 1].text in ORG_HEADS and f.j < len(toks)
                    and toks[f.j].text == "of" and nxt is not None and nxt.type == "country"
                    and self._same_name(f.j - 1, f.j) and self._same_name(f.j, f.j + 1)):
                out.append(Found(f.i, nxt.j, self._span_text(f.i, nxt.j), "organisation"))
                out.append(nxt)
                skip.add(id(nxt))
                continue
            out.append(f)
        return out

    def _hyphen_parts(self, i: int) -> list[Found]:
        """Countries and people inside hyphenated words: "Saudi-led", "anti-Trump", "U.S.-China"."""
        tok = self.tokens[i]
        out = []
        pos = tok.start
        for part in tok.text.split("-"):
            surface = self.gaz.index.get((part,))
            others_lower = all(p[:1].islower() for p in tok.text.split("-") if p != part)
            if surface and surface.kind != "capital" and (surface.entry.type != "organisation" or part.isupper() or (
                    others_lower and len(part) > 3)):  # "pro-Taliban", "Hamas-led", "Taliban-claimed"
                found = self._as_found(i, i + 1, surface.entry)
                found.span = (pos, pos + len(part))
                out.append(found)
            pos += len(part) + 1
        return out

    def _accept(self, i: int, j: int, surface: Surface) -> Found | None:
        """Apply context rules to a gazetteer match; None drops it."""
        entry, text, toks = surface.entry, self.text, self.tokens
        word = toks[i].text
        if surface.kind == "place":
            return Found(i, j, "", "ignore")
        if surface.kind == "capital" and is_place_use(text, toks, i, j):
            return Found(i, j, "", "ignore")  # a place: neither an actor nor part of a discovered name
        if surface.kind == "weak" and not any(word_in(w, text) for w in entry.context):
            return None
        if word == "Georgia" and j == i + 1 and entry.type == "country" and georgia_is_us_state(
                text, toks[i].start, toks[i].end):
            return Found(i, j, "", "ignore")
        if entry.name == "Congress" and word in ("Senate", "House", "Assembly") and i > 0 and self._same_name(i - 1, i):
            prev = toks[i - 1].text
            before = self.gaz.index.get((prev,))
            if prev in US_STATES or (before is not None and before.entry.type == "country"
                                     and before.entry.name != "United States"):
                return None  # "Alabama Senate", "Philippine Senate": not the U.S. Congress
        if j == i + 1 and (word in NAME_LIKE or entry.type == "person") and i > 0 and self._same_name(i - 1, i):
            k = i - 1
            while k > 0 and len(toks[k].text) == 1 and toks[k].text.isupper() and self._same_name(k - 1, k):
                k -= 1  # "Lynndie R. England"
            prev = toks[k].text
            if prev in self.ex.first_names and self.gaz.index.get((prev,)) is None:
                return None  # "Jim Jordan", "Eric Trump": left to name recognition
        if j == i + 1 and entry.type == "person" and word in self.ex.all_first_names and j < len(toks) and (
                toks[i].start >= self.generic_from) and (
                self._same_name(i, j) and toks[j].text[:1].isupper() and toks[j].text not in NOT_NAMES
                and not is_title(toks[j].text) and (toks[j].text,) not in self.gaz.index):
            return None  # "Sharon Bernstein": a given name, not Ariel Sharon
        found = self._as_found(i, j, entry)
        found.weak = surface.kind == "weak"
        parent = self.gaz.get(entry.part_of) if entry.part_of else None
        if parent is not None:  # "U.N. Security Council" is also the United Nations
            self.secondary.append(Found(i, j, parent.name, parent.type, parent.affiliation, parent.role))
        if entry.type == "person" and j < len(toks) and toks[j].text in ("administration", "government", "regime") and (
                self._same_name(j - 1, j) or self._possessive_gap(j - 1)):
            country = self.gaz.get(entry.affiliation or "")
            if country is not None and country.type == "country":  # "Bush administration" -> also the country
                self.secondary.append(Found(i, j + 1, country.name, "country"))
        return found

    # -- surnames ------------------------------------------------------------------------------------------------
    def _link_surnames(self) -> None:
        surnames: dict[str, Found] = {}
        for f in self.found:
            if f.type != "person" or f.j - f.i < 2:
                continue
            parts = [t.text for t in self.tokens[f.i:f.j] if t.text not in ("Jr", "Sr", "II", "III")]
            if len(parts) >= 2:
                surnames.setdefault(parts[-1], f)
                if f.affiliation in EAST_ASIA:
                    surnames.setdefault(parts[0], f)
        if not surnames:
            self.found = [g for f in self.found if (g := self._titled_surname(f) if f.type == "surname" else f)]
            return
        covered = [False] * len(self.tokens)
        keep = []
        for f in self.found:
            if f.type == "surname":
                target = surnames.get(self.tokens[f.i].text)
                if target is not None:
                    keep.append(Found(f.i, f.j, target.name, "person", target.affiliation, target.role))
                elif (alone := self._titled_surname(f)) is not None:
                    keep.append(alone)
                continue
            if f.weak and f.type == "person" and self.tokens[f.i].text in surnames and (
                    surnames[self.tokens[f.i].text].name != f.name):
                target = surnames[self.tokens[f.i].text]  # "Sessions" after "Pete Sessions" is not Jeff Sessions
                keep.append(Found(f.i, f.j, target.name, "person", target.affiliation, target.role))
                continue
            if f.j == f.i + 1 and f.type != "person" and self.tokens[f.i].text in surnames and (
                    self.tokens[f.i].text in NAME_LIKE) and self._person_reading(f):
                target = surnames[self.tokens[f.i].text]  # "Jordan said" after "Jim Jordan"
                keep.append(Found(f.i, f.j, target.name, "person", target.affiliation, target.role))
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
            keep.append(Found(k, k + 1, target.name, "person", target.affiliation, target.role))
        self.found = keep

    # -- lone agents ---------------------------------------------------------------------------------------------
    def _lone_agents(self) -> None:
        """In a short text (one sentence or a snippet, where nobody is introduced by full name), a lone word acting
        in its sentence that nothing else explains: an ALL-CAPS acronym before a speech verb or auxiliary ("UNITA had
        claimed"); a name there that is the surname of exactly one gazetteer person ("Bolton would"), that person;
        another name after the sentence start right before a speech verb or closing "..., said X." ("Roberts said"),
        a person of that name. Not after a preposition ("the town of Falluja said")."""
        toks, text = self.tokens, self.text
        covered = [False] * len(toks)
        for f in self.found:
            for k in range(f.i, f.j):
                covered[k] = True
        short = len(text) < SHORT_TEXT
        for k, tok in enumerate(toks):
            word = tok.text
            if covered[k] or tok.start < self.generic_from or (self.blocked and self.blocked[k]) or not (
                    word[:1].isupper() and len(word) >= 3):
                continue
            if k > 0 and toks[k - 1].text[:1].isupper() and self._same_name(k - 1, k) or (
                    k + 1 < len(toks) and toks[k + 1].text[:1].isupper() and self._same_name(k, k + 1)):
                continue  # part of a longer capitalised run, which name recognition decided on
            cue = self._agent_cue(k)
            if cue is None:
                continue
            if word.isupper():
                if short and self._lone_acronym(k):
                    self.found.append(Found(k, k + 1, word, "organisation"))
                continue
            if not self._lone_name(word):
                continue
            if not short or k > 0 and toks[k - 1].text in _PLACE_PREPOSITIONS:
                continue  # "the town of Falluja said": a place
            people = self.gaz.person_by_last.get(word, ())
            if len(people) == 1:
                self.found.append(self._as_found(k, k + 1, people[0]))
            elif not people and cue == "speech" and not _sentence_initial(text, tok.start) and not (
                    word.endswith(_GROUP_SUFFIXES)):
                self.found.append(Found(k, k + 1, word, "person"))

    def _agent_cue(self, k: int) -> str | None:
        """How token ``k`` acts: "speech" (a speech verb follows, or it closes "..., said X."), "aux" (an
        auxiliary follows: "UNITA had claimed"), else None."""
        toks, text = self.tokens, self.text
        tok = toks[k]
        if k + 1 < len(toks):
            gap, nxt = text[tok.end:toks[k + 1].start], toks[k + 1].text
            if gap == " " and nxt in SPEECH_VERBS:
                return "speech"
            if gap == " " and nxt in _AUXILIARIES:
                return "aux"
        if k > 0 and toks[k - 1].text in ("said", "says") and text[toks[k - 1].end:tok.start] == " " and (
                text[tok.end:tok.end + 1] in ("", ".", ",")):
            return "speech"
        return None

    def _lone_name(self, word: str) -> bool:
        """``word`` can be a person's name on its own: a capitalised word with lower-case letters that is no
        gazetteer surface, title, organisation head, common or function word, state or month."""
        return not (word in NOT_NAMES or word in US_STATES or is_title(word) or word in ORG_HEADS or (
            word.lower() in COMMON_WORDS) or (word,) in self.gaz.index or not word.replace("-", "").isalpha())

    def _lone_acronym(self, k: int) -> bool:
        """An ALL-CAPS word of 3 to 6 letters that is no gazetteer surface, no known non-actor, not in brackets and
        not beside another ALL-CAPS word (a headline)."""
        toks, text = self.tokens, self.text
        word = toks[k].text
        if not (word.isalpha() and 3 <= len(word) <= 6) or word in _NOT_ACTOR_ACRONYMS or (
                (word,) in self.gaz.index_upper):
            return False
        if text[toks[k].start - 1:toks[k].start] == "(":
            return False
        return not any(0 <= m < len(toks) and toks[m].text.isupper() and len(toks[m].text) > 1 for m in (k - 1, k + 1))

    def _titled_surname(self, f: Found) -> Found | None:
        """A lone name after a person's title that no full name in the text explains ("President Atambayev",
        "Crown Prince Naruhito", "Mr Porter"): the one gazetteer person of that surname (or, of several, the one whose
        role has the title), else the person named by the word alone."""
        toks = self.tokens
        word = toks[f.i].text
        if f.i == 0 or not self._same_name(f.i - 1, f.i) or toks[f.i - 1].text.rstrip(".") not in PERSON_TITLES:
            return None
        if len(word) < 3 or (word.isupper() and len(word) > 3) or word in NOT_NAMES or word in US_STATES or (
                word.lower() in COMMON_WORDS) or word in self.ex.all_first_names and word not in self.gaz.person_by_last:
            return None
        people = self.gaz.person_by_last.get(word, ())
        if len(people) > 1:  # "President Carter" is Jimmy Carter (former President), not Ash Carter
            title = toks[f.i - 1].text.rstrip(".").lower()
            people = [p for p in people if title in (p.role or "").lower().split()]
        if len(people) == 1:
            return self._as_found(f.i, f.j, people[0])
        return Found(f.i, f.j, word, "person")

    def _person_reading(self, f: Found) -> bool:
        """A surname that is also a country ("Jordan") reads as the person unless the country is otherwise in play."""
        k = f.i
        if k + 1 < len(self.tokens) and self.tokens[k + 1].text in SPEECH_VERBS and self._same_name(k, k + 1):
            return True
        if k > 0 and is_title(self.tokens[k - 1].text):
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
            start, end = f.span or (self.tokens[f.i].start, self.tokens[f.j - 1].end)
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
