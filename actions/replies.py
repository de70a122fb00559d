"""Shared by every action: the user's language, ui strings and numbered menus.

A menu is a numbered list inside the text (works on every channel, readable on any phone),
plus buttons carrying the number and the option id (the channels turn them into Telegram
inline keyboards and WhatsApp buttons or lists whose ids are signed tokens naming the menu and
the option, channels/menu_token.py: a tap on an old menu answers what that button said). What
each number means is kept in the `menu_options` slot so that a later typed "2" can be resolved.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from content import menus
from content.knowledge import KnowledgeBase, load_knowledge
from content.menus import HANDOFF_OPTION, Option, render_menu
from core.settings import get_settings, parse_office_hours

MENU_OPTION = "menu"
# the two options of a yes/no question ("Delete your data? 1 yes 2 no"); actions/confirmations.py
# runs the answer
CONFIRM_YES, CONFIRM_NO = "confirm:yes", "confirm:no"


def knowledge() -> KnowledgeBase:
    return load_knowledge()


def user_language(tracker: Tracker) -> str:
    return knowledge().resolve_language(tracker.get_slot("language"))


def ui(key: str, language: str, **values: Any) -> str:
    settings = get_settings()
    defaults: Dict[str, Any] = {"retention_days": settings.retention_days}
    if "{office_hours}" in _template(key, language):
        defaults["office_hours"] = office_hours(settings.office_hours, language)
    defaults.update(values)
    template_values = {k: v for k, v in defaults.items() if "{" + k + "}" in _template(key, language)}
    return knowledge().text(key, language, **template_values)


def office_hours(spec: str, language: str) -> str:
    """OFFICE_HOURS ("mon-fri 09:00-17:00") in the user's language: never English inside French."""
    days, start, end = parse_office_hours(spec)
    kb = knowledge()
    return kb.text("office_hours_format", language, days=kb.text(f"office_hours_{days.replace('-', '_')}", language),
                   start=start, end=end)


def _template(key: str, language: str) -> str:
    kb = knowledge()
    return kb.ui.get(kb.resolve_language(language), {}).get(key) or kb.ui[kb.default_language][key]


def send(
    dispatcher: CollectingDispatcher,
    text: str,
    options: Sequence[Option] = (),
    custom: Optional[Dict[str, Any]] = None,
    footer: str = "",
    extra_buttons: Sequence[Dict[str, Any]] = (),
) -> List[EventType]:
    """Send one message; with options, a numbered menu that the next "1", "2"... selects.
    `footer` and `extra_buttons` ride in the same message under the menu, without numbers (the
    rating question of actions/feedback.py): they never change what a number picks."""
    kwargs: Dict[str, Any] = {"text": "\n\n".join(part for part in (render_menu(text, options), footer) if part)}
    buttons = [
        # payload: what a channel without button ids sends back (the web chat: the number);
        # option and label: for the channels' own buttons (ids, titles without the number)
        {"title": f"{number}. {title}", "payload": str(number), "option": option_id, "label": title}
        for number, (option_id, title) in enumerate(options, 1)
    ] + list(extra_buttons)
    if buttons:
        kwargs["buttons"] = buttons
    if custom:
        kwargs["json_message"] = custom
    dispatcher.utter_message(**kwargs)
    if options:
        return [SlotSet("menu_options", [option_id for option_id, _ in options])]
    return []


def main_menu_options(language: str) -> List[Option]:
    kb = knowledge()
    options: List[Option] = [(f"group:{g.id}", kb.text(g.title_key, language)) for g in kb.menu_groups]
    options.append((HANDOFF_OPTION, kb.text("menu_talk_to_person", language)))
    options.append(("language", kb.text("menu_change_language", language)))
    return options


def option_title(option_id: str, language: str) -> Optional[str]:
    """The title an option id is shown with, or None when it has none of its own (yes/no)."""
    kb = knowledge()
    kind, _, value = option_id.partition(":")
    if kind == "topic" and value in kb.answers:
        return kb.topic_title(value, language)
    if kind == "group":
        group = next((g for g in kb.menu_groups if g.id == value), None)
        return kb.text(group.title_key, language) if group else None
    if option_id == HANDOFF_OPTION:
        return kb.text("menu_talk_to_person", language)
    if option_id == "language":
        return kb.text("menu_change_language", language)
    if kind == "language" and value in kb.languages:
        return kb.languages[value].native_name
    if option_id == "flow:screening":
        return kb.text("menu_check_situation", language)
    if option_id == "flow:consular":
        return kb.text("menu_consular_help", language)
    return None


def topic_options(topics: Sequence[str], language: str) -> List[Option]:
    return menus.topic_options(knowledge(), topics, language)


def unreviewed_note(language: str, reviewed: bool) -> str:
    return menus.unreviewed_note(knowledge(), language, reviewed)


def ask_yes_no(dispatcher: CollectingDispatcher, question: str, text: str) -> List[EventType]:
    """Ask the yes/no `question` (an id actions/confirmations.py knows); `text` already says
    "reply 1 for yes, 2 for no"."""
    send(dispatcher, text)
    return [SlotSet("pending_confirmation", question), SlotSet("menu_options", [CONFIRM_YES, CONFIRM_NO])]


FAILURES_BEFORE_OFFERING_A_PERSON = 2


def not_understood(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    language = user_language(tracker)
    failures = int(tracker.get_slot("failed_understandings") or 0) + 1
    events: List[EventType] = [SlotSet("failed_understandings", float(failures))]
    if failures >= FAILURES_BEFORE_OFFERING_A_PERSON:
        # offer, never force, a person after repeated misunderstandings
        # the text itself says "reply 1 for yes, 2 to keep asking me"
        send(dispatcher, ui("handoff_offer_after_failures", language))
        return events + [SlotSet("menu_options", [HANDOFF_OPTION, MENU_OPTION])]
    send(dispatcher, ui("not_understood", language))
    return events
