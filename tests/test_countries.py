"""Countries and cities (knowledge/countries.yml, retrieval/countries.py): resolving an answer,
no fuzzy false match between look-alike countries, and the host/origin countries of a story
(nationality words, cue words in every language, defaults when no cue decides). The example
sentences are written for these tests."""
from __future__ import annotations

from collections import defaultdict

import pytest

from retrieval.countries import HOST, ORIGIN, _cues, _norm, find_countries, load_cities, load_countries, without_places
from retrieval.place_replies import resolve_country
from retrieval.story_needs import wants_to_go_home
from retrieval.story_slots import story_countries

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
AMERICAS = {"brazil"}


def test_the_file_covers_the_regions_in_every_language():
    countries = load_countries()
    ids = [c.id for c in countries]
    assert len(AFRICA) == 54 and len(ids) == len(set(ids))
    assert set(ids) == AFRICA | MIDDLE_EAST | SOUTH_ASIA | EUROPE | AMERICAS
    assert sum(c.joint_initiative for c in countries) == 26
    for c in countries:
        assert all(c.names.get(code) for code in LANGUAGES), c.id


def test_no_name_belongs_to_two_places_and_places_point_to_known_countries():
    owners = defaultdict(set)  # a country (its names and nationality words) is one place, each city or region one
    for c in load_countries():
        for names in (*c.names.values(), *c.demonyms.values()):  # nationality words with their forms
            for name in names:
                owners[_norm(name)].add(c.id)
    ids = {c.id for c in load_countries()}
    for city in load_cities():
        assert city.country in ids, city.name
        for name in (city.name, *city.names):
            owners[_norm(name)].add(f"{city.country}/{city.name}")
    assert not {name: found for name, found in owners.items() if len(found) > 1}


JOINT_INITIATIVE_AND_HOSTS_MIN_PLACES = 8  # the capital and the largest towns, hubs and border towns at least
HOSTS = {"libya", "niger", "tunisia", "algeria", "morocco", "egypt", "sudan", "djibouti", "yemen", "ethiopia",
         "mali", "chad"}


def test_route_countries_have_their_regions_and_towns():
    places = defaultdict(set)
    for city in load_cities():
        places[city.country].add(city.name)
    focus = {c.id for c in load_countries() if c.joint_initiative} | HOSTS
    assert len(focus) == 27  # Yemen is the one host country outside the Joint Initiative
    assert not {c: len(places[c]) for c in focus if len(places[c]) < JOINT_INITIATIVE_AND_HOSTS_MIN_PLACES}
    # every African country but two whose capital shares a name (São Tomé) or a common word (Victoria)
    assert {c for c in AFRICA if not places[c]} == {"sao_tome_and_principe", "seychelles"}
    regions = {(city.country, city.name) for city in load_cities() if city.region}
    assert {("ethiopia", "Wollo"), ("ethiopia", "Tigray"), ("ethiopia", "Oromia"), ("nigeria", "Kebbi"),
            ("nigeria", "Niger State"), ("somalia", "Puntland"), ("somalia", "Banaadir"), ("eritrea", "Anseba"),
            ("eritrea", "Gash-Barka"), ("sudan", "Kordofan"), ("sudan", "Gezira"), ("guinea", "Fouta Djallon"),
            ("senegal", "Casamance"), ("gambia", "North Bank Region"), ("mauritania", "Trarza"),
            ("chad", "Tibesti"), ("ghana", "Ashanti"), ("morocco", "Souss-Massa")} <= regions


def test_cue_words_are_data_for_every_language():
    from retrieval.countries import _doc

    cues = _doc().get("cues")
    for role in ("host", "origin", "home", "leave", "toward", "embassy"):
        assert set(LANGUAGES) <= set(cues[role]), role
    assert _cues().phrases and _cues().prefixes and _cues().now and _cues().others


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
    ("my friend chad is in tripoli", (None, None)),  # where a friend is says nothing about the person
    ("I am in tripoli with my friend chad", ("libya", None)),
    ("tô em trípoli, cansado desse mambo, quero bazar pra angola", ("libya", None)),  # "desse": of this, not Dessie
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


