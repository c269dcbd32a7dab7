"""Sentence splitting: abbreviations, initials, quotes, line breaks, and offsets into the input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from foreign_desk.inference.sentences import Sentence, split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Mr. Okafor met U.S. envoys on Jan. 12 in the capital. Dr. Lenz left at 5 p.m. on Friday."
    assert texts(text) == ["Mr. Okafor met U.S. envoys on Jan. 12 in the capital.", "Dr. Lenz left at 5 p.m. on Friday."]


def test_initials_stay_inside_a_name() -> None:
    assert texts("George W. Bush spoke to H.R. Tomlin. Both agreed.") == [
        "George W. Bush spoke to H.R. Tomlin.", "Both agreed."]


def test_us_at_the_end_of_a_sentence() -> None:
    assert texts("The minister flew to the U.S. He returns on Monday.") == [
        "The minister flew to the U.S.", "He returns on Monday."]


def test_quotes_and_question_marks() -> None:
    assert texts('"We will not yield," she said. "Why now?" he asked. Talks resumed!') == [
        '"We will not yield," she said.', '"Why now?" he asked.', "Talks resumed!"]


def test_quoted_sentence_end_then_new_sentence() -> None:
    assert texts('He said "no." Then he left.') == ['He said "no."', "Then he left."]


def test_lowercase_after_period_continues() -> None:
    assert texts("The vote was 52-48 vs. a forecast of 50. it passed.") == [
        "The vote was 52-48 vs. a forecast of 50. it passed."]


def test_newlines_are_boundaries_and_offsets_are_exact() -> None:
    text = "Ministers Meet In Lisbon\n\nThe talks began on Monday\nwithout an agenda. They ended late."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Ministers Meet In Lisbon", "The talks began on Monday", "without an agenda.", "They ended late."]
    assert [s.index for s in sentences] == [0, 1, 2, 3]
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_empty_and_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n ") == []


def test_sentence_is_frozen() -> None:
    s = Sentence(0, 0, 3, "Hi.")
    try:
        s.start = 1  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Sentence should be immutable")


@given(st.lists(st.sampled_from(["Mr.", "U.S.", "The", "talks", "ended.", "Why?", "\n", "Jan.", "5", '"', "A.",
                                 "Kim", "said", "!", " ", "\n\n", "e.g.", "..."]), max_size=40))
def test_offsets_always_match_the_text(words: list[str]) -> None:
    text = " ".join(words)
    sentences = split_sentences(text)
    previous_end = 0
    for i, s in enumerate(sentences):
        assert s.index == i
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end
