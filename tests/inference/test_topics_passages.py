"""The passage topic kind: passage construction, pooling, evidence (verbatim), save/load through the seam."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from foreign_desk.inference.manifest import ModelLoadError, write_manifest
from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.inference.topics.base import PassageScores, select_evidence
from foreign_desk.inference.topics.ensemble import EnsembleTopicClassifier
from foreign_desk.inference.topics.passages import (
    PassageHead,
    PassageParams,
    PassageTopicClassifier,
    make_passages,
    passage_embeddings,
)
from foreign_desk.inference.topics.text import as_headline_body, prepare

LABELS = ["diplomacy", "sanctions", "trade"]

# Our own fixture articles (never text from ../shared).
BODY = (
    "OSLAVIA (Reuters) - The foreign ministers of Avaland and Borduria met on Monday for talks in the capital. "
    "They discussed a new treaty on fishing rights. "
    "Dr. Ivo Marek, the envoy, said the U.S. delegation would join later. "
    "Separately, the European Union extended an asset freeze on three Bordurian banks. "
    "The embargo on arms exports remains in force until March."
)
FIXTURES = [
    {"title": "Avaland and Borduria hold talks", "text": BODY},
    {"title": "", "text": "Customs duties on steel rose again.  The trade deficit widened in   October."},
    {"title": "Sanctions widen", "text": ""},
    "A single sentence about an embargo on oil exports.",
    {"title": "Summit ends", "text": "Leaders signed an accord.\n\nThe next summit is in May.\n\nTariffs were not discussed."},
]


def _norm(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------------- passages
def test_passages_are_verbatim_windows_covering_every_sentence() -> None:
    headline, body = prepare("Avaland and Borduria hold talks", BODY)
    sentences, passages = make_passages(headline, body, PassageParams(size=2, stride=1))
    assert sentences[0] == headline and len(sentences) == 6  # headline + 5 body sentences
    assert passages[0].headline and passages[0].text == headline
    body_passages = passages[1:]
    assert len(body_passages) == 4  # windows 1-2, 2-3, 3-4, 4-5
    for p in body_passages:
        assert body[p.start : p.end] == p.text and len(p.sentences) == 2
    covered = {i for p in passages for i in p.sentences}
    assert covered == set(range(len(sentences)))
    assert not body.startswith("OSLAVIA")  # the dateline is not a passage


@pytest.mark.parametrize(("size", "stride"), [(1, 1), (2, 2), (3, 1), (3, 2), (10, 1)])
def test_window_sizes_and_strides_cover_the_tail(size: int, stride: int) -> None:
    headline, body = prepare("", BODY)
    sentences, passages = make_passages(headline, body, PassageParams(size=size, stride=stride, headline=False))
    assert {i for p in passages for i in p.sentences} == set(range(len(sentences)))
    assert all(len(p.sentences) == min(size, len(sentences)) for p in passages)
    assert all(body[p.start : p.end] == p.text for p in passages)


def test_edge_articles() -> None:
    sentences, passages = make_passages("Only a headline", "", PassageParams())
    assert sentences == ["Only a headline"] and [p.text for p in passages] == ["Only a headline"]
    sentences, passages = make_passages("Only a headline", "", PassageParams(headline=False))
    assert [p.text for p in passages] == ["Only a headline"]  # still read
    sentences, passages = make_passages("", "", PassageParams())
    assert sentences == [""] and len(passages) == 1
    emb = passage_embeddings(np.arange(12, dtype=np.float32).reshape(3, 4), make_passages("H", "A b. C d.", PassageParams())[1])
    assert emb.shape == (2, 4)
    np.testing.assert_allclose(emb[1].numpy(), [6.0, 7.0, 8.0, 9.0])  # mean of sentences 1 and 2


# ---------------------------------------------------------------------------------------------------- pooling
def test_poolings() -> None:
    z = torch.tensor([[-4.0, 1.0], [3.0, -2.0], [0.5, 0.0]])
    heads = {p: PassageHead(4, 2, hidden=4, pooling=p) for p in ("max", "mean", "lse", "noisy_or")}
    torch.testing.assert_close(heads["max"].pool(z), z.max(0).values)
    torch.testing.assert_close(heads["mean"].pool(z), z.mean(0))
    lse = heads["lse"].pool(z)
    assert torch.all(lse <= z.max(0).values + 1e-6) and torch.all(lse >= z.mean(0) - 1e-6)
    with torch.no_grad():
        heads["lse"].sharpness.fill_(200.0)  # very sharp: the max (minus log(n)/r)
    torch.testing.assert_close(heads["lse"].pool(z), z.max(0).values, atol=0.02, rtol=0)
    p = 1 - torch.prod(1 - torch.sigmoid(z), 0)
    torch.testing.assert_close(torch.sigmoid(heads["noisy_or"].pool(z)), p)
    bags = [torch.randn(3, 4), torch.randn(1, 4), torch.randn(7, 4)]
    for head in heads.values():  # the padded batch pooling equals pooling each bag
        head.eval()
        each = torch.stack([head.pool(head.passage_logits(b)) for b in bags])
        torch.testing.assert_close(head(bags), each, atol=1e-5, rtol=1e-5)
    # one strong passage among many weak ones still carries the label under lse/max, not under mean
    many = torch.cat([torch.full((30, 1), -3.0), torch.tensor([[4.0]])])
    with pytest.raises(ValueError):
        PassageHead(4, 2, pooling="attention")
    assert heads["max"].pool(many.expand(-1, 2))[0] > 0 > heads["mean"].pool(many.expand(-1, 2))[0]


def test_select_evidence_non_overlapping_highest_first() -> None:
    scores = np.array([[0.2], [0.9], [0.85], [0.7], [0.1]])
    spans = [(0, 5, True), (0, 10, False), (5, 15, False), (10, 20, False), (15, 25, False)]
    ps = PassageScores(texts=["h", "a", "b", "c", "d"], spans=spans, scores=scores)
    ev = select_evidence(ps, 0, threshold=0.5, max_n=2)
    assert [e["text"] for e in ev] == ["a", "c"]  # b overlaps a
    assert ev[0]["score"] >= ev[1]["score"]
    assert [e["text"] for e in select_evidence(ps, 0, threshold=0.95, max_n=3)] == ["a"]  # the best one always


# ---------------------------------------------------------------------------------------------------- the kind
@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    clf = PassageTopicClassifier.build(LABELS, PassageParams(size=2, stride=1, max_tokens=32), hidden=8)
    clf.thresholds = {label: 0.0 for label in LABELS}  # every label predicted: evidence for all
    out = clf.save_pretrained(tmp_path_factory.mktemp("passages"))
    write_manifest(out)
    return out


def test_round_trip_through_the_seam(tiny_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tiny_dir)
    assert isinstance(clf, PassageTopicClassifier) and clf.kind == "passages"
    proba = clf.predict_proba(FIXTURES)
    assert proba.shape == (len(FIXTURES), 3) and np.all((proba > 0) & (proba < 1))
    again = TopicClassifier.from_pretrained(tiny_dir).predict_proba(FIXTURES)
    np.testing.assert_allclose(again, proba, atol=1e-6)
    one_by_one = np.vstack([clf.predict_proba([f]) for f in FIXTURES])
    np.testing.assert_allclose(one_by_one, proba, atol=1e-5)  # batching changes nothing
    int8 = TopicClassifier.from_pretrained(tiny_dir, quantize=True)
    assert np.abs(int8.predict_proba(FIXTURES) - proba).max() < 0.15
    assert clf.predict([]) == []


def test_evidence_is_verbatim_article_text(tiny_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tiny_dir)
    preds = clf.predict(FIXTURES)
    found = total = 0
    for item, pred in zip(FIXTURES, preds, strict=True):
        headline, body = as_headline_body(item)
        source = _norm(f"{headline} {body}")
        assert set(pred.evidence) == set(pred.labels) == set(LABELS)
        for passages in pred.evidence.values():
            assert 1 <= len(passages) <= 2
            assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
            for p in passages:
                total += 1
                found += _norm(p["text"]) in source
        assert pred.to_dict()["evidence"] == pred.evidence
    assert total and found == total


def test_ensemble_takes_evidence_from_its_passages_member(tiny_dir: Path) -> None:
    member = TopicClassifier.from_pretrained(tiny_dir)
    ens = EnsembleTopicClassifier(LABELS, [(member, 0.5, "a"), (member, 0.5, "b")], {label: 0.0 for label in LABELS})
    preds = ens.predict(FIXTURES[:2])
    assert all(set(p.evidence) == set(LABELS) for p in preds)
    np.testing.assert_allclose(ens.predict_proba(FIXTURES[:2]), member.predict_proba(FIXTURES[:2]), atol=1e-9)


def test_encoder_model_is_checked(tmp_path: Path, tiny_dir: Path) -> None:
    import json
    import shutil

    target = tmp_path / "m"
    shutil.copytree(tiny_dir, target)
    cfg = json.loads((target / "config.json").read_text())
    cfg["encoder_model"] = "../missing-encoder"
    (target / "config.json").write_text(json.dumps(cfg))
    write_manifest(target)
    with pytest.raises(ModelLoadError, match="encoder model not found"):
        TopicClassifier.from_pretrained(target)


def test_evidence_found_on_sentence_boundaries_with_abbreviations(tiny_dir: Path) -> None:
    clf = TopicClassifier.from_pretrained(tiny_dir)
    pred = clf.predict([FIXTURES[0]])[0]
    texts = [p["text"] for ps in pred.evidence.values() for p in ps]
    assert not any(re.fullmatch(r".*\b(Dr|U\.S)\.", t) for t in texts)  # never cut after an abbreviation
    assert math.isfinite(sum(pred.scores.values()))


# ---------------------------------------------------------------------------------------------------- shared encoder
def test_passages_on_the_stance_encoder_share_its_pass_with_identical_results(tmp_path: Path) -> None:
    from foreign_desk.inference.paths import default_models_dir
    from foreign_desk.inference.pipeline import Pipeline
    from foreign_desk.inference.stance import StanceClassifier
    from foreign_desk.inference.stance.article import collect_targets

    stance_dir = default_models_dir() / "stance-minilm"
    torch.manual_seed(0)
    clf = PassageTopicClassifier.build(LABELS, encoder_dir=stance_dir, encoder_model=str(stance_dir.resolve()))
    clf.save_pretrained(tmp_path / "shared")
    topics = TopicClassifier.from_pretrained(tmp_path / "shared")
    stance = StanceClassifier.from_pretrained(stance_dir)
    stance.model_dir = stance_dir
    article = {"id": "a", "headline": "Avaland and Borduria hold talks", "text": BODY}
    alone = topics.predict([article])[0]  # its own encoder, every sentence encoded by the topic model

    pipe = Pipeline(topics, stance)
    assert pipe.shared_encoder and topics.encoder is stance.model.encoder
    encoded: list[int] = []
    handle = topics.encoder.register_forward_hook(lambda m, a, k, o: encoded.append(k["input_ids"].shape[0]),
                                                  with_kwargs=True)
    try:
        [shared] = pipe.predict([article])
    finally:
        handle.remove()
    assert shared.topics.labels == alone.labels
    for label, score in alone.scores.items():
        assert shared.topics.scores[label] == pytest.approx(score, abs=1e-4)
    n_sentences = len(make_passages(*prepare(article["headline"], BODY), PassageParams())[0])
    found = pipe.extractor.extract(BODY, headline=article["headline"])
    n_stance_texts = len({t.text for t in collect_targets(found)[0]})
    assert n_stance_texts > 0
    assert sum(encoded) < n_sentences + n_stance_texts  # sentences the stance pass encoded were not encoded again

    int8_topics = TopicClassifier.from_pretrained(tmp_path / "shared", quantize=True)
    assert not int8_topics.share_encoder(stance)  # int8 topic states differ from fp32 stance ones: no sharing


ARTICLES_INT8 = [
    {"title": "Envoys meet in the capital", "text": "The foreign ministers of Ruritania and Freedonia met on Monday to "
     "discuss the border. Ruritania said it would lift the export ban on Freedonian steel if talks went well."},
    {"title": "Storm hits coast", "text": "A storm flooded coastal towns on Sunday. Rescue teams searched for missing "
     "fishermen and the power company said thousands of homes had no electricity."},
    {"title": "Island dispute flares", "text": "Latveria sent coast guard ships to the disputed islands claimed by "
     "Freedonia, and the Freedonian navy shadowed them. " * 3},
]


def test_committed_passages_model_runs_static_int8_batch_independent() -> None:
    from foreign_desk.inference.paths import default_models_dir

    model_dir = default_models_dir() / "topic-passages"
    int8 = TopicClassifier.from_pretrained(model_dir, quantize=True)
    assert int8.int8 == "static"
    together = int8.predict(ARTICLES_INT8)
    for item, batched in zip(ARTICLES_INT8, together, strict=True):
        alone = int8.predict([item])[0]
        assert alone.labels == batched.labels
        assert max(abs(alone.scores[k] - batched.scores[k]) for k in alone.scores) < 0.01
    fp32 = TopicClassifier.from_pretrained(model_dir).predict(ARTICLES_INT8)
    for a, b in zip(fp32, together, strict=True):
        assert max(abs(a.scores[k] - b.scores[k]) for k in a.scores) < 0.2


def test_passages_model_without_calibration_is_dynamic_int8(tmp_path: Path) -> None:
    import shutil

    from foreign_desk.inference.int8 import CALIBRATION_NAME
    from foreign_desk.inference.paths import default_models_dir

    for name in ("topic-passages", "topic-minilm"):
        shutil.copytree(default_models_dir() / name, tmp_path / name)
    (tmp_path / "topic-passages" / CALIBRATION_NAME).unlink()
    write_manifest(tmp_path / "topic-passages")
    clf = TopicClassifier.from_pretrained(tmp_path / "topic-passages", quantize=True)
    assert clf.int8 == "dynamic"
    assert TopicClassifier.from_pretrained(tmp_path / "topic-passages").int8 is None


def test_top_layer_is_a_copy_of_a_bert_layer_and_rows_do_not_depend_on_padding() -> None:
    from foreign_desk.inference.encoder import load_base_encoder
    from foreign_desk.inference.topics.top_layers import TopLayer, TopLayers

    encoder = load_base_encoder().eval()
    ids = torch.tensor([[101, 2054, 2003, 1996, 3437, 102, 0, 0], [101, 7592, 2088, 2003, 1037, 3231, 2005, 102]])
    mask = (ids != 0).long()
    with torch.no_grad():
        states = encoder.embeddings(input_ids=ids)
        expected = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        top = TopLayers(0)
        top.layers = torch.nn.ModuleList(TopLayer.from_bert(layer) for layer in encoder.encoder.layer)
        top.eval()
        x = states
        for layer in top.layers:
            x = layer(x, mask == 0)
        real = mask.bool()
        assert torch.allclose(x[real], expected[real], atol=1e-5)
        # embed(): each row on its own, whatever it is batched with
        rows = [states[0, :6], states[1]]
        together = top.embed(rows)
        alone = torch.cat([top.embed([r]) for r in rows])
        assert torch.allclose(together, alone, atol=1e-5)
        assert torch.allclose(alone[0], expected[0, :6].mean(0), atol=1e-5)
