"""int8 stance scores do not depend on batch composition.

Dynamic int8 scales each Linear's input by its max over the whole batch (padding included), which changed 7.6 % of
mention labels with the batch. The committed model stores a calibration (``int8_calibration.json``): static int8 with
fixed input scales, so rows are computed on their own and batches stay batched; what remains is float rounding of the
padded attention sums, which moves a probability by < 0.02 and changes no label. A model without calibration falls
back to dynamic int8 one text per pass (exact)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from foreign_desk.inference.int8 import (
    CALIBRATION_NAME,
    StaticInt8Linear,
    activation_ranges,
    load_calibration,
    quantize_static_int8,
)
from foreign_desk.inference.manifest import ModelLoadError, write_manifest
from foreign_desk.inference.paths import DEFAULT_STANCE_MODEL, default_models_dir
from foreign_desk.inference.stance import StanceClassifier, StanceTarget

TEXTS = [
    "Critics in Freedonia slammed Ruritania for the border closure, calling it reckless.",
    "Ruritania thanked Latveria for its help after the floods.",
    "Officials said talks between Latveria and Freedonia would resume next week in a neutral city chosen by both.",
    "Vale said nothing.",
    "Freedonia's envoy praised Latveria, while Ruritania warned that the new treaty broke every promise made to it.",
]


def _targets() -> list[StanceTarget]:
    out = []
    for text in TEXTS:
        for name in ("Freedonia", "Ruritania", "Latveria", "Vale"):
            k = text.find(name)
            if k >= 0:
                out.append(StanceTarget(text, k, k + len(name)))
    return out


@pytest.fixture(scope="module")
def int8() -> StanceClassifier:
    return StanceClassifier.from_pretrained(quantize=True)


def test_committed_model_runs_static_int8_batched(int8: StanceClassifier) -> None:
    assert int8.int8 == "static" and not int8.per_text
    linears = [m for m in int8.model.encoder.modules() if isinstance(m, nn.Linear)]
    assert not linears and any(isinstance(m, StaticInt8Linear) for m in int8.model.encoder.modules())


def test_int8_labels_of_a_target_do_not_depend_on_its_batch(int8: StanceClassifier) -> None:
    targets = _targets()
    together = int8.predict_proba(targets, batch_size=32)
    alone = np.vstack([int8.predict_proba([t], batch_size=32) for t in targets])
    reordered = int8.predict_proba(targets[::-1], batch_size=3)[::-1]
    for other in (alone, reordered):
        assert (other.argmax(1) == together.argmax(1)).all()
        np.testing.assert_allclose(other, together, atol=0.02)


def test_int8_stays_close_to_float(int8: StanceClassifier) -> None:
    fp32 = StanceClassifier.from_pretrained()
    targets = _targets()
    a, b = fp32.predict_proba(targets), int8.predict_proba(targets)
    assert (a.argmax(1) == b.argmax(1)).mean() >= 0.8
    assert np.abs(a - b).max() < 0.35


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "stance"
    shutil.copytree(default_models_dir() / DEFAULT_STANCE_MODEL, target)
    return target


def test_without_calibration_int8_is_dynamic_one_text_per_pass(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    (model / CALIBRATION_NAME).unlink()
    write_manifest(model)
    clf = StanceClassifier.from_pretrained(model, quantize=True)
    assert clf.int8 == "dynamic" and clf.per_text
    targets = _targets()
    together = clf.predict_proba(targets, batch_size=32)
    alone = np.vstack([clf.predict_proba([t]) for t in targets])
    np.testing.assert_allclose(alone, together, atol=1e-6)  # exact up to the float head


def test_damaged_calibration_is_a_clear_error(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    data = json.loads((model / CALIBRATION_NAME).read_text())
    name = next(iter(data["ranges"]))
    data["ranges"][name] = [1.0, -1.0]
    (model / CALIBRATION_NAME).write_text(json.dumps(data))
    write_manifest(model)
    with pytest.raises(ModelLoadError, match=rf"model {model} is damaged: {CALIBRATION_NAME}"):
        StanceClassifier.from_pretrained(model)
    data["ranges"].pop(name)
    (model / CALIBRATION_NAME).write_text(json.dumps(data))
    write_manifest(model)
    with pytest.raises(ModelLoadError, match=rf"model {model} is damaged: {CALIBRATION_NAME}: .*no calibrated input range"):
        StanceClassifier.from_pretrained(model, quantize=True)


def test_calibration_is_copied_on_save_and_int8_models_are_not_saved(tmp_path: Path, int8) -> None:
    fp32 = StanceClassifier.from_pretrained()
    saved = fp32.save_pretrained(tmp_path / "again")
    assert load_calibration(saved) == load_calibration(default_models_dir() / DEFAULT_STANCE_MODEL)
    with pytest.raises(ValueError, match="cannot be saved"):
        int8.save_pretrained(tmp_path / "int8")


def test_static_linear_matches_float_and_is_row_independent() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 4))
    x = torch.randn(64, 16)
    ranges = activation_ranges(net, lambda: net(x))
    assert set(ranges) == {"0", "2"} and ranges["0"][0] < 0 < ranges["0"][1]
    with torch.no_grad():
        ref = net(x)
        q = quantize_static_int8(net, ranges)
        out = q(x)
        rows = torch.vstack([q(x[i : i + 1]) for i in range(len(x))])
    assert torch.equal(out, rows)  # fixed input scale: a row's output never depends on the other rows
    assert (out - ref).abs().max() < 0.05 * ref.abs().max()
