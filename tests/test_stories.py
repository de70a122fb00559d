"""Stories (retrieval/story_slots.py, retrieval/story_needs.py): trips "from X to Y" said by someone
going home or going on, an embassy "of X in Y", and a region or town of origin with its cue, in the
nine languages. The sentences are written for these tests."""
from __future__ import annotations

import pytest

from retrieval.countries import DESTINATION_STAGE, ORIGIN_STAGE, _doc, load_countries, route_stage
from retrieval.story_needs import wants_to_go_home
from retrieval.story_slots import story_countries


@pytest.mark.parametrize("text, expected", [
    # back down the routes: X is where the person is, Y home
    ("I want to go from Tripoli to Mali", ("libya", "mali")),
    ("please how can I travel from Sabha to Ghana", ("libya", "ghana")),
    ("je veux partir de Sfax vers la Guinée", ("tunisia", "guinea")),
    ("je veux aller de Tripoli au Mali", ("libya", "mali")),
    ("je suis à Tripoli et je veux aller au Mali", ("libya", "mali")),
    ("من طرابلس الى السودان", ("libya", "sudan")),
    ("ابغى اروح من سبها لتشاد", ("libya", "chad")),
    ("ina son tafiya daga Agadez zuwa Kano", ("niger", "nigeria")),
    ("abeg help me go from Agadez to Kano", ("niger", "nigeria")),
    ("I wan go from Zuwara to Benin City", ("libya", "nigeria")),
    ("waxaan rabaa inaan ka baxo Liibiya oo aan ku laabto Soomaaliya", ("libya", "somalia")),
    ("ካብ ትሪፖሊ ናብ ሱዳን", ("libya", "sudan")),
    ("ካብ ሊብያ ናብ ኤርትራ ክምለስ እደሊ", ("libya", "eritrea")),
    ("ኣብ ሱዳን ኢና ዘለና። ናብ ትግራይ ክንምለስ ንደሊ", ("sudan", "ethiopia")),   # we go back (plural)
    ("ናብ መቐለ እንተተመሊሰ እንታይ ሓገዝ ኣሎ?", (None, "ethiopia")),            # if I go back
    ("ከጅቡቲ ወደ ኢትዮጵያ መሄድ እፈልጋለሁ", ("djibouti", "ethiopia")),
    ("ከሊቢያ ወደ ኢትዮጵያ", ("libya", "ethiopia")),
    ("quero ir de Trípoli para a Guiné-Bissau", ("libya", "guinea_bissau")),
    ("from Yemen to Somalia how", ("yemen", "somalia")),
    # up the routes, a journey on: the place gone to is no origin, the place left no host
    ("I want to go from Niger to Libya", (None, None)),
    ("how much is the boat from Libya to Italy", (None, None)),
    ("je veux aller d'Agadez en Libye", (None, None)),
    ("كيف اروح من النيجر لليبيا", (None, None)),
    ("ካብ ሱዳን ናብ ሊብያ", (None, None)),
    ("quero ir de Marrocos para Espanha", (None, None)),
    # ...but a country people come from stays where the trip began
    ("daga Kano zuwa Agadez", (None, "nigeria")), ("ከኢትዮጵያ ወደ የመን", (None, "ethiopia")),
    # a wish to go home decides whatever the stages
    ("I want to go back from Libya to Sudan", ("libya", "sudan")),
])
def test_a_trip_from_one_place_to_another(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the way home first, then "from X": X is where the person is
    ("pls how i fit go back naija from sebha", ("libya", "nigeria")),
    ("I want to return to Ghana from Libya", ("libya", "ghana")),
    ("ina son komawa gida daga Tripoli", ("libya", None)),
    ("بدي ارجع السودان من صبراتة", ("libya", "sudan")),
    ("كيف اسجل في الرجوع الطوعي من بنغازي", ("libya", None)),
    # "from" in another sentence, or said before any wish to go home, is no place the person is in
    ("I want to go home. From Sudan", (None, "sudan")),
    ("I came from Niger and I want to go home", (None, "niger")),
    # a place the person already said they are in is not replaced
    ("i dey zuwara, i wan go back naija from tripoli", ("libya", "nigeria")),
])
def test_going_home_from_a_place(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("na delta i come from, i dey tripoli", ("libya", "nigeria")),
    ("n sta na sfax, n misti riba bissau", ("tunisia", "guinea_bissau")),
    ("mangi ci tunis, dama bëgg dellu mali", ("tunisia", "mali")),
    ("ye sudan embasi yet new", (None, "sudan")),
    ("أنا تشادي راني فالدزاير", ("algeria", "chad")),
    # "waxaan ka imid" (I came from) labels the name after it, not the one before it
    ("waxaan joogaa tripoli, waxaan ka imid muqdisho", ("libya", "somalia")),
    ("waxaan joogaa tripoli, muqdisho ayaan ka imid", ("libya", "somalia")),
])
def test_words_for_home_and_origin_in_dialect(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("embassy of Mali in Tunisia", ("tunisia", "mali")),
    ("where is the Malian embassy in Tripoli", ("libya", "mali")),
    ("the embassy of Nigeria", (None, "nigeria")),
    ("ambassade du Mali à Tunis", ("tunisia", "mali")),
    ("le consulat de Guinée à Alger", ("algeria", "guinea")),
    ("سفارة السودان في ليبيا", ("libya", "sudan")),
    ("وين سفارة اثيوبيا في طرابلس", ("libya", "ethiopia")),
    ("ofishin jakadancin Najeriya a Libiya", ("libya", "nigeria")),
    ("where Ghana embassy dey for Tripoli", ("libya", "ghana")),
    ("safaaradda Soomaaliya, waxaan joogaa Liibiya", ("libya", "somalia")),
    ("ኤምባሲ ኤርትራ ኣብ ሊብያ", ("libya", "eritrea")),
    ("የኢትዮጵያ ኤምባሲ በሊቢያ", ("libya", "ethiopia")),
    ("embaixada da Guiné em Marrocos", ("morocco", "guinea")),
    # the person's own embassy where they are
    ("my embassy in Tripoli", ("libya", None)), ("ambassade à Niamey", ("niger", None)),
    # the embassy of a country people go to is about a visa, not the person's nationality
    ("the Italian embassy in Tunis", ("tunisia", None)), ("سفارة السعودية", (None, None)),
    # an embassy *in* a country: where the person is, not their nationality
    ("a guiné-bissau nem tem embaixada na líbia", ("libya", None)),
    ("le burkina n'a même pas d'ambassade en libye", ("libya", None)),
])
def test_an_embassy_names_the_nationality_and_where_it_is_the_host(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("I am from Wollo", (None, "ethiopia")),
    ("I come from Kebbi, now I am in Agadez", ("niger", "nigeria")),
    ("je suis de Kankan, je vis à Tunis", ("tunisia", "guinea")),
    ("je viens de Casamance", (None, "senegal")),
    ("انا من دارفور قاعد في سبها", ("libya", "sudan")),
    ("انا من كردفان", (None, "sudan")),
    ("daga jihar Kano nake, ina Agadez", ("niger", "nigeria")),
    ("I come from Warri, I dey Sabha", ("libya", "nigeria")),
    ("waxaan ka imid Puntland", (None, "somalia")),
    ("Hargeysa ayaan ka imid, Yemen ayaan joogaa", ("yemen", "somalia")),
    ("ካብ ዓንሰባ እየ", (None, "eritrea")),
    ("ካብ ትግራይ እየ ኣብ ሱዳን ኣለኹ", ("sudan", "ethiopia")),
    ("ከወሎ ነኝ", (None, "ethiopia")),
    ("ከኦሮሚያ ነው የመጣሁት የመን ውስጥ ነኝ", ("yemen", "ethiopia")),
    ("sou de Bafatá, estou em Marrocos", ("morocco", "guinea_bissau")),
    # the word for someone from a region
    ("je suis casamançais, bloqué à Agadez", ("niger", "senegal")), ("ana darfuri f libya", ("libya", "sudan")),
    ("ትግራዋይ እየ ኣብ ሱዳን ኣለኹ", ("sudan", "ethiopia")),
    # a region named without a cue says nothing about the person
    ("Tigray war, my family", (None, None)), ("Oromo music", (None, None)),
    # the same country twice: where the person is, and not a new origin
    ("I am in Addis Ababa, I am from Wollo", ("ethiopia", "ethiopia")),
])
def test_a_region_or_town_of_origin(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a bare "from" a coast or destination country is where a boat or a trip starts, not a nationality
    ("le zodiac qui part de Sabratha il est sûr ?", (None, None)), ("الحرقة من ليبيا امنة", (None, None)),
    ("I came back from Libya last month, what help is there", (None, None)), ("من السودان", (None, "sudan")),
    # French "au" is a way "to" only after a "from": here it says where the person is now
    ("j'ai fui au Nigeria, maintenant à Niamey", ("niger", None)),
    # Amharic "የ" ("of"): Addis Ababa's weather says nothing about the person
    ("ነገ የአዲስ አበባ አየር ሁኔታ እንዴት ነው", (None, None)),
    # Tigrinya "embassy (of) Ethiopia in Khartoum": the embassy word belongs to the name after it
    ("ኣብ ካርቱም ኤምባሲ ኢትዮጵያ ኣሎ ድዩ", ("sudan", "ethiopia")),
    # a country the story goes on from is not where the person is
    ("Algeria expelled us to Assamaka, now I want to go home to Zinder", (None, "niger")),
    # a place after "my land in" is home, not where the person is
    ("estou em Trípoli, quero voltar pra minha terra em Gabú", ("libya", "guinea_bissau")),
    ("I am in Agadez, I want to go back home in Kano", ("niger", "nigeria")),
    # back home already: the town named is home (a returned cue in the language's own forms)
    ("je suis rentrée au sénégal il y a 2 mois, je suis à thiès", (None, "senegal")),
    ("ካብ ሊብያ ተመሊሰ ሕጂ ኣብ ኣስመራ ኣለኹ", (None, "eritrea")),
    ("ከሱዳን ተመልሼ አሁን ባህር ዳር ነኝ", (None, "ethiopia")),
    # "our home is in Maradi": where the person comes from
    ("ina tripoli, gidanmu a maradi yake", ("libya", "niger")),
])
def test_what_a_word_says_is_read_no_further(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # driven out "from X to Y": the person is in Y now, and X is not their country
    ("they expelled us from Algeria to Assamaka, where can we get food", ("niger", None)),
    ("ils nous ont expulsés d'Algérie à Assamaka, on dort dehors", ("niger", None)),
    ("طردونا من الجزائر الى اساماكا ما عندنا اكل", ("niger", None)),
    ("an koro mu daga Aljeriya zuwa Assamaka, babu abinci", ("niger", None)),
    ("dem pursue us from Algeria go Agadez, we no get food", ("niger", None)),
    ("estou em agadez, fui expulso da argelia para assamaka. quero voltar pa bissau", ("niger", "guinea_bissau")),
    # an expulsion named after the trip is no cue for it
    ("from Niger to Libya, then they expelled us", (None, None)),
    # the place left behind at the start of a story is home, not where the person is
    ("I comot Benin City last year, now I dey for Tripoli", ("libya", "nigeria")),
    ("na bar gida a Kano bara, yanzu ina Arlit", ("niger", "nigeria")),
    ("Na baro Maradi shekara biyu, yanzu ina Tripoli", ("libya", "niger")),
    ("I left home in Kano two years ago, now I am in Agadez", ("niger", "nigeria")),
    # ...while a wish to leave is still where the person is
    ("i wan comot libya", ("libya", None)), ("help me comot Libya", ("libya", None)),
    # come "from" a coast country, and home named as the way back: the journey came from the coast
    ("since I comot Libya come back Kano, my head no correct", (None, "nigeria")),
    ("yanzu ina Niamey, mun fito daga Libya. su OIM zasu iya mayar dani Kano?", ("niger", "nigeria")),
    # ...but not a place someone else is, nor a nationality word
    ("i come from libya, my wife is in lagos", (None, "libya")),
    ("I am Libyan, I want to go to Kano", (None, "libya")),
    # the guards who drove the person away are not the person ("la garde nationale tunisienne")
    ("la garde nationale tunisienne nous a déposés à la frontière", (None, None)),
    ("a guarda costeira tunisina apanhou-nos", (None, None)),
    # Krio "mi na salone pikin": a child of Sierra Leone
    ("mi na salone pikin, a de na agadez", ("niger", "sierra_leone")),
])
def test_driven_out_or_left_behind(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("je suis congolaise de la RDC. maintenant je suis à Tamanrasset", ("algeria", "dr_congo")),
    ("Je suis étudiant congolais de Kinshasa. Je suis venu à Rabat en 2021", ("morocco", "dr_congo")),
    ("je suis congolais, je vis à Tunis", ("tunisia", "congo")),      # nothing says which Congo
])
def test_a_nationality_word_two_countries_share_is_settled_by_the_story(text, expected):
    assert story_countries(text) == expected


