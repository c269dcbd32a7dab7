"""The one saved-model seam of every task (``topic``, ``stance``) and kind (``tfidf``, ``minilm``, ``ensemble``).

A saved model is a directory: ``config.json`` (``task``, ``kind`` and the kind's settings), the weights, a model
card and ``manifest.json`` (sha256 of every file). :class:`SavedModel` is the base of every classifier:

- one registry ``(task, kind) -> class`` (:data:`KIND_MODULES`); a kind's module is imported only when a model of
  that kind is loaded, so torch loads only for transformer kinds;
- a typed config per kind (:attr:`SavedModel.config_class`, a pydantic model) validated on load, with an error
  naming the model directory and the field;
- one :meth:`SavedModel.save_pretrained` (weights, ``config.json``, ``manifest.json``) and one
  :meth:`SavedModel.from_pretrained` (manifest check, config validation, the kind's ``_load``). Every failure of a
  damaged, unverified or unsafe directory is one :class:`ModelLoadError` line.
"""

from __future__ import annotations

import importlib
import json
import logging
import zipfile
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from foreign_desk.inference.manifest import ModelLoadError, damaged, verify_manifest, write_manifest

__all__ = ["CONFIG_NAME", "KIND_MODULES", "ModelConfig", "ModelLoadError", "SavedModel", "model_class"]

CONFIG_NAME = "config.json"
log = logging.getLogger(__name__)

# (task, kind) -> module defining the class; the module registers the class when imported.
KIND_MODULES: dict[tuple[str, str], str] = {
    ("topic", "tfidf"): "foreign_desk.inference.topics.tfidf",
    ("topic", "minilm"): "foreign_desk.inference.topics.minilm",
    ("topic", "ensemble"): "foreign_desk.inference.topics.ensemble",
    ("topic", "passages"): "foreign_desk.inference.topics.passages",
    ("topic", "routed"): "foreign_desk.inference.topics.routed",
    ("stance", "tfidf"): "foreign_desk.inference.stance.tfidf",
    ("stance", "minilm"): "foreign_desk.inference.stance.minilm",
    ("relations", "pairs"): "foreign_desk.inference.relations.model",
}


class ModelConfig(BaseModel):
    """Fields every ``config.json`` has; each kind extends it. Unknown fields (training records...) are kept."""

    model_config = ConfigDict(extra="allow")

    task: str
    kind: str
    labels: list[str] = Field(min_length=1)


_REGISTRY: dict[tuple[str, str], type[SavedModel]] = {}


def model_class(task: str, kind: object, model_dir: Path | str = "?") -> type[SavedModel]:
    """The class of ``(task, kind)``, importing its module on first use."""
    if (task, kind) not in KIND_MODULES:
        kinds = sorted(k for t, k in KIND_MODULES if t == task)
        raise ModelLoadError(f"{model_dir}: unknown {task} model kind {kind!r}; expected one of {kinds}")
    importlib.import_module(KIND_MODULES[(task, kind)])  # type: ignore[index]
    return _REGISTRY[(task, kind)]  # type: ignore[index]


class SavedModel:
    """Base of every saved classifier. Subclasses set ``task`` (task bases) and ``kind`` + ``config_class`` (kinds),
    and implement :meth:`_load`, :meth:`_save_weights` and :meth:`to_config`."""

    task: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    config_class: ClassVar[type[ModelConfig]] = ModelConfig

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.task and cls.kind:
            _REGISTRY[(cls.task, cls.kind)] = cls

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_pretrained(
        cls, model_dir: str | Path, quantize: bool = False, allow_unverified: bool = False
    ) -> SavedModel:
        """Load a saved model of any kind of this task (``config.json`` says which), after checking its manifest.

        ``quantize=True``: int8 for transformer kinds (static where the model stores a calibration, see
        ``foreign_desk.inference.int8``; dynamic otherwise); ignored by the others.
        ``allow_unverified=True`` loads a directory without ``manifest.json`` (with a warning); never use it for
        model directories from elsewhere.
        """
        model_dir = Path(model_dir)
        if not (model_dir / CONFIG_NAME).is_file():
            raise FileNotFoundError(f"{model_dir}: not a saved model directory (no {CONFIG_NAME})")
        verify_manifest(model_dir, allow_unverified=allow_unverified)
        raw = read_config(model_dir)
        task = raw.get("task")
        if cls.task and task != cls.task:
            raise ModelLoadError(f"{model_dir}: {CONFIG_NAME} task is {task!r}, not a {cls.task} model")
        klass = model_class(str(task), raw.get("kind"), model_dir)
        config = klass.validate_config(raw, model_dir)
        try:
            return klass._load(model_dir, config, quantize=quantize, allow_unverified=allow_unverified)
        except ModelLoadError:
            raise
        except (KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise damaged(model_dir, "model files", exc) from exc

    @classmethod
    def validate_config(cls, raw: dict[str, Any], model_dir: Path) -> ModelConfig:
        """``raw`` checked against the kind's typed config; an invalid field is a :class:`ModelLoadError`."""
        try:
            return cls.config_class.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(root)"
            raise ModelLoadError(
                f"model {model_dir} is damaged: {CONFIG_NAME}: field {field!r}: {err['msg']}"
            ) from exc

    @classmethod
    def _load(cls, model_dir: Path, config: ModelConfig, quantize: bool, allow_unverified: bool) -> SavedModel:
        raise NotImplementedError

    # ------------------------------------------------------------------ saving
    def save_pretrained(self, model_dir: str | Path) -> Path:
        """Write the weights, ``config.json`` and ``manifest.json`` to ``model_dir`` (created if needed)."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        self._save_weights(model_dir)
        text = json.dumps(self.to_config(), indent=2, ensure_ascii=False) + "\n"
        (model_dir / CONFIG_NAME).write_text(text, encoding="utf-8")
        write_manifest(model_dir)
        return model_dir

    def to_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def _save_weights(self, model_dir: Path) -> None:
        raise NotImplementedError


def read_config(model_dir: Path) -> dict[str, Any]:
    """``config.json`` as a dict; unreadable or not an object: :class:`ModelLoadError`."""
    try:
        raw = json.loads((model_dir / CONFIG_NAME).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise damaged(model_dir, CONFIG_NAME, exc) from exc
    if not isinstance(raw, dict):
        raise damaged(model_dir, CONFIG_NAME, "not a JSON object")
    return raw
