"""The HTML report in a real headless Chromium (Debian's ``chromium`` package, driven by Playwright): charts draw
without console errors, filters narrow the article list, and an article's untrusted text never runs as script.

Skips with the reason when Playwright or a Chromium binary is absent (``apt-get install chromium``; ``.ci/run``
installs it). ``$CHROMIUM`` names another binary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main
from tests.inference.report_fixtures import XSS_HEADLINE, XSS_SENTENCE, write_jsonl

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):  # fmt: skip
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium not found (apt-get install -y chromium, or set $CHROMIUM)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, tmp_path: Path):
    """The report of the fixture records, opened from disk; ``page.problems`` collects console errors, page errors,
    dialogs (an ``alert`` would be one) and any request that leaves the file."""
    pred = write_jsonl(tmp_path / "pred.jsonl", extra_lines=["{broken"])
    out = tmp_path / "report.html"
    assert main(["report", str(pred), "-o", str(out)]) == 0
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: r.url.startswith(("http:", "https:", "ws:")) and problems.append(f"request: {r.url}"))
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    page.problems = problems
    yield page
    context.close()


def count(page) -> int:
    return page.locator("#article-list > li.article").count()


def test_report_in_chromium(page, tmp_path: Path) -> None:
    # every chart drew an SVG with marks
    charts = page.locator("[data-chart]")
    assert charts.count() == 5
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("data-drawn") == "1", chart.get_attribute("data-chart")
        assert chart.locator("svg g.mark-rect path, svg g.mark-line path, svg g.mark-symbol path").count() > 0
    assert page.locator(".chart-error").count() == 0

    # the article list: 5 articles, filtering by an actor narrows it, clearing brings them back
    assert count(page) == 5
    assert page.locator("#article-count").inner_text().startswith("5 of 5 articles")
    page.fill("#f-actor", "Ada Varga")
    page.wait_for_function("document.querySelectorAll('#article-list > li.article').length === 1")
    assert page.locator("#article-count").inner_text().startswith("1 of 5 articles")
    page.click("#f-reset")
    assert count(page) == 5
    page.select_option("#f-topic", "diplomacy")
    assert count(page) == 2
    page.select_option("#f-stance", "negative")
    assert count(page) == 1
    page.click("#f-reset")
    page.fill("#f-q", "grain deal")
    page.wait_for_function("document.querySelectorAll('#article-list > li.article').length === 1")
    page.click("#f-reset")

    # a name in the actor table filters the list; a topic bar in the chart too
    page.click("#actor-table button[data-filter-actor='Freedonia']")
    assert count(page) == 2 and page.input_value("#f-actor") == "Freedonia"
    page.click("#f-reset")
    page.locator("[data-chart=topics] svg g.mark-rect path").first.click()
    page.wait_for_function("document.getElementById('f-topic').value !== ''")
    assert count(page) < 5
    page.click("#f-reset")

    # the table sorts by a clicked column
    page.click("#actor-table th:text-is('actor')")
    names = page.locator("#actor-table tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower, reverse=True)

    # untrusted text: the <script> headline is shown as text, nothing ran, no javascript: link
    headline = page.locator("#article-list .headline", has_text="alert(1)")
    assert headline.inner_text() == XSS_HEADLINE
    headline.click()
    body = page.locator("#article-list details[open] .body")
    body.wait_for()
    assert XSS_SENTENCE in body.inner_text()
    assert page.locator("#article-list script, #article-list img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 4

    # an opened article shows its topics, topic evidence and actors with highlighted evidence
    page.click("#f-reset")
    first = page.locator("#article-list details", has_text="reopen border talks")
    first.locator("summary").click()
    opened = first.locator(".body")
    opened.wait_for()  # built on the (asynchronous) toggle event
    assert opened.locator(".passage").count() == 1
    assert opened.locator(".evidence li.positive mark").count() >= 2
    assert opened.locator("a[href='https://example.org/r1']").count() == 1

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    assert page.problems == []


def test_compressed_article_data_in_chromium(browser, tmp_path: Path) -> None:
    """A large report embeds its articles gzip-compressed; the browser unpacks them (DecompressionStream)."""
    from foreign_desk.inference.report_html import build_report, load_predictions, write_report

    out = write_report(build_report(load_predictions([write_jsonl(tmp_path / "p.jsonl")])), tmp_path / "r.html",
                       compress=True)  # fmt: skip
    assert 'data-encoding="gzip+base64"' in out.read_text(encoding="utf-8")
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    assert count(page) == 5
    assert page.locator("#article-list .headline", has_text="alert(1)").inner_text() == XSS_HEADLINE
    page.fill("#f-actor", "Sylvania")
    page.wait_for_function("document.querySelectorAll('#article-list > li.article').length === 3")
    assert problems == []
    page.close()
