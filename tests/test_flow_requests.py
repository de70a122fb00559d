"""A request to check one's own case starts the screening; what the story said fills the flow."""
from __future__ import annotations

import pytest

from tests.conftest import domain_dict, slot_events
from testing.trackers import make_tracker, run_action


@pytest.mark.parametrize("text", [
    "hello pls can u check if i can get help to go back home",
    "abeg check my matter, i wan go back",
    "bonjour vérifiez ma situation svp je veux rentrer",
    "pode ver se eu posso ter ajuda pra voltar",
    "ممكن تشوف لي لو اقدر ارجع",
    "momkin tchouf lia wach n9der nrje3",
    "don allah ka duba min ko zan iya komawa",
    "fadlan xaaladayda ii eeg",
    "ሁኔታዬን እዩልኝ",
    "ኩነታተይ ርኣዩለይ",
])
def test_a_request_to_check_ones_case_is_recognised(text):
    from retrieval.story_needs import asks_to_check

    assert asks_to_check(text)


@pytest.mark.parametrize("text", [
    "am i eligible for voluntary return?", "can i get help to go home?", "how do i go home", "is it free?",
    "can you check my passport", "the police check us at the checkpoint", "je suis éligible ?",
    "posso voltar para casa?", "هل يمكنني العودة؟", "zan iya komawa gida?",
])
def test_a_plain_question_is_not_a_request_to_check(text):
    from retrieval.story_needs import asks_to_check

    assert not asks_to_check(text)


def _answer_tracker(text, active_loop=None):
    return make_tracker(text, "avr_eligibility", slots={"language": "en"}, active_loop=active_loop)


@pytest.mark.parametrize("answer_id, text", [
    ("avr_eligibility", "can you check if i qualify for help to go home"),
    ("avr_overview", "i am in sfax, i want to go back to freetown, check my situation"),
    ("avr_how_to_ask", "i want go home, pls check if i can get help"),
    # an answer about something else, with the wish to go home said: the screening too
    ("risk_trafficking_signs", "i want to go back home, check my situation please"),
])
def test_the_screening_starts_in_place_of_the_answer(answer_id, text):
    from actions.knowledge_answer import start_screening_instead

    events = start_screening_instead(_answer_tracker(text), answer_id, text)
    assert [e.get("name") for e in events] == ["action_start_screening"]


@pytest.mark.parametrize("answer_id, text", [
    ("avr_eligibility", "am i eligible for voluntary return?"),           # a question: the answer offers the check
    ("avr_cannot_go_home", "i cannot go back, they will kill me, check my situation"),  # never a return form
    ("document_lost_passport", "can you check if i can get a new passport"),  # papers, no wish to go home
    ("help_medical", "check if i can see a doctor"),
])
def test_other_answers_stay(answer_id, text):
    from actions.knowledge_answer import start_screening_instead

    assert start_screening_instead(_answer_tracker(text), answer_id, text) == []


def test_no_new_screening_inside_a_flow():
    from actions.knowledge_answer import start_screening_instead

    text = "check my situation i want to go home"
    tracker = _answer_tracker(text, active_loop={"name": "consular_form"})
    assert start_screening_instead(tracker, "avr_overview", text) == []


@pytest.mark.parametrize("action_path, form, intro", [
    ("actions.eligibility.ActionStartScreening", "eligibility_form", "screening_intro"),
    ("actions.consular.ActionStartConsular", "consular_form", "consular_intro"),
])
def test_countries_the_story_named_are_answers_shown_once(dispatcher, action_path, form, intro):
    import importlib

    from actions.replies import ui

    module, name = action_path.rsplit(".", 1)
    action = getattr(importlib.import_module(module), name)()
    tracker = make_tracker("ka duba min", "start_screening",
                           slots={"language": "ha", "known_host_country": "algeria", "known_nationality": "ghana",
                                  "host_country": "libya"})
    events = run_action(action, dispatcher, tracker, domain_dict())
    slots = slot_events(events)
    assert slots["host_country"] == "algeria" and slots["nationality"] == "ghana"
    # the stale answer of an earlier flow is cleared before the known one is set
    assert [e["value"] for e in events if e.get("name") == "host_country"] == [None, "algeria"]
    text = dispatcher.messages[0]["text"]
    assert text.startswith(ui(intro, "ha"))
    assert f"{ui('ask_host_country', 'ha')} Aljeriya" in text
    assert f"{ui('ask_nationality', 'ha')} Gana" in text
    assert events[-1] == {"event": "followup", "name": form, "timestamp": None}


