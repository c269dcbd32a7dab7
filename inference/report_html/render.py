"""HTML rendering: Vega-Altair chart specs, the Vega JavaScript bundle (from vl-convert, inlined), a Jinja2 template
with autoescaping, and the article data as an escaped JSON block read by the page's own script."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import secrets
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from foreign_desk.inference.report_html.data import STANCES, TOP_ACTORS_CHART, ReportData

log = logging.getLogger(__name__)

STANCE_COLORS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}
_PACKAGE = "foreign_desk.inference.report_html"


# --- safe embedding --------------------------------------------------------------------------------------------------


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` and U+2028/2029 escaped as
    ``\\uXXXX`` (still valid JSON, so ``JSON.parse`` gives back the same strings), so no ``</script>`` or ``<!--`` can
    end or change the block."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def inline_script(code: str) -> str:
    """Library code for an inline ``<script>``: a ``</script`` or ``<!--`` sequence (none in the bundles we ship) is
    broken up so it cannot close the element early."""
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT").replace("<!--", "<\\!--")


# --- the Vega bundle ---------------------------------------------------------------------------------------------------


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "foreign-desk"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one ES module (vl-convert's ``javascript_bundle``, ~0.9 MB minified).
    Bundling takes a few seconds, so the result is cached on disk per vl-convert version."""
    import altair as alt
    import vl_convert as vlc

    vl_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if vl_version not in vlc.get_vegalite_versions():
        vl_version = None
    key = f"vl-bundle-{getattr(vlc, '__version__', 'x')}-{vl_version or 'default'}.js"
    path = _cache_dir() / key
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vlc.javascript_bundle(vl_version=vl_version) if vl_version else vlc.javascript_bundle()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home: bundle again next time
        log.debug("cannot cache the Vega bundle in %s: %s", path, exc)
    return bundle


# --- charts ----------------------------------------------------------------------------------------------------------


def _COUNT_AXIS():  # noqa: N802 - a constant made lazily (altair is imported on first use)
    import altair as alt

    return alt.Axis(format="d", tickMinStep=1)


def _stance_scale():
    import altair as alt

    return alt.Scale(domain=list(STANCES), range=[STANCE_COLORS[s] for s in STANCES])


