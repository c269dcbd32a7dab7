"""Safe file output: output paths checked before any work starts, atomic writes (a temporary file beside the
target, moved into place only on success), one lock per output for concurrent runs, JSON lines that always encode."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

_SURROGATE = re.compile("[\ud800-\udfff]")


class OutputError(OSError):
    """An output path that cannot be written (a directory, a parent that is a file, a read-only folder), or one that
    another run is writing. The message is one line naming the path."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_output_path(path: str | Path | None) -> Path | None:
    """Make sure ``path`` can be written, before the work starts: its folder is created if missing and a probe file
    is created and removed in it. Raises :class:`OutputError` with one clear line otherwise; ``None`` (stdout)
    passes."""
    if path is None or str(path) == "-":
        return None
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; -o needs a file name")
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"{path}: {ancestor} is a file, not a folder")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder {parent}: {exc.strerror or exc}") from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {parent}: {exc.strerror or exc}") from exc
    os.close(fd)
    os.unlink(probe)
    return path


def json_line(record: Any) -> str:
    """One JSONL line (UTF-8 text, no ASCII escaping); lone surrogates, which cannot be encoded, become U+FFFD."""
    line = json.dumps(record, ensure_ascii=False)
    if _SURROGATE.search(line):
        line = _SURROGATE.sub("\ufffd", line)
    return line + "\n"


@contextmanager
def atomic_output(path: str | Path | None) -> Iterator[TextIO]:
    """Yield a text handle for ``path`` (stdout when ``None``); the file appears, complete, only if the block
    finishes without an exception, so an interrupted run never leaves a truncated file."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; -o needs a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputLock:
    """An exclusive lock on an output path, held by one run at a time: ``OUT.lock`` beside it, locked with
    ``flock`` (released by the kernel when the process dies, so a killed run never leaves a stale lock) and holding
    the owner's pid for the refusal message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                raise OutputError(f"{self.path} is being written by another run (pid {self._owner()})") from None
            try:  # the holder before us may have removed the file after we opened it: lock the current one
                same = os.fstat(fd).st_ino == os.stat(self.lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def _owner(self) -> str:
        try:
            return self.lock_path.read_text(encoding="ascii").strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.lock_path.unlink(missing_ok=True)  # while still holding the lock (see acquire)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
