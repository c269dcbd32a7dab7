"""The statistical recogniser of names outside the gazetteer, and matching labelled names to extracted ones."""

from __future__ import annotations

from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.actors.matching import match_name
from foreign_desk.inference.actors.phrases import PhraseModel, candidates, recognise, shipped_model
from foreign_desk.inference.actors.tokens import tokenize

TEXT = ("The opposition Movement for Progressive Change said on Monday that the Young Democrats (YDP) had "
        "left the talks. The Young Democrats did not comment.")


def _rules_only() -> ActorExtractor:
    ex = ActorExtractor()
    ex.phrases = None
    return ex


def test_candidates_are_capitalised_runs_and_their_suffixes() -> None:
    texts = {c.text for c in candidates(TEXT, tokenize(TEXT))}
    assert {"Movement for Progressive Change", "Young Democrats", "YDP"} <= texts
    assert not {"The", "for Progressive Change", "Progressive Change", "Democrats"} & texts  # no cut after a name word
    text = "Forces loyal to the Libyan National Army and President Karl Vale met."
    texts = {c.text for c in candidates(text, tokenize(text))}
    assert {"Libyan National Army", "National Army", "Karl Vale", "President Karl Vale"} <= texts  # cuts
    assert "Vale" not in texts


def test_a_recognised_name_gets_its_repeats_and_acronym_and_replaces_rule_matches_inside() -> None:
    ex = _rules_only()
    result = ex.extract(TEXT)
    assert "Democratic Party" in {a.name for a in result.actors}  # the rules read "Democrats" as the US party
    model = PhraseModel({"bias": -3.0, "n=2": 2.0, "n=4": 2.0, "last=party": 3.0, "paren_acronym": 2.0,
                         "prev=opposition": 3.0, "suffix": -3.0}, {"bias": -2.0})
    out = recognise(TEXT, result, model, gazetteer=ex.gazetteer)
    actors = {a.name: a for a in out.actors}
    assert "Movement for Progressive Change" in actors and "Young Democrats" in actors
    assert "Democratic Party" not in actors
    fdp = actors["Young Democrats"]
    assert fdp.type == "organisation" and [m.text for m in fdp.mentions] == ["Young Democrats", "YDP", "Young Democrats"]
    for a in out.actors:
        for m in a.mentions:
            assert TEXT[m.start:m.end] == m.text
            sentence = out.sentences[m.sentence]
            assert sentence.start <= m.start < m.end <= sentence.end


def test_the_wire_and_known_names_are_not_candidates() -> None:
    ex = _rules_only()
    text = "LONDON (Reuters) - Angela Merkel met Reuters editors. Merkel spoke."
    model = PhraseModel({"bias": 10.0}, {"bias": 0.0})
    names = {a.name for a in recognise(text, ex.extract(text), model, gazetteer=ex.gazetteer).actors}
    assert "Reuters" not in names and "Merkel" not in names and "LONDON" not in names


def test_the_shipped_model_loads_and_the_default_extractor_uses_it() -> None:
    model = shipped_model()
    assert model is not None and 0 < model.threshold < 1 and model.weights
    assert ActorExtractor.default().phrases is model


def test_labelled_names_match_other_full_forms() -> None:
    gaz = ActorExtractor.default().gazetteer
    assert match_name("Tayyip Erdogan", ["Recep Tayyip Erdogan", "Turkey"], gaz) == "Recep Tayyip Erdogan"
    assert match_name("China", ["China"], gaz) == "China"
    assert match_name("Mike Pence", ["Donald Trump"], gaz) is None
    assert match_name("Free Democrats", ["Democratic Party"], gaz) is None


def test_collective_actors_of_generic_forms() -> None:
    from foreign_desk.inference.actors.phrases import pattern_names

    text = ("Strikes by the Saudi-led coalition hit the Haqqani network and the Islamic State group. "
            "The Gupta family denied it. Police group leaders met.")
    assert pattern_names(text) == ["Saudi-led coalition", "Haqqani network", "Gupta family"]
    names = {a.name for a in ActorExtractor.default().extract(text).actors}
    assert {"Saudi-led coalition", "Haqqani network", "Gupta family", "Islamic State"} <= names
    assert "Islamic State group" not in names  # a gazetteer name with a head is the gazetteer actor


def test_pronouns_link_only_to_the_one_person_named_before() -> None:
    from foreign_desk.inference.actors.coref import link_pronouns

    ex = _rules_only()
    text = ("Ruritanian President Karl Vale arrived on Monday. He praised the accord. "
            "Officials said Vale and Prime Minister Anna Holt met. She said it failed.")
    result = link_pronouns(text, ex.extract(text))
    mentions = {a.name: [m.text for m in a.mentions] for a in result.actors}
    assert mentions["Karl Vale"] == ["Karl Vale", "He", "Vale"]  # one person before "He"
    assert mentions["Anna Holt"] == ["Anna Holt"]  # two people before "She": no link
    assert not ex.pronouns  # off by default (measured neutral for article-level stance)