def build_charts(data: ReportData) -> dict[str, dict]:
    """Vega-Lite specs (dicts) by chart id; a chart without data is left out."""
    import altair as alt

    charts: dict[str, dict] = {}
    width = "container"
    topics = [t for t in data.topics]
    if topics and any(t["articles"] for t in topics):
        base = alt.Chart(alt.Data(values=topics)).encode(
            y=alt.Y("topic:N", sort=[t["topic"] for t in topics], title=None, axis=alt.Axis(labelLimit=180)),
            x=alt.X("articles:Q", title="articles", axis=_COUNT_AXIS()),
            tooltip=[
                alt.Tooltip("topic:N"),
                alt.Tooltip("articles:Q"),
                alt.Tooltip("share:Q", format=".1%", title="share of articles"),
            ],
        )
        bars = base.mark_bar(color="#2c6fbb", cursor="pointer")
        text = base.mark_text(align="left", dx=4, color="#333").encode(text=alt.Text("share:Q", format=".0%"))
        charts["topics"] = (bars + text).properties(width=width, height=max(120, 26 * len(topics))).to_dict()

    if data.topic_time and data.topic_time["rows"]:
        pick = alt.selection_point(fields=["topic"], bind="legend")
        charts["topic_time"] = (
            alt.Chart(alt.Data(values=data.topic_time["rows"]))
            .mark_bar()
            .encode(
                x=alt.X("period:O", title=f"{data.topic_time['granularity']} (start)",
                        scale=alt.Scale(domain=data.topic_time["periods"]), axis=alt.Axis(labelAngle=-40)),
                y=alt.Y("sum(articles):Q", stack="zero", title="articles per topic", axis=_COUNT_AXIS()),
                color=alt.Color("topic:N", legend=alt.Legend(orient="right", title="topic (click)")),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
                tooltip=[alt.Tooltip("period:O", title=data.topic_time["granularity"]), "topic:N",
                         alt.Tooltip("sum(articles):Q", title="articles")],
            )  # fmt: skip
            .add_params(pick)
            .properties(width=width, height=260)
            .to_dict()
        )

    top = data.actors[:TOP_ACTORS_CHART]
    if top:
        rows = [
            {"actor": a["actor"], "stance": s, "articles": a[s], "total": a["articles"], "order": STANCES.index(s)}
            for a in top
            for s in STANCES
            if a[s]
        ]
        order = [a["actor"] for a in top]
        charts["actor_stance"] = (
            alt.Chart(alt.Data(values=rows))
            .mark_bar(cursor="pointer")
            .encode(
                y=alt.Y("actor:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
                x=alt.X("articles:Q", stack="zero", title="articles (by the stance toward the actor)", axis=_COUNT_AXIS()),
                color=alt.Color("stance:N", scale=_stance_scale(), legend=alt.Legend(orient="top", title=None)),
                order=alt.Order("order:Q"),
                tooltip=["actor:N", "stance:N", "articles:Q", alt.Tooltip("total:Q", title="articles naming it")],
            )
            .properties(width=width, height=max(120, 22 * len(top)))
            .to_dict()
        )

    if data.topic_actor:
        actors = [a["actor"] for a in data.actors if any(c["actor"] == a["actor"] for c in data.topic_actor)]
        topic_order = [t["topic"] for t in data.topics if t["articles"]]
        base = alt.Chart(alt.Data(values=data.topic_actor)).encode(
            x=alt.X("actor:N", sort=actors, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=140)),
            y=alt.Y("topic:N", sort=topic_order, title=None),
        )
        heat = base.mark_rect(cursor="pointer").encode(
            color=alt.Color("articles:Q", scale=alt.Scale(scheme="blues"), legend=alt.Legend(title="articles")),
            tooltip=["topic:N", "actor:N", "articles:Q", "negative:Q", "neutral:Q", "positive:Q"],
        )
        text = base.mark_text(fontSize=10).encode(
            text="articles:Q",
            color=alt.condition(f"datum.articles > {_dark_cutoff(data.topic_actor)}", alt.value("#fff"), alt.value("#111")),
        )
        charts["topic_actor"] = (
            (heat + text).properties(width=width, height=max(120, 28 * len(topic_order))).to_dict()
        )

    if data.relations and data.relations["matrix"]:
        rows = data.relations["matrix"]
        holders = _ordered(rows, "holder")
        targets = _ordered(rows, "target")
        base = alt.Chart(alt.Data(values=rows)).encode(
            x=alt.X("target:N", sort=targets, title="target", axis=alt.Axis(labelAngle=-40, labelLimit=140)),
            y=alt.Y("holder:N", sort=holders, title="holder"),
        )
        heat = base.mark_rect().encode(
            color=alt.Color(
                "net:Q",
                scale=alt.Scale(domain=[-1, 0, 1], range=[STANCE_COLORS["negative"], "#f4f4f4", STANCE_COLORS["positive"]]),
                legend=alt.Legend(title="net stance"),
            ),
            tooltip=["holder:N", "target:N", alt.Tooltip("count:Q", title="relations"), "negative:Q", "neutral:Q",
                     "positive:Q", alt.Tooltip("net:Q", format="+.2f")],
        )  # fmt: skip
        text = base.mark_text(fontSize=10, color="#111").encode(text="count:Q")
        charts["relations"] = (heat + text).properties(width=width, height=max(120, 26 * len(holders))).to_dict()
    return charts


def _dark_cutoff(cells: list[dict]) -> float:
    """Counts above this are drawn on a dark cell (white text)."""
    return 0.6 * max((c["articles"] for c in cells), default=1)


def _ordered(rows: list[dict], key: str) -> list[str]:
    totals: dict[str, int] = {}
    for r in rows:
        totals[r[key]] = totals.get(r[key], 0) + r["count"]
    return sorted(totals, key=lambda k: (-totals[k], k))