# --- nationality words (`demonyms`): the person's origin -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("ana sudani", "sudan"), ("انا سودانية", "sudan"), ("احنا سودانيين", "sudan"),
    ("je suis malien", "mali"), ("je suis malienne", "mali"), ("nous sommes maliens", "mali"),
    ("I be Ghana man", "ghana"), ("i be ghanaian", "ghana"), ("we be Nigerians", "nigeria"),
    ("sou brasileira", "brazil"), ("sou angolana", "angola"), ("somos guineenses", "guinea_bissau"),
    ("wiil soomaali ah ayaan ahay", "somalia"), ("naag soomaali ah", "somalia"),
    ("ኤርትራዊ እየ", "eritrea"), ("ኤርትራዊት እየ", "eritrea"), ("ኢትዮጵያዊ ነኝ", "ethiopia"),
    ("ኤርትራውያን ኢና", "eritrea"), ("ertrawi eye", "eritrea"),
    ("ni dan Nigeria ne", "nigeria"), ("dan Najeriya", "nigeria"), ("ni ɗan Najeriya ne", "nigeria"),
    ("I am a Sudanese woman", "sudan"),  # a person word right after "I am a" stays the person's
    ("ana masriya", "egypt"), ("Waxaan ahay gabar Soomaaliyeed oo 22 jir ah", "somalia"),
])
def test_a_nationality_word_is_the_origin(text, expected):
    assert story_countries(text) == (None, expected)


@pytest.mark.parametrize("text", [
    "the libyan police took my passport", "a Libyan man took my phone", "I worked for a Libyan man",
    "I speak Somali", "vous parlez somali", "la police libyenne m'a arrêté", "الشرطة الليبية اخذت جوازي",
    "عندي جنيه سوداني", "af soomaali ma ku hadli kartaa", "the conditions in libyan detention are bad",
])
def test_a_nationality_word_about_someone_else_says_nothing(text):
    assert story_countries(text) == (None, None)


@pytest.mark.parametrize("text, expected", [
    ("malienne", "mali"), ("سودانية", "sudan"), ("nigerians", "nigeria"), ("brasileiro", "brazil"),
    ("ኤርትራዊት", "eritrea"), ("guinéenne", "guinea"), ("senegalesa", "senegal"),
])
def test_nationality_words_and_their_forms_resolve(text, expected):
    assert resolve_country(text) == expected


