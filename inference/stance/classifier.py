"""Saved stance classifiers: the MiniLM span-pooling model and the tf-idf baseline behind one interface.

>>> clf = StanceClassifier.from_pretrained("models/stance-minilm")
>>> clf.predict([StanceTarget("Critics slammed Smith for the delay.", 16, 21)])
[StancePrediction(stance='negative', scores={...})]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from foreign_desk.inference.manifest import verify_manifest
from foreign_desk.inference.stance.targets import LABELS, StancePrediction, StanceTarget, TargetLike, as_target

TASK = "stance"
WEIGHTS_NAME = "model.safetensors"
SKOPS_NAME = "model.skops"


def default_model_dir() -> Path:
    """``stance-minilm`` in the default models folder (``$FOREIGN_DESK_MODELS`` or the checkout's ``models/``)."""
    from foreign_desk.inference.paths import default_models_dir

    return default_models_dir() / "stance-minilm"


def read_config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: not a saved model directory (no config.json)")
    config = json.loads(path.read_text(encoding="utf-8"))
    if config.get("task") != TASK:
        raise ValueError(f"{model_dir}: config.json task is {config.get('task')!r}, expected {TASK!r}")
    if tuple(config.get("labels", ())) != LABELS:
        raise ValueError(f"{model_dir}: labels {config.get('labels')} differ from {list(LABELS)}")
    return config


class StanceClassifier:
    """Stance (negative / neutral / positive) toward target spans. Use :meth:`from_pretrained` to load one."""

    kind = "base"
    labels = LABELS

    def __init__(self, config: dict[str, Any] | None = None):
        self.config = {"task": TASK, "kind": self.kind, "labels": list(LABELS), **(config or {})}

    @classmethod
    def from_pretrained(cls, model_dir: str | Path | None = None, quantize: bool = False) -> StanceClassifier:
        """Load a saved classifier of any kind (``config.json`` says which); ``quantize`` = int8 for MiniLM."""
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        config = read_config(model_dir)
        verify_manifest(model_dir)
        kinds = {"minilm": MiniLMStanceClassifier, "tfidf": TfidfStanceClassifier}
        if config.get("kind") not in kinds:
            raise ValueError(f"{model_dir}: unknown stance model kind {config.get('kind')!r}")
        return kinds[config["kind"]]._load(model_dir, config, quantize=quantize)

    @classmethod
    def _load(cls, model_dir: Path, config: dict[str, Any], quantize: bool) -> StanceClassifier:
        raise NotImplementedError

    def save_pretrained(self, model_dir: str | Path) -> Path:
        raise NotImplementedError

    def _save_config(self, model_dir: Path) -> None:
        from foreign_desk.inference.encoder import write_json

        model_dir.mkdir(parents=True, exist_ok=True)
        write_json(model_dir / "config.json", self.config)

    def predict_proba(self, targets: Iterable[TargetLike], batch_size: int = 32) -> np.ndarray:
        """Probabilities, shape ``(n, 3)`` in :data:`LABELS` order. Raises ``TargetError`` on an invalid target
        (validate records first with :func:`as_target` to keep the others)."""
        items = [as_target(t) for t in targets]
        if not items:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self._predict_proba(items, batch_size)

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        raise NotImplementedError

    def predict(self, targets: Iterable[TargetLike], batch_size: int = 32) -> list[StancePrediction]:
        """One :class:`StancePrediction` per target, in order."""
        return predictions_from_proba(self.predict_proba(targets, batch_size=batch_size))


def predictions_from_proba(proba: np.ndarray) -> list[StancePrediction]:
    out = []
    for row in proba:
        scores = {label: float(p) for label, p in zip(LABELS, row, strict=True)}
        out.append(StancePrediction(LABELS[int(np.argmax(row))], scores))
    return out


class MiniLMStanceClassifier(StanceClassifier):
    """Fine-tuned MiniLM encoding each text once and pooling every target's token span."""

    kind = "minilm"

    def __init__(self, model, tokenizer, config: dict[str, Any] | None = None):
        defaults = {"max_length": 256, "pooling": "span-mean+sentence-mean", "head_hidden": 256}
        super().__init__({**defaults, **(config or {})})
        self.model = model
        self.tokenizer = tokenizer

    @classmethod
    def new(cls, max_length: int = 256, head_hidden: int = 256, dropout: float = 0.1) -> MiniLMStanceClassifier:
        """A fresh classifier on the packaged base encoder (word embeddings frozen), ready to fine-tune."""
        from foreign_desk.inference.encoder import BASE_MODEL_NAME, freeze_embeddings, load_base_encoder, load_tokenizer
        from foreign_desk.inference.stance.network import SpanStanceNet

        encoder = load_base_encoder()
        freeze_embeddings(encoder)
        model = SpanStanceNet(encoder, head_hidden=head_hidden, dropout=dropout)
        config = {"max_length": max_length, "head_hidden": head_hidden, "dropout": dropout, "base_model": BASE_MODEL_NAME}
        return cls(model, load_tokenizer(), config)

    @classmethod
    def _load(cls, model_dir: Path, config: dict[str, Any], quantize: bool) -> MiniLMStanceClassifier:
        from foreign_desk.inference.encoder import (
            load_base_encoder,
            load_compact_weights,
            load_tokenizer,
            quantize_int8,
        )
        from foreign_desk.inference.stance.network import SpanStanceNet

        model = SpanStanceNet(load_base_encoder(), head_hidden=int(config.get("head_hidden", 256)))
        load_compact_weights(model, model_dir / WEIGHTS_NAME)
        model.eval()
        if quantize:
            model = quantize_int8(model)
        return cls(model, load_tokenizer(model_dir), config)

    def save_pretrained(self, model_dir: str | Path) -> Path:
        from foreign_desk.inference.encoder import save_compact_weights

        model_dir = Path(model_dir)
        self._save_config(model_dir)
        save_compact_weights(self.model, model_dir / WEIGHTS_NAME)
        self.tokenizer.save_pretrained(str(model_dir))
        return model_dir

    def logits(
        self, targets: Sequence[StanceTarget], batch_size: int = 32, grad: bool = False, share_texts: bool = True
    ) -> torch.Tensor:
        """Raw logits ``(n, 3)``; every distinct text is encoded once for all its targets (``share_texts=False``:
        once per target, as one-pass-per-target models do)."""
        from foreign_desk.inference.stance.encoding import batches, build_windows, collate

        windows = build_windows(self.tokenizer, targets, int(self.config["max_length"]), share_texts=share_texts)
        out = torch.empty((len(targets), len(LABELS)))
        for group in batches(windows, batch_size):
            b = collate(group, pad_id=self.tokenizer.pad_token_id or 0)
            with torch.set_grad_enabled(grad):
                logits = self.model(b.input_ids, b.attention_mask, b.target_window, b.target_mask)
            out[torch.tensor(b.targets)] = logits.detach().float()
        return out

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        self.model.eval()
        with torch.inference_mode():
            return torch.softmax(self.logits(targets, batch_size), dim=-1).numpy()


class TfidfStanceClassifier(StanceClassifier):
    """Baseline: tf-idf of the target's left/right context, the masked sentence and neighbour words; logistic
    regression. Saved with skops."""

    kind = "tfidf"

    def __init__(self, pipeline=None, config: dict[str, Any] | None = None):
        from foreign_desk.inference.stance.tfidf import build_pipeline

        super().__init__({"window": 6, "C": 2.0, **(config or {})})
        self.pipeline = pipeline if pipeline is not None else build_pipeline(c=float(self.config["C"]))

    def fit(self, targets: Sequence[TargetLike], labels: Sequence[str]) -> TfidfStanceClassifier:
        """Fit on targets and their labels (strings from :data:`LABELS`)."""
        from foreign_desk.inference.stance.tfidf import feature_matrix

        items = [as_target(t) for t in targets]
        y = np.array([LABELS.index(label) for label in labels])
        self.pipeline.fit(feature_matrix(items, int(self.config["window"])), y)
        for _, vectorizer, _ in self.pipeline.named_steps["features"].transformers_:
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_  # the terms pruned by min_df: only needed for introspection, and large
        return self

    @classmethod
    def _load(cls, model_dir: Path, config: dict[str, Any], quantize: bool) -> TfidfStanceClassifier:
        from foreign_desk.inference.sklearn_io import load_sklearn
        from foreign_desk.inference.stance.tfidf import TRUSTED_TYPES

        return cls(load_sklearn(model_dir, SKOPS_NAME, trusted=TRUSTED_TYPES.__contains__), config)

    def save_pretrained(self, model_dir: str | Path) -> Path:
        from foreign_desk.inference.sklearn_io import save_sklearn

        model_dir = Path(model_dir)
        self._save_config(model_dir)
        save_sklearn(self.pipeline, model_dir, SKOPS_NAME)
        return model_dir

    def _predict_proba(self, targets: Sequence[StanceTarget], batch_size: int) -> np.ndarray:
        from foreign_desk.inference.stance.tfidf import feature_matrix

        proba = self.pipeline.predict_proba(feature_matrix(targets, int(self.config["window"])))
        out = np.zeros((len(targets), len(LABELS)), dtype=np.float32)
        out[:, self.pipeline.classes_.astype(int)] = proba
        return out
