"""The seed dump segments into exactly its 10 articles with the right header parts, body start and credits.

Expected values are kept short (at most the first 8 words of a headline or caption, the first 5 body words, the
opening words of each credit) so no third-party sentence is copied into the repository.
"""

from __future__ import annotations

import pytest

from foreign_desk.inference.segment import segment_file

# Per article: first 5 body words, dateline, headline and caption (first 8 words), credit openings, byline and
# subheads. Keyword arguments keep the short values apart from each other.
EXPECTED = [
    dict(
        body="Chinese state media on Friday",
        place="BEIJING",
        agency="Reuters",
        head="Good food is worth waiting for – China",
        credits=["(Reporting by Ben Blanchard; Editing by"],
        by=[],
        cap="Donald Trump",
        subheads=[],
    ),
    dict(
        body="Hundreds of thousands of Iranians",
        place="ANKARA",
        agency="Reuters",
        head="Hundreds of thousands rally in Iran against Trump,",
        credits=["(Writing by Parisa Hafezi; editing by"],
        by=["Parisa Hafezi"],
        cap="Iran President speaking to crowd shouting death to",
        subheads=["VIGILANT"],
    ),
    dict(
        body="U.S. President Donald Trump has",
        place="BEIJING/WASHINGTON",
        agency="Reuters",
        head="Trump breaks ice with China’s Xi in letter",
        credits=["(Reporting by Ben Blanchard in BEIJING"],
        by=["Ben Blanchard", "Eric Walsh"],
        cap="China's president xi jinping",
        subheads=["TAIWAN, YUAN IN FOCUS"],
    ),
    dict(
        body="The Philippines is certain of",
        place="MANILA",
        agency="Reuters",
        head="Islamic State links to Philippine militants ‘very strong’:",
        credits=["(Editing by Robert Birsel)"],
        by=["Martin Petty", "Manuel Mogato"],
        cap="Philippine Defence Secretary",
        subheads=["CAUGHT IN THE MIDDLE"],
    ),
    dict(
        body="The United States needs to",
        place="BEIJING",
        agency="Reuters",
        head="China says United States should ‘brush up on’",
        credits=["(Reporting by Ben Blanchard; Editing by"],
        by=[],
        cap="Chinese vessels in South China Sea",
        subheads=[],
    ),
    dict(
        body="Ayatollah Ali Khamenei dismissed Donald",
        place="DUBAI",
        agency="Reuters",
        head="Iran leader rebuffs Trump’s warning on missiles",
        credits=["(Reporting by Bozorgmehr Sharafedin; Writing by"],
        by=["Bozorgmehr Sharafedin"],
        cap="Iran's Supreme Leader",
        subheads=[],
    ),
    dict(
        body="German leader Angela Merkel urged",
        place="BERLIN",
        agency="Reuters",
        head="Merkel urges Putin to help end violence in",
        credits=["(Reporting by Madeline Chambers; Editing by"],
        by=[],
        cap="Tanks seen in Ukraine",
        subheads=[],
    ),
    dict(
        body="There would be no winner",
        place="SYDNEY",
        agency="Reuters",
        head="China, United States cannot afford conflict: Chinese foreign",
        credits=["(This story has been refiled", "(Additional reporting by Ben Blanchard"],
        by=["Colin Packham"],
        cap="Chinese Foreign minister speaking on how U.S. and",
        subheads=[],
    ),
    dict(
        body="Iran said on Monday a",
        place="DUBAI",
        agency="Reuters",
        head="Iran’s missile test ‘not a message’ to Trump",
        credits=["(Reporting by Bozorgmehr Sharafedin; editing by"],
        by=[],
        cap="Iran's president",
        subheads=[],
    ),
    dict(
        body="In his book, ‘Art of",
        place="MOSCOW",
        agency="Reuters",
        head="The Art of the Deal: Why Putin needs",
        credits=["(Additional reporting by Andrey Ostroukh;"],
        by=["Andrew Osborn"],
        cap="woman passes billboard of Trump and Putin together",
        subheads=["‘A HUGE BONUS’"],
    ),
]


def first_words(text: str | None, n: int) -> str:
    return " ".join((text or "").split()[:n])


@pytest.fixture(scope="module")
def seed_articles(shared_data):
    return segment_file(shared_data / "seed" / "reuters_dump.txt")


def test_seed_dump_has_exactly_ten_articles(seed_articles):
    assert len(seed_articles) == 10
    spans = [a.span for a in seed_articles]
    assert spans[0][0] == 1
    assert all(prev[1] < nxt[0] for prev, nxt in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize("index", range(10))
def test_seed_article_parts(seed_articles, index):
    expected = EXPECTED[index]
    headline, caption, byline, subheads = expected["head"], expected["cap"], expected["by"], expected["subheads"]
    place, agency, body, credits = expected["place"], expected["agency"], expected["body"], expected["credits"]
    art = seed_articles[index]
    assert first_words(art.headline, 8) == headline
    assert first_words(art.caption, 8) == caption
    assert art.byline == byline
    assert (art.dateline.place, art.dateline.agency) == (place, agency)
    assert first_words(art.text, 5) == body
    assert art.paragraphs[0].startswith(body.split()[0]) and "(Reuters)" not in art.text
    assert len(art.credits) == len(credits)
    assert all(c.startswith(opening) and c.endswith(")") for c, opening in zip(art.credits, credits, strict=True))
    assert not any(p.startswith("(") and p.endswith(")") for p in art.paragraphs)
    assert art.subheads == subheads
    assert not any(s in art.text.split("\n\n") for s in subheads)
    assert art.text == "\n\n".join(art.paragraphs)
