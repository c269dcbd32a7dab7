"""Model cards: the README.md written into every saved model directory."""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_VERSIONED = ("foreign-desk", "torch", "transformers", "scikit-learn", "skops", "datasets", "numpy")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


@dataclass
class ModelCard:
    """Everything a model card says. ``metrics`` maps a row name (a label, ``macro``...) to metric -> value."""

    title: str
    task: str
    model_kind: str
    summary: str
    data: Sequence[str] = ()
    label_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # split -> label -> count
    metrics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    metrics_split: str = "dev"
    thresholds: Mapping[str, float] = field(default_factory=dict)
    hyperparameters: Mapping[str, object] = field(default_factory=dict)
    training_seconds: float | None = None
    usage: str = ""
    notes: Sequence[str] = ()

    def render(self) -> str:
        lines = [f"# {self.title}", "", self.summary, "", f"- task: `{self.task}`", f"- model kind: `{self.model_kind}`"]
        if self.training_seconds is not None:
            lines.append(f"- training time: {self.training_seconds:.0f} s ({self.training_seconds / 60:.1f} min)")
        if self.data:
            lines += ["", "## Data", ""] + [f"- {d}" for d in self.data]
        if self.label_counts:
            splits = list(self.label_counts)
            labels = sorted({label for counts in self.label_counts.values() for label in counts})
            lines += ["", "## Label counts", "", "| label | " + " | ".join(splits) + " |", "|---" * (len(splits) + 1) + "|"]
            for label in labels:
                lines.append(f"| {label} | " + " | ".join(str(self.label_counts[s].get(label, 0)) for s in splits) + " |")
        if self.metrics:
            names = list(dict.fromkeys(k for row in self.metrics.values() for k in row))
            lines += ["", f"## Metrics ({self.metrics_split} split)", "", "| | " + " | ".join(names) + " |"]
            lines.append("|---" * (len(names) + 1) + "|")
            for row, values in self.metrics.items():
                lines.append(f"| {row} | " + " | ".join(_fmt(values.get(n)) for n in names) + " |")
        if self.thresholds:
            lines += ["", "## Decision thresholds (tuned on dev)", "", "| label | threshold |", "|---|---|"]
            lines += [f"| {label} | {t:.3f} |" for label, t in self.thresholds.items()]
        if self.hyperparameters:
            lines += ["", "## Hyper-parameters", ""] + [f"- {k}: `{v}`" for k, v in self.hyperparameters.items()]
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        if self.usage:
            lines += ["", "## Usage", "", "```python", self.usage.strip(), "```"]
        lines += ["", "## Versions", ""] + [f"- {k}: {v}" for k, v in library_versions().items()]
        return "\n".join(lines) + "\n"

    def save(self, model_dir: Path) -> Path:
        path = model_dir / "README.md"
        path.write_text(self.render(), encoding="utf-8")
        return path


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