def test_shared_demonyms_name_known_countries():
    ids = {c.id for c in load_countries()}
    shared = _doc().get("shared_demonyms")
    assert shared and all(k in ids and set(v) <= ids for k, v in shared.items())


def test_route_stages_are_known_countries_and_ordered():
    ids = {c.id for c in load_countries()}
    stages = _doc().get("route_stages")
    assert set(stages) == {"transit", "coast", "destination"}
    listed = [c for key in stages for c in stages[key]]
    assert set(listed) <= ids and len(listed) == len(set(listed))
    assert route_stage("ghana") == ORIGIN_STAGE < route_stage("niger") < route_stage("libya") < route_stage("italy")
    assert route_stage("saudi_arabia") == DESTINATION_STAGE


@pytest.mark.parametrize("text, expected", [
    ("I want to go from Tripoli to Mali", False), ("I want to go back from Libya to Sudan", True),
    ("je veux rentrer au Mali", True), ("embassy of Mali", False),
    ("je suis au kwat a oujda, je veux back au mboa", True),   # Camfranglais: "back" is going home
    # a refusal holds the words of a wish and says the opposite
    ("i dont want to go back, i am afraid", False), ("ናብ ኤርትራ ግን ክምለስ ኣይክእልን እየ", False),
    ("لو ما عايز ارجع في حل؟", False), ("I dont want to go back to Libya, I want to go home to Mali", True),
    # coming home, as the family at home says it; and returning as a condition
    ("idan ya canza ra'ayi, zai iya dawowa gida kuwa?", True), ("ele quer vir pra casa", True),
    ("እንተተመለስኩ፣ ድሕሪ ክልተ ዓመት ክወጽእ ይኽእል ድየ?", True),
    ("za ta iya tafiya gida a haka?", True), ("mun yi tafiya daga Kano zuwa Agadez", False),
    # Latin-script Amharic: "to return" with its prefix, "to my country" with and without its h
    ("ke tripoli wede hagere lememeles min madreg alebign?", True), ("wede agere memelese efelgalehu", True),
    ("passport yelegnim", False),
])
def test_wants_to_go_home(text, expected):
    assert wants_to_go_home(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("i cannot go back to eritrea, they will put me in the army", True), ("nab adey kimeles aydeln, fereh alo", True),
    ("ما بدي ارجع على سوريا", True), ("je veux rentrer au mali", False), ("is the road back dangerous?", False),
])
def test_refuses_to_go_home(text, expected):
    from retrieval.story_needs import refuses_to_go_home

    assert refuses_to_go_home(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("i cannot go back to eritrea", True), ("je veux rentrer au mali", True), ("is the sea dangerous?", False),
])
def test_speaks_of_going_home_wished_or_refused(text, expected):
    from retrieval.story_needs import speaks_of_going_home

    assert speaks_of_going_home(text) is expected


