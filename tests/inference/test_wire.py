"""One home for wire-news conventions: segmentation, readers, topic text, actors and Spark agree on agencies,
datelines and headline/title priority."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.readers import read_records, record_to_article
from foreign_desk.inference.segment import segment
from foreign_desk.inference.topics.text import as_headline_body, strip_dateline
from foreign_desk.inference.wire import AGENCIES, RecordError, as_article, dateline_spans, headline_of, parse_dateline

BODY = "Japan's foreign minister met his Chinese counterpart on Monday to discuss the dispute."


@pytest.fixture(scope="module")
def ex() -> ActorExtractor:
    return ActorExtractor.default()


def test_kyodo_dateline_of_jsonl_input_is_not_an_actor_mention(tmp_path: Path, ex: ActorExtractor) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "k1", "text": f"Tokyo (Kyodo) - {BODY}"}) + "\n", encoding="utf-8")
    [record] = list(read_records([str(path)]))
    result = ex.extract(record.article.text, headline=record.article.headline)
    japan = next(a for a in result.actors if a.name == "Japan")
    assert [m.text for m in japan.mentions] == ["Japan"]  # not "Tokyo" of the dateline


@pytest.mark.parametrize("agency", AGENCIES)
def test_consumers_agree_on_every_agency(agency: str, ex: ActorExtractor) -> None:
    dump_line = f"TOKYO ({agency}) - {BODY}"
    # segmentation: a dateline paragraph with this agency
    match = parse_dateline(dump_line)
    assert match is not None and (match["agency"] or match["agency2"]) == agency
    [article] = segment(f"Japan and China talk\n\n{dump_line}\n\nMore talks are planned.\n")
    assert (article.dateline.place, article.dateline.agency) == ("TOKYO", agency)
    assert article.text.startswith("Japan's")
    # topic text: the same dateline left in a body is stripped
    for line in (dump_line, f"({agency}) - {BODY}"):
        assert strip_dateline(line) == BODY
    # actors: the dateline is blocked, for capitals and title-case places alike
    for place in ("TOKYO", "Tokyo"):
        text = f"{place} ({agency}) - {BODY}"
        assert any(a == 0 and b > len(place) for a, b in dateline_spans(text))
        japan = next(a for a in ex.extract(text).actors if a.name == "Japan")
        assert [m.text for m in japan.mentions] == ["Japan"]


@pytest.mark.parametrize(
    ("record", "headline"),
    [
        ({"headline": "H", "title": "T"}, "H"),
        ({"title": "T"}, "T"),
        ({"headline": "", "title": "T"}, "T"),
        ({"headline": None, "title": "T"}, "T"),
        ({"headline": float("nan"), "title": "T"}, "T"),
        ({"headline": 7}, "7"),
        ({}, ""),
    ],
)
def test_headline_priority_is_decided_once(record: dict, headline: str) -> None:
    assert headline_of(record) == headline
    data = {**record, "id": "r", "text": "Body."}
    assert record_to_article(data, "x").article.headline == headline  # readers (JSONL/CSV/Parquet) and the API
    assert as_headline_body(data)[0] == headline  # topic models given dicts


def test_spark_rows_use_the_same_headline_rule() -> None:
    pd = pytest.importorskip("pandas")
    from foreign_desk.inference.spark import _row_records

    frame = pd.DataFrame(
        [{"id": 1, "headline": None, "title": "T", "text": "a"}, {"id": 2, "headline": "H", "title": "T", "text": "b"}]
    )
    assert [r["headline"] for r in _row_records(frame)] == ["T", "H"]


def test_as_article_errors_name_the_record() -> None:
    with pytest.raises(RecordError, match=r"f:1 \(id a\): missing 'text'") as err:
        as_article({"id": "a"}, "f:1")
    assert err.value.id == "a"
    with pytest.raises(RecordError, match="'text' is empty"):
        as_article({"text": "  "}, "f:2")
    with pytest.raises(RecordError, match="empty text"):
        as_article("  ", "item 3")
    with pytest.raises(TypeError, match="item 4"):
        as_article(4, "item 4")  # type: ignore[arg-type]
    assert as_article({"text": " Body. ", "title": " T "}, "f:5").text == "Body."
