"""`foreign-desk actors`: JSONL in, JSONL out; bad records give an error line and the rest continue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main


def run_cli(tmp_path: Path, lines: list[str], *extra: str) -> list[dict]:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["actors", str(src), "-o", str(out), *extra]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_records_and_errors(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "headline": "Putin calls Erdogan", "text": "MOSCOW (Reuters) - The Kremlin said."}),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": 42}),
        json.dumps({"id": "e", "title": "Iran talks", "text": "Tehran agreed."}),
    ]
    out = run_cli(tmp_path, lines)
    src = str(tmp_path / "in.jsonl")
    assert [o.get("id") for o in out] == ["a", f"{src}:2", "c", "d", "e"]
    first = {a["name"]: a for a in out[0]["actors"]}
    assert set(first) == {"Vladimir Putin", "Recep Tayyip Erdogan", "Russia"}
    full = "Putin calls Erdogan\n\nMOSCOW (Reuters) - The Kremlin said."
    for a in first.values():
        for m in a["mentions"]:
            assert full[m["start"]:m["end"]] == m["text"]
    assert out[1]["error"].startswith(f"{src}:2: invalid JSON")
    assert out[2]["error"] == f"{src}:3 (id c): missing 'text'"
    assert out[3]["error"] == f"{src}:4 (id d): 'text' is not a string"
    assert [a["name"] for a in out[4]["actors"]] == ["Iran"]


def test_user_actor_file(tmp_path: Path) -> None:
    user = tmp_path / "actors.yaml"
    user.write_text("actors:\n  - {name: Acme Defence, type: organisation, aliases: [Acme]}\n", encoding="utf-8")
    out = run_cli(tmp_path, [json.dumps({"id": "x", "text": "Acme sold rockets."})], "--actors", str(user))
    assert out[0]["actors"][0]["name"] == "Acme Defence"


def test_missing_user_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n", encoding="utf-8")
    assert main(["actors", str(src), "--actors", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_invalid_user_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n", encoding="utf-8")
    user = tmp_path / "bad.yaml"
    user.write_text("actors:\n  - {type: person}\n", encoding="utf-8")
    assert main(["actors", str(src), "--actors", str(user)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "name" in err


def test_raw_dump_is_segmented(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(
        "Lisbon and Madrid sign water pact\n\n"
        "LISBON (Reuters) - Portugal and Spain signed a water-sharing treaty on Monday, officials said.\n\n"
        "The Spanish foreign minister called it a model for Europe.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["actors", str(dump), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    assert {a["name"] for a in rows[0]["actors"]} >= {"Portugal", "Spain"}