@pytest.mark.parametrize("text, expected", [
    # a child's age, said first, wins: children get their own care on the way home
    ("j ai 15 ans je veux rentrer au mali mais j'ai pas d'argent", "avr_vulnerable"),
    ("عمري 16 سنة وبدي ارجع على السودان", "avr_vulnerable"), ("I be 14, I wan go back to my mama", "avr_vulnerable"),
    ("i am 25 and i want to go home but no money", "avr_no_money"),  # an adult
    ("i am 160 km from tripoli, i want to go home", None),
    ("je veux rentrer mais j'ai pas d'argent", "avr_no_money"),
    ("I no get money, I wan go home", "avr_no_money"),
    ("بدي ارجع بس ما عندي فلوس", "avr_no_money"),
    ("3ayez arga3 masr bs ma 3andish flous", "avr_no_money"),
    ("ana fi tripoli w 3ayez arja3 el sudan bs ma 3indi wala gersh", "avr_no_money"),  # Sudanese Arabizi
    ("bghit nrja3 l bladi bla flous", "avr_no_money"),
    ("dalka ku laabto rabaa laakiin lacag ma haysto", "avr_no_money"),
    ("ina son komawa gida amma ba ni da kudi", "avr_no_money"),
    ("ወደ ሀገሬ መመለስ እፈልጋለሁ ግን ብር የለኝም", "avr_no_money"),
    ("ናብ ዓደይ ክምለስ ደልየ ግን ገንዘብ የብለይን", "avr_no_money"),
    ("quero voltar mas estou sem dinheiro", "avr_no_money"),
    ("i want to go back but i have no passport", "avr_undocumented"),
    ("je suis sans papiers au maroc", "avr_undocumented"),
    ("ما عندي جواز وبدي ارجع", "avr_undocumented"),
    ("my visa expired and no money", "avr_undocumented"),          # the need said first
    ("no money, and my visa expired", "avr_no_money"),
    ("i have no idea how it works", None),                         # "no id" is a whole word only
    # not having, said in the sentence's own words: a word for it beside the papers, fillers between
    ("the baby dont have any passport o, she born here", "avr_undocumented"),
    ("jaririn bashi da fasfo ko wata takarda", "avr_undocumented"),
    ("والجواز كمان ما عندي", "avr_undocumented"),
    ("baasaboorkii ma haysto", "avr_undocumented"),
    ("il a pas de passeport", "avr_undocumented"),
    ("o meu filho nao tem nenhum documento", "avr_undocumented"),
    ("I have no money, my passport is with me", "avr_no_money"),    # other words between: no lack of papers
    ("i don't have money but the passport is ok", "avr_no_money"),
    ("je veux back au mboa, mais mon passeport est gâté, l'eau l'a mangé", "avr_undocumented"),  # damaged
    ("my passport don spoil, i wan go home", "avr_undocumented"),
    ("passaporte sem visto", None),                                 # "sem" is said before what is missing
    ("ፓስፖርት ያለ ሰው", None),                                        # ያለ: also "having"
    ("the money is for the ticket", None),
    # an illness, a pregnancy or a disability: the help vulnerable people get on the way home
    ("ma femme est enceinte et on veut rentrer au niger", "avr_vulnerable"),
    ("ina so in koma gida amma ba ni da lafiya", "avr_vulnerable"),
    ("أنا مريض بالسكر وعايز ارجع مصر", "avr_vulnerable"),
    ("ill go back to ghana next month", None),                     # SMS "I'll", not "ill"
    # held in detention now: going home from detention; having been held says nothing of now
    ("my son is in prison in zawiya since january, how can he come home", "avr_from_detention"),
    ("ولدي محبوس في الزاوية وعايز يرجع مصر", "avr_from_detention"),
    ("i was in prison 3 months, they released me yesterday, i want to go home", None),
    ("", None),
])
def test_what_stands_between_a_person_and_going_home(text, expected):
    from retrieval.story_needs import story_need

    assert story_need(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("je veux rentrer mais je n'ai pas de passeport", "avr_undocumented"),   # no papers: in place of it
    ("je veux rentrer mais j'ai perdu mon passeport", None),                 # a lost one: not
    ("je veux rentrer mais pas d'argent", None),                             # no money: not
])
def test_a_need_stands_in_place_of_the_lost_passport_answer_only_where_it_says_so(text, expected):
    from retrieval.story_needs import said_need

    need = said_need(text)
    assert need is not None
    assert (need.answer if "document_lost_passport" in need.replaces else None) == expected


