"""The package installs from its wheel and runs from any folder with the default models.

Builds a wheel from a copy of the sources (so no ``build/`` folder is left in the checkout), checks that it holds every
module of ``inference/`` and ``training/``, the gazetteer/name data and every file of each committed model (i.e. the
explicit ``packages`` list of pyproject.toml is complete), then installs it into a fresh venv and runs the installed
``foreign-desk`` from another folder. The dependencies come from the dev venv through a ``.pth`` line: a folder added
that way does not have its own ``.pth`` files processed, so the dev venv's editable install cannot leak in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

DUMP = """Iran and Turkey pledge closer trade ties

ANKARA (Reuters) – Turkish President Tayyip Erdogan and Iranian President Hassan Rouhani agreed on Wednesday to \
expand trade between their countries and to cooperate against Kurdish militants, officials said.

Erdogan praised the talks as a step toward stability in the region, while Washington criticised both governments \
over their support for armed groups in Syria.

(Reporting by Ali Kucukgocmen; Editing by Mark Heinrich)
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def _package_dirs() -> dict[str, str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["setuptools"]["package-dir"]


def _source_files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built offline (``--no-build-isolation``, the dev venv's setuptools) from a copy of the sources."""
    pytest.importorskip("setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in sorted(set(_package_dirs().values())):
        shutil.copytree(REPO / folder, src / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("wheelhouse")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(out), str(src)], cwd=src)
    wheels = list(out.glob("foreign_desk-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_every_module_data_file_and_model(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    top = {n.split("/", 1)[0] for n in names}
    assert top == {"foreign_desk", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}, top
    dirs = _package_dirs()
    for folder in ("inference", "training"):
        package = next(p for p, d in dirs.items() if d == folder).replace(".", "/")
        modules = [p for p in _source_files(REPO / folder) if p.suffix == ".py"]
        assert modules
        missing = [str(p) for p in modules if f"{package}/{p.as_posix()}" not in names]
        assert not missing, f"modules of {folder}/ missing from the wheel (add their packages to pyproject): {missing}"
    data = _source_files(REPO / "inference" / "data")
    assert {"actors_people.yaml", "given_names.txt"} <= {p.name for p in data}
    missing = [str(p) for p in data if f"foreign_desk/inference/data/{p.as_posix()}" not in names]
    assert not missing, f"data files missing from the wheel: {missing}"
    manifests = sorted((REPO / "models").glob("*/manifest.json"))
    assert manifests
    for manifest in manifests:
        model = manifest.parent.name
        files = ["manifest.json", *json.loads(manifest.read_text(encoding="utf-8"))["files"]]
        missing = [f for f in files if f"foreign_desk/models/{model}/{f}" not in names]
        assert not missing, f"files of models/{model} missing from the wheel: {missing}"
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size / 2**20:.1f} MiB, {len(names)} files")


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], cwd=tmp_path)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip())
    dev_site = sysconfig.get_paths()["purelib"]
    (site / "zz_dev_dependencies.pth").write_text(dev_site + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "FOREIGN_DESK_MODELS"}}
    env.update(HF_HUB_OFFLINE="1", PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    work = tmp_path / "elsewhere"
    work.mkdir()

    probe = (
        "import importlib.util, json, foreign_desk.inference as i, foreign_desk.training as t\n"
        "from foreign_desk.inference.paths import default_models_dir\n"
        "print(json.dumps({'inference': i.__file__, 'training': t.__file__, 'models': str(default_models_dir()),\n"
        "    'top': [m for m in ('inference', 'training', 'models') if importlib.util.find_spec(m)]}))\n"
    )
    where = json.loads(_run([str(python), "-c", probe], cwd=work, env=env))
    for key in ("inference", "training", "models"):
        assert Path(where[key]).resolve().is_relative_to(site.resolve()), f"{key} not from the wheel: {where}"
    assert (Path(where["models"]) / "topic-ensemble" / "manifest.json").is_file()
    assert where["top"] == [], f"top-level names collide with other projects: {where['top']}"
    for name in ("inference", "training"):
        proc = subprocess.run([str(python), "-c", f"import {name}"], cwd=work, env=env, capture_output=True)
        assert proc.returncode != 0, f"`import {name}` must fail in a venv with only the wheel"

    cli = str(venv / "bin" / "foreign-desk")
    assert "predict" in _run([cli, "--help"], cwd=work, env=env)
    (work / "dump.txt").write_text(DUMP, encoding="utf-8")
    _run([cli, "predict", "dump.txt", "-o", "out.jsonl"], cwd=work, env=env)
    records = [json.loads(line) for line in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1 and records[0]["error"] is None, records
    record = records[0]
    assert record["topics"]["labels"], record["topics"]
    actors = {a["actor"] for a in record["actors"]}
    assert {"Turkey", "Iran"} <= actors, actors
