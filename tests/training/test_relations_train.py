"""Relation training data (CAMEO BIO spans joined to the PentaClass) and a tiny end-to-end training run."""

from __future__ import annotations

import pytest
import yaml

from foreign_desk.training.relations.data import CLASS_POLARITY, _spans, detokenize, load_cameo
from foreign_desk.training.relations.supplement import (
    NEGATIVES,
    SENTENCES,
    WIRE_NEGATIVES,
    WIRE_SENTENCES,
    supplement,
)


def test_detokenize_keeps_token_offsets():
    tokens = ["Ruritania", "'s", "army", "(", "RA", ")", "shelled", "Freedonia", ",", "officials", "said", "."]
    text, spans = detokenize(tokens)
    assert text == "Ruritania's army (RA) shelled Freedonia, officials said."
    assert [text[a:b] for a, b in spans] == tokens


def test_bio_spans():
    text, offsets = detokenize(["The", "Ruritanian", "army", "attacked", "Freedonia", "."])
    tags = ["B-S", "I-S", "I-S", "O", "B-T", "O"]
    assert [text[a:b] for a, b in _spans(tags, "S", offsets)] == ["The Ruritanian army"]
    assert [text[a:b] for a, b in _spans(tags, "T", offsets)] == ["Freedonia"]


def test_supplement_spans_and_labels():
    rows = supplement()
    assert len(rows) == len(SENTENCES) + len(NEGATIVES)
    for row, (_, holder, target, polarity) in zip(rows, SENTENCES, strict=False):
        assert row.text[slice(*row.sources[0])] == holder and row.text[slice(*row.targets[0])] == target
        assert CLASS_POLARITY[row.cameo] == polarity
    negatives = rows[len(SENTENCES) :]
    assert [r.text for r in negatives] == NEGATIVES and all(not r.sources and not r.targets for r in negatives)


def test_supplement_repeats_are_separate(shared_data):
    from foreign_desk.training.relations import RelationsConfig, dataset

    base = {"task": "relations", "data_dir": shared_data / "conflibert_cameo", "limit": 10}
    for pos, neg, wire in ((2, None, False), (2, 0, True), (0, 3, False), (1, 2, True)):
        config = RelationsConfig.model_validate(
            base | {"supplement_repeat": pos, "supplement_negative_repeat": neg, "supplement_wire": wire}
        )
        ours = [s for s in dataset(config)[0]["train"] if s.match == "ours"]
        expected_neg = pos if neg is None else neg
        n_pos = len(SENTENCES) + (len(WIRE_SENTENCES) if wire else 0)
        n_neg = len(NEGATIVES) + (len(WIRE_NEGATIVES) if wire else 0)
        assert sum(bool(s.sources) for s in ours) == pos * n_pos
        assert sum(not s.sources for s in ours) == expected_neg * n_neg


def test_wire_supplement_spans():
    rows = supplement(wire=True)
    sentences = SENTENCES + WIRE_SENTENCES
    assert len(rows) == len(sentences) + len(NEGATIVES) + len(WIRE_NEGATIVES)
    assert len(WIRE_SENTENCES) + len(WIRE_NEGATIVES) >= 250
    for row, (_, holder, target, polarity) in zip(rows, sentences, strict=False):
        assert row.text[slice(*row.sources[0])] == holder and row.text[slice(*row.targets[0])] == target
        assert CLASS_POLARITY[row.cameo] == polarity
    texts = [t for t, *_ in sentences] + NEGATIVES + WIRE_NEGATIVES
    assert len(set(texts)) == len(texts)


def test_cameo_alignment(shared_data):
    sentences, counts = load_cameo(shared_data / "conflibert_cameo")
    assert counts["aligned"] >= 1000 and counts["dropped"] <= 20
    assert sum(1 for s in sentences if s.sources and s.targets) > 800


def test_tiny_training_run(shared_data, repo_root, tmp_path):
    import torch

    from foreign_desk.inference.relations import RelationModel
    from foreign_desk.training.relations import evaluate, load_config, train

    torch.set_num_threads(1)
    config_path = tmp_path / "relations-tiny.yaml"
    config_path.write_text(
        yaml.safe_dump(
            {
                "task": "relations",
                "data_dir": str(shared_data / "conflibert_cameo"),
                "encoder_model": str(repo_root / "models" / "stance-minilm"),
                "output_dir": str(tmp_path / "relations-tiny"),
                "cache": None,
                "limit": 60,
                "epochs": 2,
                "folds": 2,
                "supplement_repeat": 1,
                "thresholds": [0.3],
                "party_relation_thresholds": [0.5],
            }
        )
    )
    out = train(load_config(config_path))
    for name in ("config.json", "manifest.json", "README.md", "metrics.json", "head.safetensors"):
        assert (out / name).is_file(), name
    model = RelationModel.from_pretrained(out)
    assert model.tagger is not None and model.config["parties"]
    report = evaluate(out, split="test")
    assert set(report["model"]) == {"sentences", "pair_found_rate", "polarity_accuracy", "directed_accuracy"}


def test_bad_config_is_refused(tmp_path):
    from foreign_desk.training.relations import load_config

    path = tmp_path / "bad.yaml"
    path.write_text("task: relations\nepochs: 0\n")
    with pytest.raises(ValueError, match="epochs"):
        load_config(path)
