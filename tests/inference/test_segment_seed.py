"""The seed dump segments into exactly its 10 articles with the right header parts, body start and credits.

Expected values are kept short (at most the first 8 words of a headline or caption, the first 5 body words, the
opening words of each credit) so no third-party sentence is copied into the repository.
"""

from __future__ import annotations

import pytest

from inference.segment import segment_file

# headline (first 8 words), caption (first 8 words), byline, place, agency, first 5 body words, credits (openings),
# subheads
EXPECTED = [
    ("Good food is worth waiting for – China", "Donald Trump", [], "BEIJING", "Reuters",
     "Chinese state media on Friday", ["(Reporting by Ben Blanchard; Editing by"], []),
    ("Hundreds of thousands rally in Iran against Trump,", "Iran President speaking to crowd shouting death to",
     ["Parisa Hafezi"], "ANKARA", "Reuters", "Hundreds of thousands of Iranians",
     ["(Writing by Parisa Hafezi; editing by"], ["VIGILANT"]),
    ("Trump breaks ice with China’s Xi in letter", "China's president xi jinping", ["Ben Blanchard", "Eric Walsh"],
     "BEIJING/WASHINGTON", "Reuters", "U.S. President Donald Trump has", ["(Reporting by Ben Blanchard in BEIJING"],
     ["TAIWAN, YUAN IN FOCUS"]),
    ("Islamic State links to Philippine militants ‘very strong’:", "Philippine Defence Secretary",
     ["Martin Petty", "Manuel Mogato"], "MANILA", "Reuters", "The Philippines is certain of",
     ["(Editing by Robert Birsel)"], ["CAUGHT IN THE MIDDLE"]),
    ("China says United States should ‘brush up on’", "Chinese vessels in South China Sea", [], "BEIJING",
     "Reuters", "The United States needs to", ["(Reporting by Ben Blanchard; Editing by"], []),
    ("Iran leader rebuffs Trump’s warning on missiles", "Iran's Supreme Leader", ["Bozorgmehr Sharafedin"], "DUBAI",
     "Reuters", "Ayatollah Ali Khamenei dismissed Donald", ["(Reporting by Bozorgmehr Sharafedin; Writing by"], []),
    ("Merkel urges Putin to help end violence in", "Tanks seen in Ukraine", [], "BERLIN", "Reuters",
     "German leader Angela Merkel urged", ["(Reporting by Madeline Chambers; Editing by"], []),
    ("China, United States cannot afford conflict: Chinese foreign",
     "Chinese Foreign minister speaking on how U.S. and", ["Colin Packham"], "SYDNEY", "Reuters",
     "There would be no winner", ["(This story has been refiled", "(Additional reporting by Ben Blanchard"], []),
    ("Iran’s missile test ‘not a message’ to Trump", "Iran's president", [], "DUBAI", "Reuters",
     "Iran said on Monday a", ["(Reporting by Bozorgmehr Sharafedin; editing by"], []),
    ("The Art of the Deal: Why Putin needs", "woman passes billboard of Trump and Putin together", ["Andrew Osborn"],
     "MOSCOW", "Reuters", "In his book, ‘Art of", ["(Additional reporting by Andrey Ostroukh;"], ["‘A HUGE BONUS’"]),
]  # fmt: skip


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
    headline, caption, byline, place, agency, body, credits, subheads = EXPECTED[index]
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
