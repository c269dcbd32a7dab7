"""Reading prediction records and aggregating them for the report (pure Python, no HTML here).

Records are untrusted input: every field is coerced to the expected type (a wrong type becomes empty, never an
exception), so one odd record cannot stop the report. Text stays raw here; escaping is the template's job.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

STANCES = ("negative", "neutral", "positive")
TOP_ACTORS_CHART = 20
"""Actors in the actor × stance chart."""
TOP_ACTORS_TABLE = 200
"""Actors in the sortable actor table."""
TOP_ACTORS_MATRIX = 15
"""Actors (columns) of the topic × actor heatmap."""
TOP_DRIVERS = 6
"""Actors listed under each topic."""
TOP_RELATION_ACTORS = 15
"""Holders (rows) and targets (columns) of the holder → target matrix."""
MAX_PROBLEMS_KEPT = 500


@dataclass
class LoadedPredictions:
    """The records read from the prediction files, and the lines that could not be read."""

    records: list[tuple[str, dict]] = field(default_factory=list)
    """``(where, record)`` pairs; ``where`` is ``file:line``."""
    problems: list[str] = field(default_factory=list)
    """One line per malformed input line (``file:line: invalid JSON ...``), the first :data:`MAX_PROBLEMS_KEPT`."""
    n_problems: int = 0
    inputs: list[str] = field(default_factory=list)


def load_predictions(paths: Iterable[str | Path]) -> LoadedPredictions:
    """Read JSONL prediction files (``-`` for stdin). A missing input is a ``FileNotFoundError``, an unreadable one a
    ``ValueError`` (both with a one-line message naming it); a malformed line is recorded in ``problems`` and skipped."""
    loaded = LoadedPredictions()
    for path in paths:
        name = str(path)
        loaded.inputs.append(name)
        if name == "-":
            _read_lines(sys.stdin, "<stdin>", loaded)
            continue
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{name}: no such file")
        if p.is_dir():
            raise ValueError(f"{name}: is a directory (expected a JSONL file written by `foreign-desk predict`)")
        suffix = p.suffix.lower()
        try:
            if suffix == ".csv":
                _read_csv(p, name, loaded)
            elif suffix in {".parquet", ".pq"}:
                _read_parquet(p, name, loaded)
            else:
                with open(p, encoding="utf-8", errors="replace") as fh:
                    _read_lines(fh, name, loaded)
        except OSError as exc:
            raise ValueError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    return loaded


def _read_csv(path: Path, name: str, loaded: LoadedPredictions) -> None:
    import csv

    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise ValueError(f"{name}: not a CSV written by `foreign-desk predict` (no 'id' column)")
        for rowno, row in enumerate(reader, start=2):
            _add_flat(row, f"{name}:{rowno}", loaded)


def _read_parquet(path: Path, name: str, loaded: LoadedPredictions) -> None:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise ValueError(f"{name}: not a readable Parquet file ({' '.join(str(exc).split())[:200]})") from exc
    if "id" not in parquet.schema_arrow.names:
        raise ValueError(f"{name}: not a Parquet file written by `foreign-desk predict` (no 'id' column)")
    rowno = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            _add_flat(row, f"{name}:row {rowno}", loaded)
            rowno += 1


def unflatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """A record from a flat CSV/Parquet row of ``predict`` (``topics`` joined by ';', ``topic_score.<label>``,
    ``actors_json``, ``warnings`` joined by '; '); a ``<field>_json`` column is parsed back into ``<field>``.
    Raises ``ValueError`` for a ``*_json`` cell that is not JSON."""
    record: dict[str, Any] = {}
    scores: dict[str, float] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        if key.startswith("topic_score."):
            try:
                scores[key[len("topic_score.") :]] = float(value)
            except (TypeError, ValueError):
                pass
        elif key.endswith("_json"):
            try:
                record[key[: -len("_json")]] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"column {key}: invalid JSON ({exc.msg})") from exc
        elif key == "topics":
            continue
        elif key == "warnings":
            record[key] = [w for w in str(value).split("; ") if w]
        elif key not in record:
            record[key] = value
    labels = [label for label in str(row.get("topics") or "").split(";") if label]
    record["topics"] = {"labels": labels, "scores": scores}
    return record


def _add_flat(row: Mapping[str, Any], where: str, loaded: LoadedPredictions) -> None:
    try:
        loaded.records.append((where, unflatten(row)))
    except ValueError as exc:
        _problem(loaded, f"{where}: {exc}; row skipped")


def _read_lines(lines: Iterable[str], name: str, loaded: LoadedPredictions) -> None:
    for lineno, line in enumerate(lines, start=1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        where = f"{name}:{lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            _problem(loaded, f"{where}: invalid JSON ({exc.msg} at column {exc.colno}); line skipped")
            continue
        except RecursionError:
            _problem(loaded, f"{where}: JSON nested too deeply; line skipped")
            continue
        if not isinstance(data, dict):
            _problem(loaded, f"{where}: expected a JSON object, got {type(data).__name__}; line skipped")
            continue
        loaded.records.append((where, data))


def _problem(loaded: LoadedPredictions, message: str) -> None:
    loaded.n_problems += 1
    if len(loaded.problems) < MAX_PROBLEMS_KEPT:
        loaded.problems.append(message)


# --- one record ------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _opt_text(value: Any) -> str | None:
    return _text(value) or None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _stance(value: Any) -> str | None:
    text = _text(value).strip().lower()
    return text if text in STANCES else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def parse_date(value: Any) -> date | None:
    """A calendar date from ISO 8601 (``2017-03-04``, ``2017-03-04T12:00:00Z``), RFC 2822 or a Unix timestamp."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = _text(value).strip()
    if not text:
        return None
    for candidate in (text, text[:10]):
        try:
            return datetime.fromisoformat(candidate).date()
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def safe_url(value: Any) -> str | None:
    """The URL when it is ``http(s)://`` (anything else, such as ``javascript:``, is never made a link)."""
    text = _text(value).strip()
    return text if text.lower().startswith(("http://", "https://")) and len(text) <= 2048 else None


