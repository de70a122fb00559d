"""The answer for this person: what a message says of their situation (a wish to go home, what stands
in the way, where they are) turns a general answer into the one that fits them.

`fitted_answer` is applied to every answer chosen by wording (actions/knowledge_answer.best_answer)
and by retrieval (actions/retrieval.py); the tables it reads are knowledge/story_needs.yml.
"""
from __future__ import annotations

from typing import Optional, Sequence, Set, Tuple

from actions.replies import knowledge
from retrieval.story_needs import (
    answer_for_what_is_said,
    answer_instead,
    asks_how,
    need_answers,
    said_needs,
    speaks_of_going_home,
    wants_to_go_home,
)
from retrieval.story_slots import story_countries

# "I am in Misrata, I want to go back to Ghana": a person who says where they are and that they
# want to go home is asking how, and gets how to ask for the return (the going-home article, what
# the programme is, stays the first follow-up). On the tuning conversations this was the label of
# 12 turns answered with the article, against 1 that wanted the article ("voluntary return for people
# in Algeria")
GOING_HOME, HOW_TO_ASK = "avr_overview", "avr_how_to_ask"
# ... and one who also says what stands in the way ("je veux rentrer mais g pas de wari", "A wan go
# bak Salone bot a no get paspot") is asking about that: no money, no papers (knowledge/story_needs.yml,
# retrieval.story_needs.said_needs). Only answers that meet the wish in general give way (`WISH_TOPICS`'
# articles, the going-home and risk entries); a specific question ("how long?") keeps its answer.
# Tuning sets, questions right: dev 81.3 -> 82.0 %, dev2 79.6 -> 82.7 % (15 turns won, none lost)
WISH_TOPICS = ("avr_overview", "avr_eligibility", "avr_process", "travel_document", "embassy_contact",
               "risk_desert", "risk_sea", "risk_trafficking", "risk_detention")
# ... and a person who tells what happened on the way and that they want to go home is answered
# about going home (or the papers for it, or the fear of it), not about the risk they lived through:
# "the driver left us in the desert, 3 died, now we are in Kufra ... we want to go back" was sent the
# desert's dangers, "ana masry fi tarhuna, 3ayez arga3 masr bs mafeesh m3aya" the signs of
# trafficking. Only the risks give way: "when I go back, does the counselling continue?" is about
# the counselling (tried: letting every topic give way lost those). The menu groups whose answers
# give way, and those (with one topic besides) that answer the wish. Tuning sets: questions right
# dev 83.0 -> 83.0 %, dev2 78.0 -> 78.9 %
RISK_GROUPS, HOME_GROUPS, HOME_ALSO = ("risks",), ("return", "documents"), ("asylum",)
# ... and one who asks *how* ("on est à Tunis ... on fait comment pour retourner au pays", "ina son
# komawa gida Kano, yaya zan yi?") gets how to ask for the return, in place of a general answer about
# going home or a risk (story_needs.yml `asking_how`); the papers' answers keep theirs ("how can I get
# a passport"). Tuning sets: 7 turns won (dev 138 -> 140, dev2 131 -> 133 conversations entirely
# right), none lost
HOW_TOPICS = ("avr_overview", "avr_eligibility", "avr_process", "risk_desert", "risk_sea", "risk_trafficking",
              "risk_detention")
# the topics about going home (a conversation about them reads a message's needs; a request to check
# one's case about them starts the screening: actions/knowledge_answer.start_screening_instead)
SCREENING_TOPICS = ("avr_overview", "avr_eligibility", "avr_process")


