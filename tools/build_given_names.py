"""Rebuild ``inference/data/given_names.txt``, the given-name list that actor recognition uses for untitled people.

    python -m venv /tmp/names-venv
    /tmp/names-venv/bin/pip install Faker==40.54.0 mimesis==22.2.0 names==0.3.0 PyYAML
    /tmp/names-venv/bin/python tools/build_given_names.py          # writes inference/data/given_names.txt

The generator packages are *not* dependencies of foreign-desk: they are installed into a throwaway venv only to
rebuild the list, which is committed. Sources, all permissively licensed or in the public domain:

- ``Faker`` (MIT): the first-name lists of every person locale; Latin-script ones as they are, Cyrillic and Greek
  ones transliterated to the Latin spellings used by English-language wire services ("Sergei", "Dmitry", "Nikos").
- ``mimesis`` (MIT): the given names of its locale data sets, treated the same way.
- ``names`` (MIT): its copy of the 1990 US Census given-name frequency lists (US government work, public domain).
- the given names of the people in our own gazetteer ``inference/data/actors_people.yaml`` (surname-first East
  Asian names excluded).
- ``EXTRA_NAMES`` below: transliterated Arabic, Persian, Turkish, South Asian, African, Russian and other given names
  common in world news, written for this project (same license as the project).

Only tokens that look like a capitalised word (Latin letters, inner apostrophe or hyphen) are kept; an accented name
is also kept in its unaccented spelling ("José" and "Jose"), since wire copy often drops diacritics.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import unicodedata
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "inference" / "data" / "given_names.txt"
PEOPLE = ROOT / "inference" / "data" / "actors_people.yaml"

# Affiliations whose people's names are written surname first ("Xi Jinping", "Moon Jae-in").
SURNAME_FIRST = frozenset({"China", "Taiwan", "North Korea", "South Korea", "Vietnam", "Hong Kong", "Japan",
                           "Cambodia", "Hungary"})

# Faker locales whose names are written surname first: their romanized surnames start a name in wire copy.
SURNAME_FIRST_LOCALES = frozenset({"zh", "ko", "vi"})

# Entries of the source lists that are words, titles or places far more often than given names in news copy.
EXCLUDE = frozenset("""
Admiral Author Baby Babyboy Bishop Boss Captain Champ Judge King Lawyer Major Marshal Miss Nazi Pleasant Prince
Princess Queen Virgin Canal Canyon Cash Case Dow Hoover Abbott Star Winter Summer Autumn Spring Sao Melco Nikko
Bush Brown Adams Boston Alabama Arizona Butler Baker Banks Branch Bird Burns Bristol Ceylon Brooklyn Trump Emir Imam
Pope Saint General Colonel Doctor Sergeant Lieutenant Governor President Senator Mister Madam Lady Lord Sir Dame
Duke Earl Count Baron
""".split())

NAME = re.compile(r"^[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*$")

# Hand-written additions: transliterated given names frequent in international wire news.
EXTRA_NAMES = """
Abbas Abdel Abdelaziz Abdelfattah Abdelilah Abdelkader Abdallah Abdul Abdulaziz Abdulla Abdullah Abdullahi Abdulrahman
Abdulsalam Abed Adel Adnan Ahmad Ahmed Akram Ali Amer Amin Amir Ammar Amr Anas Anwar Ashraf Ayman Aziz Bashar Bassam
Bilal Fadi Fahd Faisal Farouk Fathi Fawzi Fayez Fouad Ghassan Habib Hadi Hafez Haidar Haider Hamad Hamdan Hamid Hamza
Hani Hatem Hazem Hisham Hosni Hossam Hussain Hussein Ibrahim Imad Isa Ismail Issa Jamal Jawad Jibril Kamal Karim
Khaled Khalid Khalil Lotfi Mahmoud Majid Marwan Maher Mansour Mohamed Mohammad Mohammed Mohamad Mohsen Moussa Muammar
Muhammad Muqtada Mustafa Nabil Naguib Nasser Nawaf Nayef Nouri Nuri Omar Osama Qais Qassim Rafik Rami Riad Riyad
Saad Sabah Saddam Saeb Saeed Said Salah Saleh Salem Salim Salman Sami Samir Tamim Tarek Tareq Tariq Walid Waleed
Yahya Yasser Yassin Yousef Youssef Yusuf Zayed Zeid Ziad Zuhair Mujib Sayed Zabihullah Haibatullah Sirajuddin
Aisha Amal Fatima Fatma Hanan Huda Layla Leila Mona Nadia Noura Rania Samira Suha Zainab Zeinab
Abolfazl Akbar Ebrahim Esmaeil Hamidreza Javad Kazem Mahmood Masoud Mehdi Mir-Hossein Mohammadreza Mojtaba Mostafa
Reza Ruhollah Sadegh Shahram Alireza Gholamreza Hojjat Abbasali Ahmadreza Qasem Javad
Recep Tayyip Ahmet Mevlut Binali Kemal Bulent Devlet Numan Egemen Hulusi Selahattin Ekmeleddin Omer Ibrahim
Nawaz Shahbaz Shehbaz Imran Asif Pervez Benazir Bilawal Asfandyar Fazlur Hafiz Sartaj Tahir Ishaq Raheel Qamar Javed
Narendra Manmohan Rahul Sonia Arun Sushma Rajnath Amit Nirmala Piyush Smriti Mamata Arvind Yashwant Atal Lal Krishna
Zalmay Gulbuddin Atta Ashraf Hamid Hasina Khaleda Ranil Maithripala Mahinda Gotabaya Pushpa Sher Bahadur
Joko Jusuf Susilo Bambang Prabowo Retno Najib Mahathir Muhyiddin Rodrigo Benigno Gloria Ferdinand Prayuth Prayut
Thaksin Yingluck Abhisit Jinping Keqiang Jintao Jiabao Zemin Qishan Jiechi Chunying Lijian Ing-wen Ying-jeou
Jong-un Jong-il Il-sung Yo-jong Yong-ho Jae-in Geun-hye Myung-bak Moo-hyun Dae-jung Kyung-wha Ki-moon
Shinzo Taro Yoshihide Fumio Junichiro Yukio Naoto Yoshihiko Tomomi Itsunori Yoshimasa
Vladimir Dmitry Dmitri Sergei Sergey Vyacheslav Anatoly Nikolai Yevgeny Evgeny Alexei Alexey Alexander Aleksandr
Mikhail Boris Gennady Igor Oleg Yuri Yury Viktor Valentina Valery Vasily Grigory Ramzan Arkady Andrei Andrey
Konstantin Maxim Pavel Denis Ruslan Timur Vitaly Vitali Yulia Yuliya Tatiana Tatyana Olga Irina Svetlana Ekaterina
Yekaterina Natalia Natalya Lyudmila Galina Petro Petr Pyotr Volodymyr Arseniy Arseny Oleksandr Oleksiy Leonid Mykola
Andriy Serhiy Pavlo Nursultan Kassym-Jomart Emomali Shavkat Gurbanguly Serdar Ilham Nikol Serzh Levon Mikheil Giorgi
Irakli Bidzina Alyaksandr Aliaksandr Sviatlana
Muhammadu Goodluck Olusegun Umaru Yemi Atiku Bola Abubakar Kofi Nana Uhuru Raila Mwai Yoweri Jakaya Samia Cyril
Thabo Emmerson Felix Salva Riek Abiy Hailemariam Isaias Meles Idriss Mahamat Blaise Alassane Macky Boubacar Beji
Kais Moncef Zine Ellen Ernest Adama Faure Akinwumi Ngozi Fatou Tedros Kristalina
Benjamin Binyamin Ehud Ariel Avigdor Naftali Yair Tzipi Shimon Reuven Moshe Yitzhak Gilad Ayelet Miri Gideon
Nicolas Hugo Evo Rafael Lenin Luiz Inacio Dilma Michel Jair Mauricio Alberto Cristina Sebastian Michelle Juan Manuel
Ivan Andres Enrique Felipe Vicente Raul Fidel Miguel Daniel Pedro Pablo Tabare Horacio Orlando Jimmy Delcy
Diosdado Tareck Henrique Leopoldo
Emmanuel Francois Jacques Jean-Yves Jean-Marc Jean-Claude Jean-Pierre Jean-Luc Marine Edouard Bruno Florence
Angela Olaf Frank-Walter Ursula Heiko Sigmar Wolfgang Horst Annegret Joachim Gerhard Helmut Norbert
Theresa Jeremy Philip Amber Liam Gavin Sadiq Nicola Arlene Enda Micheal
Matteo Paolo Giuseppe Sergio Silvio Luigi Enrico Romano Angelino Federica Beppe Mariano Alfonso
Alexis Kyriakos Antonis Yanis Euclid Nikos Panos Prokopis Evangelos Nicos Andrej Milos Zoran Aleksandar
Janos Andrzej Jaroslaw Beata Mateusz Lech Bronislaw Witold Zbigniew Kersti Dalia Raimonds Juha Sauli Sanna Erna
Jens Lars Mette Helle Anders Margot Jonas Jyrki Herman Frans Staffan Yukiya Antonio
Akihiro Akihito Akio Atsushi Daisuke Eiji Hideki Hideo Hiroaki Hiroki Hiromi Hiroshi Hirofumi Hiroyuki Hisashi
Ichiro Isamu Jun Junko Katsuya Kazuhiro Kazuo Kenji Kenichi Koichi Koji Kumiko Mamoru Masaaki Masahiro Masako Masao
Masaru Masashi Masato Masayuki Megumi Michiko Minoru Mitsuo Naoki Noboru Nobuo Noriko Osamu Ryota Ryuichi Sadakazu
Satoshi Seiji Shigeru Shinichi Shinji Shintaro Shoichi Sumio Tadashi Takashi Takeshi Takuya Tetsuya Toshihiro
Toshimitsu Tsuneo Yasuhiro Yasuo Yasushi Yoichi Yoko Yoshiaki Yoshiro Yuichi Yuji Yuko Yukiko Yutaka Katsunobu
Aamir Abhishek Ajay Ajit Akhilesh Amarinder Amitabh Anil Arjun Arvind Ashok Devendra Dinesh Gautam Harsh Jaswant
Kapil Lalu Mukesh Nitin Nitish Pranab Prakash Rajiv Rakesh Ram Ramesh Ravi Sachin Sanjay Satish Shashi Shivraj
Sitharaman Subramanian Sunil Suresh Uddhav Venkaiah Vijay Vikram Vinod Yogi Naveed Shahid Khurram Faisal Iqbal
Zafar Shireen Maryam Aitzaz Amjad Asad Asim Babar Ehsan Fawad Junaid Kashif Mushahid Nisar Qamar Saqib Shoaib
Tayseer Essam Massoud Masood Massud Mansur Iyad Ayad Adil Azmi Bashir Emad Ezzat Farid Fuad Ghazi Hazim Hilal
Husam Jaber Jalal Kareem Louay Mazen Mounir Nabih Nidal Raed Rashad Rashid Riyadh Sabri Sadiq Saif Sharif Sherif
Talal Tawfik Usama Wael Wissam Yasin Zaki Ferial Nazanin Farah Ghada Lina Maha Nour Rasha Reem Salma Yasmin
Bahtiyar Celal Cemal Ertugrul Fikri Hakan Haluk Hikmet Kadir Kerem Levent Metin Murat Mustafa Necdet Nurettin
Oguz Orhan Sadullah Suat Taner Umut Yavuz Yilmaz Oriol Carles Jordi Inigo Sholom Yossi Yuval Gad Amos Avi Danny
Bucky
""".split()

# Romanized Chinese, Korean, Vietnamese, Malaysian/Singaporean Chinese, Cambodian and Burmese family names, which
# come first in a name as written in wire copy ("Zhang Min", "Ri Chun Hee", "Doan Thi Huong"), and Burmese name
# syllables. Short ones that are English words ("He", "Do", "Long", "Win") are left out.
EAST_ASIAN_SURNAMES = """
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Zhu Hu Guo Gao Lin Luo Zheng Liang Xie Tang Han Feng Deng Cao
Peng Zeng Xiao Tian Dong Yuan Pan Jiang Cai Ye Du Cheng Wei Su Lu Ding Ren Shen Yao Cui Zhong Tan Jin Shi Liao Jia
Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Tao Gu Mao Hao Gong Shao Wan Qian Dai Mo Kong Xiang
Wen Kang Niu Xing Guan Ou Geng Zhuo Bao Yue Hua Mei Xi Ma Yu Zhai Lai Lam Leung Chan Wong Cheung Chow Tsang Tse
Kwok Yip Tsai Hsu Chiang Chiu Kuo Lien Soong Kim Lee Park Choi Jung Chung Cho Yoon Jang Lim Seo Shin Kwon Hwang
Ahn Yoo Hong Jeon Ko Moon Bae Baek Heo Nam Ri Ryu Chun Noh Roh Ju Hyun Hyeon Pak Yun Jo Jeong Kye Ryong Nguyen Tran
Pham Hoang Huynh Phan Vu Vo Dang Bui Duong Ngo Ly Doan Trinh Dinh Luong Truong Lim Ng Ong Goh Chua Koh Teo Ang Yeo
Teh Chong Chia Gooi Khoo Leong Yap Chew Foo Ooi Loh Quek Hun Sok Chea Kem Bun Sam Aung Kyaw Thein Myint Soe
Zaw Htin Htun Tun Maung Thura Nyan Naing Thant Khin Nyunt Shwe
""".split()

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj",
    "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ә": "a", "ғ": "gh", "қ": "k", "ң": "ng", "ө": "o", "ұ": "u",
    "ү": "u", "һ": "h",
}
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k", "λ": "l",
    "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o",
}


def fold(name: str) -> str:
    """``name`` without diacritics ("José" -> "Jose"); letters with no ASCII base stay as they are."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def transliterate(name: str) -> str:
    """A Latin spelling of a Cyrillic or Greek name (wire-service style: "Сергей" -> "Sergey"), else ``name``."""
    table = {**_CYRILLIC, **_GREEK}
    low = fold(name.lower())
    if not any(c in table for c in low):
        return name
    out = "".join(table.get(c, c) for c in low)
    # Russian "-ий"/"-ый" endings are written "-y" in wire copy ("Yuriy" is less common than "Yury").
    out = re.sub(r"(iy|yy)$", "y", out)
    return out[:1].upper() + out[1:]


