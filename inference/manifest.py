"""Manifests of saved model directories: the sha256 and size of every file, checked when a model is loaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST_NAME = "manifest.json"


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
    files = {
        p.relative_to(model_dir).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in _model_files(model_dir)
    }
    path = model_dir / MANIFEST_NAME
    path.write_text(json.dumps({"files": files}, indent=2) + "\n", encoding="utf-8")
    return path


def verify_manifest(model_dir: Path, required: bool = False) -> None:
    """Check every file listed in the manifest; raise ``ValueError`` naming the files that are missing or changed."""
    path = model_dir / MANIFEST_NAME
    if not path.is_file():
        if required:
            raise ValueError(f"{model_dir}: no {MANIFEST_NAME}")
        return
    listed = json.loads(path.read_text(encoding="utf-8"))["files"]
    problems = []
    for name, entry in listed.items():
        f = model_dir / name
        if not f.is_file():
            problems.append(f"{name} missing")
        elif f.stat().st_size != entry["bytes"] or file_sha256(f) != entry["sha256"]:
            problems.append(f"{name} changed (checksum mismatch)")
    if problems:
        raise ValueError(f"{model_dir}: model files do not match {MANIFEST_NAME}: " + "; ".join(problems))
