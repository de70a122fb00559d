"""Countries and cities (knowledge/countries.yml, bot/retrieval/countries.py): resolving an answer,
no fuzzy false match between look-alike countries, and the host/origin countries of a story."""
from __future__ import annotations

from collections import defaultdict

import pytest

from bot.retrieval.countries import (
    HOST, ORIGIN, _cues, _norm, find_countries, load_cities, load_countries, resolve_country, story_countries,
)

LANGUAGES = ("en", "fr", "ar", "ha", "pcm", "so", "ti", "am", "pt")
AFRICA = {
    "algeria", "angola", "benin", "botswana", "burkina_faso", "burundi", "cameroon", "cape_verde",
    "central_african_republic", "chad", "comoros", "congo", "dr_congo", "cote_divoire", "djibouti", "egypt",
    "equatorial_guinea", "eritrea", "eswatini", "ethiopia", "gabon", "gambia", "ghana", "guinea", "guinea_bissau",
    "kenya", "lesotho", "liberia", "libya", "madagascar", "malawi", "mali", "mauritania", "mauritius", "morocco",
    "mozambique", "namibia", "niger", "nigeria", "rwanda", "sao_tome_and_principe", "senegal", "seychelles",
    "sierra_leone", "somalia", "south_africa", "south_sudan", "sudan", "tanzania", "togo", "tunisia", "uganda",
    "zambia", "zimbabwe",
}
MIDDLE_EAST = {"yemen", "saudi_arabia", "lebanon", "jordan", "syria", "iraq", "kuwait", "uae", "qatar", "oman",
               "bahrain", "israel", "palestine", "turkey", "iran"}
SOUTH_ASIA = {"bangladesh", "pakistan", "india", "sri_lanka", "nepal", "afghanistan"}
EUROPE = {"italy", "spain", "malta", "greece", "france", "germany"}


def test_the_file_covers_the_regions_in_every_language():
    countries = load_countries()
    ids = [c.id for c in countries]
    assert len(AFRICA) == 54 and len(ids) == len(set(ids))
    assert set(ids) == AFRICA | MIDDLE_EAST | SOUTH_ASIA | EUROPE
    assert sum(c.joint_initiative for c in countries) == 26
    for c in countries:
        assert all(c.names.get(code) for code in LANGUAGES), c.id


def test_no_name_belongs_to_two_countries_and_cities_point_to_known_countries():
    owners = defaultdict(set)
    for c in load_countries():
        for names in c.names.values():
            for name in names:
                owners[_norm(name)].add(c.id)
    ids = {c.id for c in load_countries()}
    for city in load_cities():
        assert city.country in ids, city.name
        for name in (city.name, *city.names):
            owners[_norm(name)].add(city.country)
    assert not {name: found for name, found in owners.items() if len(found) > 1}


def test_cue_words_are_data_for_every_language():
    from bot.retrieval.countries import _doc

    cues = _doc().get("cues")
    for role in ("host", "origin"):
        assert set(LANGUAGES) <= set(cues[role]), role
    assert _cues().phrases and _cues().attached


