"""The actor gazetteer: YAML entries (shipped under ``inference/data/`` plus user files) and their alias index.

File format (shipped and user files alike)::

    actors:
      - name: China                 # canonical name (GUIDELINE.md spelling); the key user files override by
        type: country               # country | person | organisation
        aliases: [PRC, People's Republic of China]     # surface forms that always mean this actor (case-sensitive)
        adjectives: [Chinese]       # countries: adjectives and demonyms; mentions, and affiliation for titles
        capitals: [Beijing, Zhongnanhai]   # countries: metonyms; not counted as datelines or "in Beijing"
      - name: Lu Kang
        type: person
        affiliation: China          # persons/organisations: canonical name of their country
        role: Foreign Ministry spokesman
        aliases: [Lu]
      - name: Senate Intelligence Committee
        type: organisation
        part_of: Congress           # each mention also counts for the parent actor
      - name: Australian Labor Party
        type: organisation
        weak_aliases: [Labor]       # count only when a ``context`` word occurs in the same text
        context: [Australia, Australian, Canberra]

A later file's entry with the same ``name`` replaces the earlier one; an entry with ``remove: true`` deletes it.
A later file's alias that equals an earlier alias of another actor takes the alias over.
A top-level ``places:`` list names phrases that are never actors and so hide the shorter names inside them
(``places: [New Mexico, Gulf of Mexico]`` keeps "Mexico" from matching there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from foreign_desk.inference.actors.tokens import alias_key

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 5x faster
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SHIPPED_FILES = ("actors_countries.yaml", "actors_organisations.yaml", "actors_people.yaml")

Kind = Literal["alias", "adjective", "capital", "weak", "place"]


class Entry(BaseModel):
    """One gazetteer entry (the YAML schema)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    type: Literal["country", "person", "organisation"] = "organisation"
    aliases: list[str] = Field(default_factory=list)
    adjectives: list[str] = Field(default_factory=list)
    capitals: list[str] = Field(default_factory=list)
    weak_aliases: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    affiliation: str | None = None
    role: str | None = None
    part_of: str | None = None
    remove: bool = False


class GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actors: list[Entry] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Surface:
    """What an indexed token sequence means."""

    entry: Entry
    kind: Kind


class GazetteerError(ValueError):
    """A gazetteer file that cannot be read, with the file and entry named."""


def load_file(path: Path) -> list[Entry]:
    """Read and validate one gazetteer file's actor entries."""
    return read_file(path).actors


def read_file(path: Path) -> GazetteerFile:
    """Read and validate one gazetteer file."""
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read actor file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise GazetteerError(f"{path}: not valid YAML: {exc}") from exc
    if raw is None:
        return GazetteerFile()
    try:
        return GazetteerFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(raw, err) for err in exc.errors())
        raise GazetteerError(f"{path}: invalid actor file: {problems}") from exc


def _describe(raw: object, err: dict) -> str:
    loc = list(err["loc"])
    where = ".".join(str(p) for p in loc)
    if len(loc) >= 2 and loc[0] == "actors" and isinstance(raw, dict):
        try:
            name = raw["actors"][loc[1]].get("name")
        except (AttributeError, IndexError, KeyError, TypeError):
            name = None
        if name:
            where += f" ({name!r})"
    return f"{where}: {err['msg']}"


def _variants(surface: str, entry: Entry) -> list[str]:
    """Spelling variants wire copy uses: "Roh Moo-Hyun" for "Roh Moo-hyun", "F.C.C." for "FCC", "Farc" for "FARC"."""
    out = []
    if "-" in surface and entry.type == "person":
        out.append(re.sub(r"-([a-z])", lambda m: "-" + m.group(1).upper(), surface))
        out.append(re.sub(r"-([A-Z])", lambda m: "-" + m.group(1).lower(), surface))
    if entry.type == "organisation" and surface.isalpha() and surface.isupper() and 2 <= len(surface) <= 5:
        out.append("".join(f"{c}." for c in surface))
    if entry.type == "organisation" and surface.isalpha() and surface.isupper() and len(surface) >= 4:
        out.append(surface.title())  # "Farc", "Ecowas", "Unicef": acronyms as some wires write them
    if "'" in surface or "’" in surface:  # the apostrophe-less copy of some wires: "New People s Army"
        out.append(re.sub(r"['’](?=s\b)", " ", surface).replace("'", " ").replace("’", " "))
    if re.match(r"(?:U\.N\.|UN) ", surface):  # "U.N. refugee agency" = "UN ..." = "United Nations ..."
        rest = surface.split(" ", 1)[1]
        out.extend(f"{p} {rest}" for p in ("U.N.", "UN", "United Nations"))
    if entry.type == "organisation" and surface.startswith(("Senate ", "House ")):
        out.append(f"U.S. {surface}")  # "U.S. Senate Intelligence Committee", not "U.S. Senate" + rest
    return [v for v in out if v != surface]


