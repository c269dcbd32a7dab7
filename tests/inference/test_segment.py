"""Segmentation of raw dumps: layouts, header parts, repairs and bad input. All fixture text is written here."""

from __future__ import annotations

import logging
import textwrap

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import pytest

from foreign_desk.inference.segment import read_dump, segment, segment_file
from foreign_desk.inference.textio import decode_bytes

LEDE = "Officials from both countries met on Tuesday to discuss a long list of grievances over fishing rights."
SECOND = "The talks ended without a joint statement, according to two people briefed on the meeting."
THIRD = "A further round is expected next month in a neutral capital."


def article(
    headline: str = "Ministers hold talks on fishing dispute",
    caption: str | None = "Fishing boats moored in a harbour",
    byline: str | None = "By Nora Vidal and Pavel Horak",
    dateline: str = "OSLO (Reuters) – ",
    paragraphs: tuple[str, ...] = (LEDE, SECOND, THIRD),
    credits: tuple[str, ...] = ("(Reporting by Nora Vidal; Editing by Pavel Horak)",),
    sep: str = "\n\n",
) -> str:
    """One article in dump layout, written for these tests."""
    parts = [headline, caption, byline, dateline + paragraphs[0], *paragraphs[1:], *credits]
    return sep.join(part for part in parts if part is not None)


def test_seed_like_article_fields():
    [art] = segment(article())
    assert art.headline == "Ministers hold talks on fishing dispute"
    assert art.caption == "Fishing boats moored in a harbour"
    assert art.byline == ["Nora Vidal", "Pavel Horak"]
    assert (art.dateline.place, art.dateline.agency) == ("OSLO", "Reuters")
    assert art.paragraphs == [LEDE, SECOND, THIRD]
    assert art.text == f"{LEDE}\n\n{SECOND}\n\n{THIRD}"
    assert art.credits == ["(Reporting by Nora Vidal; Editing by Pavel Horak)"]
    assert art.span == (1, 13)
    assert art.to_dict()["dateline"] == {"place": "OSLO", "agency": "Reuters"}


def test_id_is_stable_and_content_based():
    first, second = segment(article()), segment(article())
    assert first[0].id == second[0].id
    assert segment(article(paragraphs=(LEDE, SECOND)))[0].id != first[0].id


def test_one_line_body_with_inline_notes_and_byline():
    body = (
        "(Corrects spelling of name in paragraph 2) By Ann Lee and Bo Chen LONDON (Reuters) - "
        f"{LEDE} {SECOND} (This version of the story corrects the date in the first paragraph)"
    )
    [art] = segment(f"Trade envoys trade barbs\n{body}\n")
    assert art.headline == "Trade envoys trade barbs"
    assert art.byline == ["Ann Lee", "Bo Chen"]
    assert (art.dateline.place, art.dateline.agency) == ("LONDON", "Reuters")
    assert art.text == f"{LEDE} {SECOND}"
    assert art.credits == [
        "(Corrects spelling of name in paragraph 2)",
        "(This version of the story corrects the date in the first paragraph)",
    ]


def test_one_line_bodies_back_to_back():
    text = "\n".join(
        [
            "First envoy quits",
            f"WASHINGTON (Reuters) - {LEDE} {SECOND}",
            "Second envoy named",
            f"NEW YORK/CHICAGO (Reuters) - {THIRD} {LEDE}",
        ]
    )
    arts = segment(text)
    assert [a.headline for a in arts] == ["First envoy quits", "Second envoy named"]
    assert arts[1].dateline.place == "NEW YORK/CHICAGO"
    assert [a.span for a in arts] == [(1, 2), (3, 4)]


def test_single_newline_paragraphs_and_no_blank_between_articles():
    text = article(sep="\n") + "\n" + article(headline="Second fishing round set", byline=None, sep="\n")
    arts = segment(text)
    assert len(arts) == 2
    assert arts[0].paragraphs == [LEDE, SECOND, THIRD]
    assert arts[1].headline == "Second fishing round set"
    assert arts[1].caption == "Fishing boats moored in a harbour"
    assert arts[1].byline == []


def test_crlf_bom_tabs_and_trailing_spaces_give_the_same_articles():
    clean = article() + "\n\n" + article(headline="Another round of talks")
    messy = "\ufeff" + clean.replace("\n", "  \r\n").replace("Officials from", "Officials\tfrom")
    assert [a.to_dict() for a in segment(messy)] == [a.to_dict() for a in segment(clean)]


