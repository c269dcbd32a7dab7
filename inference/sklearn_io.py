"""skops persistence for scikit-learn text pipelines, with fitted vocabularies kept as JSON.

skops serialises a dict entry by entry (a schema node and a zip member per term), so a vectorizer with a 60k-term
vocabulary becomes a 16 MB file that takes seconds to load. :func:`save_sklearn` writes the vocabularies to
``vocabulary.json`` beside the skops file and :func:`load_sklearn` puts them back; everything else stays in skops, and
loading refuses any type outside an allow-list. Directories written with the vocabulary inside the skops file load too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

VOCAB_NAME = "vocabulary.json"
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def vectorizers(estimator: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, vectorizer) for every count/TF-IDF vectorizer in a pipeline / feature union / column transformer."""
    from sklearn.feature_extraction.text import CountVectorizer

    if isinstance(estimator, CountVectorizer):
        yield prefix or "vectorizer", estimator
        return
    children = (
        getattr(estimator, "steps", None)
        or getattr(estimator, "transformer_list", None)
        or getattr(estimator, "transformers_", None)
        or []
    )
    for name, child, *_ in children:
        yield from vectorizers(child, f"{prefix}/{name}" if prefix else name)


def _terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[int(index)] = term
    return terms


def save_sklearn(estimator: Any, model_dir: Path, name: str = "model.skops") -> None:
    """Dump ``estimator`` to ``model_dir/name`` with skops and its vocabularies to ``vocabulary.json``."""
    import skops.io as sio

    found = dict(vectorizers(estimator))
    vocab = {key: _terms(vec.vocabulary_) for key, vec in found.items() if hasattr(vec, "vocabulary_")}
    detached = {key: found[key].__dict__.pop("vocabulary_") for key in vocab}
    try:
        sio.dump(estimator, model_dir / name, compression=8)
    finally:
        for key, mapping in detached.items():
            found[key].vocabulary_ = mapping
    vocab_path = model_dir / VOCAB_NAME
    if vocab:
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    elif vocab_path.exists():
        vocab_path.unlink()


def load_sklearn(
    model_dir: Path, name: str = "model.skops", trusted: Callable[[str], bool] | None = None
) -> Any:
    """Load what :func:`save_sklearn` wrote. Types outside ``trusted`` (default: sklearn/numpy/scipy/builtins) are
    refused with a ``ValueError`` naming them."""
    import skops.io as sio

    path = model_dir / name
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: no {name}")
    allowed = trusted or (lambda t: t.startswith(TRUSTED_PREFIXES))
    untrusted = sio.get_untrusted_types(file=path)
    refused = [t for t in untrusted if not allowed(t)]
    if refused:
        raise ValueError(f"{path}: refusing to load untrusted types {refused}")
    estimator = sio.load(path, trusted=untrusted)
    vocab_path = model_dir / VOCAB_NAME
    if vocab_path.is_file():
        _attach(estimator, json.loads(vocab_path.read_text(encoding="utf-8")), vocab_path)
    return estimator


def _attach(estimator: Any, vocab: dict[str, list[str]], source: Path) -> None:
    found = dict(vectorizers(estimator))
    if set(vocab) != {key for key, vec in found.items() if not hasattr(vec, "vocabulary_")}:
        raise ValueError(f"{source}: vocabularies {sorted(vocab)} do not match the vectorizers {sorted(found)}")
    for key, terms in vocab.items():
        vec = found[key]
        mapping = {term: i for i, term in enumerate(terms)}
        n_idf = len(vec.idf_) if hasattr(vec, "idf_") else len(mapping)
        if len(mapping) != len(terms) or n_idf != len(terms):
            raise ValueError(f"{source}: vocabulary {key!r} has {len(terms)} terms, the model expects {n_idf}")
        vec.vocabulary_ = mapping