def strip_article(name: str) -> str:
    """"al-Zawahiri" -> "Zawahiri": Arabic surnames are written with and without the article."""
    return re.sub(r"^(?:al|el|Al|El)-", "", name)


class Gazetteer:
    """Merged entries and a token-tuple index of their surface forms."""

    def __init__(self, files: Iterable[Path]) -> None:
        entries: dict[str, Entry] = {}
        places: list[str] = []
        for path in files:
            data = read_file(path)
            places.extend(data.places)
            for entry in data.actors:
                if entry.remove:
                    entries.pop(entry.name, None)
                else:
                    entries.pop(entry.name, None)  # re-insert so that later files win alias conflicts
                    entries[entry.name] = entry
        self.entries = entries
        self.index: dict[tuple[str, ...], Surface] = {}
        for entry in entries.values():
            self._add(entry.name, entry, "alias")
            for alias in entry.aliases:
                self._add(alias, entry, "alias")
            for adj in entry.adjectives:
                self._add(adj, entry, "adjective")
            for cap in entry.capitals:
                self._add(cap, entry, "capital")
            for weak in entry.weak_aliases:
                self._add(weak, entry, "weak")
        for place in places:  # longer phrases that are places, not actors: "New Mexico", "Persian Gulf"
            key = alias_key(place)
            if key and key not in self.index:
                self.index[key] = Surface(Entry(name=place, type="country"), "place")
        self.max_len: dict[str, int] = {}
        for key in self.index:
            self.max_len[key[0]] = max(self.max_len.get(key[0], 0), len(key))
        # upper-cased keys for ALL-CAPS text ("SUSAN COLLINS", "BRITAIN has warned")
        self.index_upper: dict[tuple[str, ...], Surface] = {}
        for key, surface in self.index.items():
            self.index_upper.setdefault(tuple(k.upper() for k in key), surface)
        self.max_len_upper: dict[str, int] = {}
        for key in self.index_upper:
            self.max_len_upper[key[0]] = max(self.max_len_upper.get(key[0], 0), len(key))
        # (first token, last token) -> person entry, to map a discovered "Donald J. Trump" onto "Donald Trump".
        self.person_by_ends: dict[tuple[str, str], Entry] = {}
        # surname -> the person entries of that surname, for a lone titled surname ("President Cardoso")
        self.person_by_last: dict[str, list[Entry]] = {}
        for entry in entries.values():
            if entry.type == "person":
                parts = alias_key(entry.name)
                if len(parts) >= 2:
                    last = parts[-1] if parts[-1] not in ("Jr", "Sr", "II", "III") or len(parts) < 3 else parts[-2]
                    for key in {last, strip_article(last)}:
                        self.person_by_last.setdefault(key, []).append(entry)
                    self.person_by_ends.setdefault((parts[0], parts[-1]), entry)
                    self.person_by_ends.setdefault((parts[0], strip_article(parts[-1])), entry)

    def _add(self, surface: str, entry: Entry, kind: Kind) -> None:
        key = alias_key(surface)
        if not key:
            return
        self.index[key] = Surface(entry, kind)
        for variant in _variants(surface, entry):
            self.index.setdefault(alias_key(variant), Surface(entry, kind))

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    @classmethod
    def shipped(cls, extra: Sequence[Path] = ()) -> Gazetteer:
        return cls([DATA_DIR / f for f in SHIPPED_FILES] + list(extra))
