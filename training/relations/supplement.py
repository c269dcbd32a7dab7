"""Hand-written training sentences (ours) for the patterns wire copy uses most and the CAMEO sentences show least:
reported speech ("X said", "according to X"), passive voice ("was criticised by") and quotes; and sentences that
name several actors with no relation between them (negatives).

Each entry: ``(sentence, holder mention, target mention, polarity)``; the mentions are found in the sentence by their
first occurrence. They are added to the training split only (evaluation stays on the CAMEO sentences); the tests use
different sentences.
"""

from __future__ import annotations

from foreign_desk.training.relations.data import RelationSentence

POLARITY_CLASS = {"neutral": 0, "positive": 1, "negative": 3}

SENTENCES: list[tuple[str, str, str, str]] = [
    # passive voice: the holder comes after "by"
    ("Canada was sharply criticised by Mexico over the new tariffs.", "Mexico", "Canada", "negative"),
    ("Venezuela has been condemned by Colombia for harbouring armed groups.", "Colombia", "Venezuela", "negative"),
    ("Sudan was accused by Egypt of backing the militia.", "Egypt", "Sudan", "negative"),
    ("Serbia was warned by the European Union that talks could stall.", "European Union", "Serbia", "negative"),
    ("Myanmar was hit with new sanctions by Britain on Tuesday.", "Britain", "Myanmar", "negative"),
    ("Kenya was praised by Ethiopia for its mediation.", "Ethiopia", "Kenya", "positive"),
    ("Jordan has been thanked by Lebanon for sheltering refugees.", "Lebanon", "Jordan", "positive"),
    ("The Philippines was offered military aid by Japan.", "Japan", "Philippines", "positive"),
    ("Ukraine was backed by Poland in its bid to join the bloc.", "Poland", "Ukraine", "positive"),
    ("Chile was invited by Argentina to a summit on water rights.", "Argentina", "Chile", "neutral"),
    ("Qatar was visited by Kuwait's emir on Sunday.", "Kuwait", "Qatar", "neutral"),
    ("Armenia was attacked by Azerbaijan overnight, officials said.", "Azerbaijan", "Armenia", "negative"),
    ("Somalia is supported by Turkey with training and funds.", "Turkey", "Somalia", "positive"),
    ("Nigeria was rebuked by Ghana over the border closure.", "Ghana", "Nigeria", "negative"),
    ("Libya was denounced by Tunisia after the shooting at the crossing.", "Tunisia", "Libya", "negative"),
    ("Cyprus has been threatened by Ankara with naval drills.", "Ankara", "Cyprus", "negative"),
    ("Nepal was given emergency loans by India after the floods.", "India", "Nepal", "positive"),
    ("Haiti is being helped by the Dominican Republic with fuel.", "Dominican Republic", "Haiti", "positive"),
    ("Yemen's government was blamed by Riyadh for the failed truce.", "Riyadh", "Yemen", "negative"),
    ("Mongolia was welcomed by Seoul as a new partner.", "Seoul", "Mongolia", "positive"),
    ("Bosnia was criticised by Croatia and Slovenia over the election law.", "Croatia", "Bosnia", "negative"),
    ("Denmark was sued by Iceland over the fishing quotas.", "Iceland", "Denmark", "negative"),
    # reported speech: "X said", "according to X", "X's ministry said"
    ("Vietnam said it strongly opposed Beijing's survey mission in its waters.", "Vietnam", "Beijing", "negative"),
    ("Saudi Arabia said it would give Pakistan $3 billion in support.", "Saudi Arabia", "Pakistan", "positive"),
    ("Spain said on Monday it would expel two Russian diplomats.", "Spain", "Russian", "negative"),
    (
        "Indonesia said it welcomed Australia's offer of help after the earthquake.",
        "Indonesia",
        "Australia",
        "positive",
    ),
    ("According to Norway, Sweden has agreed to share the data.", "Sweden", "Norway", "positive"),
    (
        "Brazil will sign a trade pact with Uruguay next month, according to officials in Brasilia.",
        "Brazil",
        "Uruguay",
        "positive",
    ),
    ("Thailand blamed Cambodia for the clashes, a government spokesman said.", "Thailand", "Cambodia", "negative"),
    ("Morocco recalled its ambassador to Algeria, the foreign ministry said.", "Morocco", "Algeria", "negative"),
    ("Kazakhstan is ready to help Kyrgyzstan rebuild, its president said.", "Kazakhstan", "Kyrgyzstan", "positive"),
    ("Hungary's foreign minister said Budapest would veto aid to Kiev.", "Budapest", "Kiev", "negative"),
    ("Peru will hold talks with Bolivia on the pipeline, a minister said.", "Peru", "Bolivia", "neutral"),
    ("Greece said Turkey had violated its airspace again.", "Turkey", "Greece", "negative"),
    ("Egypt said Israel had agreed to let aid trucks into Gaza.", "Israel", "Gaza", "positive"),
    ("Officials in Seoul said Pyongyang had fired two missiles toward Japan.", "Pyongyang", "Japan", "negative"),
    ("New Zealand said it would send a delegation to Fiji next week.", "New Zealand", "Fiji", "neutral"),
    ("Iraq's prime minister said he had discussed the dam with Turkey's president.", "Iraq", "Turkey", "neutral"),
    # quotes
    (
        '"We will not accept these threats," Cuba\'s foreign minister said of the United States.',
        "Cuba",
        "United States",
        "negative",
    ),
    (
        '"Our friendship with Senegal has never been stronger," the president of Mali said.',
        "Mali",
        "Senegal",
        "positive",
    ),
    (
        '"Tehran is destabilising the whole region," the Bahraini foreign minister told reporters.',
        "Bahraini",
        "Tehran",
        "negative",
    ),
    ('"We thank Germany for its generosity," Greece\'s finance minister said.', "Greece", "Germany", "positive"),
    ('"Moscow must stop arming the separatists," Lithuania\'s president said.', "Lithuania", "Moscow", "negative"),
    ('Finland\'s leader called the deal with Estonia "a model for the region".', "Finland", "Estonia", "positive"),
    ('"This is an act of aggression," Ecuador said of Peru\'s troop build-up.', "Ecuador", "Peru", "negative"),
    ('"We are ready to meet Delhi halfway," a senior official in Islamabad said.', "Islamabad", "Delhi", "positive"),
    ('"Zimbabwe will pay for this betrayal," Zambia\'s defence minister said.', "Zambia", "Zimbabwe", "negative"),
    ('"Portugal has been a loyal friend," the Angolan president said on Friday.', "Angolan", "Portugal", "positive"),
    (
        "The Syrian envoy said Washington's strikes were \"a flagrant violation\" of Syria's sovereignty.",
        "Syrian",
        "Washington",
        "negative",
    ),
    # plain active sentences with the target first in the clause order of the mentions
    ("Kenya's neighbour Uganda closed its border to Kenyan trucks.", "Uganda", "Kenyan", "negative"),
    ("With Russia's backing, Belarus signed a gas deal with Armenia.", "Belarus", "Armenia", "positive"),
]


