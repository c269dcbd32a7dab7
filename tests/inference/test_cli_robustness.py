"""One error path for every command: a table of bad inputs and bad paths across ``segment``, ``actors``, ``stance``,
``predict``, ``train`` and ``evaluate``. Each case asserts the exit code, exactly one ``error:`` line naming the
problem and no traceback; the per-record cases assert that the good records around the bad one are all written.

Commands run in process (``main([...])``); the models are loaded once for the whole table.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main

GOOD = {"id": "good-1", "headline": "China and Japan agree to talks",
        "text": "Beijing praised the agreement on Monday. Tokyo said talks would resume in March."}  # fmt: skip
GOOD2 = {"id": "good-2", "headline": "Iran rejects sanctions",
         "text": "Iran's foreign ministry rejected new U.S. sanctions, calling them illegal."}  # fmt: skip
NESTED = "[" * 100_000
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8
DUMP = (
    "China welcomes accord\n\nBEIJING (Reuters) - China on Monday welcomed the accord signed by both sides.\n\n"
    "(Reporting by Ann Lee)\n\nJapan says talks will go on\n\nTOKYO (Reuters) - Japan said talks would go on.\n"
)
STANCE_GOOD = {"id": "s1", "text": "China praised the deal.", "start": 0, "end": 5}
STANCE_GOOD2 = {"id": "s2", "text": "Iran condemned the sanctions.", "start": 0, "end": 4}


def jsonl(*records: object) -> bytes:
    lines = [r if isinstance(r, str | bytes) else json.dumps(r) for r in records]
    return b"".join((line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")) + b"\n" for line in lines)


@dataclass
class Case:
    id: str
    argv: Callable[[Path], list[str]]  # built in the case's folder
    code: int
    message: str = ""  # text the single error line must contain (exit code != 0)
    files: dict[str, bytes] = field(default_factory=dict)  # written into the folder first
    stdin: bytes | None = None
    check: Callable[[Path, str], None] | None = None  # more checks on (folder, stdout)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def good_kept(out: str, ids: list[str], n: int) -> Callable[[Path, str], None]:
    """``out`` holds ``n`` records, the good ``ids`` without error and every other one with an error."""

    def check(folder: Path, _stdout: str) -> None:
        records = _records(folder / out)
        assert len(records) == n, records
        good = [r for r in records if not r.get("error")]
        assert [r["id"] for r in good] == ids
        assert all(r.get("error") for r in records if r["id"] not in ids)

    return check


def stdout_kept(ids: list[str], n: int) -> Callable[[Path, str], None]:
    def check(_folder: Path, stdout: str) -> None:
        records = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        assert len(records) == n and [r["id"] for r in records if not r.get("error")] == ids

    return check


def _no_output(name: str) -> Callable[[Path, str], None]:
    def check(folder: Path, _stdout: str) -> None:
        assert not (folder / name).exists() and not (folder / f"{name}.partial").exists()

    return check


READ_ONLY = Path("/sys/foreign-desk-test.jsonl")  # /sys refuses new files even to root

BAD_RECORDS = jsonl(
    GOOD,
    NESTED,  # RecursionError in json before
    '{"id": "sur", "headline": "Iran \\ud800", "text": "Tehran said \\udc00 no."}',  # lone surrogates
    "{not json",
    {"id": "num", "text": 5},  # wrong type
    [1, 2, 3],  # not an object
    {"id": "empty", "text": "   "},
    GOOD2,
)

CASES = [
    # --- segment --------------------------------------------------------------------------------------------------
    Case("segment-missing-input", lambda d: ["segment", str(d / "nope.txt")], 2, "no such file"),
    Case("segment-input-is-dir", lambda d: ["segment", str(d)], 2, "is a directory"),
    Case("segment-pdf", lambda d: ["segment", str(d / "x.txt")], 2, "binary file", files={"x.txt": PDF}),
    Case("segment-nul-bytes", lambda d: ["segment", str(d / "x.txt")], 2, "NUL", files={"x.txt": b"ab\x00cd" * 100}),
    Case("segment-not-utf8", lambda d: ["segment", str(d / "x.txt")], 2, "not UTF-8",
         files={"x.txt": bytes(range(0x80, 0x100)) * 40}),
    Case("segment-binary-stdin", lambda d: ["segment", "-"], 2, "binary", stdin=PDF),
    Case("segment-out-is-dir", lambda d: ["segment", str(d / "d.txt"), "-o", str(d)], 1, "is a directory",
         files={"d.txt": DUMP.encode()}),
    Case("segment-out-parent-is-file", lambda d: ["segment", str(d / "d.txt"), "-o", str(d / "d.txt" / "o.jsonl")], 1,
         "is a file, not a folder", files={"d.txt": DUMP.encode()}),
    Case("segment-out-read-only", lambda d: ["segment", str(d / "d.txt"), "-o", str(READ_ONLY)], 1, "cannot write",
         files={"d.txt": DUMP.encode()}),
    Case("segment-bad-option", lambda d: ["segment", "--no-such-option", "x"], 2, "unrecognized arguments"),
    Case("segment-crafted-lines", lambda d: ["segment", str(d / "d.txt"), "-o", str(d / "o.jsonl")], 0,
         files={"d.txt": (DUMP + "\n" + "U.S." * 5000 + "\n\nBy " + "J. " * 3000 + "\n").encode()},
         check=lambda d, _: (len(_records(d / "o.jsonl")) >= 2) or pytest.fail("articles lost")),
    Case("segment-lossy-mojibake", lambda d: ["segment", str(d / "d.txt"), "-o", str(d / "o.jsonl")], 0,
         files={"d.txt": "China welcomes accord\n\nBEIJING (Reuters) - “We will go,â€\ufffd he said on Monday.\n"
                "“It is final,â€\ufffd he added.\n".encode()},
         check=lambda d, _: [len(_records(d / "o.jsonl")), "”" in _records(d / "o.jsonl")[0]["text"]] == [1, True]
         or pytest.fail("lossy mojibake split the article")),
    # --- actors ---------------------------------------------------------------------------------------------------
    Case("actors-missing-input", lambda d: ["actors", str(d / "nope.jsonl")], 2, "no such file"),
    Case("actors-missing-gazetteer", lambda d: ["actors", str(d / "a.jsonl"), "--actors", str(d / "no.yaml")], 2,
         "actor file not found", files={"a.jsonl": jsonl(GOOD)}),
    Case("actors-bad-gazetteer", lambda d: ["actors", str(d / "a.jsonl"), "--actors", str(d / "g.yaml")], 2,
         "g.yaml", files={"a.jsonl": jsonl(GOOD), "g.yaml": b"actors: [\n"}),
    Case("actors-out-is-dir", lambda d: ["actors", str(d / "a.jsonl"), "-o", str(d)], 1, "is a directory",
         files={"a.jsonl": jsonl(GOOD)}),
    Case("actors-out-parent-is-file", lambda d: ["actors", str(d / "a.jsonl"), "-o", str(d / "a.jsonl" / "o")], 1,
         "is a file", files={"a.jsonl": jsonl(GOOD)}),
    Case("actors-binary-stdin", lambda d: ["actors", "-"], 2, "binary", stdin=PDF),
    Case("actors-pdf-input", lambda d: ["actors", str(d / "x.txt")], 2, "binary file", files={"x.txt": PDF}),
    Case("actors-bad-records", lambda d: ["actors", str(d / "a.jsonl"), "-o", str(d / "o.jsonl")], 0,
         files={"a.jsonl": BAD_RECORDS}, check=good_kept("o.jsonl", ["good-1", "sur", "good-2"], 8)),
    Case("actors-huge-field", lambda d: ["actors", str(d / "a.jsonl"), "-o", str(d / "o.jsonl")], 0,
         files={"a.jsonl": jsonl(GOOD, {"id": "big", "text": "China said. " * 60_000}, GOOD2)},
         check=lambda d, _: ["truncated" in w for w in _records(d / "o.jsonl")[1]["warnings"]] == [True]
         or pytest.fail("no truncation warning")),
    Case("actors-csv-unclosed-quote", lambda d: ["actors", str(d / "a.csv"), "-o", str(d / "o.jsonl")], 0,
         files={"a.csv": b'id,title,text\n1,T1,"China spoke."\n2,T2,"Unclosed quote\n3,T3,"Japan spoke."\n'
                b"4,T4,Iran spoke\n"},
         check=good_kept("o.jsonl", ["1", "3", "4"], 4)),
    Case("actors-stdin-records", lambda d: ["actors", "-"], 0, stdin=BAD_RECORDS,
         check=stdout_kept(["good-1", "sur", "good-2"], 8)),
    # --- stance ---------------------------------------------------------------------------------------------------
    Case("stance-missing-input", lambda d: ["stance", str(d / "nope.jsonl")], 2, "not found"),
    Case("stance-out-is-dir", lambda d: ["stance", str(d / "s.jsonl"), "-o", str(d)], 1, "is a directory",
         files={"s.jsonl": jsonl(STANCE_GOOD)}),
    Case("stance-out-read-only", lambda d: ["stance", str(d / "s.jsonl"), "-o", str(READ_ONLY)], 1, "cannot write",
         files={"s.jsonl": jsonl(STANCE_GOOD)}),
    Case("stance-batch-size-0", lambda d: ["stance", str(d / "s.jsonl"), "--batch-size", "0"], 2, "batch-size",
         files={"s.jsonl": jsonl(STANCE_GOOD)}),
    Case("stance-batch-size-not-int", lambda d: ["stance", "x", "--batch-size", "many"], 2, "invalid int value"),
    Case("stance-model-missing", lambda d: ["stance", str(d / "s.jsonl"), "--model", str(d / "nomodel")], 2,
         "nomodel", files={"s.jsonl": jsonl(STANCE_GOOD)}),
    Case("stance-model-empty-dir", lambda d: ["stance", str(d / "s.jsonl"), "--model", str(d / "m")], 2,
         "not a saved model", files={"s.jsonl": jsonl(STANCE_GOOD), "m/readme": b"x"}),
    Case("stance-bad-records", lambda d: ["stance", str(d / "s.jsonl"), "-o", str(d / "o.jsonl")], 0,
         files={"s.jsonl": jsonl(
             STANCE_GOOD,
             b"\xff\xfe not utf-8 \xc3",  # invalid UTF-8: one error record, the rest still scored
             NESTED,
             '{"id": "sur", "text": "China \\ud800 praised it.", "start": 0, "end": 5}',
             {"id": "span", "text": "short", "start": 3, "end": 99},
             {"id": "miss", "text": "no span"},
             {"id": "huge", "text": "x" * 200_001, "start": 0, "end": 1},
             STANCE_GOOD2,
         )},
         check=good_kept("o.jsonl", ["s1", "sur", "s2"], 8)),
    # --- predict --------------------------------------------------------------------------------------------------
    Case("predict-missing-input", lambda d: ["predict", str(d / "nope.jsonl")], 2, "no such file"),
    Case("predict-empty-glob", lambda d: ["predict", str(d / "*.jsonl")], 2, "matches no files"),
    Case("predict-out-is-dir", lambda d: ["predict", str(d / "a.jsonl"), "-o", str(d)], 1, "is a directory",
         files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-out-parent-is-file", lambda d: ["predict", str(d / "a.jsonl"), "-o", str(d / "a.jsonl" / "o")], 1,
         "is a file", files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-out-read-only", lambda d: ["predict", str(d / "a.jsonl"), "-o", str(READ_ONLY)], 1, "cannot write",
         files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-batch-size-0", lambda d: ["predict", str(d / "a.jsonl"), "--batch-size", "0"], 2, "batch-size",
         files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-resume-on-stdout", lambda d: ["predict", str(d / "a.jsonl"), "--resume"], 2, "--resume needs -o",
         files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-binary-stdin", lambda d: ["predict", "-", "-o", str(d / "o.jsonl")], 2, "binary", stdin=PDF,
         check=_no_output("o.jsonl")),
    Case("predict-pdf-input", lambda d: ["predict", str(d / "x.txt"), "-o", str(d / "o.jsonl")], 2, "binary file",
         files={"x.txt": PDF}, check=_no_output("o.jsonl")),
    Case("predict-models-missing", lambda d: ["predict", str(d / "a.jsonl"), "--models", str(d / "nomodels"),
                                              "-o", str(d / "o.jsonl")], 2, "model directory not found",
         files={"a.jsonl": jsonl(GOOD)}, check=_no_output("o.jsonl")),
    Case("predict-missing-gazetteer", lambda d: ["predict", str(d / "a.jsonl"), "--actors", str(d / "no.yaml")], 2,
         "actor file not found", files={"a.jsonl": jsonl(GOOD)}),
    Case("predict-csv-no-text-column", lambda d: ["predict", str(d / "a.csv"), "-o", str(d / "o.jsonl")], 2,
         "needs a 'text' column", files={"a.csv": b"title,body\nx,y\n"}),
    Case("predict-bad-records", lambda d: ["predict", str(d / "a.jsonl"), "-o", str(d / "o.jsonl"), "--no-progress"], 0,
         files={"a.jsonl": BAD_RECORDS}, check=good_kept("o.jsonl", ["good-1", "sur", "good-2"], 8)),
    Case("predict-huge-record", lambda d: ["predict", str(d / "a.jsonl"), "-o", str(d / "o.jsonl"), "--no-progress"], 0,
         files={"a.jsonl": jsonl(GOOD, {"id": "big", "text": "Officials met and talked. " * 20_000}, GOOD2)},
         check=lambda d, _: (good_kept("o.jsonl", ["good-1", "big", "good-2"], 3)(d, _),
                             any("truncated" in w for w in _records(d / "o.jsonl")[1]["warnings"]) or pytest.fail())),
    Case("predict-csv-unclosed-quote", lambda d: ["predict", str(d / "a.csv"), "-o", str(d / "o.jsonl"),
                                                  "--no-progress"], 0,
         files={"a.csv": b'id,title,text\n1,T1,"China spoke."\n2,T2,"Unclosed quote\n3,T3,"Japan spoke."\n'
                b"4,T4,Iran spoke\n"},
         check=good_kept("o.jsonl", ["1", "3", "4"], 4)),
    Case("predict-stdin-dump", lambda d: ["predict", "-", "--no-progress"], 0, stdin=DUMP.encode(),
         check=lambda _d, out: len(out.splitlines()) == 2 or pytest.fail(out)),
    # --- train / evaluate -----------------------------------------------------------------------------------------
    Case("train-missing-config", lambda d: ["train", str(d / "no.yaml")], 2, "no.yaml"),
    Case("train-invalid-yaml", lambda d: ["train", str(d / "c.yaml")], 2, "", files={"c.yaml": b"task: topic\nx: [1\n"}),
    Case("train-no-task", lambda d: ["train", str(d / "c.yaml")], 2, "'task'", files={"c.yaml": b"seed: 1\n"}),
    Case("train-unknown-task", lambda d: ["train", str(d / "c.yaml")], 2, "unknown task", files={"c.yaml": b"task: x\n"}),
    Case("train-invalid-field", lambda d: ["train", str(d / "c.yaml")], 2, "c.yaml",
         files={"c.yaml": b"task: topic\nmodel: {kind: nonsense}\n"}),
    Case("train-config-is-dir", lambda d: ["train", str(d)], 2, ""),
    Case("evaluate-missing-model", lambda d: ["evaluate", str(d / "nomodel")], 2, "not a saved model directory"),
    Case("evaluate-out-is-dir", lambda d: ["evaluate", "models/topic-tfidf", "-o", str(d)], 1, "is a directory"),
    # --- report (any command's -o is checked before its work) -----------------------------------------------------
    Case("report-out-parent-is-file", lambda d: ["report", str(d / "p.jsonl"), "-o", str(d / "p.jsonl" / "r.html")],
         1, "is a file", files={"p.jsonl": jsonl({"id": "x", "headline": "", "topics": {}, "actors": []})}),
    Case("predict-report-out-is-dir", lambda d: ["predict", str(d / "a.jsonl"), "--report", str(d)], 1,
         "is a directory", files={"a.jsonl": jsonl(GOOD)}),
]


@pytest.fixture(scope="module")
def cached_models():
    """The default models, loaded once for the whole table."""
    from foreign_desk.inference.pipeline import Pipeline
    from foreign_desk.inference.stance.base import StanceClassifier

    try:
        pipe = Pipeline.from_pretrained(relation_model=None)
    except TypeError:  # no relation step in this version
        pipe = Pipeline.from_pretrained()
    return pipe, StanceClassifier.from_pretrained(None)


@pytest.fixture()
def fast_models(cached_models, monkeypatch):
    """``Pipeline.from_pretrained`` / ``StanceClassifier.from_pretrained`` with default arguments return the cached
    models; any other call (a missing or damaged model directory) goes to the real loader."""
    from foreign_desk.inference.pipeline import Pipeline
    from foreign_desk.inference.stance.base import StanceClassifier

    pipe, stance = cached_models
    real_pipe, real_stance = Pipeline.from_pretrained, StanceClassifier.from_pretrained

    def pipe_loader(models_dir=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if models_dir is None and not kwargs.get("actors_files"):
            return pipe
        return real_pipe(models_dir, *args, **kwargs)

    def stance_loader(model_dir=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        return stance if model_dir is None else real_stance(model_dir, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "from_pretrained", staticmethod(pipe_loader))
    monkeypatch.setattr(StanceClassifier, "from_pretrained", staticmethod(stance_loader))


def run_cli(argv: list[str], capsys, monkeypatch, stdin: bytes | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _writable(folder: Path) -> bool:
    try:
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_case(case: Case, tmp_path: Path, capsys, monkeypatch, fast_models) -> None:
    argv = case.argv(tmp_path)
    if str(READ_ONLY) in argv and _writable(READ_ONLY.parent):
        pytest.skip(f"{READ_ONLY.parent} is writable here")
    for name, data in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    try:
        code, out, err = run_cli(argv, capsys, monkeypatch, case.stdin)
    except SystemExit as exc:  # argparse errors
        code, out, err = exc.code, "", capsys.readouterr().err
    assert "Traceback" not in err, err
    assert code == case.code, err
    errors = [line for line in err.splitlines() if ": error: " in line]
    if case.code:
        assert len(errors) == 1, err
        assert case.message.lower() in errors[0].lower(), errors[0]
    else:
        assert errors == [], err
    if case.check is not None:
        case.check(tmp_path, out)


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert {c.argv(Path("x"))[0] for c in CASES} >= {"segment", "actors", "stance", "predict", "train"}


# --- beyond one command: resume, locking, CSV output ----------------------------------------------------------------


def test_resume_keeps_repeated_ids_and_never_retries_a_failed_record(tmp_path, capsys, monkeypatch, fast_models):
    src = tmp_path / "in.jsonl"
    same = {"id": "dup", "text": "China and Japan met.", "headline": "Talks"}
    src.write_bytes(jsonl(same, NESTED, same, {**same, "text": "Iran spoke."}, GOOD))
    out = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    assert run_cli(["predict", str(src), "-o", str(out), "--no-progress"], capsys, monkeypatch)[0] == 0
    full = _records(out)
    # an interrupted run that wrote the first three records (the failed one included), then --resume
    out.unlink()
    partial.write_text("".join(json.dumps(r) + "\n" for r in full[:3]), encoding="utf-8")
    code, _, err = run_cli(["predict", str(src), "-o", str(out), "--resume", "--no-progress"], capsys, monkeypatch)
    assert code == 0, err
    resumed = _records(out)
    assert [r["id"] for r in resumed] == ["dup", f"{src}:2", "dup", "dup", "good-1"]
    assert resumed == full
    # an input that changed since is refused, not silently mixed
    partial.write_text("".join(json.dumps(r) + "\n" for r in full[:3]), encoding="utf-8")
    src.write_bytes(jsonl(GOOD, GOOD2))
    code, _, err = run_cli(["predict", str(src), "-o", str(out), "--resume", "--no-progress"], capsys, monkeypatch)
    assert code == 2 and "input changed" in err


def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys, monkeypatch, fast_models):
    from foreign_desk.inference.atomic import OutputLock

    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl(GOOD, GOOD2))
    out = tmp_path / "out.jsonl"
    with OutputLock(out):  # the first run, still writing
        code, _, err = run_cli(["predict", str(src), "-o", str(out), "--no-progress"], capsys, monkeypatch)
    assert code == 1
    assert f"{out} is being written by another run (pid {os.getpid()})" in err
    assert not out.exists()
    code, _, err = run_cli(["predict", str(src), "-o", str(out), "--no-progress"], capsys, monkeypatch)
    assert code == 0 and len(_records(out)) == 2 and not out.with_name("out.jsonl.lock").exists()


def test_csv_output_cells_are_spreadsheet_safe(tmp_path, capsys, monkeypatch, fast_models):
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl({**GOOD, "headline": '=HYPERLINK("http://x","y")'}, {**GOOD2, "id": "@cmd", "headline": "-2+3"},
                          {**GOOD, "id": "plain", "headline": "+1 calls"}))
    out = tmp_path / "out.csv"
    assert run_cli(["predict", str(src), "-o", str(out), "--no-progress"], capsys, monkeypatch)[0] == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["headline"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"y\")", "'-2+3", "'+1 calls"]
    assert rows[1]["id"] == "'@cmd"
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values() if cell)


def test_two_concurrent_predict_runs_one_output(tmp_path, repo_root, capsys, monkeypatch, fast_models):
    """A real second process: while it writes OUT, a run on the same OUT is refused with its pid; its own output is
    complete and untorn."""
    import subprocess
    import time

    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl(*({**GOOD, "id": f"x{i}"} for i in range(40))))
    out = tmp_path / "out.jsonl"
    lock = out.with_name("out.jsonl.lock")
    cmd = [sys.executable, "-m", "inference", "predict", str(src), "-o", str(out), "--batch-size", "2",
           "--topic-model", "topic-tfidf", "--stance-model", "stance-tfidf", "--no-progress"]  # fmt: skip
    first = subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert lock.exists(), "the first run never locked its output"
    code, _, err = run_cli(["predict", str(src), "-o", str(out), "--no-progress"], capsys, monkeypatch)
    assert code == 1 and f"{out} is being written by another run (pid {first.pid})" in err, err
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert [r["id"] for r in _records(out)] == [f"x{i}" for i in range(40)]