# --- cue words, per language -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # Amharic
    ("ሊቢያ ነኝ", ("libya", None)), ("የመን ውስጥ ነኝ", ("yemen", None)), ("ሳውዲ ላይ ነኝ", ("saudi_arabia", None)),
    ("ጅቡቲ አለሁ", ("djibouti", None)), ("ከኢትዮጵያ ነው የመጣሁት", (None, "ethiopia")), ("ከኢትዮጵያ ነኝ", (None, "ethiopia")),
    ("ወደ ኢትዮጵያ መመለስ እፈልጋለሁ", (None, "ethiopia")), ("ከሊቢያ መውጣት እፈልጋለሁ", ("libya", None)),
    ("ethiopia negn", ("ethiopia", None)), ("ke ethiopia negn", (None, "ethiopia")),
    # Tigrinya
    ("ኣብ ሊብያ ኣለኹ", ("libya", None)), ("ኣብ ሱዳን እየ", ("sudan", None)), ("ካብ ኤርትራ", (None, "eritrea")),
    ("ናብ ኤርትራ ክምለስ እደሊ", (None, "eritrea")), ("ካብ ሊብያ ክወጽእ እደሊ", ("libya", None)),
    ("ab libya alekhu kab eritrea eye", ("libya", "eritrea")),
    # Somali
    ("Yemen ayaan joogaa", ("yemen", None)), ("Liibiya joogaa", ("libya", None)),
    ("Yemen ayaan ku sugnahay", ("yemen", None)), ("Itoobiya ka imid", (None, "ethiopia")),
    ("Soomaaliya ayaan ka imid", (None, "somalia")), ("Yemen uga baxaa", ("yemen", None)),
    ("waxaan rabaa inaan ka baxaa Yemen", ("yemen", None)), ("Soomaaliya ugu laabtaa", (None, "somalia")),
    ("waxaan rabaa inaan ku laabto Soomaaliya", (None, "somalia")),
    ("Liibiya joogaa Soomaaliya ka imid", ("libya", "somalia")),  # "joogaa" is Liibiya's, not Soomaaliya's
    ("Soomaaliya ka imid Liibiya joogaa", ("libya", "somalia")),
    # Hausa
    ("ina Libiya", ("libya", None)), ("muna Aljeriya", ("algeria", None)), ("daga Najeriya", (None, "nigeria")),
    ("ina son koma Najeriya", (None, "nigeria")),
    # Pidgin
    ("I dey Libya", ("libya", None)), ("we dey Algeria", ("algeria", None)), ("life hard for Libya", ("libya", None)),
    ("I come from Ghana", (None, "ghana")), ("I wan go back Nigeria", (None, "nigeria")),
    ("I be Ghana man, I dey suffer for Libya", ("libya", "ghana")),
    # Arabic and Arabizi
    ("انا في ليبيا", ("libya", None)), ("انا فى ليبيا", ("libya", None)), ("انا ف ليبيا", ("libya", None)),
    ("قاعد في ليبيا", ("libya", None)), ("جيت ليبيا من سنتين", ("libya", None)), ("من السودان", (None, "sudan")),
    ("ابغى ارجع اثيوبيا", (None, "ethiopia")), ("بدي ارجع ل سوريا", (None, "syria")),
    ("نبي نرجع على مصر", (None, "egypt")), ("وارجع السودان", (None, "sudan")),
    ("بدي اطلع من ليبيا", ("libya", None)), ("كيف اخرج من اليمن", ("yemen", None)),
    ("ana f libya", ("libya", None)), ("ana fi tunis", ("tunisia", None)), ("ana mn sudan", (None, "sudan")),
    ("bghit arja3 l maroc", (None, "morocco")),
    # French
    ("je suis à Agadez", ("niger", None)), ("je suis au Maroc", ("morocco", None)),
    ("je suis en Libye", ("libya", None)), ("je suis de Guinée", (None, "guinea")),
    ("je veux rentrer à Bamako", (None, "mali")), ("je veux rentrer au Cameroun", (None, "cameroon")),
    ("comment sortir de Libye", ("libya", None)), ("je rentre au mboa", (None, "cameroon")),
    # Portuguese
    ("tô em Marrocos", ("morocco", None)), ("estou em Argélia", ("algeria", None)), ("sou de Angola", (None, "angola")),
    ("quero voltar pra Guiné-Bissau", (None, "guinea_bissau")), ("como sair de Líbia", ("libya", None)),
    # English
    ("how can I leave Libya", ("libya", None)), ("help me get out of Yemen", ("yemen", None)),
    ("I had to leave Eritrea", (None, "eritrea")),
])
def test_cue_words_in_every_language(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text", [
    "how do I go to Italy", "before i go to Tamanrasset tell me the dangers", "mon cousin veut aller en Libye",
    "ወደ ላምፔዱሳ የባህር ጉዞ አደጋ አለው", "كيف الطريق لليبيا", "hanyar zuwa Sabha", "risco do barco pra Itália",
    "my sister is in Lagos", "my brother wants to leave Agadez", "I was in Algeria last year",
    "student visa for Italy", "when we reach Agadez we rest", "quand on arrive en Libye on travaille",
    "لما نوصل ليبيا نشتغل", "the airport in Tripoli is closed",
])
def test_a_way_to_a_place_or_someone_else_there_says_nothing(text):
    """...and arriving somewhere up the routes (or landing on the coast) says nothing either."""
    assert story_countries(text) == (None, None)


