"""Regions and towns of the route countries (knowledge/countries.yml `cities`): they resolve to their
country in every script, names a letter apart stay apart (and a misspelling between two finds
neither), and the common words left out of the file, or kept only with a cue, name no place. The
example sentences are written for these tests."""
from __future__ import annotations

import pytest

from retrieval.countries import find_countries
from retrieval.place_replies import resolve_country
from retrieval.story_slots import story_countries


@pytest.mark.parametrize("text, expected", [
    # Libya, Niger, Tunisia, Algeria, Morocco, Egypt
    ("Sabratha", "libya"), ("صبراتة", "libya"), ("Sirte", "libya"), ("Abu Salim", "libya"), ("Fezzan", "libya"),
    ("Tahoua", "niger"), ("Yamai", "niger"), ("Birnin Konni", "niger"), ("Ben Guerdane", "tunisia"),
    ("جبنيانة", "tunisia"), ("Maghnia", "algeria"), ("Bordj Badji Mokhtar", "algeria"), ("تمنراست", "algeria"),
    ("Fès", "morocco"), ("Gourougou", "morocco"), ("Laâyoune-Sakia El Hamra", "morocco"), ("Salloum", "egypt"),
    ("كفر الشيخ", "egypt"), ("المنيا", "egypt"),
    # Sudan, Ethiopia, Eritrea, Somalia, Djibouti, Yemen, Saudi Arabia, Chad
    ("Wad Madani", "sudan"), ("الفاشر", "sudan"), ("Nuba Mountains", "sudan"), ("ወሎ", "ethiopia"),
    ("Oromia", "ethiopia"), ("ባሕር ዳር", "ethiopia"), ("Hawassa", "ethiopia"), ("Somali Region", "ethiopia"),
    ("Togo Wuchale", "ethiopia"), ("ምጽዋዕ", "eritrea"), ("Gash Barka", "eritrea"), ("ዞባ ደቡብ", "eritrea"),
    ("Kismaayo", "somalia"), ("Burco", "somalia"), ("Laascaanood", "somalia"), ("Ali Sabieh", "djibouti"),
    ("Hodeidah", "yemen"), ("حضرموت", "yemen"), ("Khamis Mushait", "saudi_arabia"), ("Abéché", "chad"),
    ("Kouri Bougoudi", "chad"),
    # West Africa
    ("Yélimané", "mali"), ("Tambacounda", "senegal"), ("Kankan", "guinea"), ("Guinée forestière", "guinea"),
    ("Brikama", "gambia"), ("Bafatá", "guinea_bissau"), ("Kaédi", "mauritania"), ("jihar Kano", "nigeria"),
    ("Potakot", "nigeria"), ("Uromi", "nigeria"), ("Takoradi", "ghana"), ("Daloa", "cote_divoire"),
    ("Bobo-Dioulasso", "burkina_faso"), ("Kenema", "sierra_leone"), ("Monrovia", "liberia"), ("Lomé", "togo"),
    ("Cotonou", "benin"), ("Buea", "cameroon"),
    # elsewhere
    ("Juba", "south_sudan"), ("Dadaab", "kenya"), ("Kampala", "uganda"), ("Sylhet", "bangladesh"),
    ("Ceuta", "spain"), ("Crete", "greece"), ("Palermo", "italy"), ("Dubai", "uae"), ("Kuwait City", "kuwait"),
])
def test_route_regions_and_towns_resolve(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text, expected", [
    # names one letter or so apart, each its own place
    ("gambela", "ethiopia"), ("gambia", "gambia"), ("harar", "ethiopia"), ("harare", "zimbabwe"),
    ("hararghe", "ethiopia"), ("assab", "eritrea"), ("assaba", "mauritania"), ("asaba", "nigeria"),
    ("kumasi", "ghana"), ("koumassi", "cote_divoire"), ("garoua", "cameroon"), ("gaoua", "burkina_faso"),
    ("kebbi", "nigeria"), ("mayo kebbi", "chad"), ("adamawa", "nigeria"), ("adamaoua", "cameroon"),
    ("niger", "niger"), ("niger state", "nigeria"), ("zouar", "chad"), ("zouara", "libya"), ("sebta", "spain"),
    ("sebha", "libya"), ("syrte", "libya"), ("syrie", "syria"), ("sousse", "tunisia"), ("mednine", "tunisia"),
    ("sanaag", "somalia"), ("sanaa", "yemen"), ("hiiraan", "somalia"), ("iiraan", "iran"), ("karbala", "iraq"),
    ("kabala", "sierra_leone"), ("luanda", "angola"), ("uganda", "uganda"), ("المانيا", "germany"),
    ("نابل", "tunisia"), ("نابلس", "palestine"), ("عجمان", "uae"), ("togo", "togo"), ("somali", "somalia"),
    ("guinee forestiere", "guinea"), ("guinea bissau", "guinea_bissau"), ("equatorial guinea", "equatorial_guinea"),
    # misspellings still find their own place, or nothing when two are as near
    ("gambella", "ethiopia"), ("gambiaa", "gambia"), ("harrar", "ethiopia"), ("kebbbi", "nigeria"),
    ("liberiya", "liberia"), ("libiyaa", "libya"), ("nigerr", "niger"), ("nijeria", "nigeria"),
    ("kumassi", None), ("sebtha", None), ("libe", None),
])
def test_near_neighbours_never_match_each_other(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text", [
    # left out of the file: common words in one of the nine languages, and a first name
    "man", "bo", "kita", "mao", "gaya", "goma", "kaya", "kara", "tema", "volta", "praia", "beira", "nice", "nema",
    "guji", "matam", "tanta", "saida", "damas", "rio", "bari", "bay", "marka", "basse", "bobo", "fada", "oyo",
    "adama", "hadiya", "afar", "medina", "ባሌ", "መዲና", "ደቡብ", "ማእከል", "القبائل", "الاقصر", "الصعيد", "لعصابة",
    "كيفة", "المدينة", "koonfur galbeed", "woqooyi galbeed", "north west", "mocha", "saada", "faya", "ho", "wa",
    "lira", "dar", "sal", "bula", "soma", "pita", "kati", "san", "nara", "fez", "sale", "safi", "menton", "bougie",
    "souss", "medine", "le cap", "أدري", "الخمس", "كابل", "بشار", "الوادي",
])
def test_common_words_are_no_place_names(text):
    assert find_countries(text) == []


@pytest.mark.parametrize("text, expected", [
    ("eles me matam se eu voltar", (None, None)), ("na gode, ina nema aiki", (None, None)),
    ("tanta gente no barco", (None, None)), ("a saída do centro", (None, None)),
    ("ضربوني بفاس", (None, None)), ("انا في فاس", ("morocco", None)),  # فاس is also "an axe": only with its cues
    ("my friend Doha helped me", (None, None)), ("I work in Doha", ("qatar", None)),
    ("ابو سليم اخذ جوازي", (None, None)), ("انا محبوس في ابو سليم", ("libya", None)),
    ("الحديدة مكسورة", (None, None)), ("انا من الجنينة", (None, "sudan")),
])
def test_place_names_that_are_common_words_count_only_with_their_cue(text, expected):
    assert story_countries(text) == expected
