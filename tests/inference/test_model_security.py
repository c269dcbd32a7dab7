"""A model directory cannot run code, and a damaged one is refused with one clear line (issue 10).

Crafted ``model.skops`` files call ``builtins.eval`` / ``os.system`` while loading (through skops'
``ConstructorFromReduceNode``); the test first shows that plain skops would run them, then that foreign-desk refuses
them with the manifest refreshed and with the manifest deleted, and that the side-effect file never appears. Models
are copied into ``tmp_path``: ``models/`` is never modified.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from foreign_desk.inference.cli import main
from foreign_desk.inference.manifest import MANIFEST_NAME, ModelLoadError, write_manifest
from foreign_desk.inference.sklearn_io import load_sklearn
from foreign_desk.inference.stance import StanceClassifier
from foreign_desk.inference.topics import TopicClassifier

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"


def copy_model(name: str, tmp_path: Path) -> Path:
    if not (MODELS / name / "config.json").is_file():
        pytest.skip(f"models/{name} not present")
    return Path(shutil.copytree(MODELS / name, tmp_path / name))


def _json(value: object) -> dict:
    return {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": json.dumps(value),
            "is_json": True, "__id__": 1}


def call_node(module: str, name: str, argument: str) -> dict:
    """A skops node that calls ``module.name(argument)`` when the file is loaded."""
    return {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                    "content": [_json(argument)], "__id__": 2},
        "__id__": 3,
    }


def payloads(marker: Path) -> dict[str, dict]:
    return {
        "builtins.eval": call_node("builtins", "eval", f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"),
        "builtins.eval->os.system": call_node("builtins", "eval", f"__import__('os').system('touch {marker}')"),
        "os.system": call_node("os", "system", f"touch {marker}"),
        "builtins.exec": call_node("builtins", "exec", f"open({str(marker)!r}, 'w').write('x')"),
    }


def inject(skops_path: Path, node: dict) -> None:
    """Replace the pipeline's ``verbose`` attribute in the skops schema by ``node`` (rewriting the zip)."""
    with zipfile.ZipFile(skops_path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    schema = json.loads(members["schema.json"])
    attrs = schema["content"]["content"]
    assert "verbose" in attrs
    attrs["verbose"] = node
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(skops_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("payload", ["builtins.eval", "builtins.eval->os.system"])
def test_crafted_file_would_run_code_without_the_policy(tmp_path, payload):
    """Sanity check of the fixture: skops trusting what the file asks for runs the payload (as the old
    prefix-based policy, which trusted every ``builtins.*`` type, did)."""
    import skops.io as sio

    model = copy_model("stance-tfidf", tmp_path)
    marker = tmp_path / "pwned"
    inject(model / "model.skops", payloads(marker)[payload])
    untrusted = sio.get_untrusted_types(file=model / "model.skops")
    assert "builtins.eval" in untrusted and all(t.startswith(("sklearn.", "numpy.", "scipy.", "builtins.")) for t in untrusted)
    sio.load(model / "model.skops", trusted=untrusted)
    assert marker.exists()


@pytest.mark.parametrize("payload", ["builtins.eval", "builtins.eval->os.system", "os.system", "builtins.exec"])
@pytest.mark.parametrize("manifest", ["refreshed", "deleted", "deleted+allow_unverified"])
@pytest.mark.parametrize("name", ["stance-tfidf", "topic-tfidf"])
def test_crafted_skops_is_refused_and_runs_nothing(tmp_path, payload, manifest, name):
    model = copy_model(name, tmp_path)
    marker = tmp_path / "pwned"
    inject(model / "model.skops", payloads(marker)[payload])
    if manifest == "refreshed":
        write_manifest(model)
    else:
        (model / MANIFEST_NAME).unlink()
    loader = StanceClassifier if name.startswith("stance") else TopicClassifier
    expected = "not verified: no manifest.json" if manifest == "deleted" else "is unsafe: model.skops: refusing"
    with pytest.raises(ModelLoadError, match=expected):
        loader.from_pretrained(model, allow_unverified=manifest.endswith("allow_unverified"))
    with pytest.raises(ModelLoadError, match="is unsafe"):
        load_sklearn(model)  # the skops loader itself refuses too, whoever calls it
    assert not marker.exists()


@pytest.mark.parametrize("manifest", ["refreshed", "deleted"])
def test_crafted_model_via_cli_is_one_line_and_runs_nothing(tmp_path, capsys, manifest):
    model = copy_model("stance-tfidf", tmp_path)
    marker = tmp_path / "pwned"
    inject(model / "model.skops", payloads(marker)["builtins.eval->os.system"])
    if manifest == "refreshed":
        write_manifest(model)
    else:
        (model / MANIFEST_NAME).unlink()
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "Critics blasted Latveria.", "start": 16, "end": 24}) + "\n")
    assert main(["stance", str(src), "--model", str(model), "--allow-unverified"]) == 2
    err = capsys.readouterr().err.strip()
    assert "is unsafe: model.skops" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not marker.exists()


