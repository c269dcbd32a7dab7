"""Article-level stance head: a small network trained on labelled actor stances that reads all of an actor's mentions.

The sentence-level classifier was trained on NewsMTSC, whose notion of stance differs from the guideline's article
level ("judge the treatment OF the actor, not the actor's own actions"), and an aggregation rule over its three
probabilities cannot undo that. This head reads what the stance pass computes anyway for every mention (the pooled
encoder vectors ``[span; sentence]`` and the classifier's hidden layer, :meth:`SpanStanceNet.features`), the
mention's probabilities and position, and the actor-level features of :func:`actor_features_v2`:

- every mention vector is normalised and projected (``hidden`` units, GELU);
- attention pooling and max pooling over the actor's mentions (multi-instance: one mention can carry the stance);
- one linear layer over ``[attention pool; max pool; standardised actor features]`` gives the three logits;
- optionally an actor prior: how often the labelled stances of the training items called this actor (by canonical
  name) negative, neutral or positive, smoothed toward the overall class rates (:func:`prior_features`); on Reuters
  world news the same actors recur with steady treatment (Islamic State, Myanmar, North Korea mostly negative; the
  EU, the UN, Germany mostly neutral);
- several such heads trained from different seeds are averaged (``members``).

It is fitted on the actor stances of ``../shared`` by ``foreign-desk train configs/stance-article-head.yaml``
(:mod:`foreign_desk.training.stance.article_head`) and stored beside the stance model it reads:
``article_head.safetensors`` and the ``article_head`` entry of its ``config.json``. The encoder is not touched, so
the head costs no extra encoder pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from torch import nn

from foreign_desk.inference.manifest import ModelLoadError, damaged
from foreign_desk.inference.stance.article import FEATURES_V2, ActorMentions, actor_features_v2
from foreign_desk.inference.stance.targets import LABELS

HEAD_WEIGHTS = "article_head.safetensors"
CONFIG_KEY = "article_head"
POSITION_FEATURES = ("in_first_sentence", "in_first_three", "relative_position")
PRIOR_FEATURES = ("prior_negative", "prior_positive", "prior_log_count")


def prior_key(name: str) -> str:
    """The actor prior's key of a canonical actor name."""
    return " ".join(name.casefold().split())


def prior_features(counts: Sequence[float] | None, rates: Sequence[float], alpha: float) -> np.ndarray:
    """:data:`PRIOR_FEATURES` of an actor whose labelled stances counted ``counts`` (negative, neutral, positive;
    ``None``: never labelled): the log-odds of negative and of positive against neutral, with the counts smoothed by
    ``alpha`` pseudo-counts at the overall class ``rates``, and how often it was labelled."""
    c = np.zeros(len(LABELS)) if counts is None else np.asarray(counts, dtype=float)
    p = (c + alpha * np.asarray(rates, dtype=float)) / (c.sum() + alpha)
    neg, neu, pos = (LABELS.index(x) for x in ("negative", "neutral", "positive"))
    return np.array([np.log(p[neg] / p[neu]), np.log(p[pos] / p[neu]), np.log1p(c.sum())])


class ArticleHeadConfig(BaseModel):
    """The ``article_head`` entry of a stance model's ``config.json``."""

    model_config = ConfigDict(extra="allow")

    weights: str = HEAD_WEIGHTS
    vector_dim: int = Field(gt=0, description="width of a mention vector from the stance pass")
    hidden: int = Field(128, gt=0)
    dropout: float = Field(0.3, ge=0.0, lt=1.0)
    members: int = Field(1, ge=1, description="heads trained from different seeds, probabilities averaged")
    features: list[str] = Field(default_factory=lambda: list(FEATURES_V2))
    feature_mean: list[float]
    feature_scale: list[float]
    actor_prior: dict[str, list[float]] = Field(
        default_factory=dict, description="labelled stance counts (negative, neutral, positive) per prior_key(name); "
        "used when ``features`` ends with PRIOR_FEATURES")
    class_rates: list[float] | None = Field(None, description="overall class rates the prior is smoothed toward")
    prior_alpha: float = Field(3.0, gt=0)

    @property
    def uses_prior(self) -> bool:
        return list(self.features) == [*FEATURES_V2, *PRIOR_FEATURES]

    @property
    def mention_dim(self) -> int:
        return self.vector_dim + len(LABELS) + len(POSITION_FEATURES)


