"""Serving needs no training code: every runtime module imports with `foreign_desk.training`, `datasets` and
`accelerate` made unimportable."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
for blocked in ("foreign_desk.training", "datasets", "accelerate"):
    sys.modules[blocked] = None          # any import of these now raises ImportError
import foreign_desk.inference as inference
prefix = "foreign_desk.inference."
names = [m.name for m in pkgutil.walk_packages(inference.__path__, prefix) if m.name != prefix + "__main__"]
for name in names:
    importlib.import_module(name)
from foreign_desk.inference import Pipeline           # the lazy public API resolves too
from foreign_desk.inference.cli import build_parser
commands = build_parser()._subparsers._group_actions[0].choices
assert {"segment", "actors", "stance", "predict"} <= set(commands), commands
assert "train" not in commands           # training commands come only with the training package
print(len(names))
"""


def test_inference_never_imports_training(repo_root) -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.strip()) > 20