@pytest.mark.parametrize("answer, text, expected", [
    # a survivor of sexual violence asking for care gets the support for survivors
    ("help_medical", "O filho da patroa abusou de mim anteontem, preciso de um médico", "help_gbv"),
    ("assistance_centres", "عملوا فيني حاجات شينة في بني وليد، في مساعدة للنسوان؟", "help_gbv"),
    ("help_psychosocial", "les passeurs ont abusé de moi, je dors plus", "help_gbv"),
    ("help_medical", "Bara wasu maza sun yi min fyade, ina son ganin likita", "help_gbv"),
    ("centre_services", "ባለፈው አመት ደፈሩኝ። እርዳታ አለ?", "help_gbv"),
    # a place to sleep asked for now: what the migrant centres give, not the wait or how to ask
    ("avr_duration", "kafin lokacin ina zamu zauna?", "centre_services"),
    ("avr_duration", "inta la sugayo xageen seexdaa? kirada guriga ayaa iga dhamaatay", "centre_services"),
    ("avr_how_to_ask", "et en attendant je dors où ?", "centre_services"),
    ("reintegration_support", "when i reach home where will i sleep?", "reintegration_support"),  # shelter there
    # refusing or fearing to go back: what a person who cannot go home can do, unless a wish is said too
    ("avr_countries", "ናብ ኤርትራ ግን ክምለስ ኣይክእልን እየ", "avr_cannot_go_home"),
    ("avr_how_to_ask", "لو ما عايز ارجع في حل؟", "avr_cannot_go_home"),
    ("avr_overview", "nab adey kimeles aydeln, fereh alo", "avr_cannot_go_home"),
    ("avr_how_to_ask", "I dont want to go back to Libya, I want to go home to Mali", "avr_how_to_ask"),
    ("risk_sea", "i dont want to go back, is the sea dangerous?", "risk_sea"),
    # where the embassy is, or its number, asked in so many words: how to reach one's embassy
    ("avr_process", "el safara mta3 tchad win?", "embassy_contact"),
    ("document_consular_visit_detention", "to ofishin jakadancinmu fa, ina yake?", "embassy_contact"),
    ("avr_undocumented", "safaaraddeenu halkan ma joogtaa? numberkooda?", "embassy_contact"),
    ("document_consular_visit_detention", "can the embassy visit him in detention?", "document_consular_visit_detention"),
    ("document_consular_visit_detention", "l'ambassade peut venir ici ?", "document_consular_visit_detention"),
    ("document_laissez_passer", "وبطلعوها من وين؟ من السفارة؟", "document_laissez_passer"),
    # other answers keep theirs; no harm named, no change
    ("report_abuse", "they raped me, can i report them", "report_abuse"),
    ("avr_how_to_ask", "i was raped in sabha, i want to go home", "avr_how_to_ask"),
    ("help_medical", "my leg is broken and swollen", "help_medical"),
    ("help_medical", "the violence of the police", "help_medical"),
    # going home as a condition, with help asked for: the support after return
    ("avr_how_to_ask", "si je rentre au togo on m'aide a faire quoi la bas", "reintegration_support"),
    ("avr_overview", "ሀገሬ ብመለስ ምን እርዳታ አለ?", "reintegration_support"),
    ("avr_how_to_ask", "se eu voltar pra guiné-bissau, q ajuda tem lá?", "reintegration_support"),
    ("avr_come_back_later", "if i go back, can i come again later?", "avr_come_back_later"),  # no help asked
    ("avr_how_to_ask", "help me, i want to go back home", "avr_how_to_ask"),                 # not a condition
    ("reintegration_business", "bayan na koma, za a taimaka min in fara sana'a?", "reintegration_business"),
    # a returnee already home asking what there is for them: the support after return
    ("avr_how_to_ask", "i came back from algeria in june, now in kumasi. is there any support for us?", "reintegration_support"),
    ("avr_overview", "ካብ ሊብያ ተመሊሰ እየ ኣብ ኣስመራ ዘይኮነስ ኣብ ኣዲስ ኣበባ፣ ሓገዝ ኣሎ ዶ?", "reintegration_support"),
    ("avr_how_to_ask", "i came back from libya but my brother is still there, how can he come home?", "avr_how_to_ask"),
    # how people get out, asked about detention: how detention ends
    ("risk_detention_conditions", "kuma mutane suna fita?", "risk_detention_exit"),
    ("risk_detention_conditions", "si on t'arrête tu sors comment?", "risk_detention_exit"),
    ("risk_detention", "ኣብኡ ዘለዉ ሰባት ብኸመይ ይወጹ?", "risk_detention_exit"),
    ("risk_detention_conditions", "how is life inside, do they give food?", "risk_detention_conditions"),
    ("avr_from_detention", "can he go home straight when he gets out", "avr_from_detention"),
    # a relative gone by sea or desert and not heard of since: a search for that person
    ("risk_sea", "my cousin took the boat from zuwara two weeks ago, no news since", "family_tracing"),
    ("risk_sea_routes", "mon frère est parti en bateau, depuis il a disparu", "family_tracing"),
    ("risk_desert", "ወንድሜ በበረሃ ወደ ሊቢያ ተነስቶ ነበር፣ ከዛ ወዲህ ድምፁ የለም", "family_tracing"),
    ("risk_desert", "dan uwana ya tafi Libiya ta hamada, wayarsa a kashe tun lokacin", "family_tracing"),
    ("risk_sea", "is the boat to italy dangerous?", "risk_sea"),                              # a risk question
    ("risk_detention", "mon petit frère est enfermé à Tariq al Sikka, pas de nouvelles", "risk_detention"),
    # a debt to the person who brought or employs them: a sign of trafficking, not the cost of the return
    ("avr_cost", "elle dit que je lui dois encore 3000 dinars pour le billet", "risk_trafficking_signs"),
    ("avr_cost", "bashin nan fa, dole sai na biya kafin in tafi?", "risk_trafficking_signs"),
    ("avr_cost", "قال لازم اسدد له ثمن التذكرة قبل ما امشي", "risk_trafficking_signs"),
    ("avr_cost", "is the return free or do i pay?", "avr_cost"),
    ("avr_no_money", "i owe the smuggler and i have no money, can i still go home", "avr_no_money"),
    # asylum or UNHCR asked: what a person who cannot go home can do
    ("avr_eligibility", "my country is at war, can i ask for asylum here in niamey?", "avr_cannot_go_home"),
    ("avr_how_to_ask", "UNHCR ma la xiriiri karaa?", "avr_cannot_go_home"),
    ("avr_how_to_ask", "i have a unhcr card but i want to go back to sudan", "avr_how_to_ask"),  # not asked for
    ("asylum", "comment demander l'asile au maroc", "asylum"),                   # its own answer stays
    # going home refused: what a person who will not go home can do
    ("avr_countries", "ናብ ሃገረይ ክምለስ ኣይደልን እየ፣ እንታይ ክገብር?", "avr_cannot_go_home"),
    ("avr_overview", "je suis au niger mais je veux pas rentrer au mali, je fais comment", "avr_cannot_go_home"),
    ("avr_undocumented", "i have no papers and i dont want to go home, what can i do", "avr_cannot_go_home"),
    ("avr_overview", "i dont want to go back to libya, i want to go home to mali", "avr_overview"),  # the route, not home
    ("avr_how_to_ask", "bana so in koma libiya, ina so in koma gida", "avr_how_to_ask"),
    ("avr_eligibility", "who can have the return?", "avr_eligibility"),
    # sleepless nights, nightmares, tears after what happened: someone to talk to
    ("risk_desert_abandonment", "the driver left us in the sand, since then i cannot sleep", "help_psychosocial"),
    ("report_abuse", "ضربونا في السجن وهسه عندي كوابيس كل ليلة", "help_psychosocial"),
    ("help_psychosocial", "ils m'ont violée, depuis je dors plus", "help_gbv"),  # the survivors' answer first
    ("avr_how_to_ask", "i cannot sleep here, i want to go home", "avr_how_to_ask"),    # going home keeps its answer
    ("risk_desert_abandonment", "do drivers leave people in the desert?", "risk_desert_abandonment"),
    # whether the programme works where the person is, or for their country: the countries it covers
    ("avr_how_to_ask", "شتي أرجع مقديشو. البرنامج حقكم يشتغل في اليمن؟", "avr_countries"),
    ("avr_overview", "shirin nan na komawa gida yana aiki a Chadi?", "avr_countries"),
    ("avr_how_to_ask", "i hear say na only libya una dey work", "avr_countries"),
    ("avr_overview", "le programme ça marche au maroc aussi?", "avr_countries"),
    ("avr_how_to_ask", "أخوي يشتغل في ليبيا وبدي ارجع", "avr_how_to_ask"),   # a person's work, no programme named
    ("avr_how_to_ask", "my brother works in libya, i want to go home", "avr_how_to_ask"),
    # how the journey home is made is how the return works ...
    ("avr_duration", "on part en avion ou par la route ?", "avr_process"),
    ("avr_come_back_later", "bemin new yemiwesdun? be awroplan?", "avr_process"),
    ("avr_duration", "doon baa lagu raacaa mise diyaarad?", "avr_process"),
    # ... but the ticket's cost, the departure day and the sea keep theirs
    ("avr_cost", "the plane ticket, how much?", "avr_cost"),
    ("avr_departure_day", "who comes with me on the plane?", "avr_departure_day"),
    ("avr_come_back_later", "if i go by boat, can i come back later?", "avr_come_back_later"),
    # what one may take home is the luggage answer; a bag taken with the papers is about the papers
    ("travel_document", "wetin we fit carry", "avr_luggage"),
    ("avr_steps", "ሻንጣ ስንት ኪሎ ነው የሚፈቀደው?", "avr_luggage"),
    ("document_lost_passport", "they took my bag with my passport", "document_lost_passport"),
    ("travel_document", "they took my bag with my passport", "travel_document"),
    # a legal way to migrate asked for, after any answer ...
    ("avr_vulnerable", "ya pas une voie légale pour elle?", "regular_pathways"),
    ("avr_come_back_later", "to hanyar halal fa?", "regular_pathways"),
    ("avr_undocumented", "haddii aan iska daayo, jid sharci ah ma jiraa?", "regular_pathways"),
    # ... but not a story of having come legally, nor a legal way home, nor coming back after a return
    ("avr_undocumented", "I came legally but my visa expired", "avr_undocumented"),
    ("avr_overview", "is there a legal way to go home?", "avr_overview"),
    ("avr_come_back_later", "እንተተመለስኩ፣ ድሕሪ ሓደ ክልተ ዓመት ብሕጋዊ መንገዲ ደጊመ ክወጽእ ይኽእል ድየ?", "avr_come_back_later"),
    # a pregnancy said with the journey: how a pregnant woman travels home
    ("avr_duration", "ina da ciki yanzu wata uku. zan iya hawa jirgi a haka?", "avr_vulnerable"),
    ("avr_departure_day", "my wife is pregnant 7 months, can she take the plane?", "avr_vulnerable"),
    ("avr_duration", "my wife is pregnant, how long does it take?", "avr_duration"),   # no journey said
    # a relative missing or lost on the road is a search for them ...
    ("risk_desert_rescue", "ወንድሜ ከአንድ አመት በፊት ከሱዳን በበረሃ ወደ ሊቢያ ተነስቶ ነበር፣ ከዛ ወዲህ ድምፁ የለም", "family_tracing"),
    ("asylum", "walaalkay oo u tahriibay Liibiya ayaa laga la'yahay 2 sano. sidee lagu heli karaa?", "family_tracing"),
    ("avr_undocumented", "my cousin and me got separated on the road, can i find him?", "family_tracing"),
    # ... unless the person says they want to go home ("my sponsor is gone, I want to go home")
    ("avr_undocumented", "ካይሮ ነኝ ኢቃማዬ አልቋል ካፊሉም ጠፍቷል። ሀገሬ መግባት ፈልጌ ነው", "avr_undocumented"),
    # Arabic's joined "and" ("والمفوضية"): the phrase is found as if it stood alone
    ("avr_how_to_ask", "والمفوضية دي بلقاها وين", "avr_cannot_go_home"),
    ("avr_how_to_ask", "المفوضية دي بلقاها وين", "avr_cannot_go_home"),
])
def test_what_a_message_says_can_have_its_own_answer_in_place_of_a_general_one(answer, text, expected):
    from retrieval.story_needs import answer_instead

    assert answer_instead(answer, text) == expected