@pytest.mark.parametrize(
    ("dateline", "place", "agency"),
    [
        ("OSLO (Reuters) – ", "OSLO", "Reuters"),
        ("OSLO (Reuters) — ", "OSLO", "Reuters"),
        ("OSLO (Reuters) - ", "OSLO", "Reuters"),
        ("(Reuters) - ", None, "Reuters"),
        ("PARIS (AFP) - ", "PARIS", "AFP"),
        ("SEOUL (AP) — ", "SEOUL", "AP"),
        ("KYIV – ", "KYIV", None),
        ("AUSTIN, Texas (Reuters) - ", "AUSTIN, Texas", "Reuters"),
        ("UNITED NATIONS (Reuters) – ", "UNITED NATIONS", "Reuters"),
    ],
)
def test_dateline_variants(dateline, place, agency):
    arts = segment(article(dateline=dateline) + "\n\n" + article(headline="Follow-up talks", dateline=dateline))
    assert len(arts) == 2
    for art in arts:
        assert (art.dateline.place, art.dateline.agency) == (place, agency)
        assert art.paragraphs[0] == LEDE


def test_hard_wrapped_paragraphs_are_joined():
    wrapped = [textwrap.wrap(p, width=40) for p in (LEDE, SECOND, THIRD)]
    assert all(len(lines) > 1 for lines in wrapped)
    credit = ["(Reporting by Nora Vidal;", "Editing by Pavel Horak)"]
    body = "\n\n".join("\n".join(lines) for lines in [*wrapped, credit])
    text = "Ministers hold talks\n\nOSLO (Reuters) - " + body + "\n\nSecond round set\n\nBERGEN (AFP) - " + body
    arts = segment(text)
    assert [a.headline for a in arts] == ["Ministers hold talks", "Second round set"]
    for art in arts:
        assert art.paragraphs == [LEDE, SECOND, THIRD]
        assert art.credits == ["(Reporting by Nora Vidal; Editing by Pavel Horak)"]


def test_single_newline_paragraphs_are_never_joined():
    text = "Ministers hold talks\nOSLO (Reuters) - Officials met on Tuesday\nThe talks ended without a deal\n"
    [art] = segment(text)
    assert art.paragraphs == ["Officials met on Tuesday", "The talks ended without a deal"]


def test_no_dateline_at_all_falls_back_to_headline_blocks():
    text = "\n\n".join(
        [
            article(dateline="", caption=None, byline=None),
            article(headline="Second fishing round set", dateline="", byline=None),
        ]
    )
    arts = segment(text)
    assert [a.headline for a in arts] == ["Ministers hold talks on fishing dispute", "Second fishing round set"]
    assert arts[0].dateline.place is None and arts[0].dateline.agency is None
    assert arts[1].caption == "Fishing boats moored in a harbour"
    assert all(a.paragraphs == [LEDE, SECOND, THIRD] for a in arts)


def test_missing_caption_byline_and_credits_do_not_merge_articles():
    bare = {"caption": None, "byline": None, "credits": ()}
    text = "\n\n".join(
        [
            article(**bare),
            article(headline="Second fishing round set", dateline="BERGEN (Reuters) – ", **bare),
            article(headline="Third round ends early", dateline="(Reuters) - ", **bare),
        ]
    )
    arts = segment(text)
    assert [a.headline for a in arts] == [
        "Ministers hold talks on fishing dispute",
        "Second fishing round set",
        "Third round ends early",
    ]
    assert all(a.caption is None and a.byline == [] and a.credits == [] for a in arts)
    assert all(a.text.endswith(THIRD) for a in arts)


def test_short_lines_quotes_and_subheads_are_not_false_splits():
    paragraphs = (
        LEDE,
        "He declined to comment.",
        "“We will not give up a single metre of our waters,” the minister said.",
        "TALKS STALL",
        "‘NO WAY BACK’",
        "Negotiators said little",
        SECOND,
        "“Why should we?”",
        THIRD,
    )
    text = article(paragraphs=paragraphs) + "\n\n" + article(headline="Ministers return home")
    arts = segment(text)
    assert len(arts) == 2
    first = arts[0]
    assert first.subheads == ["TALKS STALL", "‘NO WAY BACK’"]
    assert "He declined to comment." in first.paragraphs
    assert "Negotiators said little" in first.paragraphs
    assert "TALKS STALL" not in first.text
    assert first.paragraphs[-1] == THIRD