def variants(raw: str) -> set[str]:
    """Candidate given-name tokens of one source entry ("Maria José" -> Maria, José, Jose)."""
    out: set[str] = set()
    for part in raw.replace(".", " ").split():
        for cand in {part, transliterate(part)}:
            for form in {cand, fold(cand)}:
                if NAME.match(fold(form)) and len(form) >= 2:
                    out.add(form)
    return out


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        value = list(value)
    if not isinstance(value, list | tuple):
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple):  # ja_JP: (kanji, kana, romaji)
            out.extend(x for x in item if isinstance(x, str))
    return out


def faker_names() -> set[str]:
    """Faker's first names of every locale, and the (romanized) surnames of the surname-first ones."""
    import faker.providers.person as person

    names: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        for attr in dir(provider):
            if attr.startswith("_") or callable(getattr(provider, attr)):
                continue
            wanted = attr.startswith("first_") and "name" in attr
            if mod.name.split("_")[0] in SURNAME_FIRST_LOCALES and attr.startswith("last_"):
                wanted = True
            if wanted:
                for item in _strings(getattr(provider, attr)):
                    names |= variants(item)
    return names


def mimesis_names() -> set[str]:
    import mimesis

    names: set[str] = set()
    for path in sorted((Path(mimesis.__file__).parent / "datasets").glob("*/person.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        groups = data.get("names", {})
        for values in (groups.values() if isinstance(groups, dict) else [groups]):
            for item in values:
                names |= variants(item)
    return names


def census_names() -> set[str]:
    import names as census

    root = Path(census.__file__).parent
    out: set[str] = set()
    for file in ("dist.male.first", "dist.female.first"):
        for line in (root / file).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out |= variants(line.split()[0].title())
    return out


def gazetteer_names() -> set[str]:
    data = yaml.safe_load(PEOPLE.read_text(encoding="utf-8"))
    out: set[str] = set()
    for entry in data["actors"]:
        if entry.get("type") != "person" or entry.get("affiliation") in SURNAME_FIRST:
            continue
        surname = entry["name"].split()[-1]
        for full in [entry["name"], *entry.get("aliases", [])]:
            tokens = full.split()
            if len(tokens) >= 2 and tokens[-1] == surname and "." not in tokens[0]:
                out |= variants(tokens[0])
    return out


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    sources = {
        f"Faker {version('Faker')} (MIT)": faker_names(),
        f"mimesis {version('mimesis')} (MIT)": mimesis_names(),
        f"names {version('names')} (MIT; 1990 US Census lists, public domain)": census_names(),
        "inference/data/actors_people.yaml (this project)": gazetteer_names(),
        "tools/build_given_names.py EXTRA_NAMES (this project)": {n for raw in EXTRA_NAMES for n in variants(raw)},
        "tools/build_given_names.py EAST_ASIAN_SURNAMES (this project)": {
            n for raw in EAST_ASIAN_SURNAMES for n in variants(raw)},
    }
    names = set().union(*sources.values()) - EXCLUDE
    header = [
        "# Given names for recognising untitled people in actor extraction, one per line.",
        "# Generated by tools/build_given_names.py (do not edit by hand; rerun it). Sources:",
        *(f"#   {src}: {len(found)} names" for src, found in sources.items()),
        "# The list is a compilation of names (facts) from MIT-licensed and public-domain sources; it is distributed",
        "# under the project's license. It is not derived from gender-guesser or any GPL data.",
        f"# {len(names)} names.",
    ]
    args.output.write_text("\n".join([*header, *sorted(names)]) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {args.output}")
    for src, found in sources.items():
        print(f"  {len(found):6d}  {src}")


if __name__ == "__main__":
    main()
