"""Matching a labelled (canonical) actor name to the names the extractor produced.

A labelled actor counts as found when an extracted actor has the same name, or when the labelled name is another
full form of the extracted actor's name: a gazetteer alias of it ("Tayyip Erdogan" -> "Recep Tayyip Erdogan") or,
for people, the same surname with the labelled name's other tokens contained in it ("Donald J. Trump").
"""

from __future__ import annotations

from collections.abc import Iterable

from foreign_desk.inference.actors.gazetteer import Gazetteer
from foreign_desk.inference.actors.tokens import alias_key


def match_name(gold: str, names: Iterable[str], gazetteer: Gazetteer | None = None) -> str | None:
    """The extracted name among ``names`` that ``gold`` refers to, else None."""
    names = list(names)
    if gold in names:
        return gold
    key = alias_key(gold)
    if gazetteer is not None and key:
        surface = gazetteer.index.get(key)
        if surface is not None and surface.kind == "alias" and surface.entry.name in names:
            return surface.entry.name
    if len(key) >= 2:
        for name in names:
            other = alias_key(name)
            if len(other) >= 2 and other[-1] == key[-1] and (set(key) <= set(other) or set(other) <= set(key)):
                return name
    return None
