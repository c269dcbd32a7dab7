"""The shipped gazetteer's coverage and the user override files."""

from __future__ import annotations

from pathlib import Path

import pytest

from foreign_desk.inference.actors import ActorExtractor, Gazetteer, GazetteerError
from foreign_desk.inference.actors.gazetteer import load_file

# A sample of UN members and the extra territories the brief names; the full list lives in the YAML.
MUST_HAVE_COUNTRIES = [
    "Afghanistan", "Brazil", "China", "Democratic Republic of the Congo", "Eswatini", "Iran", "Ivory Coast",
    "Kiribati", "Myanmar", "North Korea", "South Korea", "Tuvalu", "United Kingdom", "United States", "Zimbabwe",
    "Taiwan", "Palestine", "Kosovo", "Hong Kong", "Vatican",
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return ActorExtractor.default().gazetteer


def test_shipped_gazetteer_size_and_types(gaz: Gazetteer) -> None:
    by_type: dict[str, int] = {}
    for e in gaz.entries.values():
        by_type[e.type] = by_type.get(e.type, 0) + 1
    assert by_type["country"] >= 197  # 193 UN members + Taiwan, Palestine, Kosovo, Hong Kong, Vatican
    assert by_type["person"] >= 300
    assert by_type["organisation"] >= 150
    for name in MUST_HAVE_COUNTRIES:
        assert gaz.get(name) is not None and gaz.get(name).type == "country", name


def test_person_affiliations_are_known_actors(gaz: Gazetteer) -> None:
    for e in gaz.entries.values():
        if e.affiliation is not None:
            assert gaz.get(e.affiliation) is not None, f"{e.name}: unknown affiliation {e.affiliation!r}"


def test_canonical_names_follow_the_guideline(gaz: Gazetteer) -> None:
    expected = {"United States": "country", "Donald Trump": "person", "Islamic State": "organisation",
                "United Nations": "organisation", "European Union": "organisation", "Congress": "organisation",
                "Republican Party": "organisation", "Democratic Party": "organisation", "FBI": "organisation",
                "Ali Khamenei": "person", "Kim Jong Un": "person"}
    for name, typ in expected.items():
        assert gaz.get(name).type == typ
    for alias, name in {("ISIL",): "Islamic State", ("Daesh",): "Islamic State", ("U.N.",): "United Nations",
                        ("GOP",): "Republican Party", ("Senate",): "Congress", ("Kremlin",): "Russia"}.items():
        assert gaz.index[alias].entry.name == name


def test_given_name_list_ships_with_the_package() -> None:
    from foreign_desk.inference.actors.lexicon import GIVEN_NAMES_FILE, first_names

    names = first_names()
    assert GIVEN_NAMES_FILE.is_file()
    assert len(names) > 30_000, "inference/data/given_names.txt is incomplete: rebuild it with tools/build_given_names.py"
    assert {"Margaret", "Sergei", "Mohammed", "Recep", "Narendra", "Shinzo", "Olusegun", "Jose", "José"} <= names
    assert not names & {"The", "Lawyer", "Nazi", "Trump"}, "words and surnames must not be given names"
    header = GIVEN_NAMES_FILE.read_text(encoding="utf-8").splitlines()[:12]
    assert any("tools/build_given_names.py" in line for line in header) and any("MIT" in line for line in header)


def test_no_gpl_runtime_dependency() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    deps = " ".join(pyproject["project"]["dependencies"]).lower()
    assert "gender-guesser" not in deps and "gender_guesser" not in deps


def write(tmp_path: Path, body: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_user_file_adds_overrides_and_removes(tmp_path: Path) -> None:
    user = write(tmp_path, """
actors:
  - name: Northwind Shipping
    type: organisation
    aliases: [Northwind, NWS]
  - name: Donald Trump
    type: person
    affiliation: United States
    role: 45th President
    aliases: [Trump, The Donald]
  - name: Taliban
    remove: true
""")
    ex = ActorExtractor(user_files=[user])
    r = ex.extract("NWS said The Donald had praised Northwind while the Taliban objected.")
    got = {a.name: a for a in r.actors}
    assert [m.text for m in got["Northwind Shipping"].mentions] == ["NWS", "Northwind"]
    assert got["Donald Trump"].role == "45th President"
    assert [m.text for m in got["Donald Trump"].mentions] == ["The Donald"]
    assert "Taliban" not in got
    # the shipped extractor is unchanged
    assert ActorExtractor.default().gazetteer.get("Taliban") is not None


def test_user_alias_takes_over_a_shipped_alias(tmp_path: Path) -> None:
    user = write(tmp_path, "actors:\n  - {name: Jordan Peele, type: person, aliases: [Jordan]}\n")
    r = ActorExtractor(user_files=[user]).extract("Jordan spoke on Monday.")
    assert [a.name for a in r.actors] == ["Jordan Peele"]


def test_weak_alias_needs_its_context(tmp_path: Path) -> None:
    ex = ActorExtractor.default()
    assert "Australian Labor Party" not in [a.name for a in ex.extract("Labor unions marched.").actors]
    r = ex.extract("In Australia, Labor gained in the polls.")
    assert "Australian Labor Party" in [a.name for a in r.actors]


def test_user_places(tmp_path: Path) -> None:
    user = write(tmp_path, "places: [Little Havana]\n")
    text = "Residents of Little Havana cheered as Cuba freed prisoners."
    assert [a.name for a in ActorExtractor.default().extract(text).actors][0] == "Cuba"
    r = ActorExtractor(user_files=[user]).extract(text)
    assert [(a.name, [m.text for m in a.mentions]) for a in r.actors] == [("Cuba", ["Cuba"])]


def test_bad_user_file_names_file_and_entry(tmp_path: Path) -> None:
    bad = write(tmp_path, "actors:\n  - {name: Ok, type: country}\n  - {name: Zed, type: planet}\n")
    with pytest.raises(GazetteerError) as err:
        ActorExtractor(user_files=[bad])
    message = str(err.value)
    assert str(bad) in message and "actors.1" in message and "'Zed'" in message


def test_unknown_key_and_bad_yaml_are_errors(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="alias"):
        load_file(write(tmp_path, "actors:\n  - {name: X, alias: [Y]}\n", "typo.yaml"))
    with pytest.raises(GazetteerError, match="not valid YAML"):
        load_file(write(tmp_path, "actors: [\n", "broken.yaml"))
    with pytest.raises(GazetteerError, match="cannot read"):
        load_file(tmp_path / "absent.yaml")


def test_empty_user_file_is_fine(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "")) == []
