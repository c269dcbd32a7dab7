"""The HTML report: aggregation of prediction records, escaping, the self-contained page and the CLI's errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main
from foreign_desk.inference.report_html import build_report, load_predictions, normalize_record
from foreign_desk.inference.report_html.data import parse_date, period_start, safe_url, time_granularity
from foreign_desk.inference.report_html.models import describe_model, describe_models
from foreign_desk.inference.report_html.render import (
    article_payload,
    articles_block,
    build_charts,
    render_html,
    script_json,
)
from tests.inference.report_fixtures import XSS_HEADLINE, XSS_SENTENCE, records, write_jsonl


@pytest.fixture()
def pred_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "pred.jsonl", extra_lines=["{not json", "[1, 2]"])


@pytest.fixture()
def report(pred_file: Path):
    return build_report(load_predictions([pred_file]))


# --- loading ---------------------------------------------------------------------------------------------------------


def test_malformed_lines_are_reported_with_line_number_and_skipped(pred_file: Path) -> None:
    loaded = load_predictions([pred_file])
    assert len(loaded.records) == 6
    assert loaded.n_problems == 2
    assert loaded.problems[0].startswith(f"{pred_file}:4: invalid JSON")
    assert loaded.problems[1].startswith(f"{pred_file}:5: expected a JSON object")


def test_missing_and_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.jsonl: no such file"):
        load_predictions([tmp_path / "nope.jsonl"])
    with pytest.raises(ValueError, match="is a directory"):
        load_predictions([tmp_path])


def test_normalize_coerces_odd_fields() -> None:
    rec = normalize_record(
        {"id": 7, "headline": None, "topics": {"labels": "x", "scores": {"a": "high", "b": 0.5, "c": float("nan")}},
         "actors": [{"actor": "A", "stance": "HOSTILE", "mentions": [{}, {}], "evidence": "no"}, "junk", {"actor": ""}],
         "relations": [{"holder": "A"}], "date": "not a date", "url": "javascript:alert(1)", "error": ""},
        "f:1",
    )  # fmt: skip
    assert rec["id"] == "7" and rec["headline"] == "" and rec["topics"] == []
    assert rec["topic_scores"] == {"b": 0.5}
    assert rec["actors"] == [{"actor": "A", "type": "other", "affiliation": None, "mentions": 2, "stance": None,
                              "scores": {}, "evidence": []}]  # fmt: skip
    assert rec["relations"] == [] and rec["date"] is None and rec["url"] is None and rec["error"] is None


def test_dates_and_periods() -> None:
    from datetime import date

    assert parse_date("2026-03-02T09:30:00Z") == date(2026, 3, 2)
    assert parse_date("2026-03-02 extra") == date(2026, 3, 2)
    assert parse_date("Mon, 02 Mar 2026 10:00:00 +0000") == date(2026, 3, 2)
    assert parse_date(0) == date(1970, 1, 1)
    assert parse_date("yesterday") is None and parse_date(True) is None
    assert time_granularity(date(2026, 1, 1), date(2026, 2, 1)) == "day"
    assert time_granularity(date(2026, 1, 1), date(2026, 3, 1)) == "week"
    assert time_granularity(date(2026, 1, 1), date(2026, 12, 1)) == "week"
    assert time_granularity(date(2020, 1, 1), date(2026, 1, 1)) == "month"
    assert period_start(date(2026, 3, 5), "week") == date(2026, 3, 2)
    assert period_start(date(2026, 3, 5), "month") == date(2026, 3, 1)
    assert safe_url("HTTPS://x.org/a") == "HTTPS://x.org/a" and safe_url("data:text/html,x") is None


# --- aggregation -----------------------------------------------------------------------------------------------------


def test_summary_and_errors(report) -> None:
    s = report.summary
    assert (s["records"], s["articles"], s["errors"], s["malformed_lines"]) == (6, 5, 1, 2)
    assert (s["dated"], s["first_date"], s["last_date"]) == (4, "2026-03-02", "2026-03-03")
    assert s["with_topics"] == 4 and s["relations"] == 2 and s["topic_evidence"]
    assert report.errors == [{"id": "r6", "headline": "Broken record", "error": "RuntimeError: the model failed on this one",
                              "where": report.errors[0]["where"]}]  # fmt: skip
    assert len(report.problems) == 2


def test_topic_counts_and_shares(report) -> None:
    by_topic = {t["topic"]: t for t in report.topics}
    assert by_topic["diplomacy"] == {"topic": "diplomacy", "articles": 2, "share": 0.4}
    assert by_topic["military"]["articles"] == 1 and by_topic["military"]["share"] == 0.2
    assert [t["topic"] for t in report.topics][0] == "diplomacy"  # most articles first
    assert set(by_topic) == {"diplomacy", "sanctions", "territorial_dispute", "military", "trade"}


def test_topic_volume_over_time(report) -> None:
    tt = report.topic_time
    assert tt["granularity"] == "day"
    rows = {(r["period"], r["topic"]): r["articles"] for r in tt["rows"]}
    assert rows[("2026-03-02", "diplomacy")] == 1 and rows[("2026-03-03", "diplomacy")] == 1
    assert rows[("2026-03-02", "trade")] == 1 and rows[("2026-03-03", "military")] == 1
    assert {r["period"]: r["articles"] for r in tt["totals"]} == {"2026-03-02": 2, "2026-03-03": 2}
    assert tt["periods"] == ["2026-03-02", "2026-03-03"]


def test_periods_cover_the_whole_span() -> None:
    from datetime import date

    from foreign_desk.inference.report_html.data import _periods

    assert _periods(date(2026, 1, 30), date(2026, 4, 2), "month") == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert _periods(date(2026, 3, 4), date(2026, 3, 17), "week") == ["2026-03-02", "2026-03-09", "2026-03-16"]


def test_actor_stance_counts(report) -> None:
    actors = {a["actor"]: a for a in report.actors}
    syl = actors["Sylvania"]
    assert (syl["articles"], syl["negative"], syl["neutral"], syl["positive"]) == (3, 1, 1, 1)
    assert syl["mentions"] == 6 and syl["net"] == 0.0
    fre = actors["Freedonia"]
    assert (fre["articles"], fre["negative"], fre["positive"], fre["mentions"]) == (2, 1, 1, 7)
    assert report.actors[0]["actor"] == "Sylvania"  # most articles first
    assert actors["Ada Varga"]["affiliation"] == "Freedonia" and actors["Ada Varga"]["type"] == "person"


def test_topic_by_actor(report) -> None:
    cells = {(c["topic"], c["actor"]): c for c in report.topic_actor}
    assert cells[("diplomacy", "Freedonia")]["articles"] == 1
    assert cells[("trade", "Freedonia")]["negative"] == 1
    assert ("military", "Freedonia") not in cells
    drivers = {d["topic"]: d for d in report.topic_drivers}
    assert [a["actor"] for a in drivers["military"]["actors"]] == ["Sylvania"]
    assert drivers["diplomacy"]["actors"][0]["share"] == 0.5


def test_relations_matrix(report) -> None:
    rel = report.relations
    assert rel["n_pairs"] == 2 and rel["total"] == 2
    pairs = {(r["holder"], r["target"]): r for r in rel["pairs"]}
    assert pairs[("Freedonia", "Sylvania")]["positive"] == 1 and pairs[("Freedonia", "Sylvania")]["net"] == 1.0
    assert pairs[("Sylvania", "Freedonia")]["negative"] == 1


def test_sections_absent_without_dates_or_relations(tmp_path: Path) -> None:
    plain = [{k: v for k, v in r.items() if k not in ("date", "relations")} for r in records()]
    path = tmp_path / "plain.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in plain), encoding="utf-8")
    data = build_report(load_predictions([path]))
    assert data.topic_time is None and data.relations is None
    charts = build_charts(data)
    assert "topic_time" not in charts and "relations" not in charts and "topics" in charts
    html = render_html(data)
    assert 'id="relations"' not in html and "no time view" in html


def test_relation_summary_used_when_no_sentence_relations(tmp_path: Path) -> None:
    rec = {"id": "x", "headline": "h", "topics": {"labels": [], "scores": {}}, "actors": [],
           "relation_summary": [{"holder": "A", "target": "B", "negative": 2, "positive": 1}]}  # fmt: skip
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(rec), encoding="utf-8")
    rel = build_report(load_predictions([path])).relations
    assert rel["pairs"][0]["count"] == 3 and rel["pairs"][0]["negative"] == 2
    # the shape of foreign_desk.inference.relations.relation_summary
    rec["relation_summary"] = [{"holder": "A", "target": "B", "counts": {"negative": 0, "neutral": 1, "positive": 3},
                                "stance": "positive", "n": 4, "mean_score": 0.8}]  # fmt: skip
    path.write_text(json.dumps(rec), encoding="utf-8")
    data = build_report(load_predictions([path]))
    assert data.relations["pairs"][0]["count"] == 4 and data.relations["pairs"][0]["positive"] == 3
    assert data.articles[0]["relation_summary"][0]["score"] == 0.8


def test_empty_input_gives_an_empty_report(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    data = build_report(load_predictions([path]))
    assert data.summary["articles"] == 0 and data.topics == [] and data.actors == []
    assert "<html" in render_html(data)


def test_article_payload_shares_sentences(report) -> None:
    items = {a["i"]: a for a in article_payload(report.articles)}
    r1 = items["r1"]
    assert len(r1["x"]) == 1  # the one sentence is the evidence of both actors, the topic and the relation
    assert r1["te"]["diplomacy"][0][0] == 0 and r1["a"][0][5][0][0] == 0 and r1["r"][0][5] == 0
    assert "u" not in items["r3"]  # a javascript: URL never becomes a link
    assert r1["u"] == "https://example.org/r1" and r1["d"] == "2026-03-02" and r1["s"] == "Wire One"


# --- escaping and the page ---------------------------------------------------------------------------------------------


def test_script_json_cannot_close_the_block() -> None:
    value = {"h": "</script><script>alert(1)</script><!-- \u2028\u2029 & >"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


def test_rendered_page_is_self_contained_and_escaped(report) -> None:
    html = render_html(report)
    # no resource is fetched: no src/href to http(s), no <link>, no @import
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    # the untrusted headline appears only escaped (table of errors / data block), never as a live tag
    assert XSS_HEADLINE not in html and "alert(1)</script>" not in html and "alert(2)</script>" not in html
    assert html.count("<script") == 4  # two JSON data blocks, the Vega bundle and the page script
    assert "Content-Security-Policy" in html
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S).group(1))
    assert set(data["charts"]) == {"topics", "topic_time", "actor_stance", "topic_actor", "relations"}
    block = re.search(r'<script type="application/json" id="report-articles" data-encoding="json">(.*?)</script>', html, re.S)
    articles = json.loads(block.group(1))
    assert any(a["h"] == XSS_HEADLINE for a in articles)
    assert any(XSS_SENTENCE in a["x"] for a in articles)


def test_large_article_data_is_compressed(report) -> None:
    import base64
    import gzip

    encoding, text = articles_block(report.articles, compress=True)
    assert encoding == "gzip+base64" and set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    assert json.loads(gzip.decompress(base64.b64decode(text))) == json.loads(articles_block(report.articles, False)[1])
    assert articles_block(report.articles)[0] == "json"  # small: left readable


def test_error_messages_and_headlines_are_escaped_in_the_html(tmp_path: Path) -> None:
    rec = {"id": "<b>id</b>", "headline": "<img src=x onerror=alert(1)>", "error": "<script>alert(1)</script>"}
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(rec), encoding="utf-8")
    html = render_html(build_report(load_predictions([path])))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>id</b>" not in html


# --- models ----------------------------------------------------------------------------------------------------------


def test_models_described_from_manifests(tmp_path: Path) -> None:
    from foreign_desk.inference.manifest import write_manifest

    model = tmp_path / "topic-x"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"task": "topic", "kind": "tfidf", "version": "9.9"}), encoding="utf-8")
    (model / "weights.bin").write_bytes(b"abc")
    write_manifest(model)
    info = describe_model(model)
    assert (info["name"], info["task"], info["kind"], info["version"], info["status"]) == ("topic-x", "topic", "tfidf", "9.9", "ok")
    assert len(info["manifest_sha256"]) == 64 and info["files"] == 2
    assert describe_model(tmp_path / "absent")["status"] == "missing"
    (tmp_path / "bare").mkdir()
    assert describe_model(tmp_path / "bare")["status"] == "no manifest"
    listed = describe_models(tmp_path, ["topic-x", "absent"])
    assert [m["status"] for m in listed] == ["ok", "missing"]


def test_default_models_include_ensemble_members() -> None:
    from foreign_desk.inference.paths import DEFAULT_STANCE_MODEL, DEFAULT_TOPIC_MODEL, default_models_dir

    if not (default_models_dir() / DEFAULT_TOPIC_MODEL).is_dir():
        pytest.skip("committed models not found")
    names = [m["name"] for m in describe_models(None, [DEFAULT_TOPIC_MODEL, DEFAULT_STANCE_MODEL])]
    assert names[:2] == [DEFAULT_TOPIC_MODEL, DEFAULT_STANCE_MODEL]
    def linked(name: str) -> list[str]:
        config = json.loads((default_models_dir() / name / "config.json").read_text())
        return [Path(m["path"]).name for key in ("members", "routes") for m in config.get(key, [])]

    members = linked(DEFAULT_TOPIC_MODEL)
    assert members and set(members) <= set(names)
    nested = [m for name in members for m in linked(name)]  # the routes' own members
    assert set(nested) <= set(names)
    assert "topic-minilm" in names  # the encoder the passages member reads


# --- CLI -------------------------------------------------------------------------------------------------------------


def test_cli_writes_report(
    pred_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "sub" / "report.html"
    assert main(["report", str(pred_file), "-o", str(out), "--title", "Week <10>"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<title>Week &lt;10&gt;</title>" in html
    err = capsys.readouterr().err
    assert f"{pred_file}:4: invalid JSON" in caplog.text  # the malformed line is named (a warning on stderr)
    assert "report: 5 articles, 1 errors, 2 malformed lines skipped" in err
    assert out.stat().st_mode & 0o044  # readable by others, not the 0600 of the temporary file


def test_cli_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"foreign-desk report: error: {tmp_path / 'missing.jsonl'}: no such file"
    assert not (tmp_path / "r.html").exists()


def test_cli_unwritable_output(pred_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["report", str(pred_file), "-o", str(blocker / "r.html"), "--no-models"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code in (1, 2) and err[-1].startswith("foreign-desk report: error:") and "Traceback" not in "\n".join(err)
    assert main(["report", str(pred_file), "-o", str(tmp_path)]) == 1  # an output-path problem: exit 1, as for every command
    assert "is a directory" in capsys.readouterr().err


# --- other inputs: CSV / Parquet output of predict, warnings, predict --report ------------------------------------------


def _flat_rows() -> list[dict]:
    from foreign_desk.inference.schema import flatten

    labels = ["diplomacy", "sanctions", "territorial_dispute", "military", "trade"]
    rows = []
    for rec in records():
        row = flatten(rec, labels)
        if rec.get("date"):
            row["date"] = rec["date"]
        rows.append(row)
    return rows


def test_reads_csv_and_parquet_written_by_predict(tmp_path: Path) -> None:
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _flat_rows()
    columns = sorted({k for r in rows for k in r})
    csv_path = tmp_path / "pred.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    pq_path = tmp_path / "pred.parquet"
    pq.write_table(pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows]), pq_path)
    jsonl = build_report(load_predictions([write_jsonl(tmp_path / "pred.jsonl")]))
    for path in (csv_path, pq_path):
        data = build_report(load_predictions([path]))
        assert data.summary["articles"] == 5 and data.summary["errors"] == 1
        assert sorted(data.topics, key=str) == sorted(jsonl.topics, key=str) and data.actors == jsonl.actors
        assert data.summary["first_date"] == "2026-03-02"
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no 'id' column"):
        load_predictions([bad])


def test_warnings_are_carried(tmp_path: Path) -> None:
    rec = {**records()[0], "warnings": ["truncated to 100000 characters"]}
    path = tmp_path / "w.jsonl"
    path.write_text(json.dumps(rec), encoding="utf-8")
    data = build_report(load_predictions([path]))
    assert data.summary["with_warnings"] == 1
    assert article_payload(data.articles)[0]["w"] == ["truncated to 100000 characters"]


def test_report_after_predict(pred_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from foreign_desk.inference.commands.report import report_after_predict

    args = argparse.Namespace(report=str(tmp_path / "r.html"), models=str(tmp_path), topic_model=None, stance_model=None)
    assert report_after_predict(args, pred_file) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    from foreign_desk.inference.paths import DEFAULT_TOPIC_MODEL

    assert DEFAULT_TOPIC_MODEL in html and "missing" in html  # the models dir given holds no models: said so
    assert report_after_predict(args, None) == 2
    assert "--report needs -o OUT" in capsys.readouterr().err
