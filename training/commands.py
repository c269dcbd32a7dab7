"""``foreign-desk train`` and ``foreign-desk evaluate``, registered through the ``foreign_desk.commands`` entry point.

Each task (``topic``, ``stance``) is a module under ``training`` that exposes:

- ``load_config(path) -> config`` validating a YAML config (pydantic) before any work starts;
- ``train(config, resume: bool = False) -> Path`` training and saving a model directory;
- ``evaluate(model_dir, split: str, output: Path | None, quantize: bool) -> dict`` printing and returning held-out
  metrics (``quantize``: the int8 path) in the shared report shape of :mod:`foreign_desk.training.metrics`.

Transformer kinds of every task train with the one loop of :mod:`foreign_desk.training.loop`.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from types import ModuleType

from foreign_desk.training.config_io import read_yaml_mapping

TASK_MODULES = {
    "topic": "foreign_desk.training.topic",
    "stance": "foreign_desk.training.stance",
    "stance_rule": "foreign_desk.training.stance.article_rule",  # the article-level aggregation rule of a stance model
    "stance_article_head": "foreign_desk.training.stance.article_head",  # the article-level head of a stance model
    "stance_int8": "foreign_desk.training.stance.int8",  # static int8 calibration of a MiniLM stance model
    "topic_int8": "foreign_desk.training.topic.int8",  # static int8 calibration of a passages topic model
    "relations": "foreign_desk.training.relations",  # directed holder -> target stance between actors
    "actor_phrases": "foreign_desk.training.stance.actor_phrases",  # recogniser of names outside the gazetteer
}


def task_module(task: str) -> ModuleType:
    if task not in TASK_MODULES:
        raise ValueError(f"unknown task {task!r}; expected one of {sorted(TASK_MODULES)}")
    return importlib.import_module(TASK_MODULES[task])


def task_of_config(path: Path) -> str:
    data = read_yaml_mapping(path)
    if "task" not in data:
        raise ValueError(f"{path}: config must have a 'task' key ({' or '.join(TASK_MODULES)})")
    return str(data["task"])


def task_of_model(model_dir: Path) -> str:
    config = model_dir / "config.json"
    if not config.is_file():
        raise FileNotFoundError(f"{model_dir}: not a saved model directory (no config.json)")
    return str(json.loads(config.read_text(encoding="utf-8"))["task"])


def _train(args: argparse.Namespace) -> int:
    for path in args.configs:
        module = task_module(task_of_config(Path(path)))
        config = module.load_config(Path(path))
        out = module.train(config, resume=args.resume)
        print(f"saved {out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    model_dir = Path(args.model_dir)
    task = task_of_model(model_dir)
    module = task_module(task)
    if args.save:
        save_metrics(model_dir, module, task)
        return 0
    unverified = {"allow_unverified": True} if args.allow_unverified else {}
    module.evaluate(
        model_dir, split=args.split, output=Path(args.output) if args.output else None, quantize=args.int8, **unverified
    )
    return 0


def save_metrics(model_dir: Path, module: ModuleType, task: str) -> Path:
    """Evaluate a saved model on dev and test and write its ``metrics.json``; refresh its ``manifest.json``."""
    from foreign_desk.inference.manifest import write_manifest
    from foreign_desk.training.metrics import SPLIT_KEYS, write_metrics

    reports = {split: module.evaluate(model_dir, split=split, output=None, quantize=False) for split in ("dev", "test")}
    kind = reports["dev"]["kind"]
    per_source = {split: r["per_source"] for split, r in reports.items() if "per_source" in r}
    path = write_metrics(
        model_dir, task, kind, *({k: r[k] for k in SPLIT_KEYS} for r in reports.values()), per_source=per_source or None
    )
    write_manifest(model_dir)
    print(f"wrote {path}")
    return path


def register_train(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train models from YAML configs (configs/*.yaml)")
    p.add_argument("configs", nargs="+", help="YAML config files")
    p.add_argument("--resume", action="store_true", help="resume from the last checkpoint in the output dir")
    p.set_defaults(func=_train)


def register_evaluate(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evaluate", help="evaluate a saved model on its held-out split")
    p.add_argument("model_dir", help="saved model directory")
    p.add_argument("--split", default="test", choices=["dev", "test"], help="held-out split (default test)")
    p.add_argument("-o", "--output", help="write metrics JSON here")
    p.add_argument("--int8", action="store_true", help="evaluate the int8 (dynamic quantization) path")
    p.add_argument(
        "--allow-unverified", action="store_true", help="load a model directory without manifest.json (warns; unsafe)"
    )
    p.add_argument(
        "--save", action="store_true", help="evaluate dev and test, write MODEL_DIR/metrics.json, refresh its manifest"
    )
    p.set_defaults(func=_evaluate)
