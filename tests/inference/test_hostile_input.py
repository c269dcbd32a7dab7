"""Unit checks for hostile input: lossy mojibake repair, surrogates, size limits, JSON depth, CSV rows that do not
parse cleanly, long lines, output paths and the output lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foreign_desk.inference.article import Article
from foreign_desk.inference.atomic import OutputError, OutputLock, check_output_path, json_line
from foreign_desk.inference.readers import _bounded_lines, read_records
from foreign_desk.inference.segment import segment
from foreign_desk.inference.textio import binary_reason, clean_line, repair_lossy_mojibake, scrub_surrogates
from foreign_desk.inference.wire import MAX_TEXT_CHARS, as_article, sanitize_article
from foreign_desk.inference.writers import spreadsheet_safe

LOSSY = "â€\ufffd"  # "”" read as cp1252 with replacement


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (f"He said “yes{LOSSY} and left.", "He said “yes” and left."),
        (f"“We will go,{LOSSY} he said.", "“We will go,” he said."),
        (f"the end.{LOSSY}", "the end.”"),
        (f"it was {LOSSY}final{LOSSY}.", "it was “final”."),
        (f"(quoted{LOSSY})", "(quoted”)"),
        ("the endâ€", "the end”"),  # the undefined byte dropped instead of replaced
        (f"a{LOSSY}b", f"a{LOSSY}b"),  # inside a word: not certain, left alone
        ("clean text", "clean text"),
    ],
)
def test_lossy_mojibake_near_certain_repairs(raw: str, fixed: str) -> None:
    assert repair_lossy_mojibake(raw) == fixed


def test_lossy_and_ordinary_mojibake_on_one_line() -> None:
    assert clean_line(f"â€œWe will go,{LOSSY} said the ministerâ€™s aide.") == "“We will go,” said the minister’s aide."


def test_a_quote_after_lossy_mojibake_is_not_a_new_headline() -> None:
    dump = (
        "China welcomes accord\n\n"
        f"BEIJING (Reuters) - China on Monday welcomed the accord. “It is a good day,{LOSSY} a spokesman said.\n\n"
        f"“We will keep talking,{LOSSY}\n\n"
        "“The door is open,” he added, speaking to reporters in Beijing after the signing ceremony.\n"
    )
    arts = segment(dump)
    assert [a.headline for a in arts] == ["China welcomes accord"]
    assert "“We will keep talking,”" in arts[0].paragraphs


def test_surrogates_are_replaced_one_for_one() -> None:
    assert scrub_surrogates("a\ud800b\udfffc") == ("a\ufffdb\ufffdc", 2)
    assert scrub_surrogates("clean") == ("clean", 0)
    article = as_article({"id": "x\ud800", "text": "Iran \udc00 said", "title": "T\ud800"}, "w")
    assert article.text == "Iran \ufffd said" and article.headline == "T\ufffd" and article.id == "x\ufffd"
    assert article.warnings == ["replaced 3 lone surrogate(s) with U+FFFD"]
    assert Article.make_id("\ud800", "x").startswith("a-")  # hashing never raises
    assert json.loads(json_line({"t": "\ud800"})) == {"t": "\ufffd"}


def test_size_limits_truncate_with_a_warning_and_keep_the_id() -> None:
    text = "word " * (MAX_TEXT_CHARS // 2)
    article = Article.from_text(text, headline="H" * 5000)
    safe = sanitize_article(article)
    assert len(safe.text) <= MAX_TEXT_CHARS and len(safe.headline) == 1000 and safe.id == article.id
    assert any(w.startswith(f"text truncated to {MAX_TEXT_CHARS} characters") for w in safe.warnings)
    assert sanitize_article(Article.from_text("short")).warnings == []


def test_jsonl_depth_surrogates_and_types_are_per_record(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join([
            json.dumps({"id": "a", "text": "ok"}),
            "[" * 50_000,
            '{"id": "s", "text": "Tehran \\ud800 said"}',
            json.dumps({"id": "t", "text": {"nested": [1, 2]}}),
            json.dumps({"id": "b", "text": "ok too"}),
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    records = list(read_records([str(src)]))
    assert [r.id for r in records] == ["a", f"{src}:2", "s", "t", "b"]
    assert [r.error is None for r in records] == [True, False, True, False, True]
    assert "nested too deeply" in records[1].error


def test_an_overlong_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("short\n" + "x" * 1000 + "\nafter\n", encoding="utf-8")
    with open(src, encoding="utf-8") as fh:
        assert list(_bounded_lines(fh, limit=100)) == ["short\n", None, "after\n"]


def test_csv_broken_rows_are_reported_not_merged(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        b'id,title,text\n1,T1,"Body one"\n2,T2,"unclosed\n3,T3,"Body three"\n4,T4,four\n'
        b'5,T5,"multi\nline ""quoted"" body"\n6,T6,x,extra field\n7,T7,"trailing unclosed\n'
    )
    records = list(read_records([str(src)]))
    assert [(r.id, r.error is None) for r in records] == [
        ("1", True), (f"{src}:3", False), ("3", True), ("4", True), ("5", True), (f"{src}:8", False),
        (f"{src}:9", False),
    ]  # fmt: skip
    assert "CSV" in records[1].error and records[4].article.text == 'multi\nline "quoted" body'


def test_binary_detection() -> None:
    assert binary_reason(b"%PDF-1.4 ...") == "binary file (a PDF document)"
    assert binary_reason(b"ab\x00cd") is not None
    assert binary_reason("plain text, “quotes”".encode()) is None
    assert binary_reason("\ufeffutf-16 text".encode("utf-16")) is None  # a BOM'd UTF-16 dump is text


def test_output_path_checks(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a directory"):
        check_output_path(tmp_path)
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_path(tmp_path / "file" / "sub" / "out.jsonl")
    assert check_output_path(tmp_path / "new" / "out.jsonl") == tmp_path / "new" / "out.jsonl"
    assert (tmp_path / "new").is_dir() and list((tmp_path / "new").iterdir()) == []  # the probe is gone
    assert check_output_path(None) is None


def test_output_lock_is_exclusive_and_reusable(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with OutputLock(out):
        with pytest.raises(OutputError, match=r"is being written by another run \(pid \d+\)"):
            OutputLock(out).acquire()
    with OutputLock(out):  # released: the next run takes it
        pass
    assert not out.with_name("out.jsonl.lock").exists()


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe_cells(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("plain") == "plain" and spreadsheet_safe(-1.5) == -1.5