# --- defaults when no cue decides --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # a city named without a cue is where the person is...
    ("life in Tripoli is hard", ("libya", None)), ("Tripoli. help", ("libya", None)),
    ("IOM office Agadez where", ("niger", None)), ("I am Nigerian, Tripoli, no work", ("libya", "nigeria")),
    ("I came via Agadez, now in Tripoli, I am Nigerian", ("libya", "nigeria")),
    # ...not when it is in the origin country, after a wish to go home, or one of several countries
    ("I am from Nigeria, Lagos", (None, "nigeria")), ("I want to go home. Lagos", (None, None)),
    ("I passed Agadez and Sabha", (None, None)), ("Edo girl, please help", (None, None)),  # a region
    ("I miss mboa", (None, None)),  # "home" (Cameroon) says where the person comes from, not where they are
    # a wish to go home: the only country after it is the origin (or the way "to" it)
    ("I want to go home. Please help. Sudan.", (None, "sudan")),
    ("how can i go back from Libya to Sudan", ("libya", "sudan")), ("بدي ارجع من ليبيا للسودان", ("libya", "sudan")),
    # the only other country is the host when the origin is known and the person asks about going
    ("I am Nigerian, Libya is hard, how can I go home", ("libya", "nigeria")),
    ("I am Nigerian, Libya, how to travel?", ("libya", "nigeria")),
    ("I am Nigerian. Libya", (None, "nigeria")),  # no question about going: no guess
    # "from X go back to Y": X is where the person is
    ("from Libya go back to Nigeria", ("libya", "nigeria")), ("ከሊቢያ ወደ ኢትዮጵያ መመለስ እፈልጋለሁ", ("libya", "ethiopia")),
    ("I am from Eritrea but I want to go back to Ethiopia", (None, "eritrea")),  # "I am from": the origin
    ("ana mn sudan w bdi arj3 l sudan", (None, "sudan")),
    # where the person is now
    ("they beat me in Libya before, now I am in Niger", ("niger", None)),
    ("ከዚህ በፊት ሊቢያ ውስጥ ደብድበውኛል አሁን ኒጀር ነኝ", ("niger", None)),
    # a city the person came from in the country they are in is no origin
    ("وصلت صنعاء من عدن", ("yemen", None)),
])
def test_defaults_when_no_cue_decides(text, expected):
    assert story_countries(text) == expected


def test_no_cue_reaches_across_a_sentence():
    assert story_countries("I want to go home. Tripoli") == (None, None)  # neither home nor, after the wish, host
    assert story_countries("Tripoli. I want to go home") == ("libya", None)
    assert story_countries("I want to go home to Mali") == (None, "mali")


