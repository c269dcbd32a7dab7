"""The shared training loop: mid-epoch resume is exact, one checkpoint layout, one metrics.json shape, one config
shape refused the same way for both tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from foreign_desk.training.checkpoint import FILES
from foreign_desk.training.config import TrainingParams, migrate_training_config
from foreign_desk.training.loop import Evaluation, fit, length_grouped_batches
from foreign_desk.training.metrics import SPLIT_KEYS

CHECKPOINT_FILES = {*FILES, "best.safetensors"}


def assert_metrics_json(model_dir: Path, task: str, kind: str) -> dict:
    """The one metrics.json shape of every saved model."""
    metrics = json.loads((Path(model_dir) / "metrics.json").read_text())
    assert {"task", "kind", "dev", "test"} <= set(metrics) <= {"task", "kind", "dev", "test", "per_source"}
    for split, reports in metrics.get("per_source", {}).items():  # topic: the same report per data source
        assert split in ("dev", "test") and all(set(r) == set(SPLIT_KEYS) for r in reports.values())
    assert (metrics["task"], metrics["kind"]) == (task, kind)
    for split in ("dev", "test"):
        assert set(metrics[split]) == set(SPLIT_KEYS)
        assert {"macro", "micro"} <= set(metrics[split]["averages"])
        assert all(set(row) == {"precision", "recall", "f1", "support"} for row in metrics[split]["per_label"].values())
    return metrics


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Dropout(0.3))
        self.head = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))


class ToyAdapter:
    """A tiny task: 3-class classification of random vectors (dropout makes the RNG matter)."""

    def __init__(self, crash_at: int | None = None) -> None:
        self.calls, self.crash_at = 0, crash_at
        torch.manual_seed(0)
        self.network = _Net()
        g = torch.Generator().manual_seed(1)
        self.x, self.y = torch.randn(40, 6, generator=g), torch.randint(0, 3, (40,), generator=g)
        self.costs = [float(i % 7) for i in range(40)]

    def batches(self, epoch: int, batch_size: int, seed: int) -> list[list[int]]:
        return length_grouped_batches(self.costs, batch_size, seed * 1000 + epoch)

    def loss(self, batch: list[int]) -> torch.Tensor:
        self.calls += 1
        if self.calls == self.crash_at:
            raise KeyboardInterrupt  # the run is killed during this step
        return nn.functional.cross_entropy(self.network(self.x[batch]), self.y[batch])

    def evaluate(self, batch_size: int) -> Evaluation:
        with torch.no_grad():
            acc = (self.network(self.x).argmax(-1) == self.y).float().mean().item()
        return Evaluation(acc, {"dev_accuracy": acc}, {"note": "toy"})


PARAMS = TrainingParams(epochs=3, batch_size=6, learning_rate=0.05, head_learning_rate=0.1, eval_every=5,
                        checkpoint_every=3, patience=50)


def test_resume_mid_epoch_gives_the_same_weights(tmp_path: Path) -> None:
    full = ToyAdapter()
    done = fit(full, PARAMS, seed=7, checkpoint_dir=tmp_path / "full")
    assert done.steps == 21 and done.steps_per_epoch == 7  # 40 items / 6 per batch

    with pytest.raises(KeyboardInterrupt):  # killed during step 11: the last checkpoint (an eval) is step 10
        fit(ToyAdapter(crash_at=11), PARAMS, seed=7, checkpoint_dir=tmp_path / "part")
    state = json.loads((tmp_path / "part" / "checkpoint" / "trainer_state.json").read_text())["state"]
    assert state["step"] == 10 and state["step"] % done.steps_per_epoch == 3  # mid-epoch 2
    resumed = ToyAdapter()  # a fresh process: fresh weights, everything comes from the checkpoint
    again = fit(resumed, PARAMS, seed=7, checkpoint_dir=tmp_path / "part", resume=True)
    assert again.steps == done.steps and again.best_step == done.best_step
    assert [h["step"] for h in again.history] == [h["step"] for h in done.history]
    for (name, a), (_, b) in zip(full.network.state_dict().items(), resumed.network.state_dict().items(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    assert {p.name for p in (tmp_path / "part" / "checkpoint").iterdir()} == CHECKPOINT_FILES
    assert again.best_state == {"note": "toy"}


def test_early_stopping_and_linear_schedule(tmp_path: Path) -> None:
    adapter = ToyAdapter()
    params = PARAMS.model_copy(update={"learning_rate": 1e-9, "head_learning_rate": 1e-9, "patience": 2, "eval_every": 1})
    result = fit(adapter, params, seed=1, checkpoint_dir=tmp_path)
    assert result.stopped_early and result.steps == 3 and result.best_step == 1  # no change -> no improvement


def test_resume_without_checkpoint_is_clear(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume from"):
        fit(ToyAdapter(), PARAMS, seed=1, checkpoint_dir=tmp_path, resume=True)


def test_old_saved_configs_are_migrated(tmp_path: Path) -> None:
    topic = {"task": "topic", "training_config": {"task": "topic", "model": {"kind": "minilm", "epochs": 6,
                                                                              "save_steps": 40, "pooling": "mean"}}}
    new = migrate_training_config(topic, tmp_path)
    assert new["model"] == {"kind": "minilm", "pooling": "mean"}
    assert new["training"] == {"epochs": 6, "checkpoint_every": 40}
    stance = {"task": "stance", "kind": "tfidf", "data": {"train": "t.jsonl", "dev_fraction": 0.1, "seed": 13}}
    new = migrate_training_config(stance, tmp_path / "stance-tfidf")
    assert new["seed"] == 13 and new["model"] == {"kind": "tfidf"} and new["data"] == {"train": "t.jsonl", "dev_fraction": 0.1}
    with pytest.raises(ValueError, match="no training config"):
        migrate_training_config({"task": "topic"}, tmp_path)


def test_repo_configs_share_one_shape(repo_root: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from foreign_desk.training.stance import load_config as stance_config
    from foreign_desk.training.topic import load_config as topic_config

    monkeypatch.chdir(repo_root)
    configs = [topic_config(repo_root / "configs" / f"topic-{k}.yaml") for k in ("tfidf", "minilm", "ensemble")]
    configs += [stance_config(repo_root / "configs" / f"stance-{k}.yaml") for k in ("tfidf", "minilm")]
    shared = {"task", "name", "data", "seed", "output_dir", "checkpoint_dir", "num_threads", "model", "training"}
    for config in configs:
        assert shared <= set(type(config).model_fields)
        assert (config.training is not None) == (config.model.kind == "minilm")