@pytest.mark.parametrize("answer, text, expected", [
    # a plain wish to go home is never told what to do when one cannot go home
    ("avr_cannot_go_home", "بدي ارجع على بلدي", "avr_overview"),
    ("avr_cannot_go_home", "شو لازم اعمل لارجع على بلدي", "avr_overview"),
    ("avr_cannot_go_home", "how can i go back to my country", "avr_overview"),
    ("avr_cannot_go_home", "ina son komawa gida", "avr_overview"),
    # ... but fear, war, refusal or asylum said with it keeps that answer
    ("avr_cannot_go_home", "ما بدي ارجع على بلدي عشان الحرب", "avr_cannot_go_home"),
    ("avr_cannot_go_home", "I want to go home to Kismaayo but I am afraid of Al-Shabaab", "avr_cannot_go_home"),
    ("avr_cannot_go_home", "je veux pas rentrer, on va me tuer", "avr_cannot_go_home"),
    ("avr_cannot_go_home", "quero voltar mas tenho medo dos insurgentes", "avr_cannot_go_home"),
    ("avr_cannot_go_home", "ወደ ሀገሬ መመለስ አልችልም፣ ጦርነት አለ", "avr_cannot_go_home"),
    # no wish to go home said: the answer stands ("como falo com o ACNUR?" after the asylum answer)
    ("avr_cannot_go_home", "como falo com o ACNUR?", "avr_cannot_go_home"),
    ("avr_overview", "بدي ارجع على بلدي", "avr_overview"),
])
def test_an_answer_for_a_situation_needs_the_message_to_say_it(answer, text, expected):
    from retrieval.story_needs import answer_for_what_is_said

    assert answer_for_what_is_said(answer, text) == expected


