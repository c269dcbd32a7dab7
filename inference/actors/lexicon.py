"""Word lists for recognising actors beyond the gazetteer: titles, organisation heads, first names."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# Capitalised title words stripped from the front of a name ("Defence Secretary Delfin Lorenzana").
TITLE_WORDS = frozenset("""
President Vice Prime Minister Ministers Secretary Senator Sen Sen. Rep Rep. Representative Congressman Congresswoman
Governor Gov Gov. Mayor Chairman Chairwoman Chair Speaker Leader Judge Justice Attorney General Gen Gen. Lieutenant
Lt Lt. Colonel Col Col. Admiral Adm Ambassador Envoy King Queen Prince Princess Sheikh Sheik Emir Crown Chief Director
Commissioner Spokesman Spokeswoman Spokesperson Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Foreign Defence Defense Finance Interior
Trade Deputy Acting Former State Supreme Ayatollah Cardinal Rev Rev. Sir Lord Lady Dame Commander Major Maj Captain
Capt Sergeant Sgt Officer Agent Counsel Special Adviser Advisor Aide Treasury Homeland Security Health Energy Labor
Labour Commerce Education Agriculture Transportation Veterans Affairs National Majority Minority Whip CEO Executive
Chancellor Premier President-elect Undersecretary Under Assistant Associate Principal Press Economy Economic
Information Justice Intelligence Opposition Party Parliament Parliamentary Speaker Senior Top Cabinet Chief
U.S. District Circuit Federal Presidential Candidate Democratic Republican Independent Then Late Secretary-General
General Army Navy Marine Police Commissioner Inspector Provincial Regional Military Ret Ret. Brigadier Field Marshal
Professor Prof Prof. Prosecutor High Commissioner Lawmaker Rabbi Imam Bishop Archbishop Pope Father Reverend Mullah Grand Cleric Leader Supreme
""".split())

# Lower-case words right before a name that mark it as a person ("spokesman Lu Kang").
TITLE_CUES = frozenset("""
spokesman spokeswoman spokesperson minister secretary leader president official adviser advisor aide lawyer attorney
chief envoy ambassador director chairman chairwoman chair commander analyst economist judge candidate nominee senator
governor mayor congressman congresswoman lawmaker representative prosecutor counsel founder executive premier
chancellor king queen prince general colonel brother sister son daughter wife husband father mother cleric
strongman dictator journalist reporter correspondent activist businessman businesswoman billionaire donor host
investigator agent negotiator deputy colleague friend opponent rival challenger incumbent predecessor successor
commissioner professor researcher fellow partner strategist pollster consultant manager manager, officer
""".split())

# Head words that make a capitalised phrase an organisation ("Consumer Financial Protection Bureau").
ORG_HEADS = frozenset("""
Committee Commission Party Agency Bureau Council Court Service Association Institute Foundation Bank Group Corp
Corporation Inc Company Co Union Organization Organisation Office Administration Police Front Movement Caucus Center
Centre Fund Times Post News Journal Network Alliance Federation League Coalition Authority Board Tribunal Parliament
Assembly Congress Senate Guard Corps Forces Brigade Brigades Army Party Ministry Department Reserve Chamber
Commission Society Foundation University College School Academy Trust Watch Forum Network
Airlines Airways Motors Industries Holdings Partners Capital Energy Systems Technologies Media Broadcasting
Church Council Conference Tribunal Regiment Division Fleet Command Cartel Militia Taliban
Watch International Institute Agency Inc. Corp. Ltd Ltd. LLC Entertainment Pictures Studios Group
""".split())

# Heads of state bodies: "<country> + these" is the country itself ("Chinese Foreign Ministry").
BODY_WORDS = frozenset("""
Foreign Defence Defense Interior Finance Trade Commerce Economy Ministry Ministries Government Embassy Consulate
Mission Army Navy Air Force Forces Armed Military Cabinet Office Coast Guard Foreign-Ministry Affairs of government
military army navy embassy authorities forces troops officials diplomats
""".split())
# Words of a state body's name that do not make it an organisation of its own ("Afghan National Army").
GENERIC_BODY = frozenset("""National Armed Royal Federal Central General State States People People's Popular Regional
Provincial Joint Main Arab Islamic Republican Presidential Air Naval Border Coast Security Public Self-Defense
Self-Defence Defense Defence Ground Land Marine Marines Special Home Prime Minister's President's Executive Private
Foreign Interior Internal Revolutionary Red White Imperial New Free Democratic Sovereign Civil Military
""".split())
BODY_HEADS = frozenset("""
Ministry Ministries Government Embassy Consulate Mission Army Navy Force Forces Military Cabinet Office Guard
government military army navy embassy authorities forces troops officials diplomats
""".split())

# Lower-case words allowed inside a capitalised phrase.
CONNECTORS = frozenset("of and for on the de del da di dos das al el bin ibn van von der den du la le y &".split())
NAME_PARTICLES = frozenset("de del da di dos das al el bin ibn van von der den du la le y".split())

# Capitalised words that are never (the start of) a person's name.
NOT_NAMES = frozenset("""
The A An In On At To From By For With Without But And Or Nor If When While As After Before Since Until Under Over
He She It They We I You His Her Its Their Our My Your This That These Those There Here Then Now Also Still Yet So
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
October November December Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Christmas Easter Ramadan
North South East West Northern Southern Eastern Western Central New Old Great Greater Upper Lower United
Republican Republicans Democrat Democrats Democratic Independent Islamic Muslim Muslims Christian Christians Jewish
Jews Catholic Sunni Shi'ite Shiite Shia Kurdish Kurds Arab Arabs Western Asian African European Latin
Reuters AP AFP Twitter Facebook Google Internet Web Wall Street Street Avenue Road Square Bridge River Sea Ocean
Gulf Bay Island Islands Mount Lake Valley Hills Airport Station Hotel Hospital Center Park Stadium City County
State States House Senate Congress Capitol Hill Supreme Court Department Ministry Committee Council Party Union
Will Can Could Would Should Must Might May Shall Do Does Did Is Are Was Were Be Been Has Have Had Not No Yes
Mr Mrs Ms Dr Sir Some Many Most Any All Every Each Both Few Several Other Another Such What Which Who Whom Whose
Why How Where Asked Speaking According Like Unlike Despite Although Though Because However Meanwhile Earlier
Later Last Next First Second Third One Two Three Four Five Six Seven Eight Nine Ten Hundreds Thousands Dozens
Obamacare Medicaid Medicare Brexit Day Army Navy Air Force Marines Coast Guard God Allah Jesus
Against Through Into Upon Within Between About Above Behind Beyond During Except Toward Towards Amid
San Santa Los Las Saint St Port Fort Mount Lake Fake Free Storm USS HMS Among Hurricane Typhoon Tropical Operation PM MP MPs
""".split())

# Sentence-initial function words that never start an organisation's name.
FUNCTION_WORDS = frozenset("""
The A An In On At To From By For With Without But And Or Nor If When While As After Before Since Until Under Over
He She It They We I You His Her Its Their Our My Your This That These Those There Here Then Now Also Still Yet So
Some Many Most Any All Every Each Both Few Several Other Another Such What Which Who Why How Where Asked Speaking
According Like Unlike Despite Although Though Because However Meanwhile Earlier Later Last Next Among Against
Members Member Fake Only Once Eleven Final Dueling Conservative Congressional Embattled Former Top Senior
""".split())

# Words before a capital that make it a place rather than a metonym ("talks in Beijing").
LOCATION_WORDS = frozenset("in to at near outside inside via around across visit visited visiting visits "
                           "arrived arrive arriving flew fly flying travel traveled travelled traveling "
                           "return returned returning embassy capital based".split())

# Movement words that make "from <capital>" a place ("flew from Beijing"), unlike "a green light from Washington".
MOVEMENT_WORDS = frozenset("flew fly flying flown returned returning return arrived arriving arrive came coming "
                           "travelled traveled traveling travelling fled flight flights moved relocated "
                           "back home way".split())

# After a surname-only token: words that confirm a person.
SPEECH_VERBS = frozenset("said says told added wrote tweeted asked argued warned stated noted insisted "
                         "denied declined urged called".split())


GIVEN_NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "given_names.txt"


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names of many languages (about 41,000) from the shipped ``data/given_names.txt``.

    The list is our own compilation from MIT-licensed and public-domain sources; ``tools/build_given_names.py``
    rebuilds it.
    """
    with GIVEN_NAMES_FILE.open(encoding="utf-8") as fh:
        names = (line.strip() for line in fh)
        return frozenset(n for n in names if n and not n.startswith("#") and n not in NOT_NAMES)


