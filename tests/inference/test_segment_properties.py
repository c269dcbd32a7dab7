"""Property-based tests: segmentation never crashes and never loses text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foreign_desk.inference.segment import segment

WORD = re.compile(r"\w+")
# Tokens the structure itself consumes: "By" opens a byline, "and" joins its names.
STRUCTURAL = {"By", "and"}

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

lower_words = st.sampled_from(
    "the talks ended without a deal on fishing rights and officials said further rounds were likely "
    "soon after ministers met envoys in the capital over sanctions".split()
)
cap_words = st.sampled_from("Ministers Envoys Beijing Moscow Tehran Manila Kyiv Brussels Xi Putin Rouhani NATO".split())
names = st.sampled_from(["Nora Vidal", "Pavel Horak", "Ines Duarte", "Jun Park", "Amara Okoye"])
places = st.sampled_from(["OSLO", "NEW YORK", "BEIJING/WASHINGTON", "AUSTIN, Texas", ""])
agencies = st.sampled_from(["Reuters", "AP", "AFP"])
dashes = st.sampled_from(["–", "—", "-"])


@st.composite
def sentences(draw) -> str:
    first = draw(cap_words)
    rest = draw(st.lists(st.one_of(lower_words, cap_words), min_size=3, max_size=25))
    return " ".join([first, *rest]) + draw(st.sampled_from([".", ".", "!", ".”"]))


@st.composite
def articles(draw, with_dateline: bool = True) -> tuple[str, dict]:
    headline = " ".join([draw(cap_words), *draw(st.lists(lower_words, min_size=2, max_size=9))])
    caption = draw(st.none() | st.lists(lower_words, min_size=2, max_size=8).map(" ".join))
    byline = draw(st.lists(names, min_size=0, max_size=2, unique=True))
    place, agency, dash = draw(places), draw(agencies), draw(dashes)
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=6))
    subhead = draw(st.none() | st.sampled_from(["TALKS STALL", "‘NO WAY BACK’", "WHAT COMES NEXT"]))
    credits = draw(st.lists(st.sampled_from(["(Reporting by Nora Vidal)", "(Editing by Jun Park)"]), max_size=2))
    dateline = f"{place} ({agency}) {dash} " if place else f"({agency}) {dash} "
    if not with_dateline:
        dateline = ""
        credits = credits or ["(Editing by Amara Okoye)"]  # without a dateline, credits mark where an article ends
        while len(paragraphs[0]) <= 120:  # a lede, not a short sentence-like caption
            paragraphs[0] += " " + draw(sentences())
    body = [dateline + paragraphs[0], *paragraphs[1:]]
    if subhead and len(body) > 1:
        body.insert(1, subhead)
    lines = [headline, caption, "By " + " and ".join(byline) if byline else None, *body, *credits]
    truth = {"headline": headline, "paragraphs": paragraphs, "credits": credits, "caption": caption}
    return "\n".join(line for line in lines if line is not None), truth


def output_words(arts) -> set[str]:
    words: set[str] = set()
    for art in arts:
        fields = [art.headline, art.caption or "", art.dateline.place or "", art.dateline.agency or ""]
        for text in [*fields, *art.byline, *art.paragraphs, *art.subheads, *art.credits]:
            words.update(WORD.findall(text))
    return words


@FAST
@given(st.text())
def test_arbitrary_text_never_raises(text):
    arts = segment(text)
    n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    spans = [a.span for a in arts]
    assert all(1 <= first <= last <= n_lines for first, last in spans)
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(a.text == "\n\n".join(a.paragraphs) for a in arts)


# Printable text without the Latin-1 range (so no mojibake repair rewrites words) and without control characters.
plain_chars = st.characters(
    codec="utf-8", categories=["L", "N", "P", "S", "Zs"], exclude_characters="\u00a0", max_codepoint=0x2FFF
).filter(lambda c: not "\u0080" <= c <= "\u00ff")
fragments = st.sampled_from(["\n", "\n\n", "\r\n", "\t", " (Reuters) - ", " – ", "(", ")", "By ", "BEIJING ", "NATO"])
plain_text = st.lists(plain_chars | fragments | lower_words | cap_words, max_size=150).map("".join)


@FAST
@given(plain_text)
def test_no_word_is_lost_on_arbitrary_text(text):
    assert set(WORD.findall(text)) - STRUCTURAL <= output_words(segment(text))


@FAST
@given(st.lists(articles(), min_size=1, max_size=5), st.sampled_from(["\n\n", "\n", "\r\n\r\n"]))
def test_generated_dumps_keep_every_article_and_body_word(items, joiner):
    text = joiner.join(item.replace("\n", joiner) for item, _ in items)
    arts = segment(text)
    assert [a.headline for a in arts] == [truth["headline"] for _, truth in items]
    for art, (_, truth) in zip(arts, items, strict=True):
        assert art.paragraphs == truth["paragraphs"]
        assert art.credits == truth["credits"]
        assert art.caption == truth["caption"]
        body_words = {w for p in truth["paragraphs"] for w in WORD.findall(p)}
        assert body_words <= set(WORD.findall(art.text))


@FAST
@given(st.lists(articles(with_dateline=False), min_size=1, max_size=5), st.sampled_from(["\n\n", "\n"]))
def test_generated_dumps_without_datelines(items, joiner):
    text = joiner.join(item.replace("\n", joiner) for item, _ in items)
    arts = segment(text)
    assert [a.headline for a in arts] == [truth["headline"] for _, truth in items]
    for art, (_, truth) in zip(arts, items, strict=True):
        assert art.paragraphs == truth["paragraphs"]
        assert art.credits == truth["credits"]
        assert art.dateline.place is None and art.dateline.agency is None
