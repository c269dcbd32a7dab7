"""Manifests of saved model directories: the sha256 and size of every file, checked before a model is loaded.

A model directory must carry ``manifest.json`` listing every file in it; loading refuses a directory without one
(unless the caller passes ``allow_unverified=True``, which logs a warning), a file whose size or checksum differs, a
listed file that is missing and a file that is present but not listed. :func:`manifest_sha256` (the hash of the
manifest's entries, the card excepted) goes into the model card, so a user can compare it with a published value.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

MANIFEST_NAME = "manifest.json"
log = logging.getLogger(__name__)


class ModelLoadError(ValueError):
    """A model directory that cannot be loaded safely: damaged, unverified or holding untrusted content.

    The message is one line, ``model <dir> is damaged: <file>: <problem>`` (or ``is not verified`` / ``is unsafe``).
    """


def damaged(model_dir: Path, name: str, problem: object) -> ModelLoadError:
    return ModelLoadError(f"model {model_dir} is damaged: {name}: {_one_line(problem)}")


def _one_line(problem: object) -> str:
    text = f"{type(problem).__name__}: {problem}" if isinstance(problem, BaseException) else str(problem)
    return " ".join(text.split())[:300]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _model_files(model_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in model_dir.rglob("*")
        if p.is_file()
        and p.name != MANIFEST_NAME
        and not any(part.startswith("checkpoint") for part in p.relative_to(model_dir).parts)
    )


def write_manifest(model_dir: Path) -> Path:
    """Write ``manifest.json`` listing every file of ``model_dir`` with its sha256 and size in bytes."""
    model_dir = Path(model_dir)
    files = {
        p.relative_to(model_dir).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in _model_files(model_dir)
    }
    path = model_dir / MANIFEST_NAME
    path.write_text(json.dumps({"files": files}, indent=2) + "\n", encoding="utf-8")
    return path


CARD_NAME = "README.md"


def manifest_sha256(model_dir: Path) -> str:
    """One sha256 that pins every file of the model except its card: the hash of the manifest's entries without
    ``README.md``, as canonical JSON. The model card records it (``manifest_sha256``) without a cycle (the card is
    itself listed in ``manifest.json``), so a user can compare it with a published value. Compute it once every file
    but the card is written."""
    files = {name: entry for name, entry in read_manifest(Path(model_dir)).items() if name != CARD_NAME}
    canonical = json.dumps({"files": files}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def read_manifest(model_dir: Path) -> dict[str, dict]:
    """The ``files`` entry of the manifest, checked for shape; a malformed manifest is a :class:`ModelLoadError`."""
    path = model_dir / MANIFEST_NAME
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise damaged(model_dir, MANIFEST_NAME, f"malformed manifest ({_one_line(exc)})") from exc
    if not isinstance(files, dict):
        raise damaged(model_dir, MANIFEST_NAME, "malformed manifest ('files' is not an object)")
    root = model_dir.resolve()
    for name, entry in files.items():
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("bytes"), int)
            and (model_dir / name).resolve().is_relative_to(root)
            and name != MANIFEST_NAME
        )
        if not ok:
            raise damaged(model_dir, MANIFEST_NAME, f"malformed manifest (entry {name!r})")
    return files


def verify_manifest(model_dir: Path, allow_unverified: bool = False) -> None:
    """Check ``model_dir`` against its manifest; raise :class:`ModelLoadError` on the first problem.

    Without a manifest the directory is refused, unless ``allow_unverified`` (then a warning is logged).
    """
    model_dir = Path(model_dir)
    if not (model_dir / MANIFEST_NAME).is_file():
        if allow_unverified:
            log.warning("%s: no %s; loading its files UNVERIFIED (--allow-unverified)", model_dir, MANIFEST_NAME)
            return
        raise ModelLoadError(
            f"model {model_dir} is not verified: no {MANIFEST_NAME} (refusing to load unchecked files; "
            "pass --allow-unverified / allow_unverified=True to load it anyway)"
        )
    listed = read_manifest(model_dir)
    for name, entry in sorted(listed.items()):
        f = model_dir / name
        if not f.is_file():
            raise damaged(model_dir, name, "missing (listed in manifest.json)")
        if f.stat().st_size != entry["bytes"] or file_sha256(f) != entry["sha256"]:
            raise damaged(model_dir, name, "checksum mismatch with manifest.json")
    for f in _model_files(model_dir):
        name = f.relative_to(model_dir).as_posix()
        if name not in listed:
            raise damaged(model_dir, name, "file not listed in manifest.json")