def test_generic_forms_name_parties_media_local_bodies_and_not_known_actors() -> None:
    from foreign_desk.inference.actors.phrases import pattern_names

    gaz = ActorExtractor.default().gazetteer
    text = ("Members of his Vorwaerts party met the Kaltenberg police and the Ostmark regional government, the daily "
            "Morgenpost said. The Hezbollah group and the Pakistan-based Lashkar-e-Taiba group denied it. Reuters. "
            "Three government soldiers died. Kenyan police fired.")
    names = pattern_names(text, gazetteer=gaz)
    assert {"Vorwaerts", "Kaltenberg police", "Ostmark regional government", "Morgenpost", "Kenyan police"} <= set(names)
    assert not {"Hezbollah group", "Lashkar-e-Taiba group", "Pakistan-based Lashkar-e-Taiba group"} & set(names)
    assert not any("Three" in n for n in names)
    actors = {a.name for a in ActorExtractor.default().extract(text).actors}
    assert {"Hezbollah", "Lashkar-e-Taiba", "Kenya", "Kenyan police"} <= actors


def test_generic_forms_do_not_run_across_a_full_stop() -> None:
    from foreign_desk.inference.actors.phrases import pattern_names

    gaz = ActorExtractor.default().gazetteer
    text = ("The chairman told Kestrel News. In party-line votes the panel rejected it. He spoke to Radio Kestrel. On "
            "group lines they split. Local government staff left. They met the Marwari group.")
    names = pattern_names(text, gazetteer=gaz)
    assert not any(". " in n for n in names), names
    assert "Marwari group" in names
    for actor in ActorExtractor.default().extract(text).actors:
        for m in actor.mentions:
            assert ". I" not in m.text and ". O" not in m.text, m.text


def test_accents_are_folded_and_mentions_quote_the_original() -> None:
    text = "Erdoğan met Prime Minister Babiš in Ankara."
    result = ActorExtractor.default().extract(text)
    names = {a.name for a in result.actors}
    assert {"Recep Tayyip Erdogan", "Andrej Babis"} <= names
    for a in result.actors:
        for m in a.mentions:
            assert text[m.start:m.end] == m.text


def test_a_lone_titled_name_is_a_person_and_named_bodies_are_organisations() -> None:
    ex = ActorExtractor.default()
    names = {a.name: a.type for a in ex.extract("President Valdoran said the Kestrel Liberation Army (KLA) "
                                                "attacked. The Chinese Foreign Ministry said.").actors}
    assert names.get("Valdoran") == "person"
    assert names.get("Kestrel Liberation Army") == "organisation"
    assert names.get("China") == "country" and "Chinese Foreign Ministry" not in names


def _names(text: str, rules_only: bool = False) -> dict[str, str]:
    ex = ActorExtractor.default()
    if rules_only:
        ex = ActorExtractor()
        ex.phrases = None
    return {a.name: a.type for a in ex.extract(text).actors}


def test_lone_agents_in_short_texts() -> None:
    # a name that speaks, an acronym that acts: in one-sentence items nobody is introduced by full name
    assert _names("The US military trains Iraqi pilots at the request of Iraq's government, Roberts said.")[
        "Roberts"] == "person"
    assert _names("Bohendi died because of torture, said GARFHR, adding that he was buried.")["GARFHR"] == "organisation"
    assert _names("UNITA had separately claimed that they had attacked the air base on Monday.")["UNITA"] == "organisation"
    # not a place after a preposition, a group noun, an ALL-CAPS headline word, or a known non-actor acronym
    assert "Falluja" not in _names("Clerics in the rebel-held town of Falluja said Monday the talks were off.")
    assert "Militants" not in _names("BAGHDAD - Militants said Tuesday that they had beheaded a hostage.")
    assert "DESPAIR" not in _names("DESPAIR is setting in among the homeless who were ravaged by the storm.")
    assert "COVID" not in _names("COVID has spread to every province, officials said.", rules_only=True)
    # a long article is left to the full names it introduces
    long = "The talks went on for hours without a result. " * 15 + "Roberts said the talks would resume."
    assert "Roberts" not in _names(long)


def test_government_bodies_and_regimes_stand_for_their_country() -> None:
    names = _names("Under an old treaty, the U.S. Department of Justice passed the files to Mexico on Tuesday.")
    assert {"Justice Department", "United States", "Mexico"} <= set(names)
    assert "Syria" in _names("Assad regime officials promised on Monday to open two roads for aid convoys.")
    assert "North Korea" in _names("Seoul has cut rice shipments to Kim Jong-un's regime since the launches.")
    # "Nepals government" (a possessive without apostrophe) is Nepal, not a local government
    names = _names("Nepals government agreed on Friday to new talks with the farmers' unions.")
    assert "Nepal" in names and "Nepals government" not in names
    # title-cased acronyms of known organisations
    assert "FARC" in _names("Farc has said it will release the Colombian sergeant.")