def test_every_phrasing_of_an_answer_for_a_situation_says_it():
    """The cue lists of story_needs.yml `only_when_said` cover every question the answer is written
    for, in every language: a list too short would take the answer from people it is for."""
    from content.knowledge import load_knowledge
    from retrieval.story_needs import _only_when_said, answer_for_what_is_said

    answers = load_knowledge().answers
    missed = [(answer, code, question) for answer, _, _ in _only_when_said()
              for code, text in answers[answer].texts.items() for question in text.questions
              if answer_for_what_is_said(answer, question) != answer]
    assert _only_when_said() and not missed


@pytest.mark.parametrize("text", [
    "ዓደይ ምስ ተመለስኩ ናይ ጭንቀት ሓገዝ ኣሎ ዶ?",      # Tigrinya: when I return to my country
    "ከተመለስኩ ስድስት ወር ሆነኝ",                     # Amharic: since I returned, six months
    "ሀገሬ ብመለስ ምን እርዳታ አለ?",                    # Amharic: if I return home, what help
])
def test_returning_said_in_amharic_and_tigrinya_verb_forms_is_going_home(text):
    from retrieval.story_needs import wants_to_go_home

    assert wants_to_go_home(text)


@pytest.mark.parametrize("text, expected", [
    ("quero voltar pra angola, como faço?", "avr_how_to_ask"),
    ("ወደ ኢትዮጵያ መመለስ እፈልጋለሁ እንዴት ነው?", "avr_how_to_ask"),
    ("kifash nrja3 l bladi", "avr_how_to_ask"),
    ("نبي نروح لبلادي شن ندير", "avr_how_to_ask"),      # Libyan: what do I do
    ("bghit nrja3 lbled, chno ndir?", "avr_how_to_ask"),  # Moroccan Arabizi
    ("داير ارجع السودان اعمل شنو", "avr_how_to_ask"),   # Sudanese
    ("how long does it take", None),        # other questions that start with "how"
    ("how much is the ticket", None),
    ("comment", None),
])
def test_asking_how_to_do_something(text, expected):
    from retrieval.story_needs import asks_how

    assert asks_how(text) == expected


