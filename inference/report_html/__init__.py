"""The analyst's HTML report: one self-contained page from the JSONL records of ``foreign-desk predict``.

:func:`load_predictions` reads the records (a malformed line is reported and skipped), :func:`build_report` aggregates
them (topics, actors × stance, topic × actor, holder → target, the article list, the run summary) and
:func:`render_html` / :func:`write_report` turn that into one HTML file with its charts (Vega-Altair, the Vega
JavaScript inlined), styles and scripts inlined: no network is needed to view it.
"""

from foreign_desk.inference.report_html.data import (
    LoadedPredictions,
    ReportData,
    build_report,
    load_predictions,
    normalize_record,
)
from foreign_desk.inference.report_html.render import render_html, write_report

__all__ = [
    "LoadedPredictions",
    "ReportData",
    "build_report",
    "load_predictions",
    "normalize_record",
    "render_html",
    "write_report",
]
