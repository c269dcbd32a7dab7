"""The CAMEO relation sentences: ConfliBERT's BIO source/target spans (``ner_train.txt``) joined to the CAMEO
PentaClass of the same sentence (``train.tsv``).

``ner_train.txt`` holds a subset of the ``train.tsv`` sentences, tokenized, in the same order, plus paraphrased
variants of some of them. Matching walks both files in order: each BIO sentence is compared (letters and digits only,
lower-cased) with the next ``LOOKAHEAD`` ``train.tsv`` sentences after the last match; the best one with a
``difflib`` ratio >= ``EXACT`` is taken and the pointer moves past it ("aligned"). A BIO sentence with no such match
is a paraphrase: it takes the class of the best sentence within ``LOOKAHEAD`` of the pointer (either side) if its
ratio is >= ``PARAPHRASE`` ("paraphrase"), else it is dropped. The sentence text is rebuilt from the BIO tokens
(:func:`detokenize`) so that every span has exact character offsets.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

CLASS_POLARITY = {0: "neutral", 1: "positive", 2: "positive", 3: "negative", 4: "negative"}
EXACT = 0.9
PARAPHRASE = 0.6
LOOKAHEAD = 30

_NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", "%", ")", "]", "'s", "’s", "'", "’", "n't", "”"}
_NO_SPACE_AFTER = {"(", "[", "$", "“"}


@dataclass
class RelationSentence:
    """One sentence with its event's source (holder) and target spans (character offsets) and CAMEO class."""

    text: str
    sources: list[tuple[int, int]] = field(default_factory=list)
    targets: list[tuple[int, int]] = field(default_factory=list)
    cameo: int = 0
    match: str = "aligned"  # or "paraphrase"

    @property
    def polarity(self) -> str:
        return CLASS_POLARITY[self.cameo]


def read_bio(path: Path) -> list[list[tuple[str, str]]]:
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        token, _, tag = line.rpartition(" ")
        current.append((token, tag) if token else (tag, "O"))
    if current:
        sentences.append(current)
    return sentences


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A readable sentence from tokens and each token's character span in it."""
    text, spans = "", []
    for i, tok in enumerate(tokens):
        glue = i == 0 or tok in _NO_SPACE_BEFORE or tokens[i - 1] in _NO_SPACE_AFTER
        glue = glue or (tok == "s" and tokens[i - 1] in {"'", "’", "ʼ"})
        glue = glue or tok == "-" or tokens[i - 1] == "-"
        if not glue:
            text += " "
        spans.append((len(text), len(text) + len(tok)))
        text += tok
    return text, spans


def _spans(tags: list[str], role: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for (s, e), tag in zip(offsets, tags, strict=True):
        if tag == f"B-{role}" or (tag == f"I-{role}" and (not out or out[-1][1] is None)):
            out.append((s, e))
        elif tag == f"I-{role}" and out:
            out[-1] = (out[-1][0], e)
    return out


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def load_cameo(folder: Path) -> tuple[list[RelationSentence], dict[str, int]]:
    """The BIO sentences matched to their CAMEO class, and counts of how they were matched."""
    bio = read_bio(folder / "ner_train.txt")
    tsv = []
    for line in (folder / "train.tsv").read_text(encoding="utf-8").splitlines():
        text, _, label = line.rpartition("\t")
        tsv.append((_norm(text), int(label)))
    out: list[RelationSentence] = []
    counts = {"bio_sentences": len(bio), "tsv_sentences": len(tsv), "aligned": 0, "paraphrase": 0, "dropped": 0}
    ptr = 0
    for sent in bio:
        tokens, tags = [t for t, _ in sent], [g for _, g in sent]
        key = _norm("".join(tokens))

        def ratio(j: int, key: str = key) -> float:
            return difflib.SequenceMatcher(None, key, tsv[j][0], autojunk=False).ratio()

        best, best_r = None, 0.0
        for j in range(ptr, min(ptr + LOOKAHEAD, len(tsv))):
            r = ratio(j)
            if r > best_r:
                best, best_r = j, r
            if r == 1.0:
                break
        match = "aligned"
        if best is None or best_r < EXACT:
            best, best_r = None, 0.0
            for j in range(max(0, ptr - LOOKAHEAD), min(ptr + LOOKAHEAD, len(tsv))):
                r = ratio(j)
                if r > best_r:
                    best, best_r = j, r
            match = "paraphrase"
            if best is None or best_r < PARAPHRASE:
                counts["dropped"] += 1
                continue
        else:
            ptr = best + 1
        counts[match] += 1
        text, offsets = detokenize(tokens)
        out.append(RelationSentence(text, _spans(tags, "S", offsets), _spans(tags, "T", offsets), tsv[best][1], match))
    return out, counts


def split_of(text: str, seed: int, dev_fraction: float, test_fraction: float) -> str:
    """train/dev/test by a seeded hash of the sentence text."""
    u = int.from_bytes(hashlib.sha256(f"{seed}:{text}".encode()).digest()[:8], "big") / 2**64
    if u < test_fraction:
        return "test"
    if u < test_fraction + dev_fraction:
        return "dev"
    return "train"