@pytest.mark.parametrize("text, expected", [
    # leaving a country (an exit visa to leave it, flying out of it) says the person is there
    ("do i need the exit visa for libya if i fly with iom", ("libya", None)),
    ("c'est combien le visa de sortie de libye", ("libya", None)),
    ("i wan comot libya by myself, wetin i need", ("libya", None)),
    ("Liibiya ka bixitaanka maxaa loo baahan yahay?", ("libya", None)),
    ("ካብ ሊብያ ንምውጻእ እንታይ የድሊ?", ("libya", None)),
    # going back, said in the past or as a condition, names home
    ("لو رجعت السودان بيساعدوني؟", (None, "sudan")),
    ("voltei para angola o ano passado", (None, "angola")),
    # "i return from X" in Pidgin (no past tense) is having come back from X, not a wish to leave it
    ("i return from niger last month, na IOM carry me come back. i dey benin city now", (None, "nigeria")),
    ("i return from niger last month", (None, None)),
    ("I want to return from Libya", ("libya", None)),
    # where the person is "now": said shortly before the place, or right after it
    ("boss i dey agadez now, driver say 3 days we reach sabha. the desert road how e be?", ("niger", None)),
    ("i was in libya, now i am in tunis", ("tunisia", None)),
    ("ils nous ont jeté de sfax a la frontiere. mntn jsuis a zuwara chez un frere", ("libya", None)),  # SMS French
])
def test_leaving_a_place_and_having_gone_back_home(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # Moroccan Darija in Latin letters: the nationality word and the verb "to go back"
    ("salam ana mghribi w ana f libya daba, bghit nrje3 l bladi", ("libya", "morocco")),
    ("je suis marocaine, je suis en Libye", ("libya", "morocco")),
])
def test_darija_stories_say_where_and_from(text, expected):
    assert story_countries(text) == expected
    assert wants_to_go_home("bghit nrje3 l bladi")


