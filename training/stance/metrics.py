"""Stance metrics: the shared split report (:mod:`foreign_desk.training.metrics`) over the three labels."""

from __future__ import annotations

from collections.abc import Sequence

from foreign_desk.inference.stance.targets import LABELS
from foreign_desk.training.metrics import split_report


def stance_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    labels = list(LABELS)
    return split_report([labels.index(g) for g in gold], [labels.index(p) for p in predicted], labels)


def stance_report(clf, ds, batch_size: int = 64) -> dict:
    """The report of any stance classifier on a split dataset (rows with ``text``, ``start``, ``end``, ``label``)."""
    from foreign_desk.training.stance.data import targets_of

    preds = [p.stance for p in clf.predict(targets_of(ds), batch_size=batch_size)] if len(ds) else []
    return stance_metrics(list(ds["label"]), preds)