def test_nothing_known_asks_every_question(dispatcher):
    from actions.eligibility import SLOTS, ActionStartScreening
    from actions.replies import ui

    events = run_action(ActionStartScreening(), dispatcher, make_tracker("check my situation", "start_screening",
                                                                         slots={"language": "en"}), domain_dict())
    assert all(slot_events(events)[s] is None for s in SLOTS)
    assert dispatcher.messages[0]["text"] == f"{ui('screening_intro', 'en')}\n{ui('form_controls', 'en')}"


@pytest.mark.parametrize("previous, found, text, expected", [
    # after how to report abuse, a follow-up is about reporting ...
    ("report_abuse", "help_gbv", "c anonyme?", "report_abuse"),
    ("report_abuse", "help_gbv", "e a polícia daqui?", "report_abuse"),
    # ... unless it says sexual violence
    ("report_abuse", "help_gbv", "they raped me, is it anonymous?", "help_gbv"),
    ("help_gbv", "help_gbv", "c anonyme?", "help_gbv"),          # after the survivors' answer: theirs
    ("report_abuse", "avr_cost", "is it free?", "avr_cost"),     # other answers are not touched
    # after the answer for children alone, going home is a child's going home
    ("minors", "avr_overview", "can they help me go back to my mother?", "avr_vulnerable"),
    ("minors", "avr_family", "posso voltar para a minha avó?", "avr_vulnerable"),
    ("minors", "avr_duration", "how long does it take?", "avr_duration"),
    (None, "avr_overview", "can they help me go back to my mother?", "avr_overview"),
    # after the exit-visa answer, its cost is the exit visa's
    ("document_exit_visa", "avr_cost", "and if i buy my own ticket?", "document_exit_visa"),
    ("avr_overview", "avr_cost", "and if i buy my own ticket?", "avr_cost"),
    # while the conversation is about going home (any answer of its topics), saying there are no
    # papers asks whether one can go home without them
    ("avr_family", "avr_family", "yaran ba su da takarda ko daya", "avr_undocumented"),
    ("avr_family", "travel_document", "the children don't have passports", "avr_undocumented"),
    ("avr_overview", "minors", "les enfants n'ont pas d'acte de naissance", "avr_undocumented"),
    ("avr_duration", "risk_trafficking_signs", "and if no passport with me? the boss keep it", "avr_undocumented"),
    ("avr_family", "document_laissez_passer", "no passport, what paper do they give?", "document_laissez_passer"),
    ("avr_family", "travel_document", "what papers do the children need?", "travel_document"),  # none said
    ("risk_sea", "travel_document", "the children don't have passports", "travel_document"),   # not going home
    # after the steps of the return, "where?" asks where to go to ask for it
    ("avr_steps", "avr_steps", "the interview, where do i go?", "avr_how_to_ask"),
    ("avr_steps", "avr_steps", "l'entretien c'est où ?", "avr_how_to_ask"),
    ("avr_steps", "avr_steps", "how long is the interview?", "avr_steps"),
    ("avr_health_check", "avr_steps", "the interview, where do i go?", "avr_steps"),
    # after a lost passport or no papers, "what paper?" is the paper one travels on
    ("document_lost_passport", "document_lost_passport", "so what paper do they give me?", "document_laissez_passer"),
    ("avr_undocumented", "avr_undocumented", "quels papiers il faut alors pour lui", "document_laissez_passer"),
    ("document_lost_passport", "document_lost_passport", "the paper expired last year", "document_lost_passport"),
    ("avr_cost", "travel_document", "so what paper do they give me?", "travel_document"),
    # after the risks of a route, "another way?" asks for the legal ways
    ("risk_sea_routes", "risk_sea_routes", "so there is no other way for us?", "regular_pathways"),
    ("risk_desert", "risk_desert_rescue", "ba wata hanya ta doka ne?", "regular_pathways"),
    ("risk_sea_routes", "risk_sea_routes", "what about the boats from zuwara?", "risk_sea_routes"),  # none said
    ("avr_overview", "avr_overview", "is there another way?", "avr_overview"),    # not after a risk
    # while talking about going home, "who is it for?" is who can have it ...
    ("avr_choice", "avr_duration", "ok but this one is for who exactly", "avr_eligibility"),
    ("avr_overview", "avr_countries", "ni ya ga kowa ne?", "avr_eligibility"),
    ("avr_overview", "avr_cost", "is it free for everyone?", "avr_cost"),         # not one it replaces
    ("risk_sea", "risk_sea", "who decides?", "risk_sea"),                        # not about going home
    # ... and after the support after return, who can have that
    ("reintegration_training", "reintegration_training", "y para quem é isso?", "reintegration_who"),
    ("reintegration_plan", "reintegration_plan", "and who decides the plan?", "reintegration_plan"),
    # after the counselling answer, going home as a condition asks about counselling after return
    ("help_psychosocial", "avr_come_back_later", "and if i return to guinea, does it go on?",
     "reintegration_psychosocial"),
    ("help_psychosocial", "avr_overview", "i want to go back home now", "avr_overview"),   # a wish, no condition
    # after the medical answer, going home is a sick person's going home
    ("help_medical", "avr_overview", "je veux rentrer chez moi avec cette jambe", "avr_vulnerable"),
    ("help_medical", "help_medical", "is the clinic open at night?", "help_medical"),     # no going home said
    # while talking about going home, an illness or a pregnancy said
    ("avr_family", "avr_family", "my wife is pregnant, 7 months", "avr_vulnerable"),
    ("avr_undocumented", "minors", "the small girl has diabetes", "avr_vulnerable"),
    ("avr_family", "avr_family", "and my wife and two kids?", "avr_family"),             # none said
    ("avr_overview", "help_medical", "my back is still sick from the beating", "help_medical"),  # the illness itself
    # after the answers about a person held, "how does he get out?" is how detention ends ...
    ("document_consular_visit_detention", "document_laissez_passer", "ok but how does he get out of there",
     "risk_detention_exit"),
    ("avr_from_detention", "avr_how_to_ask", "ግን እንዴት ነው ከዚያ የሚወጡት?", "risk_detention_exit"),
    ("document_lost_passport", "document_laissez_passer", "ok but how does he get out of there",
     "document_laissez_passer"),                                                  # not about a person held
    # ... and "how is life inside?" is about the conditions in detention
    ("document_consular_visit_detention", "document_consular_visit_detention", "do they get food in there?",
     "risk_detention_conditions"),
    ("avr_from_detention", "avr_health_check", "is there a medical check before the flight?", "avr_health_check"),
    ("document_consular_visit_detention", "document_consular_visit_detention", "can the consul come see him inside?",
     "document_consular_visit_detention"),                                    # the visit, not life inside
    ("avr_from_detention", "help_medical", "my foot is hurt, is there a doctor?", "help_medical"),  # own care
    # after the papers or the embassy, "what will they ask me?" is how they check who one is
    ("document_laissez_passer", "travel_document", "what will they ask me at the embassy?",
     "document_nationality_check"),
    ("embassy_contact", "risk_detention_exit", "como vão saber que sou guineense?", "document_nationality_check"),
    ("avr_cost", "avr_steps", "what will they ask me at the interview?", "avr_steps"),   # not after the papers
    # after the risks of a route, going home asked is going home
    ("risk_desert_rescue", "avr_choice", "if he changes his mind, can he go back home from arlit?", "avr_overview"),
    ("avr_overview", "avr_choice", "if i change my mind, can i still go back home?", "avr_choice"),
    # after the risks of the desert, "who will help us?" is who rescues people there
    ("risk_desert_abandonment", "risk_desert_abandonment", "if the car breaks down there, who will help us?",
     "risk_desert_rescue"),
    ("risk_desert", "centre_services", "idan mota ta lalace a can wa zai taimaka mana?", "risk_desert_rescue"),
    ("risk_desert_abandonment", "avr_how_to_ask", "who will help me go home?", "avr_how_to_ask"),  # not a risk found
    ("risk_desert_abandonment", "risk_desert", "who will help me go back home from agadez?", "risk_desert"),  # a wish
    ("risk_sea", "risk_sea_routes", "who will rescue us if the boat sinks?", "risk_sea_routes"),  # not the desert
])
def test_the_answer_sent_last_reads_the_next_message(previous, found, text, expected):
    from actions.knowledge_answer import answer_in_context
    from actions.replies import knowledge

    topic = knowledge().answers[previous].parent if previous else None
    tracker = make_tracker(text, "nlu_fallback", slots={"language": "en", "answer": previous, "topic": topic})
    assert answer_in_context(tracker, found, text) == expected


def test_sexual_violence_said_just_before_keeps_the_survivors_answer():
    from actions.knowledge_answer import answer_in_context

    earlier = {"event": "user", "text": "ninkii aan u shaqeynayay ayaa i faraxumeeyay, qof aan u sheego ma jiro"}
    text = "tan waxay dhacday toddobaad ka hor, weli daryeel ma jiraa?"
    tracker = make_tracker(text, "nlu_fallback", slots={"language": "so", "answer": "report_abuse"},
                           history=[earlier, {"event": "bot", "text": "..."}])
    assert answer_in_context(tracker, "help_gbv", text) == "help_gbv"
    assert answer_in_context(make_tracker(text, "nlu_fallback", slots={"answer": "report_abuse"}), "help_gbv",
                             text) == "report_abuse"