@pytest.mark.parametrize("text, expected", [
    # look-alike countries, both ways
    ("liberia", "liberia"), ("Liberian", "liberia"), ("Libéria", "liberia"), ("libya", "libya"),
    ("libia", "libya"), ("lybia", "libya"), ("lbya", "libya"), ("libyaa", "libya"), ("liberiaa", "liberia"),
    ("nigeria", "nigeria"), ("niger", "niger"), ("nigerian", "nigeria"), ("nigerien", "niger"),
    ("nigerr", "niger"), ("nigeriaa", "nigeria"), ("Najeriya", "nigeria"), ("Nijar", "niger"),
    ("النيجر", "niger"), ("نيجيريا", "nigeria"),
    ("guinea", "guinea"), ("guinea bissau", "guinea_bissau"), ("Guinée-Bissau", "guinea_bissau"),
    ("equatorial guinea", "equatorial_guinea"), ("Guinée équatoriale", "equatorial_guinea"),
    ("guinee conakry", "guinea"), ("guinee bisau", "guinea_bissau"), ("Guiné", "guinea"),
    ("sudan", "sudan"), ("south sudan", "south_sudan"), ("Soudan du Sud", "south_sudan"), ("soudan", "sudan"),
    ("sudaan", "sudan"), ("south sudann", "south_sudan"), ("جنوب السودان", "south_sudan"), ("السودان", "sudan"),
    ("mali", "mali"), ("malawi", "malawi"), ("malta", "malta"), ("congo", "congo"), ("rdc", "dr_congo"),
    # Arabizi, nationality words, scripts, other regions
    ("masr", "egypt"), ("مصر", "egypt"), ("ኤርትራዊ", "eritrea"), ("soudanais", "sudan"), ("Soomaaliya", "somalia"),
    ("السعودية", "saudi_arabia"), ("Liban", "lebanon"), ("Bangladesh", "bangladesh"), ("Grèce", "greece"),
    ("ጀርመን", "germany"), ("Afeganistão", "afghanistan"),
    # attached Arabic / Ethiopic prefixes
    ("بليبيا", "libya"), ("والسودان", "sudan"), ("للسودان", "sudan"), ("بجنوب السودان", "south_sudan"),
    ("ከኢትዮጵያ", "ethiopia"),
    # misspellings
    ("senegall", "senegal"), ("ethopia", "ethiopia"), ("eritria", "eritrea"), ("somalya", "somalia"),
    ("moroco", "morocco"), ("afganistan", "afghanistan"), ("bangladsh", "bangladesh"), ("itally", "italy"),
])
def test_countries_resolve(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Tripoli", "libya"), ("trablus", "libya"), ("طرابلس", "libya"), ("ትሪፖሊ", "libya"), ("Sebha", "libya"),
    ("سبها", "libya"), ("بنغازي", "libya"), ("Bani Walid", "libya"), ("Kufra", "libya"), ("tripolli", "libya"),
    ("Agadez", "niger"), ("أغاديس", "niger"), ("Assamaka", "niger"), ("Sfax", "tunisia"), ("Zarzis", "tunisia"),
    ("In Guezzam", "algeria"), ("تمنراست", "algeria"), ("Oujda", "morocco"), ("طنجة", "morocco"),
    ("Tombouctou", "mali"), ("القاهرة", "egypt"), ("Khartoum", "sudan"), ("Port Sudan", "sudan"),
    ("ከሰላ", "sudan"), ("القضارف", "sudan"), ("አዲስ አበባ", "ethiopia"), ("Metema", "ethiopia"),
    ("ጎንደር", "ethiopia"), ("Obock", "djibouti"), ("Djibouti City", "djibouti"), ("عدن", "yemen"),
    ("صنعاء", "yemen"), ("Muqdisho", "somalia"), ("Bosaso", "somalia"), ("Hargeisa", "somalia"),
    ("جدة", "saudi_arabia"), ("Jazan", "saudi_arabia"), ("Lagos", "nigeria"), ("Benin City", "nigeria"),
    ("Benin", "benin"), ("N'Djamena", "chad"), ("Nouadhibou", "mauritania"), ("ኣስመራ", "eritrea"),
    ("Nairobi", "kenya"), ("بيروت", "lebanon"), ("Lampedusa", "italy"), ("Canarias", "spain"),
])
def test_cities_resolve_to_their_country(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text", [
    "hello", "yes", "1", "lib", "", "banana", "woman", "I am a woman", "ok thanks", "asdfgh",
    "nigeri",  # as close to niger as to nigeria: no guess
    "libiria",  # as close to libya ("libia") as to liberia
])
def test_non_countries_and_unclear_misspellings_do_not_resolve(text):
    assert resolve_country(text) is None


@pytest.mark.parametrize("text, expected", [
    ("I am from Niger", "niger"), ("I am from Nigeria", "nigeria"),
    ("mali tripolli", "mali"),  # an exact name wins over a guess
    ("je suis au Niger", "niger"), ("guinea bissau please", "guinea_bissau"),
])
def test_an_exact_name_is_never_overridden_by_a_guess(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("je suis a tripoli je veux rentrer au mali", ("libya", "mali")),
    ("I am in Libya 2 years my boss take my passport i want go back to Nigeria", ("libya", "nigeria")),
    ("ana f libya mn sudan bdi arj3", ("libya", "sudan")),
    ("انا في طرابلس من السودان", ("libya", "sudan")),
    ("ina Agadez, daga Najeriya nake", ("niger", "nigeria")),
    ("we dey Sabha, we from Ghana", ("libya", "ghana")),
    ("estou em Tunis, sou da Guiné-Bissau", ("tunisia", "guinea_bissau")),
    ("Waxaan joogaa Liibiya, waxaan ka imid Soomaaliya", ("libya", "somalia")),
    ("ኣብ ሊብያ ኣለኹ ካብ ኤርትራ እየ", ("libya", "eritrea")),
    ("ሊቢያ ውስጥ ነኝ ከኢትዮጵያ", ("libya", "ethiopia")),
    ("انا سوداني عايش بليبيا", ("libya", "sudan")),
    ("I am a Nigerian living in Libya", ("libya", "nigeria")),
    ("je suis malien, je vis en Algérie", ("algeria", "mali")),
    ("je veux rentrer chez moi au Cameroun, je suis bloqué à Sfax", ("tunisia", "cameroon")),
    ("Estou na Líbia e quero voltar para a Guiné", ("libya", "guinea")),
    ("I left Eritrea, crossed Sudan and now I am in Libya", ("libya", "eritrea")),
    ("bdi arj3 masr", (None, "egypt")),
    ("I want to go home. Please help. Sudan.", (None, "sudan")),  # after a wish to go home
    ("i want to go home to mali. life here is bad, libya", ("libya", "mali")),  # the other one, "here"
    ("Libya and Niger", (None, None)),  # no cue: no guess
    ("مالي فلوس", (None, None)),  # "I have no money", not Mali
    ("انا من مالي", (None, "mali")),
    ("my friend chad is in tripoli", ("libya", None)),
])
def test_story_countries(text, expected):
    assert story_countries(text) == expected


def test_find_countries_keeps_the_name_as_written_and_its_role():
    found = find_countries("estou em Tunis, sou da Guiné-Bissau")
    assert [(m.country_id, m.role, m.name) for m in found] == [
        ("tunisia", HOST, "Tunis"), ("guinea_bissau", ORIGIN, "Guiné-Bissau")]
    found = find_countries("Libya and Niger, بليبيا")
    assert [(m.country_id, m.role, m.name) for m in found] == [
        ("libya", None, "Libya"), ("niger", None, "Niger"), ("libya", HOST, "بليبيا")]
