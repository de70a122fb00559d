"""Answer a knowledge question: the exact answer if the knowledge base has one, else the topic's article.

The intent says what the question is about (a topic); retrieval.answers ranks the topic's
article and every specific entry (knowledge/entries) by the question's wording, with the intent as
prior. The best specific entry is answered (the topic's article when it reads clearly better); on a
close call between specific entries the runners-up lead its follow-ups, so the person can still pick
the exact question in one tap. Then the follow-ups.
The answer is then fitted to what the message says of the person's situation (actions/fitted_answer.py).
Where the conversation knows the host country and knowledge/country_guidance has a note for this
answer, the note follows the answer.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback, unanswered
from actions.consular_offer import PAPERS_TOPICS, consular_for_a_country
from actions.fitted_answer import SCREENING_TOPICS, fitted_answer, home_answers, home_not_risk
from actions.replies import (
    knowledge,
    not_understood,
    option_title,
    render_menu,
    send,
    topic_options,
    ui,
    unreviewed_note,
    user_language,
)
from retrieval.story_needs import answer_after, asks_to_check, wants_to_go_home

logger = logging.getLogger(__name__)

# A story ("I am in Libya 2 years, my boss took my passport, I want to go back to Nigeria") has a
# main need (the intent) and often a second one: offered as the first option, never answered
# instead of the main one.
STORY_MIN_WORDS = 10
SECOND_NEED_MIN_CONFIDENCE = 0.12
# answers that offer a guided flow as one more option of their own menu (inside the same bubble): the
# eligibility article the screening; every answer about papers or the embassy consular help, which was
# reachable only by asking for it in words ("guide me to get a laissez-passer") or by naming a country
# alone after such an answer (actions/consular_offer.py)
# (the option ids; their titles are actions/replies.option_title's, as for a menu tapped later)
FLOW_OFFERS = {"avr_eligibility": "flow:screening"}
TOPIC_FLOW_OFFERS = {topic: "flow:consular" for topic in PAPERS_TOPICS}
# the first turn also carries the consent question: its answer offers fewer follow-ups, so the
# whole turn stays within what a migrant pays for (about 700 characters)
FIRST_TURN_FOLLOW_UPS = 2
FIRST_TURN_MAX_CHARS = 700   # the whole first turn, the consent question included
# a specific entry leads the next answer by less than this, and two or more specific entries are
# in the best three: a close call. bench/answer_tuning.py (leave one out, 5,670 phrasings): below a
# lead of 0.04 the best entry is right 42-48 % of the time. A close call used to be a numbered
# choice instead of an answer, a round trip the person pays for and that answered nothing even when
# the best was right (it was in 5 of 7 close calls read on the tuning sets). Now the best is
# answered and the runners-up come first among its follow-ups. Tuning sets, questions / follow-ups
# right: dev 82.0 / 73.5 -> 82.7 / 74.6 %, dev2 76.4 / 75.2 -> 78.0 / 75.6 %, no turn lost
ENTRY_MARGIN = 0.02
CHOICES = 3
# the exact answer first: a topic's article wins over one of its own entries only by this much
# (bench/answer_tuning.py: 0.2 with DENSE_WEIGHT 0.8). On the tuning conversations 0.2 let entries
# that answer another question take general ones ("I want to go home to Mali" -> which countries
# the programme covers): topics right 74.6 % at 0.2, 76.4 % at 0.1, 75.7 % at 0.05
SPECIFIC_PREFERENCE = 0.1
# a short question right after an answer is probably about the same topic (or a neighbour of it in
# its menu group, at GROUP_PRIOR of that): a prior this strong beside the intent's own probability.
# Tuned on bench/conversations_dev (never on the held-out set): follow-ups right 63.9 % at 0.3 (topic
# only), 68.1 % at 1.0 with the group, 67.7 % at 1.5 (with actions/retrieval.CONTEXT_WEIGHT 1.0)
CONTEXT_PRIOR = 1.0
GROUP_PRIOR = 0.5
# a question this short (in words) is read in the conversation's context. Tuned on the dev
# conversations: follow-ups right 328 of 466 at 8 words, 333 at 11 and at 14 (a follow-up often
# carries a short story: "he says he just wants to go home now. possible straight from there?")
FOLLOW_UP_MAX_WORDS = 11
# a follow-up is also ranked after the person's previous question (retrieval.answers, `context`):
# the earlier message that says enough to carry context - at least this many words
CONTEXT_MIN_WORDS = 3
# one who asks us to look at their own case ("can you check if I can get help to go home",
# "ka duba min halin da nake ciki") wants the screening that answer would offer: it starts at once
# (story_needs.yml `asking_to_check`), when what they ask about is going home. Never for a person
# afraid to go home: they get protection and asylum, not a return questionnaire.
NOT_SCREENED = ("avr_cannot_go_home", "asylum")


def context_prior(topic: str) -> List[Dict[str, Any]]:
    """The topics a follow-up is read with: the conversation's topic first, the
    other topics of its menu group (going home: overview, eligibility, process) next."""
    group = next((g.topics for g in knowledge().menu_groups if topic in g.topics), (topic,))
    return [{"name": t, "confidence": 1.0 if t == topic else GROUP_PRIOR} for t in dict.fromkeys((topic, *group))]


def first_turn(tracker: Tracker) -> bool:
    return not any(e.get("event") == "bot" for e in tracker.events)


def follow_ups_for(tracker: Tracker) -> Optional[int]:
    """How many follow-ups the answer in this turn may offer (None: all of them)."""
    return FIRST_TURN_FOLLOW_UPS if first_turn(tracker) else None


def first_turn_chars(tracker: Tracker, language: str) -> Optional[int]:
    """How long the answer may be in this turn (None: no limit): in the first turn, what the
    consent question that follows it leaves of FIRST_TURN_MAX_CHARS."""
    return FIRST_TURN_MAX_CHARS - len(ui("intro_consent", language)) - 2 if first_turn(tracker) else None


def host_country(tracker: Tracker) -> Optional[str]:
    return tracker.get_slot("host_country") or tracker.get_slot("known_host_country")


def second_need(tracker: Tracker, topic: str) -> Optional[str]:
    """Another topic a long message also asks about (from a different menu group), or None."""
    text = tracker.latest_message.get("text") or ""
    if len(text.split()) < STORY_MIN_WORDS:
        return None
    kb = knowledge()
    group_of = {t: g.id for g in kb.menu_groups for t in g.topics}
    for ranked in (tracker.latest_message.get("intent_ranking") or [])[1:4]:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0.0)
        if confidence < SECOND_NEED_MIN_CONFIDENCE:
            break
        if name in kb.articles and name != topic and group_of.get(name) != group_of.get(topic):
            return name
    return None


def answer_topic(dispatcher: CollectingDispatcher, answer_id: str, language: str, also: Optional[str] = None,
                 max_follow_ups: Optional[int] = None, country: Optional[str] = None,
                 max_chars: Optional[int] = None, ask_feedback: bool = False,
                 nearby: Sequence[str] = ()) -> List[EventType]:
    """Send one answer (a topic's article or a specific entry) with its follow-up menu, `nearby`
    (a close call's runners-up, `best_answer`) first in it.
    `max_chars`: over this, follow-ups are left out (the answer and "talk to a person" stay), then
    the country note (it comes with the next answer about the same subject). With `ask_feedback`
    (actions/feedback.due), "Was this helpful? 👍 / 👎" rides in the same message."""
    kb = knowledge()
    answer = kb.answers[answer_id]
    text, used_language = kb.article_text(answer_id, language)
    note = kb.country_note(country, answer_id, language)
    custom = {"topic": answer.parent, "answer": answer_id,
              "sources": [s.get("source") or s.get("file") or s.get("url") for s in answer.sources]}
    follow_ups = _follow_ups(answer_id, also, max_follow_ups, nearby)
    flow = FLOW_OFFERS.get(answer_id) or TOPIC_FLOW_OFFERS.get(answer.parent)
    while True:
        parts = [text.answer, note, ui("also_mentioned", language) if also in follow_ups else "",
                 unreviewed_note(language, text.reviewed and used_language == language)]
        body = "\n\n".join(p for p in parts if p)
        options = topic_options(follow_ups, language)
        if flow is not None:  # before "Talk to a person"
            options.insert(len(options) - 1, (flow, option_title(flow, language) or flow))
        if max_chars is None or len(render_menu(body, options)) <= max_chars or not (follow_ups or note):
            break
        if follow_ups:
            follow_ups = follow_ups[:-1]
        else:
            note = ""
    footer, extra_buttons, asked = feedback.offer(answer_id, language) if ask_feedback else ("", [], {})
    events = send(dispatcher, body, options, custom={**custom, **asked}, footer=footer, extra_buttons=extra_buttons)
    return [SlotSet("topic", answer.parent), SlotSet("answer", answer_id), SlotSet("failed_understandings", 0.0),
            *events]


def _follow_ups(answer_id: str, also: Optional[str], limit: Optional[int], nearby: Sequence[str] = ()) -> List[str]:
    """A topic's article: its follow-ups. A specific entry: its topic's article first ("more about"),
    then the topic's follow-ups. `nearby` before all of them, then `also`."""
    kb = knowledge()
    answer = kb.answers[answer_id]
    follow_ups = list(answer.follow_ups) if not answer.is_entry else [answer.parent, *kb.articles[answer.parent].follow_ups]
    if also:
        follow_ups = [also, *(t for t in follow_ups if t != also)]
    follow_ups = [t for t in dict.fromkeys([*nearby, *follow_ups]) if t != answer_id]
    return follow_ups[:limit] if limit is not None else follow_ups


def previous_question(tracker: Tracker) -> Optional[str]:
    """The person's last earlier message that says something (not "ok", not a menu number)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = str(event.get("text") or "")
        if text.startswith("/"):
            continue
        if sum(1 for word in text.split() if any(c.isalpha() for c in word)) >= CONTEXT_MIN_WORDS:
            return text
    return None


def question_context(tracker: Tracker, text: str) -> Optional[str]:
    """The previous question a message is read after: only a short one (FOLLOW_UP_MAX_WORDS) is."""
    return previous_question(tracker) if len(text.split()) <= FOLLOW_UP_MAX_WORDS else None


def best_answer(text: str, topic: str, intent_ranking: Sequence[Dict[str, Any]],
                current_topic: Optional[str] = None, context: Optional[str] = None,
                conversation_topic: Optional[str] = None) -> Tuple[str, Tuple[str, ...]]:
    """(answer id, runners-up): the answer for `text` about `topic`, and on a close call the other
    answers it was close to (to offer first among its follow-ups; empty otherwise).
    `current_topic`: the conversation's topic before this message (read with a short follow-up),
    `context`: the previous question it is read after (`question_context`); `conversation_topic`:
    the conversation's topic where `current_topic` is not given (`answer_where_they_are`)."""
    kb = knowledge()
    if not kb.entries or not any(char.isalpha() for char in text):
        return topic, ()
    conversation_topic = current_topic or conversation_topic
    in_context = context_prior(str(current_topic)) \
        if current_topic in kb.articles and len(text.split()) <= FOLLOW_UP_MAX_WORDS else []
    try:
        from retrieval.answers import get_ranker

        prior = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in intent_ranking}
        prior.setdefault(topic, 1.0)
        for near in in_context:
            prior[near["name"]] = prior.get(near["name"], 0.0) + CONTEXT_PRIOR * near["confidence"]
        # every answer in order, scored once: the best few, or the best few about going home
        everything = get_ranker().rank(text, prior, k=len(kb.answers), context=context)
    except Exception:  # the topic's article is always a right answer; never fail the turn here
        logger.exception("answer ranking failed")
        return topic, ()
    ranked = everything[:CHOICES + 1]
    if home_not_risk(ranked[0].answer, text):  # about (not) going home, not the risk
        home = home_answers()
        ranked = [r for r in everything if r.answer in home][:CHOICES + 1] or ranked
    best = ranked[0]
    if not kb.answers[best.answer].is_entry:
        own = next((r for r in ranked[1:] if kb.answers[r.answer].topic == best.answer
                    and r.score >= best.score - SPECIFIC_PREFERENCE), None)
        if own is not None:  # a specific entry of that topic reads almost as well: answer exactly
            return fitted_answer(own.answer, text, conversation_topic, topic), ()
        # the intent's own article, or one of the conversation's topics when a short follow-up reads
        # best as that (the classifier is often sure of another topic on a follow-up: "c anonyme?"
        # after the abuse answer). Tuning sets, follow-ups right: 71.8 -> 73.3 % and 69.2 -> 70.3 %
        context_article = best.answer in {near["name"] for near in in_context}
        chosen = best.answer if kb.answers[best.answer].parent == topic or context_article else topic
        return fitted_answer(chosen, text, conversation_topic, topic), ()
    lead = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    specific = [r.answer for r in ranked[:CHOICES] if kb.answers[r.answer].is_entry]
    answer = fitted_answer(best.answer, text, conversation_topic, topic)
    if lead < ENTRY_MARGIN and len(specific) >= 2:
        return answer, tuple(r.answer for r in ranked[:CHOICES] if r.answer != answer)[:CHOICES - 1]
    return answer, ()


def answer_in_context(tracker: Tracker, answer_id: str, text: str) -> str:
    """`answer_id`, or what the answer sent last makes of this message (retrieval.story_needs.answer_after),
    read with the person's previous message ("he abused me" then "is there still care?")."""
    return answer_after(answer_id, text, tracker.get_slot("answer"), previous_question(tracker),
                        previous_topic=tracker.get_slot("topic"))


def start_screening_instead(tracker: Tracker, answer_id: str, text: str) -> List[EventType]:
    """The screening in place of `answer_id` when the message asks us to check the person's case
    about going home (`SCREENING_TOPICS`); [] otherwise, and always inside a guided flow."""
    answer = knowledge().answers.get(answer_id)
    if answer is None or tracker.active_loop.get("name") or not asks_to_check(text):
        return []
    if answer_id in NOT_SCREENED or answer.parent in NOT_SCREENED:
        return []
    if answer.parent in SCREENING_TOPICS or wants_to_go_home(text):  # an article is its own parent
        return [FollowupAction("action_start_screening")]
    return []


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        topic = (tracker.latest_message.get("intent") or {}).get("name")
        kb = knowledge()
        if topic not in kb.articles:
            # only reachable if a topic intent exists without its article: say so, never guess
            return not_understood(dispatcher, tracker)
        language = user_language(tracker)
        text = tracker.latest_message.get("text") or ""
        consular = consular_for_a_country(tracker, text)  # "nijar" after the papers answer: not the desert
        if consular:
            return consular
        answer_id, nearby = best_answer(text, topic, tracker.latest_message.get("intent_ranking") or [],
                                        current_topic=tracker.get_slot("topic"), context=question_context(tracker, text))
        answer_id = answer_in_context(tracker, answer_id, text)
        screening = start_screening_instead(tracker, answer_id, text)
        if screening:
            return screening
        events = answer_topic(dispatcher, answer_id, language, also=second_need(tracker, topic),
                              max_follow_ups=follow_ups_for(tracker), country=host_country(tracker),
                              max_chars=first_turn_chars(tracker, language), ask_feedback=feedback.due(tracker),
                              nearby=nearby)
        unanswered.note_if_unsure(tracker, events)  # a shaky topic goes on the content team's list
        return events