class HeadMember(nn.Module):
    """One trained head: mention rows -> attention and max pooling -> with the standardised actor features, logits."""

    def __init__(self, mention_dim: int, hidden: int, dropout: float, n_features: int):
        super().__init__()
        self.norm = nn.LayerNorm(mention_dim)
        self.encode = nn.Sequential(nn.Dropout(dropout), nn.Linear(mention_dim, hidden), nn.GELU())
        self.attention = nn.Linear(hidden, 1)
        self.out = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * hidden + n_features, len(LABELS)))

    def forward(self, bags: Sequence[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        # every mention of every actor in one pass, then pooled per actor over a padded (actors, mentions) grid
        sizes = torch.tensor([len(bag) for bag in bags])
        z = self.encode(self.norm(torch.cat(list(bags))))  # (M, hidden)
        owner = torch.repeat_interleave(torch.arange(len(bags)), sizes)
        slot = torch.arange(len(z)) - torch.repeat_interleave(torch.cumsum(sizes, 0) - sizes, sizes)
        grid = z.new_full((len(bags), int(sizes.max()), z.shape[1]), float("-inf"))
        grid[owner, slot] = z
        scores = z.new_full(grid.shape[:2], float("-inf"))
        scores[owner, slot] = self.attention(z).squeeze(-1)
        weights = torch.softmax(scores, dim=1).unsqueeze(-1)  # padding gets weight 0
        attended = (weights * grid.nan_to_num(neginf=0.0)).sum(1)
        return self.out(torch.cat([attended, grid.max(1).values, x], dim=1))


class ArticleHead(nn.Module):
    """Multi-instance head: mentions ``(m, mention_dim)`` of each actor + actor features -> 3 logits; ``members``
    heads trained from different seeds, their probabilities averaged (one model, steadier than any one seed)."""

    def __init__(self, config: ArticleHeadConfig):
        super().__init__()
        self.config = config
        if list(config.features) != list(FEATURES_V2) and not config.uses_prior:
            raise ValueError("article head was fitted on different actor features")
        n_features = len(config.features)
        if not (len(config.feature_mean) == len(config.feature_scale) == n_features):
            raise ValueError("article head feature_mean/feature_scale have the wrong length")
        if config.uses_prior:
            rates = config.class_rates
            if rates is None or len(rates) != len(LABELS) or not all(0 < r < np.inf for r in rates):
                raise ValueError("article head actor prior needs class_rates: 3 positive numbers")
            bad = next((k for k, v in config.actor_prior.items()
                        if len(v) != len(LABELS) or not all(0 <= c < np.inf for c in v)), None)
            if bad is not None:
                raise ValueError(f"article head actor prior of {bad!r}: counts must be 3 finite numbers >= 0")
        self.members = nn.ModuleList(
            HeadMember(config.mention_dim, config.hidden, config.dropout, n_features) for _ in range(config.members)
        )
        self.register_buffer("feature_mean", torch.tensor(config.feature_mean, dtype=torch.float32))
        self.register_buffer("feature_scale", torch.tensor(config.feature_scale, dtype=torch.float32))

    def standardise(self, features: torch.Tensor) -> torch.Tensor:
        return (features - self.feature_mean) / self.feature_scale

    def actor_inputs(self, view: ActorMentions) -> np.ndarray:
        """The raw actor features ``config.features`` of one actor: :func:`actor_features_v2`, and its actor prior
        when the head has one."""
        x = actor_features_v2(view)
        if not self.config.uses_prior:
            return x
        counts = self.config.actor_prior.get(prior_key(view.name))
        return np.concatenate([x, prior_features(counts, self.config.class_rates or [], self.config.prior_alpha)])

    def forward(self, bags: Sequence[torch.Tensor], features: torch.Tensor) -> torch.Tensor:
        """Log of the members' mean probabilities ``(n, 3)`` for ``n`` actors: ``bags[i]`` holds actor i's mention
        inputs (at least one row), ``features`` their raw ``config.features`` (:meth:`actor_inputs`)."""
        x = self.standardise(features)
        proba = torch.stack([torch.softmax(m(bags, x), dim=1) for m in self.members]).mean(0)
        return torch.log(proba.clamp(min=1e-12))

    @torch.no_grad()
    def predict_proba(self, views: Sequence[ActorMentions], vectors: Sequence[np.ndarray]) -> np.ndarray:
        """Article-level probabilities ``(n, 3)`` of actors (their :class:`ActorMentions` and mention vectors, rows
        aligned with ``view.proba``); an actor without a scored mention is neutral."""
        out = np.tile(np.array([0.0, 1.0, 0.0]), (len(views), 1))
        rows = [i for i, view in enumerate(views) if len(view.proba)]
        if not rows:
            return out
        self.eval()
        bags = [torch.from_numpy(mention_inputs(views[i], vectors[i])) for i in rows]
        features = torch.tensor(np.array([self.actor_inputs(views[i]) for i in rows]), dtype=torch.float32)
        out[rows] = torch.softmax(self(bags, features), dim=1).numpy()
        return out


def mention_inputs(view: ActorMentions, vectors: np.ndarray) -> np.ndarray:
    """One row per mention: its vector, its sentence-level probabilities and its place in the article."""
    proba = np.asarray(view.proba, dtype=np.float32).reshape(-1, len(LABELS))
    m = len(proba)
    sents = np.asarray(view.sentences[:m] if len(view.sentences) >= m else [0] * m, dtype=np.float32)[:, None]
    position = np.hstack([sents == 0, sents <= 2, sents / max(1, view.n_sentences)]).astype(np.float32)
    return np.hstack([np.asarray(vectors, dtype=np.float32).reshape(m, -1), proba, position])


def save_article_head(model_dir: Path, head: ArticleHead, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the weights beside the stance model; returns the ``article_head`` config entry (the caller writes it into
    ``config.json`` and regenerates the manifest)."""
    from safetensors.torch import save_file

    save_file({k: v.detach().contiguous() for k, v in head.state_dict().items()}, str(model_dir / head.config.weights))
    return {**head.config.model_dump(), **(extra or {})}


def load_article_head(model_dir: Path, entry: dict[str, Any] | None) -> ArticleHead | None:
    """The head described by ``config.json``'s ``article_head`` entry (``None`` when the model has none); a damaged
    entry or weights file is a :class:`ModelLoadError` naming the model directory."""
    if not entry:
        return None
    from safetensors.torch import load_file

    try:
        config = ArticleHeadConfig.model_validate(entry)
        head = ArticleHead(config)
    except (ValidationError, ValueError) as exc:
        raise damaged(model_dir, f"config.json {CONFIG_KEY}", exc) from exc
    path = model_dir / Path(config.weights).name
    if not path.is_file():
        raise ModelLoadError(f"model {model_dir} is damaged: {path.name} is missing")
    try:
        head.load_state_dict(load_file(str(path)))
    except Exception as exc:  # noqa: BLE001 - a bad weights file of any kind is one load error
        raise damaged(model_dir, path.name, exc) from exc
    head.eval()
    return head