def test_headline_ending_in_abbreviation_and_sentence_like_caption():
    text = "\n\n".join(
        [
            article(),
            article(headline="Envoy says talks in best interest of U.S.", caption="A guard stands at the gate."),
        ]
    )
    arts = segment(text)
    assert len(arts) == 2
    assert arts[1].headline == "Envoy says talks in best interest of U.S."
    assert arts[1].caption == "A guard stands at the gate."


def test_byline_variants_and_bare_credit_line():
    text = article(byline="By NORA VIDAL, Pavel Horak and Ines Duarte in Oslo", credits=("Editing by Jun Park",))
    art, second = segment(text + "\n\n" + article(headline="Second fishing round set", byline="By Jun Park"))
    assert art.byline == ["NORA VIDAL", "Pavel Horak", "Ines Duarte"]
    assert art.byline_place == "Oslo" and art.to_dict()["byline_place"] == "Oslo"  # the filing place is kept
    assert second.byline == ["Jun Park"] and second.headline == "Second fishing round set"
    assert second.byline_place is None and "byline_place" not in second.to_dict()
    assert art.credits == ["Editing by Jun Park"]
    assert art.paragraphs[-1] == THIRD


def test_several_credits_and_refile_note():
    credits = ("(This story has been refiled to fix a typo in paragraph 2.)", "(Editing by Lena Maier)")
    [art] = segment(article(credits=credits))
    assert art.credits == list(credits)
    assert art.paragraphs[-1] == THIRD


def test_mojibake_is_repaired():
    clean = article(paragraphs=("Officials said the country’s “red lines” stayed put.", SECOND))
    broken = clean.encode("utf-8").decode("sloppy-windows-1252")  # UTF-8 read as Windows-1252
    assert "â€™" in broken and "â€œ" in broken
    [fixed] = segment(broken)
    [expected] = segment(clean)
    assert "â€" not in fixed.text
    assert fixed.paragraphs[0] == "Officials said the country’s “red lines” stayed put."
    assert fixed.to_dict() == expected.to_dict()


def test_empty_and_blank_input_give_no_articles():
    assert segment("") == []
    assert segment(" \n\t\r\n\n") == []


def test_empty_file_warns(tmp_path, caplog):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        assert segment_file(path) == []
    assert "empty.txt" in caplog.text and "no articles" in caplog.text


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"Headline\n\x00\x00\x01binary\x00data", "NUL"),
        (bytes(range(1, 9)) * 50, "control"),
    ],
)
def test_binary_file_raises_value_error_naming_it(tmp_path, payload, reason):
    path = tmp_path / "dump.bin"
    path.write_bytes(payload)
    with pytest.raises(ValueError, match=r"dump\.bin") as info:
        segment_file(path)
    assert reason in str(info.value)


def test_undecodable_bytes_are_replaced_and_counted(tmp_path, caplog):
    path = tmp_path / "latin.txt"
    path.write_bytes(article().encode("utf-8").replace(b"talks", b"t\xe4lks\xff", 1))
    with caplog.at_level(logging.WARNING):
        [art] = segment_file(path)
    assert "latin.txt" in caplog.text and "replaced 2 undecodable" in caplog.text
    assert art.headline == "Ministers hold t\ufffdlks\ufffd on fishing dispute"
    assert art.paragraphs == [LEDE, SECOND, THIRD]


def test_utf16_with_bom_is_decoded():
    assert decode_bytes(article().encode("utf-16"), "x") == article()


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere"):
        segment_file(tmp_path / "nothere.txt")
    with pytest.raises(ValueError, match="directory"):
        segment_file(tmp_path)


def test_bundled_sample_dump(repo_root):
    arts = read_dump(repo_root / "samples" / "sample_dump.txt")
    assert len(arts) == 7
    datelines = [(a.dateline.place, a.dateline.agency) for a in arts]
    assert datelines == [
        ("BEIJING/WASHINGTON", "Reuters"),
        ("UNITED NATIONS", "Reuters"),
        ("SEOUL", "AP"),
        ("MANILA", "Reuters"),
        ("BRUSSELS", "AFP"),
        ("TEHRAN", None),
        (None, "Reuters"),
    ]
    assert [len(a.credits) for a in arts] == [1, 2, 0, 1, 1, 0, 0]
    assert [a.caption is not None for a in arts] == [True, False, True, True, False, False, False]
    assert arts[0].byline == ["Anna Kovacs", "Tomas Lindqvist"]
    assert arts[0].subheads == ["A CAREFUL THAW"] and arts[6].subheads == ["WHAT HAPPENS NEXT"]
    assert all(a.text and not a.text.startswith(("BEIJING", "(Reuters)", "TEHRAN")) for a in arts)