# Sentences that name two or more actors with no act of one toward another (every candidate pair is "none"): the
# co-mentions wire copy is full of and the CAMEO sentences (each holding one event) never show. Places where something
# happens, lists of co-actors, background, polls, titles and affiliations, reporters and sources.
NEGATIVES: list[str] = [
    "More than 2,000 drivers use the ride app to find customers in Kenya, where demand has grown fast.",
    "Brazil, Argentina and Chile started a three-day naval exercise on Monday, the Brazilian navy said.",
    "Hamas and Islamic Jihad have each claimed attacks in the past, a security source said.",
    "Turkish warplanes struck militant positions near the town of Rabia in Iraq on Friday.",
    "Portugal's economy grew 2 percent last year, while Spain's expanded by 3 percent.",
    "In Malaysia, the number of Chinese tourists fell by a quarter in the first half of the year.",
    "About 300,000 Syrians lived in Lebanon before the war, according to United Nations figures.",
    "Macron, who visited Mali last year, is expected to travel to Niger and Chad in March.",
    "The minister, a former ambassador to Japan, studied in Britain and France.",
    "Residents of the two Kurdish villages said they could not reach the market in Erbil.",
    "Voters in Poland were split on the new party, a poll by the Warsaw daily showed.",
    "In the poll, Modi led with 41 percent, followed by Gandhi at 29 percent.",
    "The earthquake struck western Nepal on Sunday, days after floods hit northern India.",
    "Tension has been high in the region since the vote in Catalonia and the arrests in Madrid.",
    "Officials in Berlin and Paris did not respond to requests for comment.",
    "The company has offices in Singapore, Hong Kong and Tokyo and employs 3,000 people.",
    "Ecuador's foreign minister spoke to reporters in Geneva after a meeting of the Human Rights Council.",
    "Nigeria is Africa's most populous country and its largest oil producer after Angola.",
    "Ukraine is a member of the Council of Europe, which Russia joined in 1996.",
    "The Indonesian spokesman for the Free Aceh Movement said the situation had worsened.",
    "Presidential spokesman Harry Roque said the president was not worried by the ratings.",
    "Putin and Erdogan are due to meet in Sochi next week, the Kremlin said.",
    "Tokyo and Seoul both lie within range of North Korean missiles.",
    "The Syrian army and its allies have retaken most of Aleppo province this year.",
    "Japan's exports to the United States rose 5 percent in October, data showed.",
    "Under Blair and Brown, Britain kept close ties with Washington and Brussels.",
    "A crowd gathered in Kabul, waving Afghan flags and chanting slogans.",
    "The Philippines and Vietnam both claim parts of the Spratly Islands.",
    "Kenya's opposition leader Raila Odinga flew to London on Tuesday for a week of meetings.",
    "Iraqi Kurds voted in September in a referendum that Baghdad called illegal.",
    "The Iranian-born writer, who lives in Sweden, won the prize last year.",
    "Germany's foreign minister and his French counterpart held a joint news conference in Berlin.",
    "Mexico and Canada will host the next round of talks in Ottawa, officials said.",
    "Saudi Arabia is the world's biggest oil exporter, ahead of Russia and Iraq.",
    "Pakistani and Afghan officials attended the conference in Tashkent on Friday.",
    "The Egyptian ambassador to Italy, who arrived in Rome last month, presented his credentials.",
    "Chinese state media reported the floods in Guangxi, near the border with Vietnam.",
    "Thailand's junta leader Prayuth Chan-ocha will visit Washington next month, his office said.",
    "Algeria, Morocco and Tunisia account for most of the migrants arriving in Spain.",
    "The Czech billionaire's ANO party won the election with 30 percent of the vote.",
]


def supplement() -> list[RelationSentence]:
    """The sentences above as training examples (character spans of the first occurrence of each mention), then the
    :data:`NEGATIVES` with no source nor target."""
    out = []
    for text, holder, target, polarity in SENTENCES:
        h, t = text.index(holder), text.index(target)
        out.append(
            RelationSentence(text, [(h, h + len(holder))], [(t, t + len(target))], POLARITY_CLASS[polarity], "ours")
        )
    return out + [RelationSentence(text, [], [], 0, "ours") for text in NEGATIVES]
