"""What the report says about the models of a run: name, task, kind, version and checksums, read from each model
directory's ``config.json``, ``manifest.json`` and card. Never raises: a missing or odd directory is described as such."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from foreign_desk.inference.manifest import MANIFEST_NAME, ModelLoadError, manifest_sha256, read_manifest

_CARD_VERSION = re.compile(r"^- foreign-desk: (\S+)", re.MULTILINE)


def describe_model(path: Path, name: str | None = None) -> dict[str, Any]:
    """``{"name","path","status","task","kind","version","base_model","manifest_sha256","files","bytes","members"}``;
    ``status`` is ``ok``, ``missing``, ``no manifest`` or ``damaged manifest``."""
    path = Path(path)
    info: dict[str, Any] = {"name": name or path.name, "path": str(path), "status": "ok", "task": None, "kind": None,
                            "version": None, "base_model": None, "manifest_sha256": None, "files": None, "bytes": None,
                            "members": []}  # fmt: skip
    if not path.is_dir():
        info["status"] = "missing"
        return info
    config: dict[str, Any] = {}
    try:
        loaded = json.loads((path / "config.json").read_text(encoding="utf-8"))
        config = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        pass
    info["task"] = _str(config.get("task"))
    info["kind"] = _str(config.get("kind"))
    info["base_model"] = _str(config.get("base_model"))
    info["version"] = _str(config.get("version"))
    if info["version"] is None:
        try:
            if m := _CARD_VERSION.search((path / "README.md").read_text(encoding="utf-8")):
                info["version"] = m.group(1)
        except (OSError, UnicodeDecodeError):
            pass
    if not (path / MANIFEST_NAME).is_file():
        info["status"] = "no manifest"
    else:
        try:
            files = read_manifest(path)
            info["manifest_sha256"] = manifest_sha256(path)
            info["files"] = len(files)
            info["bytes"] = sum(entry["bytes"] for entry in files.values())
        except ModelLoadError:
            info["status"] = "damaged manifest"
    linked = [m.get("path") for key in ("members", "routes") for m in config.get(key) or [] if isinstance(m, dict)]
    linked.append(config.get("encoder_model"))  # a head-only model names the model whose encoder it reads
    for relative in linked:
        if isinstance(relative, str) and relative:
            info["members"].append((path / relative).resolve().name)
    return info


def describe_models(models_dir: str | Path | None, names: list[str]) -> list[dict[str, Any]]:
    """Describe each named model (a directory name under ``models_dir`` or a path), followed by the members of an
    ensemble that are not listed already."""
    from foreign_desk.inference.paths import default_models_dir

    root = Path(models_dir) if models_dir else default_models_dir()
    out: list[dict[str, Any]] = []
    queue = list(names)
    seen: set[str] = set()
    while queue:
        name = queue.pop(0)
        path = Path(name) if ("/" in name or Path(name).is_absolute()) else root / name
        key = str(path.resolve())
        if key in seen:
            continue
        seen.add(key)
        info = describe_model(path)
        out.append(info)
        queue.extend(str(path.parent / m) if "/" not in m else m for m in info["members"])
    return out


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value) else None
