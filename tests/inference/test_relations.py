"""Directed holder -> target stance: the decision and summary logic, the output schema, the committed model on
hand-written sentences (reported speech, passive voice, quotes) and the reuse of the stance pass's encoder states."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from foreign_desk.inference.relations import LABELS, Relation, RelationModel, relation_summary
from foreign_desk.inference.relations.model import decide
from foreign_desk.inference.schema import RECORD, flat_columns, flatten, problems

REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = REPO / "models" / "relations-pairs"

# Written for these tests (no third-party text); none of them is in the training supplement.
CASES = [
    # passive voice: the holder follows "by"
    ("Japan was criticised by China over its wartime history.", "China", "Japan", "negative"),
    ("Ethiopia was congratulated by the African Union on the peace deal.", "African Union", "Ethiopia", "positive"),
    ("Taiwan has been threatened by Beijing with new military drills.", "China", "Taiwan", "negative"),
    # reported speech
    ("The French government said it strongly condemned Russia's attack.", "France", "Russia", "negative"),
    ("Beijing praised Pakistan for its support, according to state media.", "China", "Pakistan", "positive"),
    ("Iran said on Sunday it was ready to restore ties with Saudi Arabia.", "Iran", "Saudi Arabia", "positive"),
    ("According to Tokyo, North Korea fired a missile over Japan on Tuesday.", "North Korea", "Japan", "negative"),
    # quotes
    ('"We will defend ourselves against any aggression by Iran," Israel\'s prime minister said.', "Israel", "Iran",
     "negative"),
    ('"India is a true friend," the Russian foreign minister told reporters.', "Russia", "India", "positive"),
    ('"The sanctions imposed by Washington are illegal," a Venezuelan official said.', "Venezuela", "United States",
     "negative"),
]  # fmt: skip


def rel(holder, target, stance, score=0.9, sentence="s"):
    return Relation(holder, target, stance, holder, target, sentence, score)


def test_decide_keeps_the_stronger_direction_per_actor_pair():
    pairs = [(0, 1), (1, 0), (0, 2), (2, 0)]
    proba = np.array(
        [[0.2, 0.7, 0.05, 0.05], [0.6, 0.2, 0.1, 0.1], [0.9, 0.05, 0.03, 0.02], [0.95, 0.02, 0.02, 0.01]]
    )
    kept = decide(pairs, proba, keys=["A", "B", "C"], threshold=0.5)
    assert [(i, j) for i, j, _ in kept] == [(0, 1)]  # A -> B; A/C below the threshold
    assert decide(pairs, proba, keys=["A", "B", "C"], threshold=0.05)[1][:2] == (0, 2)


def test_party_names():
    from foreign_desk.inference.relations.model import party_name

    assert party_name("the rebel fighters") == "rebel fighters"
    assert party_name("more than 500 civilians") == "more than 500 civilians"
    assert party_name("Ruritania's") == "Ruritania"
    for junk in ("it", "the most", "to the", "in a society", "they"):
        assert party_name(junk) is None, junk


def test_same_side_is_not_a_relation():
    from types import SimpleNamespace as A

    from foreign_desk.inference.relations.model import same_side

    actors = [A(name="Ruritania", affiliation=None), A(name="Minister Kato", affiliation="Ruritania"),
              A(name="General Vale", affiliation="Ruritania"), A(name="Freedonia", affiliation=None)]  # fmt: skip
    assert same_side(actors, 0, 1) and same_side(actors, 1, 0) and same_side(actors, 1, 2)
    assert not same_side(actors, 0, 3) and not same_side(actors, 1, 3)
    assert not same_side(actors, 0, ("party", 0, 5))


def test_relation_summary_counts_by_stance():
    summary = relation_summary(
        [rel("China", "United States", "negative", 0.9), rel("China", "United States", "negative", 0.7),
         rel("China", "United States", "positive", 0.5), rel("Japan", "China", "neutral", 0.4)]
    )  # fmt: skip
    top = summary[0]
    assert (top["holder"], top["target"], top["stance"], top["n"]) == ("China", "United States", "negative", 3)
    assert top["counts"] == {"negative": 2, "neutral": 0, "positive": 1}
    assert top["mean_score"] == pytest.approx(0.7)
    assert summary[1]["holder"] == "Japan"


def test_schema_and_flat_columns():
    relations = [rel("China", "United States", "negative").to_dict()]
    record = {
        "id": "a", "headline": "", "topics": {"labels": [], "scores": {}, "evidence": {}}, "actors": [],
        "relations": relations, "relation_summary": relation_summary(relations), "warnings": [], "error": None,
    }  # fmt: skip
    record = {name: record.get(name) for name in RECORD.names}
    assert problems(record) == []
    names = [c for c, _ in flat_columns([])]
    assert {"relations", "relations_json", "relation_summary"} <= set(names)
    row = flatten(record, [])
    assert row["relations"] == "China -> United States (negative)"
    assert json.loads(row["relations_json"])[0]["holder"] == "China"
    assert row["relation_summary"] == "China -> United States (negative x1)"


needs_model = pytest.mark.skipif(not (MODEL_DIR / "config.json").is_file(), reason="models/relations-pairs missing")


@pytest.fixture(scope="module")
def relations():
    import torch

    torch.set_num_threads(1)
    from foreign_desk.inference.actors import ActorExtractor

    model = RelationModel.from_pretrained(MODEL_DIR)
    extractor = ActorExtractor.default()
    return lambda text: model.predict([extractor.extract(text)])[0]


@needs_model
def test_saved_model_loads_through_the_seam():
    model = RelationModel.from_pretrained(MODEL_DIR)
    assert model.config["labels"] == list(LABELS)
    for name in ("config.json", "manifest.json", "README.md", "metrics.json", "head.safetensors"):
        assert (MODEL_DIR / name).is_file(), name


@needs_model
def test_hand_written_sentences(relations):
    """Reported speech, passive voice and quotes: the holder, the target and the polarity of each sentence."""
    right, wrong = 0, []
    for text, holder, target, stance in CASES:
        got = [(r.holder, r.target, r.stance) for r in relations(text)]
        if (holder, target, stance) in got:
            right += 1
        else:
            wrong.append((text, got))
    assert right >= 7, wrong  # 7 of 10 with the committed model (see its card); the misses are listed


@needs_model
def test_relation_record_fields(relations):
    text, holder, target, _ = CASES[0]
    found = [r for r in relations(text) if (r.holder, r.target) == (holder, target)]
    assert found
    d = found[0].to_dict()
    assert list(d) == ["holder", "target", "stance", "holder_text", "target_text", "sentence", "score"]
    assert d["sentence"] == text and d["holder_text"] in text and d["target_text"] in text
    assert 0.0 < d["score"] <= 1.0


@needs_model
def test_no_relation_without_two_actors(relations):
    assert relations("China said on Monday it would raise interest rates.") == []


@needs_model
def test_pipeline_reuses_the_stance_pass():
    from foreign_desk.inference import Pipeline

    pipe = Pipeline.from_pretrained()
    assert pipe.relation_model is not None
    assert pipe.relation_model.encoder is pipe.stance_model.model.encoder
    results = pipe.predict([CASES[0][0], CASES[3][0]])
    assert pipe.relation_model.encoded == 0 and pipe.relation_model.reused == 2
    record = results[0].to_dict()
    assert problems(record) == []
    assert record["relations"] and record["relation_summary"][0]["holder"] == record["relations"][0]["holder"]
    plain = Pipeline(pipe.topic_model, pipe.stance_model, pipe.extractor).predict([CASES[0][0]])[0].to_dict()
    assert plain["relations"] == [] and plain["relation_summary"] == []


def test_pair_filters_coordination_and_places():
    from foreign_desk.inference.relations.model import coordinated, locative, pair_allowed

    text = "Ruritania, Freedonia and Sylvania began joint drills in Borduria, the Ruritanian army said."
    span = {w: (text.index(w), text.index(w) + len(w)) for w in ("Ruritania", "Freedonia", "Sylvania", "Borduria")}
    assert coordinated(text, span["Ruritania"], span["Freedonia"])
    assert coordinated(text, span["Sylvania"], span["Freedonia"])  # either order
    assert not coordinated(text, span["Ruritania"], span["Borduria"])
    assert locative(text, span["Borduria"][0]) and not locative(text, span["Freedonia"][0])
    assert not pair_allowed(text, span["Ruritania"], span["Freedonia"])  # co-holders of one act
    assert not pair_allowed(text, span["Borduria"], span["Ruritania"])  # a place is no holder
    assert pair_allowed(text, span["Ruritania"], span["Borduria"])
    other = "Ruritania sharply criticised Freedonia in the Borduria talks."
    assert pair_allowed(other, (0, 9), (other.index("Freedonia"), other.index("Freedonia") + 9))
    assert locative("Talks were held at the Borduria summit.", 23)


def test_party_heads_limit_unnamed_parties():
    from foreign_desk.inference.relations.model import PairHead, party_head

    assert party_head("the rebel fighters") == "fighters"
    assert party_head("Ruritania's police") == "police"
    model = RelationModel(PairHead(8, 4), {"party_heads": ["fighters", "police"]})
    assert model.party_allowed("the rebel fighters") and model.party_allowed("riot police")
    assert not model.party_allowed("repeatedly") and not model.party_allowed("The bellicose")
    assert not model.party_allowed("Reuters")  # a news agency never is a party
    assert RelationModel(PairHead(8, 4), {}).party_allowed("repeatedly")  # no list: any party


@needs_model
def test_coordinated_actors_are_not_related(relations):
    text = "Ruritania, France and Germany started a two-day naval drill on Tuesday."
    got = {(r.holder, r.target) for r in relations(text)}
    assert not got & {("France", "Germany"), ("Germany", "France")}, got


def test_rules_titled_person_and_their_country():
    from foreign_desk.inference.relations.rules import titled_together

    def spans(text, a, b):
        return (text.index(a), text.index(a) + len(a)), (text.index(b), text.index(b) + len(b))

    for text, a, b in [
        ("Ruritania's Finance Minister Anton Kova said on Monday the talks had failed.", "Ruritania", "Anton Kova"),
        ("Freedonian Foreign Minister Mara Lind met the envoy.", "Freedonian", "Mara Lind"),
        ("Anton Kova, Ruritania's foreign minister, rejected the offer.", "Anton Kova", "Ruritania"),
        ("Ruritania s President Vale spoke.", "Ruritania", "Vale"),
    ]:
        assert titled_together(text, *spans(text, a, b)), text
    for text, a, b in [
        ("Ruritania's rival Freedonia closed the border.", "Ruritania", "Freedonia"),
        ("Gas flows from Ruritania to Freedonia resumed.", "Ruritania", "Freedonia"),
        ("Ruritania and Freedonia signed a pact.", "Ruritania", "Freedonia"),
        ("Ruritania accused Freedonia of spying.", "Ruritania", "Freedonia"),
    ]:
        assert not titled_together(text, *spans(text, a, b)), text


def test_rules_holder_acts_and_generic_parties():
    from foreign_desk.inference.relations.rules import generic_party, holder_acts

    def acts(text, word):
        return holder_acts(text, text.index(word), text.index(word) + len(word))

    assert acts("Ruritania on Monday accused Freedonia of spying.", "Ruritania")
    assert acts("Ruritanian police detained 40 people.", "Ruritanian")
    assert acts("Ruritania is ready to help Freedonia.", "Ruritania")
    assert acts("Freedonia was criticised by Ruritania.", "Ruritania")
    assert acts('"We will respond," Ruritania said.', "Ruritania")
    assert acts("Ruritania to boost aid to Freedonia", "Ruritania")
    assert not acts("The flood hit Freedonia, which borders Ruritania.", "Ruritania")
    assert not acts("Storms hit the coast of Ruritania, the agency reported.", "Ruritania")
    assert generic_party("country") and generic_party("Some states") and generic_party("President")
    assert not generic_party("rebel fighters") and not generic_party("Boko Haram") and not generic_party("Mosul")


def test_sentence_pair_features_match_one_pair_at_a_time():
    """The batched features (one stance-head call for all mentions of a sentence) equal the features of each pair
    computed alone, in either direction and with pairs that touch or sit apart."""
    import torch
    from torch import nn

    from foreign_desk.inference.relations.model import N_SCALARS, pair_features, sentence_pair_features

    torch.manual_seed(0)
    states = torch.randn(20, 8)
    head = nn.Sequential(nn.Linear(16, 5), nn.GELU(), nn.Linear(5, 3)).eval()
    positions = [[1], [3, 4], [5], [9, 10, 11], [17]]
    pairs = [(0, 1), (1, 0), (1, 2), (3, 0), (4, 2), (2, 4)]
    batched = sentence_pair_features(states, positions, pairs, len(positions), head)
    assert batched.shape == (len(pairs), 4 * 8 + N_SCALARS)
    for row, (i, j) in enumerate(pairs):
        alone = pair_features(states, positions[i], positions[j], len(positions), head)
        assert torch.allclose(batched[row], alone, atol=1e-6), (i, j)
    # the holder/target stance parts are the head's probabilities toward each mention
    span0 = states[[1]].mean(0)
    expected = torch.softmax(head(torch.cat([span0, states.mean(0)])[None]), -1)[0]
    assert torch.allclose(batched[0, -6:-3], expected, atol=1e-6)
    # the layout of a row, by hand for (0, 1): holder span, target span, sentence, between, scalars, stances
    row = batched[0]
    assert torch.equal(row[:8], states[[1]].mean(0)) and torch.equal(row[8:16], states[[3, 4]].mean(0))
    assert torch.equal(row[16:24], states.mean(0)) and torch.equal(row[24:32], states[2])
    inner = 20 - 2
    assert torch.allclose(row[32:38], torch.tensor([1.0, 1 / 32, 0.0, 2 / inner, 5 / 8, 1.0]))
    assert torch.equal(batched[1, :8], row[8:16]) and batched[1, 32] == 0.0  # reversed pair: target first
    assert sentence_pair_features(states, positions, [], 5, head).shape == (0, 4 * 8 + N_SCALARS)