# Formal given name -> the short form used in the gazetteer ("Kenneth Bigley" is "Ken Bigley").
NICKNAMES = {
    "Kenneth": "Ken", "Robert": "Bob", "William": "Bill", "Richard": "Rick", "James": "Jim", "Michael": "Mike",
    "Charles": "Chuck", "Thomas": "Tom", "Joseph": "Joe", "Stephen": "Steve", "Steven": "Steve", "Edward": "Ed",
    "Christopher": "Chris", "Daniel": "Dan", "Anthony": "Tony", "Benjamin": "Ben", "Jeffrey": "Jeff", "Gregory": "Greg",
    "Samuel": "Sam", "Timothy": "Tim", "Patrick": "Pat", "Donald": "Don", "Ronald": "Ron", "Alexander": "Alex",
    "Nicholas": "Nick", "Matthew": "Matt", "Andrew": "Andy", "Elizabeth": "Liz", "Jennifer": "Jenny",
    "Douglas": "Doug", "Albert": "Al", "Frederick": "Fred", "Gerald": "Jerry", "Lawrence": "Larry", "Peter": "Pete",
    "Theodore": "Ted", "Rodney": "Rod", "Mitchell": "Mitch", "Kirsten": "Kirsten", "Jefferson": "Jeff",
}

# Lower-cased words that never belong to a person's name, though some are in the given-name list.
COMMON_WORDS = frozenset("""
act acts law laws treaty accord accords agreement amendment plan plans program programme report award prize
day week month year cup games open street avenue road square tower hall center centre airport station hotel
hospital park stadium museum bridge river sea island islands mountain mountains valley province county city
republic kingdom coast strait peninsula refuge average rule rules index exchange market markets stock stocks
war wars east west north south middle central world global pacific atlantic asia europe africa america
summit conference forum reform registration authorization surveillance insurance budget health care again great
storm hurricane typhoon catholic protestant christian muslim jewish air tech university college school beacon
news times post journal press herald tribune network channel radio television tv online magazine
bank capital fund funds group holdings partners company corporation industries motors airlines
trust foundation institute service services agency office committee commission council board union party
security intelligence defense defence justice police army navy force forces guard corps
communist socialist liberal conservative labour labor green greens democratic republican democrat democrats
state states federal national international royal imperial
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december christmas easter thanksgiving ramadan
wall street hill capitol white house palace
free fake new old good best top big little more most many much first last next final
asset diamond geological electric helicopter roman sierra code paradise just kitty viet bel uss hms among
eleven dueling congressional
""".split())