def normalize_record(raw: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """One prediction record with every field of the expected type (see the module docstring)."""
    topics = _dict(raw.get("topics"))
    labels = []
    for label in _list(topics.get("labels")):
        label = _text(label)
        if label and label not in labels:
            labels.append(label)
    scores = {_text(k): s for k, v in _dict(topics.get("scores")).items() if (s := _num(v)) is not None and _text(k)}
    evidence: dict[str, list[dict]] = {}
    for label, passages in _dict(topics.get("evidence")).items():
        items = []
        for passage in _list(passages):
            if isinstance(passage, dict):
                text, score = _text(passage.get("text")), _num(passage.get("score"))
            else:
                text, score = _text(passage), None
            if text:
                items.append({"text": text, "score": score})
        if items:
            evidence[_text(label)] = items

    actors: list[dict] = []
    seen: set[str] = set()
    for item in _list(raw.get("actors")):
        if not isinstance(item, dict):
            continue
        name = _text(item.get("actor") or item.get("name")).strip()
        if not name or name in seen:
            continue
        seen.add(name)
        mentions = item.get("mentions")
        n_mentions = len(mentions) if isinstance(mentions, list) else int(_num(mentions) or 0)
        sentences = []
        for ev in _list(item.get("evidence")):
            if isinstance(ev, dict) and _text(ev.get("sentence")):
                sentences.append(
                    {"sentence": _text(ev.get("sentence")), "stance": _stance(ev.get("stance")), "score": _num(ev.get("score"))}
                )
        actors.append(
            {
                "actor": name,
                "type": _text(item.get("type")) or "other",
                "affiliation": _opt_text(item.get("affiliation")),
                "mentions": max(n_mentions, 1),
                "stance": _stance(item.get("stance")),
                "scores": {s: v for s in STANCES if (v := _num(_dict(item.get("scores")).get(s))) is not None},
                "evidence": sentences,
            }
        )

    relations = []
    for rel in _list(raw.get("relations")):
        if not isinstance(rel, dict):
            continue
        holder, target = _text(rel.get("holder")).strip(), _text(rel.get("target")).strip()
        if holder and target:
            relations.append(
                {
                    "holder": holder,
                    "target": target,
                    "stance": _stance(rel.get("stance")),
                    "holder_text": _text(rel.get("holder_text")),
                    "target_text": _text(rel.get("target_text")),
                    "sentence": _text(rel.get("sentence")),
                    "score": _num(rel.get("score")),
                }
            )
    warnings = [w for w in (_text(x) for x in _list(raw.get("warnings"))) if w]
    summary = raw.get("relation_summary")
    day = parse_date(raw.get("date"))
    error = raw.get("error")
    return {
        "id": _text(raw.get("id")) or where,
        "headline": _text(raw.get("headline") or raw.get("title")),
        "date": day.isoformat() if day else None,
        "date_raw": _opt_text(raw.get("date")),
        "source": _opt_text(raw.get("source")),
        "url": safe_url(raw.get("url")),
        "topics": labels,
        "topic_scores": scores,
        "topic_evidence": evidence,
        "actors": actors,
        "relations": relations,
        "relation_summary": _relation_summary(summary),
        "warnings": warnings,
        "error": None if error is None or error == "" else (_text(error) or json.dumps(error)),
    }


def _relation_summary(value: Any) -> list[dict]:
    """``relation_summary`` as a list of ``{"holder","target","stance","count",...}`` rows (a dict keyed by
    ``"holder -> target"`` or a list of objects are both accepted; anything else gives ``[]``)."""
    rows = []
    if isinstance(value, dict):
        value = [{"pair": k, **v} if isinstance(v, dict) else {"pair": k, "value": v} for k, v in value.items()]
    for row in _list(value):
        if not isinstance(row, dict):
            continue
        holder, target = _text(row.get("holder")).strip(), _text(row.get("target")).strip()
        if not (holder and target) and isinstance(row.get("pair"), str):
            for sep in ("->", "→", "|", "\t"):
                if sep in row["pair"]:
                    holder, target = (part.strip() for part in row["pair"].split(sep, 1))
                    break
        if not (holder and target):
            continue
        nested = row.get("counts") if isinstance(row.get("counts"), dict) else row  # {"counts": {"negative": 2, ...}}
        counts = {s: int(n) for s in STANCES if (n := _num(nested.get(s))) is not None}
        count = _num(row.get("count") if row.get("count") is not None else row.get("n"))
        rows.append(
            {
                "holder": holder,
                "target": target,
                "stance": _stance(row.get("stance")),
                "count": int(count) if count is not None else (sum(counts.values()) or 1),
                "counts": counts,
                "score": _num(row.get("score") if row.get("score") is not None else row.get("mean_score")),
            }
        )
    return rows


# --- aggregation -----------------------------------------------------------------------------------------------------


@dataclass
class ReportData:
    """Everything the report shows, aggregated (see :func:`build_report`)."""

    summary: dict[str, Any]
    topics: list[dict[str, Any]]
    topic_time: dict[str, Any] | None
    actors: list[dict[str, Any]]
    topic_actor: list[dict[str, Any]]
    topic_drivers: list[dict[str, Any]]
    relations: dict[str, Any] | None
    articles: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    problems: list[str]
    models: list[dict[str, Any]]


def _stance_counts() -> dict[str, int]:
    return dict.fromkeys(STANCES, 0)


def _net(counts: Mapping[str, int], total: int) -> float:
    return round((counts["positive"] - counts["negative"]) / total, 3) if total else 0.0


def time_granularity(first: date, last: date) -> str:
    """``day`` for up to five weeks, ``week`` up to a year, else ``month`` (at most ~50 bars)."""
    span = (last - first).days
    return "day" if span <= 35 else "week" if span <= 366 else "month"


def period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _periods(first: date, last: date, granularity: str) -> list[str]:
    """Every period start from ``first`` to ``last`` (a period without articles still gets its place on the axis)."""
    out, current = [], period_start(first, granularity)
    while current <= last:
        out.append(current.isoformat())
        if granularity == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if granularity == "week" else 1)
    return out


