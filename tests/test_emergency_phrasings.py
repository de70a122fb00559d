"""Immediate danger gets the safety answer first, in all 9 languages and several phrasings.

Two layers: the phrase list alone (fast; it need not know every phrasing, the emergency model
covers the rest), and the trained model end to end through bot.ask.Assistant (loaded once per
module; skipped when no model is trained), which must catch every one of them. Phrasings here are
written for this test, not copied from the training data.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest

PHRASINGS = {
    "en": ["pls help the boat is sinking we are 30 people", "the smugglers abandoned us in the desert, we have no water",
           "a man is beating me right now", "my friend stopped breathing", "i want to kill myself tonight",
           "we are lost in the desert since yesterday"],
    "fr": ["au secours notre bateau coule", "le passeur nous a abandonnés dans le désert, on a plus d'eau",
           "ils me frappent en ce moment", "je veux me suicider", "mon frere respire plus", "on est perdus dans le desert depuis hier"],
    "ar": ["النجدة القارب يغرق فينا", "تركونا في الصحراء ومعندناش حتى قطرة", "راهم يضربوني توا", "نبي نقتل روحي",
           "صاحبي ما يتنفسش", "تايهين في الصحرا من البارح"],
    "pt": ["socorro o barco esta afundando", "o motorista deixou no deserto a gente", "estao a bater em mim agora",
           "quero me matar", "meu irmao nao esta respirando", "nao temos agua faz dois dias"],
    "pcm": ["abeg our boat dey sink", "driver leave us for desert, water don finish", "dem dey beat me for here",
            "i wan kill myself", "my guy no dey breathe", "we dey die for desert"],
    "ha": ["jirgin mu yana nutsewa yanzu", "direba ya bar mu a sahara babu ruwa", "suna bugu na yanzu",
           "ina so in kashe kaina", "abokina baya numfashi", "muna mutuwa a hamada"],
    "so": ["doontu way degaysaa caawi", "darawalka ayaa naga tagay saxaraha biyo ma haysano", "hadda la i garaacayaa",
           "waxaan doonayaa inaan is dilo", "walaalkay ma neefsanayo", "waan dhimaneynaa"],
    "am": ["ጀልባችን እየሰመጠች ነው", "ሹፌሩ በረሃ ላይ ጥሎን ሄደ ውሃ የለንም", "አሁን እየደበደቡኝ ነው", "ራሴን ማጥፋት እፈልጋለሁ",
           "ልጁ አይተነፍስም", "በረሃ ላይ ጠፍተናል"],
    "ti": ["ጃልባና ሕጂ ትጥሕል ኣላ", "ሹፈር ኣብ በረኻ ራሕሪሑና ማይ የብልናን", "ሕጂ ይወቕዑኒ ኣለዉ", "ነፍሰይ ክቐትል እደሊ",
           "ዓርከይ ኣይተንፍስን", "ኣብ በረኻ ጠፊእና"],
}

# indirect descriptions and word orders nobody lists as a phrase (issue 10's misses): the model
# must catch them, written for this test
INDIRECT = {
    "en": ["my friend was stabbed he is losing a lot of blood", "pregnant woman here bleeding heavy please",
           "i cant find my child since morning he is lost", "they locked us in a warehouse no food",
           "men with guns broke in they are beating people", "they want to kill me they are outside the door",
           "they keep us in a house and phone our families for ransom, they beat who cant pay"],
    "fr": ["ils veulent me tuer ils sont devant la porte", "une femme enceinte saigne beaucoup aidez",
           "on nous a enfermés dans un hangar depuis 3 jours"],
    "ar": ["دخلو علينا ناس مسلحين وقاعدين يضربو في الناس", "بسرعة الله يخليكم مرا حامل تنزف", "قفلو علينا في مخزن"],
    "ha": ["ku taimaka, jirgin ruwa yana nutsewa", "ruwa ya kare mana kwana biyu a hamada", "an daba wa abokina wuka jini na zuba"],
    "am": ["በረሃ ውስጥ ጥለውን ሄዱ፣ ውሃ አልቋል", "እርዱን! ጀልባው እየሰመጠ ነው"],
    "pt": ["a agua acabou faz 2 dias no deserto", "mulher gravida sangrando muito aqui",
           "prenderam a gente num armazem e ligam pros nossos pais a pedir resgate, quem nao paga apanha"],
    "pcm": ["dem lock us for compound dey call our family make dem send ransom"],
    "so": ["biyihii way naga dhammaadeen saxaraha", "waa nala xiray qol, cunto ma haysano"],
}

# questions ABOUT risks (not danger now): must keep their topic answer
NOT_EMERGENCIES = {
    "en": ["is it dangerous to cross the sahara", "do many boats sink between libya and italy", "my passport got lost in the desert"],
    "fr": ["est ce que la traversee en bateau est dangereuse", "combien de gens meurent dans le desert"],
    "ar": ["هل الطريق في الصحراء خطير", "كم واحد غرق في البحر هذا العام"],
    "ha": ["shin hanyar sahara tana da hadari"], "pcm": ["the boat wey dey carry people go italy dey safe?"],
    "pt": ["é perigoso atravessar o mar de barco?"], "so": ["badda ma khatar baa la maro?"],
}


def test_every_language_has_several_phrasings():
    from content.knowledge import load_knowledge

    assert set(PHRASINGS) == set(load_knowledge().languages)
    assert all(len(p) >= 5 for p in PHRASINGS.values())


# Indirect descriptions the phrase list alone does not catch today (measured: 13 of the 21 are
# caught by the list, all 21 must be caught by the model below). Strict: when the list learns one
# of them the test turns red, so that it moves out of this list and can never be lost again.
PHRASE_LIST_MISSES = {
    "i cant find my child since morning he is lost", "they want to kill me they are outside the door",
    "ils veulent me tuer ils sont devant la porte",
    "on nous a enfermés dans un hangar depuis 3 jours", "دخلو علينا ناس مسلحين وقاعدين يضربو في الناس",
    "بسرعة الله يخليكم مرا حامل تنزف", "an daba wa abokina wuka jini na zuba",
    "እርዱን! ጀልባው እየሰመጠ ነው",
}


@pytest.mark.parametrize("language, text", [(l, t) for l, ts in PHRASINGS.items() for t in ts])
def test_safety_net_catches_every_direct_phrasing(language, text):
    from retrieval.safety import danger_phrase

    assert danger_phrase(text) is not None, (language, text)


@pytest.mark.parametrize("language, text", [
    pytest.param(l, t, marks=pytest.mark.xfail(strict=True, reason="phrase list gap: the emergency model catches it"))
    if t in PHRASE_LIST_MISSES else (l, t)
    for l, ts in INDIRECT.items() for t in ts
])
def test_safety_net_on_indirect_descriptions(language, text):
    from retrieval.safety import danger_phrase

    assert danger_phrase(text) is not None, (language, text)


def test_the_known_phrase_list_gaps_are_indirect_descriptions():
    assert PHRASE_LIST_MISSES <= {t for ts in INDIRECT.values() for t in ts}


# Danger now of the kinds a tuning set found missed (issue 10): locked in by an employer or a
# partner, a weapon, heavy bleeding, an ambulance refused, being chased, fire. One message per
# kind per language, written for this test: each must hold one of the listed phrases.
DANGER_BY_KIND = {
    "locked in": {
        "en": "my employer locked me in the kitchen, writing from a hidden phone",
        "fr": "la patronne m'a enfermée dans la cuisine, j'écris en cachette",
        "ar": "الكفيل حابسني في المطبخ ونكتب من تليفون مخبي",
        "pt": "a patroa me trancou na cozinha, escrevo escondida",
        "pcm": "madam lock me inside kitchen i dey write with hidden phone",
        "ha": "uwar gidana ta kulle ni a kicin ina rubutu a boye",
        "so": "marwadu jikada ayay igu xirtay waxaan ku qorayaa telefoon qarsoon",
        "am": "አሰሪዬ ኩሽና ውስጥ ቆልፋብኛለች በድብቅ ስልክ ነው የምጽፈው",
        "ti": "ኣስራሒተይ ኣብ ክሽነ ዓጺያትኒ ብሕቡእ ሞባይል እጽሕፍ ኣለኹ",
    },
    "weapon": {
        "en": "the man at the door has a knife", "fr": "le type devant chez nous a un couteau",
        "ar": "واحد عنده سكين واقف قدام الباب", "pt": "o homem na porta tem uma faca",
        "pcm": "the man for door e hold knife", "ha": "mutumin bakin kofa yana rike da wuka",
        "so": "ninka albaabka jooga mindi ayuu haystaa", "am": "በሩ ላይ ያለው ሰውዬ ቢላ ይዟል",
        "ti": "እቲ ኣብ ማዕጾ ዘሎ ሰብኣይ ካራ ሒዙ",
    },
    "bleeding": {
        "en": "my brother is losing a lot of blood after the crash", "fr": "mon frere perd beaucoup de sang apres l'accident",
        "ar": "خويا ينزف برشا بعد الحادث", "pt": "meu irmao ta perdendo muito sangue depois do acidente",
        "pcm": "my brother dey bleed well well after the accident", "ha": "dan uwana yana zubar da jini sosai bayan hatsarin",
        "so": "walaalkay dhiig badan ayaa ka socda shilka kadib", "am": "ወንድሜ ከአደጋው በኋላ በጣም እየደማ ነው",
        "ti": "ሓወይ ድሕሪ ሓደጋ ብዙሕ ደም ይፈሶ ኣሎ",
    },
    "ambulance refused": {
        "en": "the foreman won't call an ambulance for my friend", "fr": "le chef refuse d'appeler l'ambulance pour mon ami",
        "ar": "المعلم رافض يتصل بالإسعاف وصاحبي طايح", "pt": "o chefe não quer chamar a ambulância pro meu amigo",
        "pcm": "oga no gree call ambulance for my friend", "ha": "maigida ya ki kiran motar asibiti ga abokina",
        "so": "madaxa shaqada wuu diiday ambalaas saaxiibkay", "am": "አለቃው ለጓደኛዬ አምቡላንስ አይጠራም",
        "ti": "ሓላፊ ንዓርከይ ኣምቡላንስ ኣይጽውዕን",
    },
    "chased": {
        "en": "two men are chasing me near the market", "fr": "deux hommes me poursuivent pres du marche",
        "ar": "زوز رجال يلاحقوني قريب السوق", "pt": "dois homens tao correndo atras de mim perto do mercado",
        "pcm": "two men dey chase me near market", "ha": "maza biyu suna bina kusa da kasuwa",
        "so": "laba nin ayaa i eryanayaan suuqa agtiisa", "am": "ሁለት ሰዎች ገበያ አጠገብ እያሳደዱኝ ነው",
        "ti": "ክልተ ሰባት ጥቓ ዕዳጋ ይሰጉጉኒ ኣለዉ",
    },
    "fire": {
        "en": "the house is on fire and my kids are inside", "fr": "la maison brule et les enfants sont dedans",
        "ar": "البيت يحترق والصغار جوه", "pt": "a casa ta pegando fogo e as criancas tao dentro",
        "pcm": "fire dey burn our house pikin dem dey inside", "ha": "wuta tana ci a gidanmu yara suna ciki",
        "so": "guriga wuu gubanayaa carruurta ayaa ku jirta", "am": "ቤቱ እየተቃጠለ ነው ልጆቹ ውስጥ ናቸው",
        "ti": "ገዛ ይነድድ ኣሎ ቆልዑ ኣብ ውሽጢ ኣለዉ",
    },
    # a probe written after the tuning conversations (issue 10) found these missed by phrases and model alike
    "sold and held": {
        "en": "i was sold to a man, they keep me in a room", "fr": "on m'a vendue a un homme, je suis dans une chambre",
        "ar": "باعوني لواحد وحابسني في غرفة", "pt": "fui vendida a um homem e estou fechada num quarto",
        "pcm": "dem don sell me give one man for connection house", "ha": "an sayar da ni ga wani mutum a gidan",
        "so": "waa la i iibiyay, qol ayaa la igu hayaa", "am": "ለአንድ ሰውዬ ሸጡኝ ክፍል ውስጥ ነኝ",
        "ti": "ንሓደ ሰብኣይ ሸይጦምኒ ኣብ ክፍሊ ኣለኹ",
    },
    "threat to kill": {
        "en": "my husband said he will kill me tonight", "fr": "mon mari dit qu'il va me tuer ce soir",
        "ar": "جوزي قال بيقتلني الليلة", "pt": "o meu marido disse que me mata hoje",
        "pcm": "my husband e say e go kill me tonight", "ha": "mijina ya ce zai kashe ni yau da dare",
        "so": "ninkeyga wuxuu yiri caawa waan ku dilayaa", "am": "ባሌ ዛሬ ማታ እገድልሻለሁ ብሎኛል",
        "ti": "ሰብኣየይ ሎሚ ምሸት ክቐትለኒ እዩ",
    },
    "child taken": {
        "en": "armed men took my daughter an hour ago", "fr": "des hommes armes ont pris ma fille il y a une heure",
        "ar": "ناس مسلحين خدوا بنتي من ساعة", "pt": "homens armados levaram a minha filha há uma hora",
        "pcm": "men wey hold gun, dem carry my pikin one hour ago", "ha": "yan bindiga sun dauke yata awa daya da ta wuce",
        "so": "niman hubeysan gabadhayda way qaateen saacad ka hor", "am": "የታጠቁ ሰዎች ከአንድ ሰአት በፊት ልጄን ወሰዱብኝ",
        "ti": "ዕጡቓት ቅድሚ ሓደ ሰዓት ጓለይ ወሲዶማ",
    },
    # the second tuning set (bench/conversations_dev2) missed these: a beating now told after the
    # story ("... and now he is beating me"), a kidnapping with ransom asked of the family. Sentences
    # of our own, not the set's
    "beaten now, in a story": {
        "en": "the boss took our pay and he keeps beating us", "fr": "le patron garde nos salaires et il est en train de nous frapper",
        "ar": "صاحب الشغل ما دفع لينا وهسي بيضربونا", "pt": "o patrão não paga e agora estão a bater em nós",
        "pcm": "oga no pay us, now dem dey flog us", "ha": "maigida bai biya mu ba, yanzu yana dukana",
        "so": "madaxu lacag nama siin, hadda wuu na garaacayaa", "am": "አለቃው አልከፈለንም አሁን እየመቱን ነው",
        "ti": "ሓላፊ ደሞዝ ኣይሃበናን ሕጂ ይወቕዑና ኣለዉ",
    },
    "kidnapped, ransom": {
        "en": "men with guns kidnapped us on the road and are asking my family for money",
        "fr": "des hommes armés nous ont enlevés sur la route, ils demandent une rançon",
        "ar": "مسلحين خطفونا في الطريق وطالبين فدية من أهلنا", "pt": "fomos sequestrados agora na estrada e pedem resgate",
        "pcm": "dem kidnap us for road, dem dey ask my family for money", "ha": "yan bindiga sun sace mu a hanya suna neman kudin fansa",
        "so": "waddada waa nala afduubay, madax furasho ayay dalbanayaan", "am": "መንገድ ላይ አግተውናል ከቤተሰቦቼ ገንዘብ ይፈልጋሉ",
        "ti": "ኣብ መገዲ ጨውዮምና ገንዘብ ካብ ስድራይ ይሓቱ ኣለዉ",
    },
}

# what the phrases above must leave to the models: questions about risks, past events told to
# ask for help, and trauma after the crossing (psychosocial help, not an emergency)
NOT_DANGER_NOW = {
    "en": ["is the desert dangerous?", "what happens if the boat sinks?",
           "my friend was stabbed last year, can he get help?", "since the boat i cannot sleep",
           "is it true the madams lock the maids in the house?", "do the smugglers carry guns?",
           "is it true they sell migrants in libya?", "if i go back they will kill me, can i ask for asylum?",
           "is it true kidnappers want ransom from the families?"],
    "fr": ["le désert est dangereux ?", "mon ami a été poignardé l'an dernier, il peut avoir de l'aide ?",
           "depuis le bateau je n'arrive plus à dormir", "c'est vrai que les patrons enferment les bonnes ?"],
    "ar": ["الصحرا خطيرة؟", "شنو يصير لو القارب غرق؟", "صاحبي طعنوه العام اللي فات يقدر ياخذ مساعدة؟",
           "من وقت البحر ما نقدرش نرقد", "صحيح الكفيل يقفل على الخدامة في البيت؟"],
    "pt": ["o deserto é perigoso?", "o que acontece se o barco afundar?",
           "meu amigo levou uma facada ano passado, ele pode ter ajuda?", "desde o barco não consigo dormir",
           "é verdade que as patroas trancam as empregadas?", "os sequestradores pedem resgate às famílias?"],
    "pcm": ["desert dey dangerous?", "wetin go happen if boat sink?", "dem stab my friend last year, e fit get help?",
            "since the boat i no fit sleep", "na true say madam dey lock house girl for house?"],
    "ha": ["hamada tana da hadari?", "me zai faru idan jirgin ruwa ya nutse?",
           "an caka wa abokina wuka bara, zai iya samun taimako?", "tun jirgin ruwa ban iya barci ba",
           "gaskiya ne iyayen gida suna kulle yan aiki?", "gaskiya ne masu garkuwa suna neman kudin fansa?"],
    "so": ["saxaraha ma khatar baa?", "maxaa dhacaya haddii doontu degto?",
           "saaxiibkay mindi ayaa lagu dhuftay sanadkii hore, ma heli karaa caawimaad?", "tan iyo doontii ma seexan karo",
           "run ma tahay in shaqaalaha guryaha lagu xiro?", "afduubayaashu madax furasho ma dalbadaan?"],
    "am": ["በረሃው አደገኛ ነው?", "ጀልባዋ ብትሰምጥ ምን ይሆናል?", "ጓደኛዬ ባለፈው አመት በቢላ ተወግቶ ነበር እርዳታ ማግኘት ይችላል?",
           "ከጀልባው በኋላ መተኛት አልቻልኩም", "አሰሪዎች የቤት ሰራተኞችን ይቆልፋሉ እውነት ነው?"],
    "ti": ["በረኻ ሓደገኛ ድዩ?", "ጃልባ እንተጢሒላ እንታይ ይኸውን?", "ዓርከይ ዝሓለፈ ዓመት ብካራ ተወጊኡ ሓገዝ ክረክብ ይኽእል ድዩ?",
           "ካብ ጃልባ ጀሚረ ክድቅስ ኣይክእልን", "ኣስራሕቲ ንሰራሕተኛታት ገዛ ይዓጽውወን ድዮም?"],
}


def test_every_kind_of_danger_is_written_in_every_language():
    languages = set(PHRASINGS)
    assert all(set(by_language) == languages for by_language in DANGER_BY_KIND.values())
    assert set(NOT_DANGER_NOW) == languages


# new story-first training phrasings taught the model a left-in-the-desert story was a question:
# Egyptian and Sudanese "without water", "dropped us in the desert" are phrases now (our sentences)
@pytest.mark.parametrize("text", ["سابونا في الصحرا والمية خلصت", "احنا تلاتين نفر من غير مية من امبارح",
                                  "الشيفور رمانا في الصحرا ومشى"])
def test_egyptian_and_sudanese_left_without_water_is_danger_now(text):
    from retrieval.safety import danger_phrase

    assert danger_phrase(text) is not None


@pytest.mark.parametrize("kind, language, text",
                         [(k, l, t) for k, ts in DANGER_BY_KIND.items() for l, t in ts.items()])
def test_a_phrase_catches_each_kind_of_danger_in_each_language(kind, language, text):
    from retrieval.safety import danger_phrase, looks_urgent

    assert danger_phrase(text) is not None, (kind, language, text)
    assert looks_urgent(text)


@pytest.mark.parametrize("language, text", [(l, t) for l, ts in NOT_DANGER_NOW.items() for t in ts])
def test_no_phrase_fires_on_risk_questions_past_events_or_trauma(language, text):
    from retrieval.safety import danger_phrase

    assert danger_phrase(text) is None, (language, text, danger_phrase(text))


@pytest.mark.parametrize("text", [t for ts in NOT_EMERGENCIES.values() for t in ts])
def test_safety_net_leaves_questions_about_risks_alone(text):
    from retrieval.safety import danger_phrase

    assert danger_phrase(text) is None


def test_component_overrides_the_classifier():
    from rasa.shared.nlu.training_data.message import Message

    from rasa_extensions.retrieval_component import SafetyNet

    message = Message(data={"text": "the boat is sinking", "intent": {"name": "risk_sea", "confidence": 0.9},
                            "intent_ranking": [{"name": "risk_sea", "confidence": 0.9}]})
    SafetyNet({}, None, None).process([message])
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "emergency"
    quiet = Message(data={"text": "is the sea dangerous", "intent": {"name": "risk_sea", "confidence": 0.9}})
    SafetyNet({}, None, None).process([quiet])
    assert quiet.get("intent")["name"] == "risk_sea"


@pytest.mark.parametrize("text, confidence, question", [
    ("if they catch me in libya will they be beating me?", 0.97, True),   # a question about a risk
    ("they are beating me", 0.97, False),                                # no question: danger now
    ("they are beating me?", 0.6, False),                                # the classifier is not sure
])
def test_a_danger_phrase_inside_a_question_about_a_risk_stays_information(text, confidence, question):
    from rasa.shared.nlu.training_data.message import Message

    from rasa_extensions.retrieval_component import SafetyNet

    message = Message(data={"text": text, "intent": {"name": "risk_detention", "confidence": confidence}})
    SafetyNet({}, None, None).process([message])  # no model: its score is 0
    assert (message.get("intent")["name"] == "risk_detention") is question


def ask(assistant, text):
    return asyncio.run(assistant.send(text, f"test-{uuid.uuid4().hex}"))


@pytest.mark.parametrize("language, text", [(l, t) for l, ts in PHRASINGS.items() for t in ts])
def test_model_gives_the_safety_answer_first(assistant, language, text):
    from actions.replies import ui

    turn = ask(assistant, text)
    assert turn.intent == "emergency", (text, turn.intent)
    safety = {ui("emergency_safety", code) for code in PHRASINGS}
    assert turn.messages and any(turn.messages[0].startswith(text) for text in safety)
    assert turn.handoff


@pytest.mark.parametrize("language, text", [(l, t) for l, ts in INDIRECT.items() for t in ts])
def test_model_recognises_indirect_descriptions_of_danger(assistant, language, text):
    turn = ask(assistant, text)
    assert turn.intent == "emergency" and turn.case_priority == "urgent", (text, turn.intent)


@pytest.mark.parametrize("text", [t for ts in NOT_EMERGENCIES.values() for t in ts])
def test_model_does_not_alarm_on_questions(assistant, text):
    assert ask(assistant, text).intent != "emergency"
