"""Text preparation and windowing for the topic models (no model needed)."""

from __future__ import annotations

import pytest

from foreign_desk.inference.article import Article
from foreign_desk.inference.encoder import load_tokenizer
from foreign_desk.inference.topics.text import as_full_text, as_headline_body, normalize_space, strip_dateline
from foreign_desk.inference.topics.windows import WindowParams, make_windows


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("WASHINGTON (Reuters) - The senator spoke.", "The senator spoke."),
        ("OSLO/STOCKHOLM (Reuters) - Ministers met.", "Ministers met."),
        ("AFP - Talks resumed.", "Talks resumed."),
        ("(Reuters) - Talks resumed.", "Talks resumed."),
        ("LIMA, Peru - Crowds gathered.", "Crowds gathered."),
        ("Iran - a country name in a sentence stays.", "Iran - a country name in a sentence stays."),
        ("No dateline at all.", "No dateline at all."),
    ],
)
def test_strip_dateline(raw: str, expected: str) -> None:
    assert strip_dateline(raw) == expected


def test_normalize_space_keeps_paragraphs() -> None:
    assert normalize_space("a\t  b\n\n\n  c   d ") == "a b\n\nc d"


def test_article_like_inputs() -> None:
    art = Article.from_text("Body text.", headline="Head")
    assert as_headline_body(art) == ("Head", "Body text.")
    assert as_headline_body("just text") == ("", "just text")
    assert as_headline_body({"title": "T", "text": "B"}) == ("T", "B")
    assert as_headline_body({"headline": "T", "text": "B"}) == ("T", "B")
    assert as_headline_body({"headline": "H", "title": "T", "text": "B"}) == ("H", "B")  # as readers and Spark do
    assert as_headline_body({"title": "T"}) == ("T", "")  # a topic item may be a headline alone
    assert as_full_text({"title": "T", "text": "ROME (Reuters) - B"}) == "T\n\nB"


@pytest.mark.parametrize("bad", [42, {"id": "r1"}, {"title": "t", "text": 3}])
def test_bad_article_is_named(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"article"):
        as_headline_body(bad, index=7)


def test_windows_cap_and_headline() -> None:
    tok = load_tokenizer()
    params = WindowParams(max_length=48, max_windows=3, stride=4, max_headline_tokens=8)
    body = " ".join(f"word{i}" for i in range(400))
    [long], [short], [empty] = (
        make_windows(tok, ["A headline"], [body], params),
        make_windows(tok, ["A headline"], ["one two"], params),
        make_windows(tok, ["Only a headline"], [""], params),
    )
    assert len(long) == 3 and all(len(w) <= 48 for w in long)
    head = tok("A headline", add_special_tokens=False)["input_ids"]
    assert all(w[1 : 1 + len(head)] == head for w in long)  # every window repeats the headline
    body_ids = tok(body, add_special_tokens=False)["input_ids"]
    assert long[-1][-2] == body_ids[-1]  # "spread" selection reaches the end of the article
    assert len(short) == 1 and len(empty) == 1
    head_only = make_windows(tok, ["A headline"], [body], WindowParams(48, 3, 4, 8, selection="head"))[0]
    assert head_only[-1][-2] != body_ids[-1]


def test_window_params_validated() -> None:
    with pytest.raises(ValueError, match="stride"):
        WindowParams(max_length=64, stride=64, max_headline_tokens=8)
