"""Small talk and navigation: greeting, menus, thanks, goodbye, "are you a bot", not understood."""
from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback, unanswered
from actions.confirmations import answer_pending
from actions.follow_up import ranked_follow_up
from actions.knowledge_answer import answer_topic, host_country
from actions.replies import (
    HANDOFF_OPTION,
    not_understood,
    knowledge,
    main_menu_options,
    send,
    topic_options,
    ui,
    unreviewed_note,
    user_language,
)

OUT_OF_SCOPE_FOLLOW_UP_WORDS = 4  # "how much?", "c anonyme?": too short to be out of scope on their own


def show_main_menu(dispatcher: CollectingDispatcher, language: str, intro_key: str = "help_intro") -> List[EventType]:
    return send(dispatcher, ui(intro_key, language), main_menu_options(language))


def show_group(dispatcher: CollectingDispatcher, group_id: str, language: str) -> List[EventType]:
    group = knowledge().group(group_id)
    if group is None:
        return show_main_menu(dispatcher, language)
    title = ui(group.title_key, language)
    return send(dispatcher, f"{title}\n{ui('menu_hint', language)}", topic_options(group.topics, language))


class _SimpleReply(Action):
    """Replies with one ui string."""

    key = ""

    def name(self) -> Text:
        return f"action_{self.key}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return send(dispatcher, ui(self.key, user_language(tracker)))


class ActionGoodbye(_SimpleReply):
    key = "goodbye"


class ActionThanks(_SimpleReply):
    key = "thanks"


class ActionBotChallenge(_SimpleReply):
    key = "bot_challenge"


def introduced(tracker: Tracker) -> bool:
    """The introduction was shown earlier in this conversation (it is shown once)."""
    return any(e.get("event") == "action" and e.get("name") in ("action_greet", "action_privacy_notice")
               for e in tracker.events[:-1])


class ActionGreet(Action):
    """Hello, the introduction (once per conversation) and the menu, in one message."""

    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        if introduced(tracker):
            return show_main_menu(dispatcher, language)
        note = unreviewed_note(language, knowledge().is_ui_reviewed(language))
        intro = "\n".join(p for p in (ui("intro", language), note) if p)
        return send(dispatcher, f"{intro}\n\n{ui('help_intro', language)}", main_menu_options(language))


# a person in distress who writes only an emoji is offered a person first
DISTRESS = set("😭😢😥😰😱😨😩😫😞😔💔🙏🆘😿🥺")


class ActionNoise(Action):
    """An emoji or punctuation only: one short line and the menu; distress offers a person first.
    A thumb answering "was this helpful?" is a rating (actions/feedback.py), thanked instead."""

    def name(self) -> Text:
        return "action_noise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        rated = feedback.take_rating(dispatcher, tracker)  # a 👍 / 👎 answering "was this helpful?" is noise to the NLU
        if rated is not None:
            return rated
        language = user_language(tracker)
        text = tracker.latest_message.get("text") or ""
        if any(char in DISTRESS for char in text):
            options = main_menu_options(language)
            person = [o for o in options if o[0] == HANDOFF_OPTION]
            return send(dispatcher, ui("distress_reply", language), person + [o for o in options if o[0] != HANDOFF_OPTION])
        return send(dispatcher, ui("noise_reply", language), main_menu_options(language))


class ActionHelpMenu(Action):
    def name(self) -> Text:
        return "action_help_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return [SlotSet("pending_confirmation", None), *show_main_menu(dispatcher, user_language(tracker))]


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language = user_language(tracker)
        # a bare "how much?" reads as out of scope on its own; after an answer it asks about it
        entry = ranked_follow_up(tracker, depth=3) if len((tracker.latest_message.get("text") or "").split()) <= \
            OUT_OF_SCOPE_FOLLOW_UP_WORDS else None
        if entry in knowledge().answers:
            return answer_topic(dispatcher, entry, language, country=host_country(tracker))
        send(dispatcher, ui("out_of_scope", language))
        return show_main_menu(dispatcher, language)


class ActionNotUnderstood(Action):
    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = not_understood(dispatcher, tracker)
        unanswered.note(tracker, events)  # the content team's list of questions without a good answer
        return events


class ActionAffirm(Action):
    """"Yes" answers a pending question (e.g. delete my data?); otherwise it is acknowledged."""

    def name(self) -> Text:
        return "action_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        handled = answer_pending(dispatcher, tracker, yes=True)
        if handled is not None:
            return handled
        return send(dispatcher, ui("affirm", user_language(tracker)))


class ActionDeny(Action):
    def name(self) -> Text:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        handled = answer_pending(dispatcher, tracker, yes=False)
        if handled is not None:
            return handled
        return send(dispatcher, ui("deny", user_language(tracker)))


# what a short message the classifier cannot place between these is answered with
# (actions/retrieval.small_talk_intent: "ok thx", "mr6")
SMALL_TALK_ACTIONS: Dict[str, Type[Action]] = {"thanks": ActionThanks, "goodbye": ActionGoodbye, "greet": ActionGreet,
                                               "affirm": ActionAffirm, "deny": ActionDeny}
