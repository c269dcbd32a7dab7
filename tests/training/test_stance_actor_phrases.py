"""Training the name recogniser (``task: actor_phrases``) on a tiny hand-written labelled set."""

from __future__ import annotations

import json
from pathlib import Path

from foreign_desk.inference.actors.phrases import PhraseModel
from foreign_desk.training.commands import task_module
from tests.conftest import REPO

PARTIES = ["Progress Front", "Unity Movement", "Green Alliance", "Renewal Party", "Liberty Front", "Hope Movement"]


def _dataset(root: Path) -> None:
    folder = root / "reuters_world"
    folder.mkdir(parents=True)
    texts, labels = [], []
    for k, party in enumerate(PARTIES * 2):
        item_id = f"rw-{k}"
        text = (f"The opposition {party} said on Monday that Ruritania had broken its promises. "
                f"Officials in the capital Zenda denied it, and the {party} called for new talks.")
        texts.append({"id": item_id, "title": "", "text": text})
        labels.append({"id": item_id, "actors": [{"actor": party, "type": "organisation", "stance": "neutral"}]})
    (folder / "articles.jsonl").write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")


def test_train_writes_a_model_that_recognises_unseen_party_names(tmp_path: Path) -> None:
    _dataset(tmp_path / "data")
    out = tmp_path / "phrases.json"
    cfg = tmp_path / "phrases.yaml"
    cfg.write_text(
        f"task: actor_phrases\ndata_dir: {tmp_path / 'data'}\ndatasets: {{reuters_world: articles.jsonl}}\n"
        f"output: {out}\nmetrics: {tmp_path / 'metrics.json'}\nthreshold: 0.5\n",
        encoding="utf-8",
    )
    module = task_module("actor_phrases")
    module.train(module.load_config(cfg))
    model = PhraseModel.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert model.weights and model.threshold == 0.5
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert "reuters_world" in metrics["cv"]["0.5"]


def test_the_shipped_config_is_valid_and_registered() -> None:
    config = task_module("actor_phrases").load_config(REPO / "configs" / "stance-actor-phrases.yaml")
    assert config.task == "actor_phrases" and config.output == Path("inference/data/actor_phrases.json")
