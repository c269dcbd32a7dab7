"""Hypothesis strategies for hostile input: wire dumps and article texts mixing well-formed articles with crafted
lines that used to make the regexes backtrack (``U.S.U.S.U.S...``, byline-like capitalised name lists, bracket and
punctuation runs), lossy mojibake, control characters and surrogates.

Shared by the fuzz tests (``tests/inference/test_fuzz.py``, small counts) and ``benchmarks/bench_fuzz.py`` (the full
counts, with per-input timings).
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from tests.inference.test_segment_properties import STRUCTURAL, articles, cap_words, lower_words

WORD = re.compile(r"\w+")
TIME_LIMIT_S = 1.0  # per input, in the benchmark; the CI tests allow more on a shared machine

# (template, separator) pairs repeated k times: each is a shape some pattern once took polynomial time on.
_RUNS = (
    "U.S.", "U.S. ", "J. ", "A ", "AB/", "A-", "Ab ", "John Smith, ", "John Smith and ", "Ab J. ", "(", ")", "(a)",
    "((a)", "!", ".”", "”", "...", "(Reuters) ", "BEIJING ", "NEW YORK/", "Georgia ", "Washington ", "By ", "—",
    "â€\ufffd", "â€™", "Ã©", "\t", "  ", "'", "&", ", ", "Sen. ", "Mr. ", "No. ", "1.", "a.m. ",
)  # fmt: skip
_PREFIXES = ("", "By ", "(", "BEIJING (Reuters) - ", "WASHINGTON, ", "(Reporting by ", "“", "Reuters - ", "AFP - ")
_SUFFIXES = ("", " x", " (Reuters) - x", " - ", ")", ".", "?", " in London", "”", " (AP) — text")


@st.composite
def crafted_lines(draw, max_repeat: int = 2500) -> str:
    """One crafted line: a prefix, a run of one or two repeated pieces, a suffix."""
    pieces = draw(st.lists(st.sampled_from(_RUNS), min_size=1, max_size=2))
    n = draw(st.integers(min_value=1, max_value=60) | st.sampled_from([200, 800, max_repeat]))
    run = "".join(pieces) * n
    return draw(st.sampled_from(_PREFIXES)) + run + draw(st.sampled_from(_SUFFIXES))


noise = st.text(
    alphabet=st.characters(codec="utf-8", max_codepoint=0x2FFF) | st.sampled_from(["\n", "\r", "\ufffd", "\x00"]),
    max_size=200,
)


@st.composite
def dumps(draw) -> str:
    """A dump: well-formed generated articles with crafted lines and noise between and inside them."""
    parts = draw(
        st.lists(
            st.one_of(articles().map(lambda item: item[0]), articles(with_dateline=False).map(lambda item: item[0]),
                      crafted_lines(), noise),
            min_size=1,
            max_size=6,
        )
    )
    joiner = draw(st.sampled_from(["\n\n", "\n", "\r\n"]))
    return joiner.join(parts)


@st.composite
def article_texts(draw) -> tuple[str, str]:
    """``(headline, text)`` for actor extraction and prediction: crafted lines inside article bodies."""
    headline = " ".join([draw(cap_words), *draw(st.lists(lower_words | cap_words, min_size=1, max_size=8))])
    body = draw(dumps())
    return headline, body


def plain_words(text: str) -> set[str]:
    """The words of ``text`` that must survive segmentation (mojibake and structural words aside)."""
    return {w for w in WORD.findall(text) if w.isascii()} - STRUCTURAL


def output_words(articles_: list) -> set[str]:
    words: set[str] = set()
    for art in articles_:
        fields = [art.headline, art.caption or "", art.byline_place or "", art.dateline.place or "",
                  art.dateline.agency or ""]
        for text in [*fields, *art.byline, *art.paragraphs, *art.subheads, *art.credits]:
            words.update(WORD.findall(text))
    return words
