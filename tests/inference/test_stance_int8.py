"""int8 stance scores do not depend on batch composition: dynamic quantization scales activations per batch
(padding included), so the quantized model encodes each text alone and keeps its head in float; what remains is the
float rounding of the head (1e-7), which changes no label."""

from __future__ import annotations

import numpy as np

from foreign_desk.inference.stance import StanceClassifier, StanceTarget

TEXTS = [
    "Critics in Freedonia slammed Ruritania for the border closure, calling it reckless.",
    "Ruritania thanked Latveria for its help after the floods.",
    "Officials said talks between Latveria and Freedonia would resume next week in a neutral city chosen by both.",
    "Vale said nothing.",
]


def _targets() -> list[StanceTarget]:
    out = []
    for text in TEXTS:
        for name in ("Freedonia", "Ruritania", "Latveria", "Vale"):
            k = text.find(name)
            if k >= 0:
                out.append(StanceTarget(text, k, k + len(name)))
    return out


def test_int8_scores_of_a_target_do_not_depend_on_its_batch() -> None:
    clf = StanceClassifier.from_pretrained(quantize=True)
    targets = _targets()
    together = clf.predict_proba(targets, batch_size=32)
    for i, target in enumerate(targets):
        alone = clf.predict_proba([target], batch_size=32)
        np.testing.assert_allclose(alone[0], together[i], atol=1e-6)  # float rounding of the head only
    reordered = clf.predict_proba(targets[::-1], batch_size=3)
    np.testing.assert_allclose(reordered[::-1], together, atol=1e-6)
    assert (reordered[::-1].argmax(1) == together.argmax(1)).all()