# --- cities people name ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Cadan", "yemen"), ("Sanca", "yemen"), ("تعز", "yemen"), ("Ras al Ara", "yemen"), ("ጂዛን", "saudi_arabia"),
    ("ሪያድ", "saudi_arabia"), ("ጅዳ", "saudi_arabia"), ("Jigjiga", "ethiopia"), ("መቐለ", "ethiopia"),
    ("ደሴ", "ethiopia"), ("ጅማ", "ethiopia"), ("ሆሳዕና", "ethiopia"), ("ሑመራ", "ethiopia"), ("ሽረ", "ethiopia"),
    ("ማይ ዓይኒ", "ethiopia"), ("Keren", "eritrea"), ("ካሰላ", "sudan"), ("خرطوم", "sudan"), ("ሸገራብ", "sudan"),
    ("ሓምዳይት", "sudan"), ("Um Rakuba", "sudan"), ("Darfur", "sudan"), ("Beledweyne", "somalia"),
    ("Galkacyo", "somalia"), ("Boorama", "somalia"), ("ዛውያ", "libya"), ("Ain Zara", "libya"),
    ("Tariq al Sikka", "libya"), ("ዙዋራ", "libya"), ("Katsina", "nigeria"), ("Sokoto", "nigeria"),
    ("Borno", "nigeria"), ("Accra", "ghana"), ("Kumasi", "ghana"), ("Freetown", "sierra_leone"),
    ("Salone", "sierra_leone"), ("Douala", "cameroon"), ("Yaoundé", "cameroon"), ("Bamenda", "cameroon"),
    ("Ségou", "mali"), ("Kayes", "mali"), ("Maputo", "mozambique"), ("Joburg", "south_africa"),
    ("joanesburgo", "south_africa"), ("Abidjan", "cote_divoire"), ("Dakar", "senegal"), ("Casablanca", "morocco"),
])
def test_more_cities_resolve_to_their_country(text, expected):
    assert resolve_country(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("je suis à Casa", ("morocco", None)),  # Casablanca, with a French cue...
    ("quero voltar pra casa", (None, None)), ("estou em casa", (None, None)),  # ..."home" in Portuguese
    ("አዲስ ስልክ እፈልጋለሁ", (None, None)), ("I am in Addis", ("ethiopia", None)),  # አዲስ is "new"
    ("Delta airlines", (None, None)), ("I am from Delta", (None, "nigeria")),
    ("zan sami kudi na fara sana'a", (None, None)),  # Hausa "trade", not Sanaa
    ("وصلت وجدة", ("morocco", None)),  # Oujda, not و + جدة
])
def test_names_that_are_common_words_need_their_cue(text, expected):
    assert story_countries(text) == expected


def test_find_countries_gives_a_nationality_word_its_role():
    found = find_countries("je suis malienne, bloquée à Sfax")
    assert [(m.country_id, m.role, m.name) for m in found] == [("mali", ORIGIN, "malienne"), ("tunisia", HOST, "Sfax")]


def test_regions_are_marked():
    regions = {city.name for city in load_cities() if city.region}
    assert {"Darfur", "Borno", "Edo", "Delta", "Mboa"} <= regions and "Lagos" not in regions



@pytest.mark.parametrize("text, origin", [
    # arriving in a country people come from is arriving home
    ("what happens when i reach Dakar", "senegal"), ("wen we reach Abidjan dem go help us?", "cote_divoire"),
    ("quand j'arrive a Conakry qui m'accueille", "guinea"), ("لما اوصل انجامينا في مساعدة؟", None),
    ("idan na isa Kano me zai faru", "nigeria"), ("quando eu chegar em Bissau o que acontece", "guinea_bissau"),
    ("ኢትዮጵያ ስደርስ ምን ይሆናል", "ethiopia"), ("marka aan gaaro Hargeysa maxaa dhacaya", "somalia"),
    # landing: nobody flies north, so a country crossed on the way is home too
    ("what happens at the airport in Niamey", "niger"), ("في مطار الخرطوم بيعملوا شنو", "sudan"),
    ("a l'aeroport de Bamako il y a quelqu'un?", "mali"), ("when we land for Lagos wetin go happen", "nigeria"),
    # reaching a country crossed on the way north by road is not (yet) home
    ("when i reach Bamako i will call", None),
])
def test_arriving_in_a_home_country_names_the_origin(text, origin):
    assert story_countries(text) == (None, origin)


def test_arriving_home_keeps_where_the_person_is():
    assert story_countries("I dey Tripoli, when I reach Accra wetin go happen") == ("libya", "ghana")