# --- the article list payload -----------------------------------------------------------------------------------------


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def article_payload(articles: list[dict]) -> list[dict]:
    """The article list for the page's script, compact: per article a string table ``x`` holds each sentence or
    passage once (a sentence often is the evidence of several actors) and the evidence refers to it by index."""
    out = []
    for a in articles:
        strings: list[str] = []
        index: dict[str, int] = {}

        def ref(text: str, strings: list[str] = strings, index: dict[str, int] = index) -> int:
            if text not in index:
                index[text] = len(strings)
                strings.append(text)
            return index[text]

        item: dict[str, Any] = {"i": a["id"], "h": a["headline"], "t": a["topics"]}
        if a["date"]:
            item["d"] = a["date"]
        if a["source"]:
            item["s"] = a["source"]
        if a["url"]:
            item["u"] = a["url"]
        if a["warnings"]:
            item["w"] = a["warnings"]
        scores = {k: _r(v) for k, v in a["topic_scores"].items() if v >= 0.05 or k in a["topics"]}
        if scores:
            item["ts"] = scores
        if a["topic_evidence"]:
            item["te"] = {label: [[ref(p["text"]), _r(p["score"])] for p in ps] for label, ps in a["topic_evidence"].items()}
        item["a"] = [
            [
                act["actor"],
                act["type"],
                act["stance"],
                act["mentions"],
                [_r(act["scores"].get(s)) for s in STANCES],
                [[ref(e["sentence"]), e["stance"], _r(e["score"])] for e in act["evidence"]],
            ]
            for act in a["actors"]
        ]
        if a["relations"]:
            item["r"] = [
                [r["holder"], r["target"], r["stance"], r["holder_text"], r["target_text"], ref(r["sentence"]), _r(r["score"])]
                for r in a["relations"]
            ]
        elif a["relation_summary"]:
            item["rs"] = [[r["holder"], r["target"], r["stance"], r["count"]] for r in a["relation_summary"]]
        item["x"] = strings
        out.append(item)
    return out


# --- the page --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    templates = files(_PACKAGE) / "templates"
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "j2", "html.j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * x:.1f} %"
    env.filters["thousands"] = lambda x: f"{x:,}".replace(",", "\u202f")
    return env


def _static(name: str) -> str:
    return (files(_PACKAGE) / "static" / name).read_text(encoding="utf-8")


COMPRESS_ABOVE = 1_000_000
"""Article data larger than this (bytes of JSON) is embedded gzip-compressed (base64), decompressed by the browser's
``DecompressionStream``: the text of 1,000 articles shrinks about fourfold."""


def articles_block(articles: list[dict], compress: bool | None = None) -> tuple[str, str]:
    """``(encoding, text)`` of the ``<script>`` block holding the article list: ``json`` (escaped by
    :func:`script_json`) or, when ``compress`` (``None``: above :data:`COMPRESS_ABOVE`), ``gzip+base64``."""
    text = script_json(article_payload(articles))
    if compress is None:
        compress = len(text.encode("utf-8")) > COMPRESS_ABOVE
    if not compress:
        return "json", text
    packed = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return "gzip+base64", base64.b64encode(packed).decode("ascii")


def render_html(data: ReportData, title: str | None = None, compress: bool | None = None) -> str:
    """The whole report as one HTML string (``compress``: see :func:`articles_block`)."""
    from markupsafe import Markup

    from foreign_desk import inference

    charts = build_charts(data)
    payload = {
        "charts": charts,
        "stances": list(STANCES),
        "topics": [t["topic"] for t in data.topics],
        "actors": [[a["actor"], a["articles"]] for a in sorted(data.actors, key=lambda a: a["actor"].lower())],
    }
    encoding, articles_text = articles_block(data.articles, compress)
    version = getattr(inference, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version("foreign-desk")
        except Exception:  # noqa: BLE001 - only shown in the footer
            version = "?"
    return _environment().get_template("report.html.j2").render(
        title=title or "foreign-desk report",
        data=data,
        charts=charts,
        stance_colors=STANCE_COLORS,
        stances=STANCES,
        version=version,
        css=Markup(_static("report.css").replace("</style", "<\\/style")),
        app_js=Markup(inline_script(_static("report.js"))),
        vega_js=Markup(inline_script(vega_bundle())),
        payload=Markup(script_json(payload)),
        articles_encoding=encoding,
        articles=Markup(articles_text),
        nonce=secrets.token_urlsafe(16),
    )


def write_report(data: ReportData, out: str | Path, title: str | None = None, compress: bool | None = None) -> Path:
    """Render and write the report atomically (a temporary file beside ``out``, then renamed)."""
    from foreign_desk.inference.atomic import atomic_output

    out = Path(out)
    html = render_html(data, title=title, compress=compress)
    with atomic_output(out) as fh:
        fh.write(html)
    try:  # the temporary file was private (0600); a report is meant to be shared
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(out, 0o666 & ~umask)
    except OSError:
        pass
    return out
