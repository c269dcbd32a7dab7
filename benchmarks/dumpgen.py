"""Build raw wire-news dumps with known article boundaries from ``reuters2017/articles.jsonl``.

Each record (``id``, ``title``, ``text``: the body on one line, starting with the dateline) is parsed by a small,
data-specific oracle into leading notes, byline, dateline, body and trailing notes, then rendered in one of several
layouts with synthetic captions, bylines, subheads and credits. ``build_dump`` returns the dump text and, per
article, the truth the segmenter is scored against. Used by ``tests/inference/test_segment_eval.py`` and
``benchmarks/bench_segment.py``; also runnable: ``python benchmarks/dumpgen.py LAYOUT > dump.txt``.
"""

from __future__ import annotations

import json
import random
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-1252" codec used to make mojibake)

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO.parent / "shared" / "data" / "reuters2017" / "articles.jsonl"
LAYOUTS = ("seed", "oneline", "crlf_mojibake", "noblank", "wrapped", "nodateline")

_NOTE_WORDS = re.compile(
    r"^\(+\s*(?:Reporting|Additional reporting|Writing|Editing|Compiled|Refiles?|Corrects|Adds|Updates|This |The |In "
    r"|Click|Graphic|For (?:a|an|more|the) )"
)
_ABBREVIATIONS = frozenset(
    "Mr. Mrs. Ms. Dr. U.S. U.N. U.K. E.U. Jr. Sr. St. Gen. Sen. Rep. Gov. Lt. Col. Capt. Sgt. No. Inc. Co. Corp. "
    "Jan. Feb. Aug. Sept. Oct. Nov. Dec. D.C. a.m. p.m. Ltd. vs. Calif. Fla. Ala. Va. Ky. Miss. Pa. Mass.".split()
)

CAPTIONS = (
    "Officials meet behind closed doors",
    "A police officer stands guard outside a government building",
    "Protesters hold placards during a rally",
    "delegates arrive for talks",
    "Flags fly outside the headquarters in a file photo. REUTERS/Staff Photographer",
    "The Capitol building is seen at dusk",
    "A man reads a newspaper at a kiosk.",
    "Ministers pose for a family photo",
)
NAMES = (
    "Anna Kovacs", "Tomas Lindqvist", "Mei Ling Sato", "David Okafor", "Sara Benali", "Jonas Richter",
    "Priya Raman", "Luis Ortega", "Hana Novak", "Kwame Mensah", "Elif Aydin", "Oliver Grant",
)  # fmt: skip
SUBHEADS = ("TALKS STALL", "A DIFFICULT ROAD", "MARKETS REACT", "‘NO WAY BACK’", "WHAT COMES NEXT", "RISING COSTS")
AGENCIES = ("Reuters",) * 6 + ("AP", "AFP")
DASHES = ("–", "–", "—", "-")


@dataclass
class Source:
    """One reuters2017 record split by the oracle."""

    id: str
    headline: str
    notes: list[str]
    byline: list[str]
    place: str | None
    agency: str | None
    body: str
    tail_notes: list[str]


@dataclass
class Truth:
    """What the segmenter must find for one article of a generated dump (lines are 1-based, inclusive)."""

    source_id: str
    start: int
    end: int
    headline: str
    body_first: list[str]
    body_last: list[str]
    byline: list[str] = field(default_factory=list)
    place: str | None = None
    agency: str | None = None
    n_credits: int = 0


def load_records(path: Path = ARTICLES, limit: int | None = None) -> list[dict]:
    """The reuters2017 records, in file order."""
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return records[:limit] if limit else records


def _matching_close(text: str, start: int) -> int:
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _matching_open(text: str, end: int) -> int:
    depth = 0
    for k in range(end, -1, -1):
        if text[k] == ")":
            depth += 1
        elif text[k] == "(":
            depth -= 1
            if depth == 0:
                return k
    return -1


