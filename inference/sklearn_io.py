"""skops persistence for scikit-learn text pipelines, with fitted vocabularies kept as JSON, and the one trust policy
for every skops load.

skops serialises a dict entry by entry (a schema node and a zip member per term), so a vectorizer with a 60k-term
vocabulary becomes a 16 MB file that takes seconds to load. :func:`save_sklearn` writes the vocabularies to
``vocabulary.json`` beside the skops file and :func:`load_sklearn` puts them back; everything else stays in skops.
Directories written with the vocabulary inside the skops file load too.

Trust policy: before skops builds anything, every node of the file's schema is checked against an explicit
allow-list of exact types (:data:`TRUSTED_TYPES`) and node loaders (:data:`TRUSTED_LOADERS`). Functions, methods,
constructor calls (``ConstructorFromReduceNode``, ``ReduceNode``, ``PartialNode``...) and any type not listed, e.g.
``builtins.eval`` or ``os.system``, are refused; there is no prefix matching.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foreign_desk.inference.manifest import ModelLoadError, damaged

VOCAB_NAME = "vocabulary.json"

# The exact types the shipped TF-IDF models (topic and stance) and their vocabularies are made of.
TRUSTED_TYPES = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
        "builtins.slice",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.float32",
        "numpy.float64",
        "numpy.int32",
        "numpy.int64",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csr.csr_array",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.multiclass.OneVsRestClassifier",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.utils._bunch.Bunch",
    }
)
# skops node loaders that only rebuild data (none of them calls a function named in the file).
TRUSTED_LOADERS = frozenset(
    {
        "DictNode",
        "ListNode",
        "TupleNode",
        "SliceNode",
        "JsonNode",
        "TypeNode",
        "ObjectNode",
        "NdArrayNode",
        "DTypeNode",
        "SparseMatrixNode",
    }
)


def schema_types(schema: Any) -> Iterator[tuple[str, str]]:
    """(type, loader) of every node anywhere in a skops schema."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__loader__" in node or "__class__" in node or "__module__" in node:
                yield f"{node.get('__module__')}.{node.get('__class__')}", str(node.get("__loader__"))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def audit_skops(path: Path) -> list[str]:
    """Check every node of the skops file at ``path`` against the trust policy; return the types it uses.

    Raises :class:`ModelLoadError` naming the refused types (or the damage, for a file that is not a skops zip).
    """
    model_dir, name = path.parent, path.name
    try:
        with zipfile.ZipFile(path) as zf:
            schema = json.loads(zf.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise damaged(model_dir, name, exc) from exc
    found = set(schema_types(schema))
    refused = sorted({t for t, loader in found if t not in TRUSTED_TYPES or loader not in TRUSTED_LOADERS})
    if refused:
        raise ModelLoadError(f"model {model_dir} is unsafe: {name}: refusing to load untrusted types {refused}")
    return sorted({t for t, _ in found})


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


def load_sklearn(model_dir: Path, name: str = "model.skops") -> Any:
    """Load what :func:`save_sklearn` wrote, after :func:`audit_skops`. Damage is a :class:`ModelLoadError`."""
    import skops.io as sio

    path = model_dir / name
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: no {name}")
    types = audit_skops(path)
    try:
        estimator = sio.load(path, trusted=types)
    except ModelLoadError:
        raise
    except Exception as exc:  # skops raises many kinds on a damaged file (zip, json, numpy, KeyError...)
        raise damaged(model_dir, name, exc) from exc
    vocab_path = model_dir / VOCAB_NAME
    if vocab_path.is_file():
        try:
            vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise damaged(model_dir, VOCAB_NAME, exc) from exc
        _attach(estimator, vocab, vocab_path)
    return estimator


def _attach(estimator: Any, vocab: dict[str, list[str]], source: Path) -> None:
    found = dict(vectorizers(estimator))
    if not isinstance(vocab, dict) or set(vocab) != {k for k, vec in found.items() if not hasattr(vec, "vocabulary_")}:
        raise damaged(source.parent, source.name, f"vocabularies {sorted(vocab)} do not match the vectorizers {sorted(found)}")
    for key, terms in vocab.items():
        vec = found[key]
        mapping = {term: i for i, term in enumerate(terms)}
        n_idf = len(vec.idf_) if hasattr(vec, "idf_") else len(mapping)
        if len(mapping) != len(terms) or n_idf != len(terms):
            raise damaged(source.parent, source.name, f"vocabulary {key!r} has {len(terms)} terms, the model expects {n_idf}")
        vec.vocabulary_ = mapping
