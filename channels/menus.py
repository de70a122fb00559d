"""The main menu as the channels show it themselves, without a turn of the assistant: the
Telegram reply keyboard (always there, one topic per row) and the buttons under the answer to a
voice note; and `hint`, the few words a WhatsApp list item shows under its title. The same options, in the same order, as actions/replies.main_menu_options (tested
to stay so), built from the knowledge base alone so that the channels need no action code.

A reply-keyboard button sends its title as an ordinary message. Only a message that is exactly
one of the current main-menu titles (in any of the nine languages) is read as that option - a
fixed list of harmless choices, the same a tap on the inline menu gives - and becomes a signed
tap (channels/menu_token.py) like any other button, never free text for the NLU.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from channels import menu_token

Option = Tuple[str, str]


def main_menu(language: Optional[str]) -> List[Option]:
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    language = kb.resolve_language(language)
    options: List[Option] = [(f"group:{g.id}", kb.text(g.title_key, language)) for g in kb.menu_groups]
    options.append(("handoff", kb.text("menu_talk_to_person", language)))
    options.append(("language", kb.text("menu_change_language", language)))
    return options


# where a sentence ends, in the scripts of the nine languages (Latin, Arabic ؟, Ethiopic ።)
_SENTENCE_END = re.compile(r"(?<=[.!?؟።])\s")


def hint(option: str, language: Optional[str]) -> List[str]:
    """What an option opens, in a few words from the knowledge base and in `language`: a menu
    group's topic titles, the languages on offer (each in its own name, readable by someone who
    cannot read the current one), the first sentence of a topic's answer. [] when the option
    has nothing to add to its title (a person, yes / no...)."""
    from content.knowledge import load_knowledge

    kb = load_knowledge()
    kind, _, value = (option or "").partition(":")
    if kind == "group":
        group = kb.group(value)
        return [kb.topic_title(topic, language) for topic in group.topics if topic in kb.answers] if group else []
    if option == "language":
        return [lang.native_name for lang in kb.languages.values()]
    if kind == "topic" and value in kb.answers:
        answer = kb.article_text(value, language)[0].answer.strip()
        first = _SENTENCE_END.split(answer.splitlines()[0] if answer else "", maxsplit=1)[0].strip()
        return [first] if first else []
    return []


def buttons(options: List[Option]) -> List[Dict[str, Any]]:
    """Rasa-style buttons for `options`, as actions/replies.send makes them (numbered payloads)."""
    return [{"title": title, "payload": str(number), "option": option, "label": title}
            for number, (option, title) in enumerate(options, start=1)]


@lru_cache(maxsize=1)
def _titles() -> Dict[str, Tuple[int, str]]:
    from content.knowledge import load_knowledge

    table: Dict[str, Tuple[int, str]] = {}
    for language in load_knowledge().languages:
        for number, (option, title) in enumerate(main_menu(language), start=1):
            table.setdefault(title.strip().casefold(), (number, option))
    return table


def keyboard_tap(conversation_id: str, text: str) -> Optional[Dict[str, Any]]:
    """A reply-keyboard press ("Dangers of the journey") as a tap: {"text", "metadata"}, or None."""
    found = _titles().get((text or "").strip().casefold())
    if found is None:
        return None
    number, option = found
    token = menu_token.make(conversation_id, menu_token.new_menu_id(), number, option)
    return menu_token.tap_metadata(conversation_id, token) if token else None
