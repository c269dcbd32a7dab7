"""Pronoun mentions of people: "he"/"she" linked to the one person named just before it.

A subject pronoun ("He said...", "..., she added") whose sentence, before it, or the previous sentence names exactly
one person actor (and no other person) becomes a mention of that person, so the sentence reaches the stance
classifier. Nothing is linked when two people compete: a wrong link is worse than none.
"""

from __future__ import annotations

import bisect
import re

from foreign_desk.inference.actors.model import ActorResult, Mention

_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")


def link_pronouns(text: str, result: ActorResult, start: int = 0) -> ActorResult:
    """``result`` with pronoun mentions added to people (in place; returned for chaining)."""
    people = [a for a in result.actors if a.type == "person"]
    if not people:
        return result
    named = sorted((m.start, k) for k, a in enumerate(people) for m in a.mentions)
    starts = [s for s, _ in named]
    sent_starts = [s.start for s in result.sentences]
    taken = {(m.start, m.end) for a in result.actors for m in a.mentions}
    added: dict[int, list[Mention]] = {}
    for match in _PRONOUN.finditer(text, start):
        pos = match.start()
        k = max(0, bisect.bisect_right(sent_starts, pos) - 1)
        window_start = result.sentences[k - 1].start if k > 0 else result.sentences[k].start
        lo, hi = bisect.bisect_left(starts, window_start), bisect.bisect_left(starts, pos)
        candidates = {named[i][1] for i in range(lo, hi)}
        if len(candidates) != 1 or (match.start(), match.end()) in taken:
            continue
        owner = candidates.pop()
        added.setdefault(owner, []).append(Mention(match.start(), match.end(), match.group(), k))
    for owner, mentions in added.items():
        people[owner].mentions = sorted(people[owner].mentions + mentions, key=lambda m: m.start)
    return result