def test_missing_manifest_is_refused_unless_allowed(tmp_path, caplog):
    model = copy_model("stance-tfidf", tmp_path)
    (model / MANIFEST_NAME).unlink()
    with pytest.raises(ModelLoadError, match="not verified: no manifest.json"):
        StanceClassifier.from_pretrained(model)
    with caplog.at_level("WARNING"):
        clf = StanceClassifier.from_pretrained(model, allow_unverified=True)
    assert clf.kind == "tfidf" and "UNVERIFIED" in caplog.text


def _flip(path: Path, offset_fraction: float = 0.6) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * offset_fraction)
    data[i : i + 64] = bytes(b ^ 0xFF for b in data[i : i + 64])
    path.write_bytes(bytes(data))


def test_flipped_minilm_weights_are_refused(tmp_path):
    model = copy_model("stance-minilm", tmp_path)
    _flip(model / "model.safetensors")
    with pytest.raises(ModelLoadError, match=r"is damaged: model.safetensors: checksum mismatch"):
        StanceClassifier.from_pretrained(model)
    (model / MANIFEST_NAME).unlink()
    with pytest.raises(ModelLoadError, match="not verified"):
        StanceClassifier.from_pretrained(model)


def test_truncated_safetensors_is_one_clear_error(tmp_path):
    model = copy_model("stance-minilm", tmp_path)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    write_manifest(model)  # a consistent manifest: the damage is in the file itself
    with pytest.raises(ModelLoadError, match=r"^model .* is damaged: model.safetensors: SafetensorError"):
        StanceClassifier.from_pretrained(model)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("zip", r"is damaged: model.skops: BadZipFile"),
        ("skops-schema", r"is damaged: model.skops: "),
        ("manifest-json", r"is damaged: manifest.json: malformed manifest"),
        ("manifest-files", r"is damaged: manifest.json: malformed manifest \(KeyError: 'files'\)"),
        ("manifest-entry", r"is damaged: manifest.json: malformed manifest \(entry"),
        ("config-json", r"is damaged: config.json: JSONDecodeError"),
        ("vocabulary", r"is damaged: vocabulary.json: "),
        ("extra-file", r"is damaged: extra.safetensors: file not listed in manifest.json"),
        ("missing-file", r"is damaged: vocabulary.json: missing"),
    ],
)
def test_damaged_model_is_one_clear_error(tmp_path, capsys, damage, expected):
    model = copy_model("stance-tfidf", tmp_path)
    refresh = True
    if damage == "zip":
        (model / "model.skops").write_bytes(b"PK\x03\x04 this is not a zip file")
    elif damage == "skops-schema":
        with zipfile.ZipFile(model / "model.skops") as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        members["schema.json"] = b'{"__class__": "Pipeline", "__module__": "sklearn.pipeline"'
        with zipfile.ZipFile(model / "model.skops", "w") as zf:
            for n, d in members.items():
                zf.writestr(n, d)
    elif damage == "manifest-json":
        (model / MANIFEST_NAME).write_text("{not json")
        refresh = False
    elif damage == "manifest-files":
        (model / MANIFEST_NAME).write_text("{}")
        refresh = False
    elif damage == "manifest-entry":
        (model / MANIFEST_NAME).write_text(json.dumps({"files": {"../../etc/passwd": {"sha256": "0", "bytes": 1}}}))
        refresh = False
    elif damage == "config-json":
        (model / "config.json").write_text('{"task": "stance",')
    elif damage == "vocabulary":
        (model / "vocabulary.json").write_text("[1, 2")
    elif damage == "extra-file":
        write_manifest(model)
        (model / "extra.safetensors").write_bytes(b"\x00" * 16)
        refresh = False
    elif damage == "missing-file":
        (model / "vocabulary.json").unlink()
        refresh = False
    if refresh:
        write_manifest(model)
    with pytest.raises(ModelLoadError, match=expected) as info:
        StanceClassifier.from_pretrained(model)
    assert "\n" not in str(info.value)
    # the CLI prints it as one line, exit code 2, no traceback
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "Critics blasted Latveria.", "start": 16, "end": 24}) + "\n")
    assert main(["stance", str(src), "--model", str(model)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is damaged" in err and "Traceback" not in err


def test_committed_models_pass_the_policy():
    from foreign_desk.inference.manifest import verify_manifest
    from foreign_desk.inference.sklearn_io import audit_skops

    for name in ("topic-tfidf", "stance-tfidf"):
        if (MODELS / name / "model.skops").is_file():
            assert audit_skops(MODELS / name / "model.skops")
    for config in MODELS.glob("*/config.json"):
        verify_manifest(config.parent)


def test_predict_refuses_unverified_models_unless_allowed(tmp_path, capsys, caplog):
    models = tmp_path / "models"
    for name in ("topic-tfidf", "stance-tfidf"):
        copy_model(name, models)
        (models / name / MANIFEST_NAME).unlink()
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Beijing praised the trade agreement with Washington."}) + "\n")
    args = ["predict", str(src), "--models", str(models), "--topic-model", "topic-tfidf",
            "--stance-model", "stance-tfidf", "--no-progress", "-o", str(tmp_path / "out.jsonl")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "is not verified: no manifest.json" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()
    with caplog.at_level("WARNING"):
        assert main([*args, "--allow-unverified"]) == 0
    assert "loading its files UNVERIFIED" in caplog.text
    assert json.loads((tmp_path / "out.jsonl").read_text())["id"] == "a"
