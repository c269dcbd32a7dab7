"""The stance training config (YAML -> pydantic), validated before any work starts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from foreign_desk.training.config import Strict, TrainingParams, refuse_old_keys, refuse_training_for
from foreign_desk.training.config_io import read_yaml_mapping, validate

REPO = Path(__file__).resolve().parents[2]


class DataConfig(Strict):
    """Where the NewsMTSC sentences come from and how they are split (by sentence, deterministic by ``seed``)."""

    train: Path = Path("../shared/data/newsmtsc/train.jsonl")
    dev_fraction: float = Field(0.1, ge=0.0, lt=0.5)
    test_fraction: float = Field(0.1, ge=0.0, lt=0.5)
    limit: int | None = Field(None, gt=0, description="use only the first N sentences (tiny test configs)")


class MiniLMParams(Strict):
    """The MiniLM span-pooling model (its training hyper-parameters are the shared ``training`` section)."""

    kind: Literal["minilm"]
    max_length: int = Field(128, ge=16, le=512)
    dropout: float = Field(0.1, ge=0, lt=1)
    head_hidden: int = Field(256, ge=8)
    class_weights: bool = True
    label_smoothing: float = Field(0.0, ge=0, lt=1)


class TfidfParams(Strict):
    """The baseline's hyper-parameters; ``C`` values are tried in turn and the best on dev is kept."""

    kind: Literal["tfidf"]
    C: list[float] = Field(default_factory=lambda: [0.5, 1.0, 2.0, 4.0])
    window: int = Field(6, ge=1)
    min_df: int = Field(2, ge=1)


class StanceConfig(Strict):
    """A stance training run: ``task: stance``, ``model: {kind: minilm | tfidf, ...}``, ``training`` (minilm)."""

    task: Literal["stance"]
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$", description="default: the output_dir name")
    data: DataConfig = Field(default_factory=DataConfig)
    seed: int = 13
    training_seed: int | None = Field(
        None, description="seed of the batch order and dropout (default: ``seed``); the split and the head's "
        "initialisation stay fixed by ``seed``, so runs that differ only here share their start and can be averaged"
    )
    num_threads: int | None = Field(None, ge=1)
    output_dir: Path
    checkpoint_dir: Path | None = Field(None, description="default: runs/<name>")
    model: Annotated[MiniLMParams | TfidfParams, Field(discriminator="kind")]
    training: TrainingParams | None = Field(None, description="the shared training loop (kind minilm)")

    @model_validator(mode="after")
    def _check(self) -> StanceConfig:
        if self.data.dev_fraction <= 0:
            raise ValueError("data.dev_fraction must be > 0 (early stopping and C selection use dev)")
        if self.name is None:
            self.name = self.output_dir.name
        if self.checkpoint_dir is None:
            self.checkpoint_dir = Path("runs") / self.name
        if self.model.kind == "minilm" and self.training is None:
            self.training = TrainingParams()
        return self


def resolve(path: Path) -> Path:
    """A relative data path as given (from the working directory), else relative to the repository root."""
    if path.is_absolute() or path.exists():
        return path
    candidate = REPO / path
    return candidate if candidate.exists() else path


def load_config(path: str | Path) -> StanceConfig:
    """Read and validate a YAML config; errors name the file and the offending fields."""
    return config_from_dict(read_yaml_mapping(path), str(path))


def config_from_dict(data: dict, source: str = "<config>") -> StanceConfig:
    refuse_old_keys(data, source)
    config = validate(StanceConfig, data, source, "stance config")
    refuse_training_for(config.model.kind, data, source)
    if not resolve(config.data.train).is_file():
        raise FileNotFoundError(f"{source}: data.train not found: {config.data.train}")
    return config