def parse_source(record: dict) -> Source:
    """Split a record's one-line text into notes, byline, dateline and body (data-specific oracle)."""
    text = record["text"]
    if re.search("[ÂÃâ]", text):  # mojibake in the source (``Â\xa0``): compare against the repaired text
        text = ftfy.fix_text(text, uncurl_quotes=False)
    text = " ".join(text.split())
    notes: list[str] = []
    while text.startswith("(") and not text.startswith("(Reuters)"):
        close = _matching_close(text, 0)
        if close < 0:
            break
        notes.append(text[: close + 1])
        text = text[close + 1 :].lstrip()
    byline: list[str] = []
    place = agency = None
    match = re.match(r"^(.{0,160}?)\((Reuters)?\) - ", text)
    if match:
        agency = "Reuters"
        prefix = match.group(1).strip().rstrip(",")
        if prefix.startswith("By "):
            tokens = prefix[3:].split()
            cut = next((k for k, tok in enumerate(tokens) if len(tok) > 1 and tok.isupper()), len(tokens))
            byline = re.split(r", and |, | and ", " ".join(tokens[:cut]))
            prefix = " ".join(tokens[cut:])
        place = prefix or None
        text = text[match.end() :]
    tail: list[str] = []
    while text.endswith(")"):
        start = _matching_open(text, len(text) - 1)
        if start <= 0 or not _NOTE_WORDS.match(text[start:]):
            break
        tail.insert(0, text[start:])
        text = text[:start].rstrip()
    return Source(record["id"], " ".join(record["title"].split()), notes, byline, place, agency, text, tail)


def _sentences(body: str) -> list[str]:
    """Rough sentence split on whitespace: after . ! ? (maybe closed by a quote), not after an abbreviation."""
    sentences: list[str] = []
    current: list[str] = []
    tokens = body.split()
    for k, token in enumerate(tokens):
        current.append(token)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        ends = token.rstrip('”’"').endswith((".", "!", "?"))
        abbreviation = token in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", token) is not None
        if ends and not abbreviation and nxt[:1].isupper() or nxt[:1] in '“‘"' and ends:
            sentences.append(" ".join(current))
            current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


def _paragraphs(body: str, rng: random.Random) -> list[str]:
    sentences = _sentences(body)
    paragraphs: list[str] = []
    while sentences:
        take = rng.choice((1, 2, 2, 3))
        paragraphs.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    return paragraphs


def _credit(rng: random.Random) -> str:
    a, b = rng.sample(NAMES, 2)
    return f"(Reporting by {a}; Editing by {b})"


@dataclass
class _Rendered:
    header: list[str]  # headline, caption, byline lines
    paragraphs: list[str]  # first one carries the dateline; may include subheads
    credits: list[str]
    truth: Truth


def _render(src: Source, rng: random.Random, dateline: bool = True) -> _Rendered:
    header = [src.headline]
    if rng.random() < 0.7:
        header.append(rng.choice(CAPTIONS))
    byline = src.byline or (rng.sample(NAMES, rng.choice((1, 1, 2))) if rng.random() < 0.5 else [])
    if byline:
        header.append("By " + " and ".join(byline))
    paragraphs = _paragraphs(src.body, rng)
    first_para = paragraphs[0]
    place, agency = src.place, src.agency
    if dateline and agency:
        agency = rng.choice(AGENCIES)
        dash = rng.choice(DASHES)
        if place and rng.random() < 0.05:
            agency = None
            paragraphs[0] = f"{place} {dash} {first_para}"
        else:
            paragraphs[0] = f"{place + ' ' if place else ''}({agency}) {dash} {first_para}"
    elif not dateline:
        place = agency = None
    if len(paragraphs) > 4 and rng.random() < 0.3:
        paragraphs.insert(rng.randrange(2, len(paragraphs) - 1), rng.choice(SUBHEADS))
    credits = list(src.notes) + list(src.tail_notes)
    if rng.random() < 0.8:
        credits.append(_credit(rng))
    words = src.body.split()
    truth = Truth(
        source_id=src.id,
        start=0,
        end=0,
        headline=src.headline,
        body_first=words[:8],
        body_last=words[-8:],
        byline=byline,
        place=place,
        agency=agency,
        n_credits=len(credits),
    )
    return _Rendered(header, paragraphs, credits, truth)


def _mojibake(line: str) -> str:
    return line.encode("utf-8").decode("sloppy-windows-1252")