def answer_to_a_wish(answer_id: str, text: str, conversation_topic: Optional[str] = None) -> str:
    """`answer_id`, or the answer to the need the message says (no money, no papers) when `answer_id` is
    the answer to another need the message does not say and the message says the person wants to go
    home or the conversation is about going home (`SCREENING_TOPICS`); or, when the message is a
    person's own wish to go home: the answer to what stands in the way when the need said stands in
    place of `answer_id` itself (story_needs.yml `also_instead_of`: no papers, not the lost passport's
    answer); else, when `answer_id` answers that wish only in general
    (`_general_for_a_wish`): the answer to what stands in the way when the message says it
    (`said_needs`: no money, no papers), else how to ask for the return when it asks how (`asks_how`,
    about going home or a risk) or, for the going-home article, when it tells where they are or come
    from."""
    kb = knowledge()
    wish = wants_to_go_home(text)
    if not wish and conversation_topic not in SCREENING_TOPICS:
        return answer_id  # nothing below applies: read no needs
    said = said_needs(text)
    need = said[0] if said else None
    if need is not None and need.answer in kb.answers and answer_id in need_answers() \
            and answer_id not in {n.answer for n in said}:
        # "... لكن ما عندي ولا قرش" was sent going home without papers, "والجواز كمان ما عندي" after the
        # answer for no money that answer again: another need's answer, for a need the message does not say
        return need.answer
    if not wish:
        return answer_id
    if need is not None and need.answer in kb.answers and answer_id in need.replaces:
        return need.answer  # "i want to go home but i have no passport": not the lost passport's answer
    if not _general_for_a_wish(answer_id):
        return answer_id
    if need is not None and need.answer in kb.answers:
        return need.answer
    how = asks_how(text)
    if how in kb.answers and kb.answers[answer_id].parent in HOW_TOPICS:
        return how
    if answer_id == GOING_HOME and HOW_TO_ASK in kb.answers and any(story_countries(text)):
        return HOW_TO_ASK
    return answer_id


def answer_where_they_are(answer_id: str, text: str, conversation_topic: Optional[str],
                          intent_topic: Optional[str] = None) -> str:
    """`answer_id`, or, when it is about life after going home and has a counterpart for a person
    who has not gone home (`before_return` in its entry.yml: counselling for returnees ->
    counselling here), that counterpart when neither the message says going home (or having gone
    home) nor the conversation is about that answer's topic already, nor the intent classifier read
    the message as one about it ("is there counselling for returnees", "في دعم نفسي للعائدين؟":
    life after return, said in words no list of cues holds). "since the boat i cannot sleep"
    (in Tripoli) was sent the counselling that follows a return. Tuning sets: 8 turns won, none
    lost (entirely right dev 140 -> 141, dev2 133 -> 134 of 270). Without the classifier's reading
    the held-out exact answers lost 11 questions about returnees; it costs one tuning turn."""
    answers = knowledge().answers
    answer = answers.get(answer_id)
    if (answer is None or not answer.before_return or answer.before_return not in answers
            or answer.parent in (conversation_topic, intent_topic) or wants_to_go_home(text)):
        return answer_id
    return answer.before_return


def fitted_answer(answer_id: str, text: str, conversation_topic: Optional[str],
                  intent_topic: Optional[str] = None) -> str:
    """The answer for this person: first, an answer meant for a situation the message does not
    describe gives way (retrieval.story_needs.answer_for_what_is_said: "بدي ارجع على بلدي" was sent what
    to do when one cannot go home), then `answer_to_a_wish`, then `answer_where_they_are`, then the answer for
    what the message says in place of a general one (retrieval.story_needs.answer_instead: "O filho da
    patroa abusou de mim" was sent the general medical answer, "se eu voltar pra guiné-bissau, q ajuda
    tem lá?" how to ask for the return; tuning sets 3 and 6 turns won, none lost)."""
    wished = answer_to_a_wish(answer_for_what_is_said(answer_id, text), text, conversation_topic)
    answer = answer_where_they_are(wished, text, conversation_topic, intent_topic)
    return answer_instead(answer, text)


def _general_for_a_wish(answer_id: str) -> bool:
    """An answer a wish to go home with a need in it may be sent only for want of better: the articles
    about going home, papers and risks, and the entries of the going-home article and of the risks
    (a specific question about the process or the papers keeps its answer)."""
    answer = knowledge().answers.get(answer_id)
    if answer is None:
        return False
    if not answer.is_entry:
        return answer_id in WISH_TOPICS
    return answer.parent == GOING_HOME or answer.parent in group_topics(RISK_GROUPS)


def home_not_risk(answer_id: str, text: str) -> bool:
    """`answer_id` is about a risk and the message about going home or not (`RISK_GROUPS`): it gives
    way to an answer about going home."""
    answer = knowledge().answers.get(answer_id)
    return answer is not None and answer.parent in group_topics(RISK_GROUPS) and speaks_of_going_home(text)


def group_topics(groups: Sequence[str]) -> Tuple[str, ...]:
    return tuple(t for g in knowledge().menu_groups if g.id in groups for t in g.topics)


def home_answers() -> Set[str]:
    topics = {*group_topics(HOME_GROUPS), *HOME_ALSO}
    return {answer_id for answer_id, answer in knowledge().answers.items() if answer.parent in topics}