@pytest.mark.parametrize("text, expected", [
    # a crossing asked about from a named city: the person is where it starts
    ("is the boat from sabratha to italy safe this week?", ("libya", None)),
    ("the road from agadez to sabha, is it dangerous now?", ("niger", None)),
    ("le bateau de zuwara pour lampedusa, c'est risqué? on part demain", ("libya", None)),
    ("a piroga de nouadhibou para as canarias é perigosa?", ("mauritania", None)),
    ("المركب من زوارة لإيطاليا فيه خطر؟", ("libya", None)),
    # a country, a statement, or a story of having come back says nothing of where the person is
    ("how much is the boat from Libya to Italy?", (None, None)),
    ("we went from agadez to sabha in 2019", (None, None)),
    ("I came back from Libya. was the boat from zuwara to italy safe?", (None, None)),
])
def test_a_crossing_asked_about_starts_where_the_person_is(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    # going home to one's family "in X": X is home, not where the person is
    ("i want to go back to my mother in kano", (None, "nigeria")),
    ("abeg i wan go back to my papa for enugu", (None, "nigeria")),
    ("quero voltar para a minha família em bissau", (None, "guinea_bissau")),
    ("بدي ارجع لاهلي في الخرطوم", (None, "sudan")),
    ("je veux rentrer chez ma mère à bamako", (None, "mali")),
    # the family's place, said anywhere, is home when people come from that country
    ("my family is in Kano, i dey tripoli", ("libya", "nigeria")),
    ("i am in tripoli with my wife, my parents in accra", ("libya", "ghana")),
    ("Waxaan joogaa Misrata. qoyskaygu waxay joogaan Kismaayo", ("libya", "somalia")),
    ("my brother is in libya", (None, None)),        # a country on the routes: he may have migrated too
    ("my husband is in niger", (None, None)),
    # without a family word, "in X" after the wish is still where the person is
    ("i want to go home, i am in tripoli", ("libya", None)),
    ("ina son komawa gida ina Tripoli", ("libya", None)),
])
def test_going_home_to_family_in_a_place(text, expected):
    assert story_countries(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("انا رجعت من ليبيا على اسيوط الشهر اللي فات", (None, "egypt")),    # came back from Libya to Asyut
    ("انا من الصعيد ومعنديش شغل", (None, "egypt")),                    # a region of a coast country
    ("بشتغل في بنغازي من سنتين", ("libya", None)),                       # "I have been working in"
    ("Sacuudiga ayaan ka shaqeeyaa, lacag lama i siin", ("saudi_arabia", None)),  # I work in Saudi Arabia
    ("je travaille en algerie depuis 2 ans", ("algeria", None)),
    ("ጂቡቲ ነው ያለሁት", ("djibouti", None)),                               # another spelling of Djibouti
    ("ene ityopiyawi negn", (None, "ethiopia")),
    ("dem go know say i be naija?", (None, "nigeria")),
    ("o meu voo para dakar é amanhã", (None, "senegal")),                 # one's own flight goes home
    ("ina so mu koma gida. za a iya taimaka mana daga nan Nijar?", ("niger", None)),  # from here, Niger
])
def test_more_ways_of_saying_where_and_from(text, expected):
    assert story_countries(text) == expected