US_STATES = frozenset("""
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois
Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana
Nebraska Nevada Hampshire Jersey Mexico York Carolina Dakota Ohio Oklahoma Oregon Pennsylvania Rhode Island
Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming
""".split())

# Last words that end a thing's name, not a person's ("Surveillance Act", "Virgin Islands").
NOT_SURNAMES = frozenset("""
act acts treaty accord accords agreement amendment plan plans program programme report award prize cup games
avenue road square airport station hotel hospital stadium museum river sea island islands mountains valley
province county city republic kingdom coast strait peninsula refuge average index exchange summit conference
forum reform surveillance insurance budget again university college school news times journal network channel
radio television magazine committee commission council board party agency office service services department
ministry war wars states day week caucus alliance coalition association institute foundation fund
management shipping room garden harbor harbour survey shrine squadron papers club farms ranch power llp llc
inc corp catholic air mae cong arrivals springs system check center centre
""".split())

# Capitalised phrases that look like organisations or people but are places, events or shows.
NOT_ACTORS = frozenset({
    "West Bank", "Gaza Strip", "Newport News", "State of the Union", "Meet the Press", "World Trade Center",
    "Wall Street", "Capitol Hill", "Sadr City", "Abu Ghraib", "Middle East", "Face the Nation", "Fox and Friends",
    "Old Post Office", "Union Station", "Trump Tower", "Dow Jones", "Silicon Valley", "Sunday Times",
    "News Conference", "World News", "Big News", "Merrill Lynch", "Rose Garden", "Pearl Harbor", "Kitty Hawk",
})

# Single-token names that are also given names or surnames: a first name before them makes them a person.
NAME_LIKE = frozenset({"Jordan", "Chad", "Georgia", "Washington", "Israel", "Paris", "Victoria", "Kent", "Lincoln",
                        "Lebanon", "Charlotte", "Florence", "Austin", "Houston", "Jackson", "Pence", "Trump",
                        "England", "Chile", "India", "Jamaica", "Kenya", "Sudan"})
STRONG_TITLES = frozenset({"Secretary", "Chairman", "Chairwoman", "Director", "Spokesman", "Spokeswoman", "President",
                            "Chief", "Commissioner", "Administrator", "Minister", "Leader", "Speaker", "Judge",
                            "Inspector", "Senator", "Governor", "Ambassador", "Representative", "Rep.", "Sen."})
# Titles that name a person: a lone name right after one is that person ("President Atambayev", "Mr Porter").
PERSON_TITLES = frozenset("""President President-elect Minister Premier Chancellor Mr Mrs Ms Dr Senator Sen Rep Gov Governor
Mayor King Queen Prince Princess Sheikh Emir Sultan Ayatollah General Gen Colonel Col Admiral Adm Judge Ambassador Speaker
Chairman Chairwoman Pope Cardinal Bishop Archbishop Rabbi Imam Professor Prof Lt Maj Capt Sgt Sir Lord Lady Secretary
Envoy Spokesman Spokeswoman Commissioner Congressman Congresswoman Representative Lawmaker Marshal Brigadier
""".split())
ARABIC_PARTICLE = re.compile(r"(?:al|el|ad|as|ash|at|bin|ibn|abu|abd|ben)-[A-Z]")
CORPORATE = frozenset({"Corp", "Inc", "Co", "Ltd", "LLC", "Plc", "PLC", "Group", "Holdings", "SA", "AG", "NV"})
EAST_ASIA = frozenset({"China", "Taiwan", "North Korea", "South Korea", "Vietnam", "Hong Kong", "Singapore",
                        "Cambodia", "Myanmar"})