@pytest.mark.parametrize("text, expected", [
    ("we stay for Gargaresh, police dey catch people", ("libya", None)),
    ("estou em Argel sem trabalho", ("algeria", None)),
    ("waxaan joogaa Qaahira", ("egypt", None)),
    ("ana masry w 3ayez arga3", (None, "egypt")),
    ("ana tchadi fi sabha", ("libya", "chad")),
    ("ኣብ ሳብሃ ኣለኹ", ("libya", None)),
    # informal spellings of "I am in" (Somali) and of going home (Krio, Egyptian Arabizi, Kriol)
    ("jabuuti ayan joga, shaqo ma hayo", ("djibouti", None)),
    ("ana waxan joga Sanca", ("yemen", None)),
    ("A de na Zawiya, Libya. A wan go bak Salone", ("libya", "sierra_leone")),
    ("ana fi tarhuna, 3ayez arga3 masr", ("libya", "egypt")),
    ("como é que n faz pa bai nha tera? sta na líbia", ("libya", None)),
])
def test_places_and_nationalities_as_migrants_write_them(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("i want to go home to ghana i am in niamey", "i want to go home to  i am in "),
    ("jveux rentrer en guinée je suis a bamako", "jveux rentrer en  je suis a "),
    ("انا سوداني في طرابلس داير ارجع السودان", "انا  في  داير ارجع "),
    ("ጅዳ ነኝ ከሳውዲ ወደ ኢትዮጵያ መመለስ እፈልጋለሁ", " ነኝ  ወደ  መመለስ እፈልጋለሁ"),
    ("which countries does the programme cover", "which countries does the programme cover"),
    ("", ""),
])
def test_place_names_are_taken_out_of_what_the_ranker_reads(text, expected):
    assert without_places(text) == expected


@pytest.mark.parametrize("text", [
    "ana masry fi tarhuna, 3ayez arga3 masr bs mafeesh m3aya",
    "A wan go bak Salone bot a no get paspot",
    "dalka kuso laaban rabaa laakin lcg ma haysto",
    "sidee ku laabta Xamar?",
    "como é que n faz pa bai nha tera?",
    "نبي نعرف كيف نروح لبلادي",
    "waan daalay, waxaan doonayaa inaan guriga aado",         # Somali: "go to the house" is going home
    "صاحبي تعبان وبدو يرجع لبلاده",                             # someone the person helps
])
def test_a_wish_to_go_home_as_migrants_write_it(text):
    assert wants_to_go_home(text)


@pytest.mark.parametrize("text", ["waxaan joogaa guriga", "guriga ayaan joogaa hadda"])  # at home now: no wish
def test_being_in_a_house_is_no_wish_to_go_home(text):
    assert not wants_to_go_home(text)


@pytest.mark.parametrize("text, expected", [
    # a city has no embassy: "embassy" after Misrata says nothing of it, "ina" (I am in) does
    ("bros ina Misrata, embassy dinmu na Tripoli kuma road din babu kyau", ("libya", None)),
    ("A de na Tripoli. Mi padi tel mi se IOM de ep pipul", ("libya", None)),  # Krio
    ("ola mana, ami i di bissau, n sta na oran", ("algeria", "guinea_bissau")),  # Kriol
    ("Waxaan ahay shaqaale guri oo Riyadh jooga", ("saudi_arabia", None)),
    ("on é dan la forê a côté de nador depi 6 mwa", ("morocco", None)),
    ("ኣብ ጦብሩቅ ኣለና", ("libya", None)), ("ኣብ ሓጅዝ ዓይን ዛራ ካብ 2 ወርሒ ኣለና", ("libya", None)),
    ("je viens de Guinée", (None, "guinea")),
])
def test_where_the_person_is_and_comes_from_in_more_ways_of_saying_it(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # back home: where they are now is their own country, not a host country
    ("Hello. I came back from Libya with IOM in March, the flight landed in Banjul", (None, "gambia")),
    ("ola, voltei da libia com o voo da OIM ha dois meses, agora estou em bafata sem trabalho", (None, "guinea_bissau")),
    ("A kam bak from Libya las year wit IOM. Naw a de na Freetown", (None, "sierra_leone")),
    # ... only in a country people come from: Tripoli and Agadez stay where the person is
    ("I came back to Tripoli from Sabha", ("libya", None)),
    ("i came back from algeria, now i am in agadez", ("niger", None)),
    ("I am in Tripoli, i want to go back to Ghana", ("libya", "ghana")),
])
def test_a_person_who_came_back_is_home(text, expected):
    assert story_countries(text) == expected