def build_report(
    loaded: LoadedPredictions,
    models: list[dict[str, Any]] | None = None,
    generated: datetime | None = None,
) -> ReportData:
    """Aggregate the loaded records: topics, topic volume over time, actors × stance, topic × actor, holder → target,
    the article list, errors and the run summary."""
    articles, errors = [], []
    for where, raw in loaded.records:
        rec = normalize_record(raw, where)
        rec["where"] = where
        (errors if rec["error"] else articles).append(rec)

    # topics
    label_order: list[str] = []
    for rec in articles:
        for label in [*rec["topic_scores"], *rec["topics"]]:
            if label not in label_order:
                label_order.append(label)
    topic_counts = Counter(label for rec in articles for label in rec["topics"])
    n = len(articles)
    topics = sorted(
        (
            {"topic": label, "articles": topic_counts[label], "share": round(topic_counts[label] / n, 4) if n else 0.0}
            for label in label_order
        ),
        key=lambda t: (-t["articles"], label_order.index(t["topic"])),
    )

    # topics over time
    dated = [rec for rec in articles if rec["date"]]
    topic_time = None
    if dated:
        days = [date.fromisoformat(rec["date"]) for rec in dated]
        granularity = time_granularity(min(days), max(days))
        volume: Counter[tuple[str, str]] = Counter()
        totals: Counter[str] = Counter()
        for rec, day in zip(dated, days, strict=True):
            period = period_start(day, granularity).isoformat()
            totals[period] += 1
            for label in rec["topics"]:
                volume[(period, label)] += 1
        topic_time = {
            "granularity": granularity,
            "rows": [{"period": p, "topic": t, "articles": c} for (p, t), c in sorted(volume.items())],
            "totals": [{"period": p, "articles": c} for p, c in sorted(totals.items())],
            "periods": _periods(min(days), max(days), granularity),
            "first": min(days).isoformat(),
            "last": max(days).isoformat(),
        }

    # actors x stance
    stats: dict[str, dict[str, Any]] = {}
    for rec in articles:
        for actor in rec["actors"]:
            s = stats.setdefault(
                actor["actor"],
                {"actor": actor["actor"], "types": Counter(), "affiliations": Counter(), "articles": 0, "mentions": 0,
                 **_stance_counts()},
            )  # fmt: skip
            s["types"][actor["type"]] += 1
            if actor["affiliation"]:
                s["affiliations"][actor["affiliation"]] += 1
            s["articles"] += 1
            s["mentions"] += actor["mentions"]
            if actor["stance"]:
                s[actor["stance"]] += 1
    actor_rows = []
    for s in stats.values():
        row = {k: v for k, v in s.items() if k not in ("types", "affiliations")}
        row["type"] = s["types"].most_common(1)[0][0]
        row["affiliation"] = s["affiliations"].most_common(1)[0][0] if s["affiliations"] else None
        row["net"] = _net(s, s["articles"])
        actor_rows.append(row)
    actor_rows.sort(key=lambda r: (-r["articles"], -r["mentions"], r["actor"]))

    # topic x actor
    pair: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"articles": 0, **_stance_counts()})
    for rec in articles:
        for label in rec["topics"]:
            for actor in rec["actors"]:
                cell = pair[(label, actor["actor"])]
                cell["articles"] += 1
                if actor["stance"]:
                    cell[actor["stance"]] += 1
    matrix_actors = [r["actor"] for r in actor_rows[:TOP_ACTORS_MATRIX]]
    topic_actor = [
        {"topic": t["topic"], "actor": a, **pair[(t["topic"], a)], "net": _net(pair[(t["topic"], a)], pair[(t["topic"], a)]["articles"])}
        for t in topics
        if t["articles"]
        for a in matrix_actors
        if (t["topic"], a) in pair
    ]
    drivers = []
    for t in topics:
        if not t["articles"]:
            continue
        cells = sorted(
            ((a, c) for (label, a), c in pair.items() if label == t["topic"]), key=lambda ac: (-ac[1]["articles"], ac[0])
        )
        drivers.append(
            {
                "topic": t["topic"],
                "articles": t["articles"],
                "actors": [
                    {"actor": a, **c, "share": round(c["articles"] / t["articles"], 3)} for a, c in cells[:TOP_DRIVERS]
                ],
            }
        )

    relations = _aggregate_relations(articles)

    days_all = [rec["date"] for rec in articles if rec["date"]]
    summary = {
        "inputs": list(loaded.inputs),
        "records": len(loaded.records),
        "articles": n,
        "errors": len(errors),
        "malformed_lines": loaded.n_problems,
        "with_topics": sum(1 for rec in articles if rec["topics"]),
        "distinct_actors": len(actor_rows),
        "actor_mentions": sum(r["mentions"] for r in actor_rows),
        "dated": len(days_all),
        "first_date": min(days_all) if days_all else None,
        "last_date": max(days_all) if days_all else None,
        "relations": sum(len(rec["relations"]) for rec in articles),
        "with_warnings": sum(1 for rec in articles if rec["warnings"]),
        "topic_evidence": any(rec["topic_evidence"] for rec in articles),
        "sources": Counter(rec["source"] for rec in articles if rec["source"]).most_common(10),
        "generated": (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return ReportData(
        summary=summary,
        topics=topics,
        topic_time=topic_time,
        actors=actor_rows[:TOP_ACTORS_TABLE],
        topic_actor=topic_actor,
        topic_drivers=drivers,
        relations=relations,
        articles=articles,
        errors=[{"id": r["id"], "headline": r["headline"], "error": r["error"], "where": r["where"]} for r in errors],
        problems=list(loaded.problems),
        models=list(models or []),
    )


def _aggregate_relations(articles: list[dict]) -> dict[str, Any] | None:
    """Holder → target counts by stance, from each article's ``relations`` (or its ``relation_summary`` when it has
    no sentence-level relations); ``None`` when no article has any."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}

    def add(holder: str, target: str, stance: str | None, count: int = 1) -> dict[str, Any]:
        cell = pairs.setdefault((holder, target), {"holder": holder, "target": target, "count": 0, **_stance_counts()})
        cell["count"] += count
        if stance:
            cell[stance] += count
        return cell

    for rec in articles:
        if rec["relations"]:
            for rel in rec["relations"]:
                add(rel["holder"], rel["target"], rel["stance"])
        else:
            for row in rec["relation_summary"]:
                if row["counts"]:
                    for stance, c in row["counts"].items():
                        add(row["holder"], row["target"], stance, c)
                else:
                    add(row["holder"], row["target"], row["stance"], row["count"])
    if not pairs:
        return None
    rows = sorted(pairs.values(), key=lambda r: (-r["count"], r["holder"], r["target"]))
    for row in rows:
        row["net"] = _net(row, row["count"])
    holders = Counter()
    targets = Counter()
    for row in rows:
        holders[row["holder"]] += row["count"]
        targets[row["target"]] += row["count"]
    top_h = {h for h, _ in holders.most_common(TOP_RELATION_ACTORS)}
    top_t = {t for t, _ in targets.most_common(TOP_RELATION_ACTORS)}
    return {
        "pairs": rows[:200],
        "matrix": [r for r in rows if r["holder"] in top_h and r["target"] in top_t],
        "n_pairs": len(rows),
        "total": sum(r["count"] for r in rows),
    }
