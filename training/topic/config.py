"""Topic training configuration (YAML, validated with pydantic before any work starts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from foreign_desk.training.config import Strict as _Strict
from foreign_desk.training.config import TrainingParams, refuse_old_keys, refuse_training_for
from foreign_desk.training.config_io import read_yaml_mapping, validate

GUIDELINE_LABELS = (
    "diplomacy",
    "sanctions",
    "territorial_dispute",
    "military",
    "nuclear_missiles",
    "trade",
    "terrorism",
    "protest",
    "domestic_politics",
)


class SourceConfig(_Strict):
    """One labelled data set: either ``path`` (one JSONL/CSV file with id, title, text, topics) or ``texts`` +
    ``labels`` (the shared two-file format joined by id). Relative paths resolve against the working directory."""

    name: str | None = None
    path: Path | None = None
    texts: Path | None = None
    labels: Path | None = None

    @model_validator(mode="after")
    def _one_format(self) -> SourceConfig:
        if (self.path is None) == (self.texts is None and self.labels is None):
            raise ValueError("give either 'path' (one file) or both 'texts' and 'labels' (two files joined by id)")
        if self.path is None and (self.texts is None or self.labels is None):
            raise ValueError("the two-file format needs both 'texts' and 'labels'")
        for p in (self.path, self.texts, self.labels):
            if p is not None and not p.is_file():
                raise ValueError(f"data file not found: {p} (resolved to {p.resolve()})")
            if p is not None and p.suffix.lower() not in (".jsonl", ".json", ".csv"):
                raise ValueError(f"{p}: unsupported data format {p.suffix!r} (use .jsonl or .csv)")
        if self.name is None:
            self.name = (self.path or self.texts).parent.name if self.path is None else self.path.stem
        return self


class DataConfig(_Strict):
    sources: list[SourceConfig] = Field(min_length=1)
    dev_fraction: float = Field(0.15, gt=0, lt=0.5)
    test_fraction: float = Field(0.15, gt=0, lt=0.5)
    train_fraction: float = Field(1.0, gt=0, le=1.0, description="use a subset of the train split (learning curves)")
    dedup_similarity: float | None = Field(
        0.9, gt=0, le=1, description="TF-IDF cosine above which two texts are near-duplicates kept in one split"
    )
    strip_dateline: bool = True
    ignore_unlisted_labels: bool = Field(False, description="drop data labels not in `labels` instead of failing")
    min_train_positives: int = Field(10, ge=1, description="warn loudly below this many training positives")
    separate_sources: list[str] = Field(
        default_factory=list,
        description="sources split on their own (same stratified function, fractions and seed) and merged, so the "
        "other sources keep exactly the partition they have without them (e.g. the split an encoder was trained on)",
    )


class TfidfParams(_Strict):
    kind: Literal["tfidf"]
    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] | None = (3, 5)
    max_features_word: int = Field(40000, ge=10)
    max_features_char: int = Field(40000, ge=10)
    min_df: int = Field(2, ge=1)
    sublinear_tf: bool = True
    C: float = Field(4.0, gt=0)
    class_weight: Literal["balanced"] | None = "balanced"
    max_iter: int = Field(2000, ge=10)


class MiniLMParams(_Strict):
    kind: Literal["minilm"]
    max_length: int = Field(128, ge=48, le=512)
    max_windows: int = Field(4, ge=1, le=16)
    stride: int = Field(32, ge=0)
    max_headline_tokens: int = Field(32, ge=0)
    window_selection: Literal["spread", "head"] = "spread"
    pooling: Literal["mean_max", "mean", "max"] = "mean_max"
    dropout: float = Field(0.1, ge=0, lt=1)
    pos_weight: Literal["sqrt", "none"] = "sqrt"
    init_from: Path | None = Field(
        None,
        description="warm start: a saved minilm topic model directory trained on the same split (same labels, "
        "windows and split fingerprint, so no dev/test article was seen); its dev score is the baseline to beat",
    )

    @model_validator(mode="after")
    def _window_fits(self) -> MiniLMParams:
        body = self.max_length - 3 - self.max_headline_tokens
        if body < 16:
            raise ValueError(
                f"max_length {self.max_length} leaves {body} body tokens after a {self.max_headline_tokens}-token headline"
            )
        if self.stride >= body:
            raise ValueError(f"stride {self.stride} must be smaller than the {body} body tokens of a window")
        return self


class EnsembleParams(_Strict):
    """Average saved topic models (trained on this same split); the weight and thresholds are chosen on dev."""

    kind: Literal["ensemble"]
    members: list[Path] = Field(min_length=2, max_length=2, description="two saved topic model directories")
    first_weight_grid: list[float] = Field(
        default_factory=lambda: [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], min_length=1, description="weights of members[0]"
    )

    @field_validator("first_weight_grid")
    @classmethod
    def _unit(cls, grid: list[float]) -> list[float]:
        if any(not 0 <= w <= 1 for w in grid):
            raise ValueError("first_weight_grid values must lie in [0, 1]")
        return grid


class RoutedParams(_Strict):
    """Route articles by body length between two saved topic models (trained on this same split): short items to
    ``routes[0]``, the rest to ``routes[1]``; the length limit is chosen on dev from ``max_chars_grid``."""

    kind: Literal["routed"]
    routes: list[Path] = Field(min_length=2, max_length=2, description="saved topic models: short items, then long")
    max_chars_grid: list[int] = Field(
        default_factory=lambda: [300, 600, 1000, 2000], min_length=1,
        description="candidate longest prepared body (characters) of the first route",
    )

    @field_validator("max_chars_grid")
    @classmethod
    def _positive(cls, grid: list[int]) -> list[int]:
        if any(m < 0 for m in grid):
            raise ValueError("max_chars_grid values must be >= 0")
        return sorted(set(grid))


class PassagesParams(_Strict):
    """Passage (multi-instance) model: frozen encoder of a saved minilm topic model, head trained by the loop."""

    kind: Literal["passages"]
    encoder: Path | None = Field(
        None, description="saved minilm topic model whose fine-tuned encoder is reused frozen (None: base MiniLM)"
    )
    encoder_split_fingerprint: str | None = Field(
        None, description="the split fingerprint of the encoder's training data, checked against this config's split "
        "of the same sources (no dev/test item of this split was seen by the encoder)",
    )
    size: int = Field(2, ge=1, description="sentences per passage window")
    stride: int = Field(1, ge=1)
    headline: bool = True
    max_tokens: int = Field(128, ge=8, le=512)
    pooling: Literal["lse", "max", "mean", "noisy_or"] = "lse"
    hidden: int = Field(256, ge=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    max_evidence: int = Field(2, ge=1)
    top_layers: int = Field(
        0, ge=0, le=6, description="transformer layers trained on the (frozen) encoder's final token states before the "
        "token mean: a topic model on the shared stance encoder reads the stance pass's states through layers of its "
        "own (0: the token mean of the encoder's states)",
    )
    top_init: Path | None = Field(
        None, description="saved minilm topic model whose last top_layers encoder layers initialise the top layers "
        "(its split is checked like the encoder's); None: the encoder's own last layers",
    )


class TopicConfig(_Strict):
    """A topic-model training run: data, label set, model kind and hyper-parameters, seed, output."""

    task: Literal["topic"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    labels: list[str] = Field(min_length=1)
    core_labels: list[str] = Field(default_factory=list, description="labels whose macro-F1 is reported separately")
    data: DataConfig
    model: Annotated[TfidfParams | MiniLMParams | EnsembleParams | PassagesParams | RoutedParams, Field(discriminator="kind")]
    seed: int = 13
    output_dir: Path
    checkpoint_dir: Path | None = Field(None, description="default runs/<name>")
    num_threads: int | None = Field(None, ge=1, description="torch.set_num_threads for training")
    training: TrainingParams | None = Field(None, description="the shared training loop (kind minilm)")
    selection_metric: Literal["macro_f1", "core_macro_f1"] = "macro_f1"
    balance_sources: bool = Field(
        False,
        description="thresholds maximise the mean over sources of per-label dev F1, and model selection the mean over "
        "sources of the selection metric, so no source is sacrificed to the largest one",
    )
    threshold_beta: dict[str, float] = Field(
        default_factory=dict,
        description="labels whose dev threshold maximises F-beta instead of F1 (recall weighs beta times precision), "
        "e.g. {sanctions: 2.0} where a miss costs more than a false alarm",
    )

    @field_validator("labels")
    @classmethod
    def _distinct(cls, labels: list[str]) -> list[str]:
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValueError(f"duplicate labels {dup}")
        bad = [x for x in labels if not x or x.strip() != x]
        if bad:
            raise ValueError(f"invalid label names {bad}")
        return labels

    @model_validator(mode="after")
    def _core_known(self) -> TopicConfig:
        unknown = [x for x in self.core_labels if x not in self.labels]
        if unknown:
            raise ValueError(f"core_labels {unknown} are not in labels {self.labels}")
        unknown = [x for x in self.threshold_beta if x not in self.labels]
        if unknown:
            raise ValueError(f"threshold_beta names {unknown}, which are not in labels {self.labels}")
        bad = {k: v for k, v in self.threshold_beta.items() if not v > 0}
        if bad:
            raise ValueError(f"threshold_beta values must be > 0, got {bad}")
        if self.data.dev_fraction + self.data.test_fraction >= 0.7:
            raise ValueError("dev_fraction + test_fraction leaves too little training data")
        if self.checkpoint_dir is None:
            self.checkpoint_dir = Path("runs") / self.name
        if self.model.kind in ("minilm", "passages") and self.training is None:
            self.training = TrainingParams()
        return self

    @property
    def core(self) -> list[str]:
        return self.core_labels or self.labels


def load_config(path: str | Path, **overrides: object) -> TopicConfig:
    """Read and validate a YAML config. ``overrides`` replace top-level keys (e.g. ``output_dir``).

    Raises ``FileNotFoundError`` or ``ValueError`` with every problem listed, before any work starts.
    """
    data = read_yaml_mapping(path)
    data.update(overrides)
    return config_from_dict(data, source=str(path))


def config_from_dict(data: dict, source: str = "<config>") -> TopicConfig:
    refuse_old_keys(data, source)
    config = validate(TopicConfig, data, source, "topic config")
    refuse_training_for(config.model.kind, data, source)
    return config
