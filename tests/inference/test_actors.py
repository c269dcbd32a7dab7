"""Actor extraction on hand-written wire-style sentences: metonyms, demonyms, titles, surnames, datelines,
overlapping names, ambiguity, and exact spans/sentence indices."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foreign_desk.inference.actors import Actor, ActorExtractor, ActorResult
from foreign_desk.inference.article import Article


@pytest.fixture(scope="module")
def ex() -> ActorExtractor:
    return ActorExtractor.default()


def names(result: ActorResult) -> list[str]:
    return [a.name for a in result.actors]


def actor(result: ActorResult, name: str) -> Actor:
    for a in result.actors:
        if a.name == name:
            return a
    raise AssertionError(f"{name!r} not among {names(result)}")


def mention_texts(result: ActorResult, name: str) -> list[str]:
    return [m.text for m in actor(result, name).mentions]


def assert_spans_exact(text: str, result: ActorResult) -> None:
    for a in result.actors:
        for m in a.mentions:
            assert text[m.start:m.end] == m.text
            s = result.sentences[m.sentence]
            assert s.start <= m.start and m.end <= s.end, (m, s)


# --- metonyms and government bodies -----------------------------------------------------------------------------

def test_capitals_and_seats_of_power_stand_for_the_country(ex: ActorExtractor) -> None:
    text = ("Beijing rejected the proposal. The Kremlin said it would respond, "
            "and the White House declined to comment. Tehran and Moscow signed a pact.")
    r = ex.extract(text)
    assert mention_texts(r, "China") == ["Beijing"]
    assert mention_texts(r, "Russia") == ["Kremlin", "Moscow"]
    assert mention_texts(r, "United States") == ["White House"]
    assert mention_texts(r, "Iran") == ["Tehran"]


def test_capital_as_a_place_is_not_an_actor(ex: ActorExtractor) -> None:
    r = ex.extract("The delegates arrived in Beijing on Monday and later flew to Washington, D.C., for a dinner.")
    assert "China" not in names(r)
    assert "United States" not in names(r)


def test_from_a_capital(ex: ActorExtractor) -> None:
    assert names(ex.extract("London got a green light from Washington.")) == ["United Kingdom", "United States"]
    assert "China" not in names(ex.extract("The envoy flew from Beijing overnight."))


def test_officials_in_a_capital_speak_for_the_state(ex: ActorExtractor) -> None:
    r = ex.extract("Officials in Washington said the envoy would stay.")
    assert names(r) == ["United States"]


def test_ministries_count_as_their_country(ex: ActorExtractor) -> None:
    text = "The Chinese Foreign Ministry protested. The Pentagon and the U.S. State Department said nothing."
    r = ex.extract(text)
    assert mention_texts(r, "China") == ["Chinese Foreign Ministry"]
    assert mention_texts(r, "United States") == ["Pentagon", "U.S. State Department"]
    assert not [a for a in r.actors if a.type == "organisation"]


# --- demonyms ---------------------------------------------------------------------------------------------------

def test_adjectives_and_demonyms(ex: ActorExtractor) -> None:
    r = ex.extract("Iranians marched past the British embassy while Chinese and Filipino fishermen watched.")
    assert names(r) == ["Iran", "United Kingdom", "China", "Philippines"]
    assert all(a.type == "country" for a in r.actors)


def test_compound_adjectives(ex: ActorExtractor) -> None:
    r = ex.extract("The Saudi-led coalition struck a U.N.-backed depot near al Qaeda-linked camps.")
    # the coalition is an actor of its own (as the labels list it), and Saudi Arabia keeps its mention
    assert names(r) == ["Saudi Arabia", "Saudi-led coalition", "United Nations", "al Qaeda"]
    assert mention_texts(r, "Saudi Arabia") == ["Saudi"]


# --- people with titles, surnames -------------------------------------------------------------------------------

def test_titled_person_outside_the_gazetteer(ex: ActorExtractor) -> None:
    text = ("Philippine Trade Secretary Ramon Dalisay met reporters on Tuesday. "
            "Dalisay said the talks would continue.")
    r = ex.extract(text)
    p = actor(r, "Ramon Dalisay")
    assert p.type == "person"
    assert p.affiliation == "Philippines"
    assert p.role == "Trade Secretary"
    assert [(m.text, m.sentence) for m in p.mentions] == [("Ramon Dalisay", 0), ("Dalisay", 1)]
    assert "Philippines" in names(r)


def test_lowercase_title_and_ministry_affiliation(ex: ActorExtractor) -> None:
    r = ex.extract("Chinese Foreign Ministry spokesman Wen Haoqing told a news briefing the drills were routine.")
    p = actor(r, "Wen Haoqing")
    assert p.affiliation == "China"
    assert p.role == "spokesman"


def test_senator_and_prime_minister_titles(ex: ActorExtractor) -> None:
    text = "Senator Harriet Colburn criticised Prime Minister Tobias Lindqvist. Colburn later apologised."
    r = ex.extract(text)
    assert mention_texts(r, "Harriet Colburn") == ["Harriet Colburn", "Colburn"]
    assert actor(r, "Tobias Lindqvist").role == "Prime Minister"


def test_untitled_person_with_a_given_name(ex: ActorExtractor) -> None:
    r = ex.extract("Margaret Ellison, who runs a charity in Leeds, said the funds were late.")
    assert actor(r, "Margaret Ellison").type == "person"


def test_gazetteer_surnames_and_family_names(ex: ActorExtractor) -> None:
    text = ("Xi Jinping hosted the summit. Xi told Trump that Ivanka Trump and Fred Trump were welcome. "
            "President Trump thanked Xi.")
    r = ex.extract(text)
    assert mention_texts(r, "Xi Jinping") == ["Xi Jinping", "Xi", "Xi"]
    assert mention_texts(r, "Donald Trump") == ["Trump", "Trump"]
    assert mention_texts(r, "Ivanka Trump") == ["Ivanka Trump"]
    assert actor(r, "Fred Trump").type == "person"
    assert actor(r, "Xi Jinping").affiliation == "China"


def test_formal_first_name_maps_to_gazetteer_person(ex: ActorExtractor) -> None:
    r = ex.extract("Lawyers for Richard Gates and Kenneth Bigley spoke.")
    assert {"Rick Gates", "Ken Bigley"} <= set(names(r))


def test_person_and_country_are_separate_actors(ex: ActorExtractor) -> None:
    r = ex.extract("Russian President Vladimir Putin met Turkish President Tayyip Erdogan.")
    assert names(r) == ["Russia", "Vladimir Putin", "Turkey", "Recep Tayyip Erdogan"]
    assert actor(r, "Vladimir Putin").affiliation == "Russia"


def test_administration_names_the_country_too(ex: ActorExtractor) -> None:
    r = ex.extract("The Bush administration accused the ministry of stalling.")
    assert {"George W. Bush", "United States"} <= set(names(r))


# --- datelines --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dateline,country", [
    ("WASHINGTON (Reuters) - ", "United States"),
    ("BEIJING, Feb 3 - ", "China"),
    ("KABUL, Afghanistan - ", "Afghanistan"),
    ("Moscow (Reuters) - ", "Russia"),
])
def test_datelines_are_not_actors(ex: ActorExtractor, dateline: str, country: str) -> None:
    r = ex.extract(dateline + "The storm closed schools and roads across the region.")
    assert country not in names(r)


def test_dateline_after_headline_is_skipped_but_body_counts(ex: ActorExtractor) -> None:
    r = ex.extract("TOKYO (Reuters) - Japan said it would protest.", headline="Tokyo protests")
    assert mention_texts(r, "Japan") == ["Tokyo", "Japan"]  # the headline metonym, not the dateline
    assert actor(r, "Japan").mentions[1].sentence == 1


# --- overlapping names ------------------------------------------------------------------------------------------

def test_longest_match_wins(ex: ActorExtractor) -> None:
    text = ("South Korea and the Democratic Republic of the Congo voted. "
            "North Korean leader Kim Jong Un watched the Islamic State.")
    r = ex.extract(text)
    assert names(r) == ["South Korea", "Democratic Republic of the Congo", "North Korea", "Kim Jong Un",
                        "Islamic State"]
    assert "Democratic Party" not in names(r)
    assert mention_texts(r, "North Korea") == ["North Korean"]


def test_committee_is_an_organisation_and_names_its_chamber(ex: ActorExtractor) -> None:
    r = ex.extract("The Senate Appropriations Committee met. The House passed the bill.")
    assert actor(r, "Senate Appropriations Committee").type == "organisation"
    assert mention_texts(r, "Congress") == ["Senate", "House"]


def test_organisation_with_country_prefix(ex: ActorExtractor) -> None:
    r = ex.extract("The U.S. Federal Maritime Commission fined the firm.")
    assert actor(r, "Federal Maritime Commission").type == "organisation"
    assert "United States" in names(r)


# --- ambiguity --------------------------------------------------------------------------------------------------

def test_georgia_the_us_state(ex: ActorExtractor) -> None:
    for text in ["The rally in Atlanta, Georgia drew thousands.",
                 "Georgia Republicans backed the bill.",
                 "Voters in the state of Georgia go to the polls on Tuesday."]:
        assert "Georgia" not in names(ex.extract(text)), text


def test_georgia_the_country(ex: ActorExtractor) -> None:
    r = ex.extract("Georgia accused Russia of moving troops into South Ossetia, Tbilisi said.")
    assert mention_texts(r, "Georgia") == ["Georgia", "Tbilisi"]


def test_washington_dateline_city_and_government(ex: ActorExtractor) -> None:
    text = ("WASHINGTON (Reuters) - The festival in Washington drew crowds. "
            "Washington warned Pyongyang on Monday.")
    r = ex.extract(text)
    assert mention_texts(r, "United States") == ["Washington"]
    assert actor(r, "United States").mentions[0].sentence == 1


def test_jordan_person_and_country(ex: ActorExtractor) -> None:
    text = ("Representative Jim Jordan questioned the witness. Jordan said he was not satisfied. "
            "Separately, Jordanian officials said Jordan's foreign minister would travel.")
    r = ex.extract(text)
    assert mention_texts(r, "Jim Jordan") == ["Jim Jordan", "Jordan"]
    assert mention_texts(r, "Jordan") == ["Jordanian", "Jordan"]
    assert actor(r, "Jordan").mentions[0].sentence == 2


def test_places_hide_the_country_inside_them(ex: ActorExtractor) -> None:
    r = ex.extract("Storms hit New Mexico and the Gulf of Mexico; tankers crossed the Persian Gulf. Mexico sent aid.")
    assert [(a.name, [m.text for m in a.mentions]) for a in r.actors] == [("Mexico", ["Mexico"])]


def test_jordan_country_without_a_person(ex: ActorExtractor) -> None:
    r = ex.extract("Jordan closed its border with Syria.")
    assert names(r) == ["Jordan", "Syria"]


# --- offsets, sentences, headline -------------------------------------------------------------------------------

def test_spans_and_sentence_indices(ex: ActorExtractor) -> None:
    text = ("U.S. Secretary of State Rex Tillerson met Mr. Lavrov in Vienna.\n\nThe Kremlin's envoy, "
            "Sergei Lavrov, said NATO was to blame. Tillerson disagreed.")
    r = ex.extract(text)
    assert_spans_exact(text, r)
    assert [(m.text, m.sentence) for m in actor(r, "Rex Tillerson").mentions] == [("Rex Tillerson", 0),
                                                                                  ("Tillerson", 2)]
    assert [(m.text, m.sentence) for m in actor(r, "Sergei Lavrov").mentions] == [("Lavrov", 0),
                                                                                  ("Sergei Lavrov", 1)]
    assert names(r)[0] == "United States"  # ordered by first mention


def test_headline_offsets_refer_to_full_text(ex: ActorExtractor) -> None:
    article = Article.from_text("Iran's president spoke in Tehran on Friday.", headline="Rouhani warns Israel")
    r = ex.extract(article.text, headline=article.headline)
    assert_spans_exact(article.full_text, r)
    assert mention_texts(r, "Hassan Rouhani") == ["Rouhani"]
    assert actor(r, "Israel").mentions[0].sentence == 0
    assert actor(r, "Iran").mentions[0].sentence == 1


def test_surname_alias_in_a_title_case_headline(ex: ActorExtractor) -> None:
    r = ex.extract("The cabinet met.", headline="Israel Expands Settlements As Sharon Pushes Ahead")
    assert names(r) == ["Israel", "Ariel Sharon"]


def test_title_case_headline_is_not_mined_for_names(ex: ActorExtractor) -> None:
    r = ex.extract("The ministers met on Friday.", headline="Ministers Vow Fresh Talks Over Border Dispute")
    assert r.actors == []


def test_to_dict_round_trip_shape(ex: ActorExtractor) -> None:
    r = ex.extract("NATO chief Jens Stoltenberg spoke.")
    d = actor(r, "Jens Stoltenberg").to_dict()
    assert d == {"name": "Jens Stoltenberg", "type": "person", "affiliation": "NATO", "role": "Secretary-General",
                 "mentions": [{"start": 11, "end": 27, "text": "Jens Stoltenberg", "sentence": 0}]}


def test_empty_text(ex: ActorExtractor) -> None:
    r = ex.extract("")
    assert r.actors == [] and r.sentences == []


def test_default_is_cached() -> None:
    assert ActorExtractor.default() is ActorExtractor.default()


# --- false actors found while checking precision on wire copy (regressions) ----------------------------------------

@pytest.mark.parametrize("text,absent", [
    ("By Sharon Bernstein (Reuters) - Voters lined up early.", "Ariel Sharon"),
    ("The Senate passed the Foreign Intelligence Surveillance Act on Friday.", "Foreign Intelligence Surveillance Act"),
    ("He met relief workers in the U.S. Virgin Islands.", "Virgin Islands"),
    ("Trump again attacked the Fake News media.", "Fake News"),
    ("Settlers in the West Bank protested.", "West Bank"),
    ("Speaking on the Senate floor, Smith said the bill would fail.", "Speaking on the Senate"),
    ("Among Republicans the plan was popular.", "Among Republicans"),
    ("The reporters waited at the White House for hours.", "United States"),
    ("Ignacio Badal&lt;/p&gt; reported from Santiago.", "Ignacio Badal&lt"),
    ("Lawmakers met in the Rose Garden.", "Rose Garden"),
])
def test_false_actors_stay_out(ex: ActorExtractor, text: str, absent: str) -> None:
    assert absent not in names(ex.extract(text))


def test_headline_agency_credit_is_not_an_actor(ex: ActorExtractor) -> None:
    r = ex.extract("Police said the man was held overnight.", headline="Man held after protest (Canadian Press)")
    assert r.actors == []


def test_corporate_suffix_and_connector_are_trimmed(ex: ActorExtractor) -> None:
    r = ex.extract("A Democrat on the Senate Rules Committee said Lumeral Inc would testify.")
    assert {"Senate Rules Committee", "Lumeral"} <= set(names(r))
    assert "Democratic Party" in names(r)


def test_state_senate_is_not_congress(ex: ActorExtractor) -> None:
    r = ex.extract("The Alabama Senate approved the measure.")
    assert names(r) == ["Alabama Senate"]


def test_party_with_state_prefix(ex: ActorExtractor) -> None:
    r = ex.extract("The Alabama Republican Party backed him, but Texas Republicans did not.")
    assert names(r)[0] == "Alabama Republican Party"
    assert "Texas Republicans" not in names(r)


def test_weak_alias_needs_context_and_yields_to_a_named_person(ex: ActorExtractor) -> None:
    assert "Jeff Sessions" not in names(ex.extract("Sessions on the new budget ran late."))
    assert mention_texts(ex.extract("The Justice Department said Sessions would testify."), "Jeff Sessions") == [
        "Sessions"]
    r = ex.extract("Representative Pete Sessions criticised the Justice Department. Sessions said it had failed.")
    assert mention_texts(r, "Pete Sessions") == ["Pete Sessions", "Sessions"]
    assert "Jeff Sessions" not in names(r)


def test_part_of_also_names_the_parent(ex: ActorExtractor) -> None:
    r = ex.extract("The U.N. Security Council met as the House Intelligence Committee subpoenaed him.")
    assert names(r) == ["United Nations Security Council", "United Nations", "House Intelligence Committee",
                        "Congress"]
    assert mention_texts(r, "United Nations") == ["U.N. Security Council"]


def test_trailing_adjective_is_not_part_of_an_organisation(ex: ActorExtractor) -> None:
    r = ex.extract("The Administrative Centre of the Russian branch appealed.")
    assert "Administrative Centre" in names(r) and "Russia" in names(r)


def test_institution_of_a_country(ex: ActorExtractor) -> None:
    r = ex.extract("The Supreme Court of Ukraine annulled the vote.")
    assert names(r) == ["Supreme Court of Ukraine", "Ukraine"]


WORDS = ["Xi", "Jinping", "U.S.", "Beijing", "said", "the", "Senate", "Committee", "of", "Mr.", "Jordan", "Georgia",
         "Atlanta,", "Saudi-led", "al-Sadr", "WASHINGTON", "(Reuters)", "-", "Trump's", "Ivanka", "Kim", "Jong", "Un",
         "North", "Korean", "Secretary", "Ramon", "Dalisay", "Inc", "and", "\n\n", ".", "“", "Fake", "News", "in"]


@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from(["", "Xi Meets Trump", "Lorenzana says"]))
@settings(max_examples=150, deadline=None)
def test_any_text_gives_exact_spans(words: list[str], headline: str) -> None:
    ex = ActorExtractor.default()
    text = " ".join(words)
    r = ex.extract(text, headline=headline)
    full = f"{headline}\n\n{text}" if headline else text
    assert_spans_exact(full, r)
    firsts = [a.mentions[0].start for a in r.actors]
    assert firsts == sorted(firsts)
    for a in r.actors:
        assert a.type in ("country", "person", "organisation") and a.name
        assert [m.start for m in a.mentions] == sorted(m.start for m in a.mentions)
