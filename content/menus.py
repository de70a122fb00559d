"""How a reply with a numbered menu reads, over the content alone (no conversation, no settings).

The actions send menus this way (actions/replies.py) and the content check measures the first
reply of every article this way (content/check.py), so the length it checks is the length a
user gets.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

from content.knowledge import KnowledgeBase

Option = Tuple[str, str]  # (option id, title shown to the user)

HANDOFF_OPTION = "handoff"


def render_menu(text: str, options: Sequence[Option]) -> str:
    lines = [f"{number}. {title}" for number, (_, title) in enumerate(options, start=1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines)) if part)


def topic_options(kb: KnowledgeBase, topics: Sequence[str], language: str) -> List[Option]:
    options: List[Option] = [(f"topic:{t}", kb.topic_title(t, language)) for t in topics if t in kb.answers]
    options.append((HANDOFF_OPTION, kb.text("menu_talk_to_person", language)))
    return options


def unreviewed_note(kb: KnowledgeBase, language: str, reviewed: bool) -> str:
    return "" if reviewed else kb.text("unreviewed_translation", language)