def _lines_for(layout: str, item: _Rendered, src: Source, record: dict, rng: random.Random) -> list[str]:
    """The dump lines of one article; blank strings are blank lines; no trailing blank."""
    if layout == "oneline":
        return [src.headline, record["text"].replace("\n", " ")]
    if layout in ("seed", "nodateline"):
        out: list[str] = []
        for line in item.header + item.paragraphs + item.credits:
            out += [line, ""]
        return out[:-1]
    if layout == "wrapped":
        out = list(item.header)
        for line in item.paragraphs + item.credits:
            out += ["", *textwrap.wrap(line, width=72, break_long_words=False, break_on_hyphens=False)]
        return out
    if layout == "noblank":
        out = list(item.header)
        for k, line in enumerate(item.paragraphs):
            out += [line] if k == 0 else ["", line]
        if item.credits:
            out += ["", *item.credits]
        return out
    if layout == "crlf_mojibake":
        out = item.header + item.paragraphs + item.credits
        if rng.random() < 0.35:
            out = [_mojibake(line) for line in out]
        out = [line.replace(" ", "\t", 1) if rng.random() < 0.1 else line for line in out]
        return [line + " " * rng.choice((0, 0, 1, 3)) for line in out]
    raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")


def build_dump(records: list[dict], layout: str, seed: int = 0) -> tuple[str, list[Truth]]:
    """Render ``records`` as one dump in ``layout``; returns the text and the per-article truth."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    rng = random.Random(seed)
    lines: list[str] = []
    truths: list[Truth] = []
    for record in records:
        if not record["title"].strip():
            continue  # a headline-less record has no boundary a reader could see in most layouts
        src = parse_source(record)
        item = _render(src, rng, dateline=layout != "nodateline")
        article_lines = _lines_for(layout, item, src, record, rng)
        if layout == "oneline":
            # in this layout the body line keeps the source's own dateline, byline and notes
            item.truth.byline, item.truth.place, item.truth.agency = src.byline, src.place, src.agency
            item.truth.n_credits = len(src.notes) + len(src.tail_notes)
        if lines and layout != "noblank":
            lines.append("")
        item.truth.start = len(lines) + 1
        lines += article_lines
        item.truth.end = len(lines)
        truths.append(item.truth)
    newline = "\r\n" if layout == "crlf_mojibake" else "\n"
    text = newline.join(lines) + newline
    if layout == "crlf_mojibake":
        text = "\ufeff" + text
    return text, truths


@dataclass
class Scores:
    """Boundary and body scores of one segmentation against its truth."""

    n_true: int
    n_pred: int
    precision: float
    recall: float
    f1: float
    body_exact: float  # share of true articles whose body starts and ends with the right 8 words
    headline_exact: float
    pk: float
    windowdiff: float
    failures: list[str] = field(default_factory=list)


def evaluate(truths: list[Truth], articles: list, n_lines: int) -> Scores:
    """Score predicted ``Article`` records (with spans) against ``truths``; Pk/WindowDiff over input lines."""
    from nltk.metrics.segmentation import pk, windowdiff

    true_starts = {t.start for t in truths}
    by_start = {a.span[0]: a for a in articles if a.span}
    hits = len(true_starts & set(by_start))
    precision = hits / len(by_start) if by_start else 0.0
    recall = hits / len(true_starts) if true_starts else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    body_ok = head_ok = 0
    failures: list[str] = []
    for truth in truths:
        article = by_start.get(truth.start)
        if article is None:
            failures.append(f"{truth.source_id}: no article starts at line {truth.start}")
            continue
        words = article.text.split()
        if words[:8] == truth.body_first and words[-8:] == truth.body_last:
            body_ok += 1
        else:
            failures.append(f"{truth.source_id}: body {' '.join(words[:8])!r}..{' '.join(words[-8:])!r}")
        head_ok += article.headline == truth.headline
    ref = "".join("1" if n in true_starts else "0" for n in range(1, n_lines + 1))
    hyp = "".join("1" if n in by_start else "0" for n in range(1, n_lines + 1))
    k = max(2, round(len(ref) / max(1, 2 * ref.count("1"))))
    return Scores(
        n_true=len(truths),
        n_pred=len(articles),
        precision=precision,
        recall=recall,
        f1=f1,
        body_exact=body_ok / len(truths),
        headline_exact=head_ok / len(truths),
        pk=pk(ref, hyp, k=k, boundary="1"),
        windowdiff=windowdiff(ref, hyp, k, boundary="1"),
        failures=failures,
    )


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "seed"
    dump, _ = build_dump(load_records(), chosen)
    sys.stdout.write(dump)
