"""The stance training config (YAML -> pydantic), validated before any work starts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foreign_desk.training.config_io import read_yaml_mapping, validate

REPO = Path(__file__).resolve().parents[2]


class DataConfig(BaseModel):
    """Where the NewsMTSC sentences come from and how they are split (by sentence, deterministic by ``seed``)."""

    model_config = ConfigDict(extra="forbid")

    train: Path = Path("../shared/data/newsmtsc/train.jsonl")
    dev_fraction: float = Field(0.1, ge=0.0, lt=0.5)
    test_fraction: float = Field(0.1, ge=0.0, lt=0.5)
    limit: int | None = Field(None, gt=0, description="use only the first N sentences (tiny test configs)")


class MiniLMArgs(BaseModel):
    """Fine-tuning hyper-parameters of the MiniLM span-pooling model."""

    model_config = ConfigDict(extra="forbid")

    max_length: int = Field(128, ge=16, le=512)
    epochs: float = Field(4, gt=0)
    max_steps: int | None = Field(None, gt=0, description="stop after this many optimizer steps")
    batch_size: int = Field(16, ge=1, description="sentences per step (all their targets are scored)")
    learning_rate: float = Field(4e-5, gt=0)
    head_learning_rate: float = Field(1e-3, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.06, ge=0, lt=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    head_hidden: int = Field(256, ge=8)
    class_weights: bool = True
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    eval_every: int = Field(0, ge=0, description="evaluate on dev every N steps (0 = at the end of each epoch)")
    patience: int = Field(2, ge=1, description="stop after this many evaluations without a better dev macro-F1")
    checkpoint_every: int = Field(100, ge=1, description="save a resumable checkpoint every N steps")
    eval_batch_size: int = Field(64, ge=1)


class TfidfArgs(BaseModel):
    """The baseline's hyper-parameters; ``C`` values are tried in turn and the best on dev is kept."""

    model_config = ConfigDict(extra="forbid")

    C: list[float] = Field(default_factory=lambda: [0.5, 1.0, 2.0, 4.0])
    window: int = Field(6, ge=1)
    min_df: int = Field(2, ge=1)


class StanceConfig(BaseModel):
    """A stance training run: ``task: stance``, ``kind: minilm | tfidf``."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["stance"]
    kind: Literal["minilm", "tfidf"]
    data: DataConfig = Field(default_factory=DataConfig)
    seed: int = 13
    num_threads: int | None = Field(None, ge=1)
    output_dir: Path
    checkpoint_dir: Path | None = Field(None, description="default: runs/checkpoints/<output_dir name>")
    minilm: MiniLMArgs = Field(default_factory=MiniLMArgs)
    tfidf: TfidfArgs = Field(default_factory=TfidfArgs)

    @model_validator(mode="after")
    def _check(self) -> StanceConfig:
        if self.data.dev_fraction <= 0:
            raise ValueError("data.dev_fraction must be > 0 (early stopping and C selection use dev)")
        return self

    @property
    def checkpoints(self) -> Path:
        return self.checkpoint_dir or Path("runs") / "checkpoints" / self.output_dir.name


def resolve(path: Path) -> Path:
    """A relative data path as given (from the working directory), else relative to the repository root."""
    if path.is_absolute() or path.exists():
        return path
    candidate = REPO / path
    return candidate if candidate.exists() else path


def load_config(path: str | Path) -> StanceConfig:
    """Read and validate a YAML config; errors name the file and the offending fields."""
    config = validate(StanceConfig, read_yaml_mapping(path), str(path), "stance config")
    train = resolve(config.data.train)
    if not train.is_file():
        raise FileNotFoundError(f"{path}: data.train not found: {config.data.train}")
    return config
