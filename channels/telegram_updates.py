"""Telegram Update JSON → the channel-neutral Inbound message (parsed with python-telegram-bot).

Only private chats are served (the assistant talks to one person at a time; in a group the
chat id would not be the user). Handled: messages, edited messages (never answered as a new
message: at most a note on an open case, see channels/inbound.py), inline-keyboard callbacks
(their data is a signed menu token, channels/menu_token.py: anything else is an "old menu"),
and my_chat_member (the user blocked / unblocked the bot). Commands become the words the
assistant understands; any other leading "/" is removed, because Rasa would read "/intent" as
a forced intent. `/start PAYLOAD` (a t.me deep link) carries a campaign, channels/campaign.py.
A message that is exactly a main-menu title is a press of the reply keyboard (channels/menus.py).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from telegram import Message, Update

from privacy.pseudonym import pseudonymise
from channels import campaign
from channels.config import TELEGRAM
from channels.inbound import BLOCKED, UNBLOCKED, Inbound, Media
from channels.menu_token import tap_metadata
from channels.menus import keyboard_tap

logger = logging.getLogger(__name__)
# Telegram keeps an undelivered update for 24 hours: anything older is a replay of a captured
# request (the secret token proves the sender, not the time), refused well inside DEDUP_WINDOW.
MAX_UPDATE_AGE = timedelta(hours=48)

COMMANDS = {
    "start": "hello",
    "help": "menu",
    "menu": "menu",
    "language": "change language",
    "human": "human",
    "delete": "delete my data",
}


def user_text(text: str) -> Tuple[str, Dict[str, Any]]:
    """Commands → assistant words (plus metadata); other text with Rasa's "/" prefix removed."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return stripped, {}
    command, _, argument = stripped[1:].partition(" ")
    command = command.split("@", 1)[0].lower()  # "/help@SomeBot" in menus
    if command in COMMANDS:
        metadata: Dict[str, Any] = {"command": command}
        found = campaign.parse(argument) if command == "start" and argument.strip() else None
        if found is not None:  # deep link t.me/bot?start=fr_radio1 (any other payload is dropped)
            metadata.update(found.metadata())
            if found.language:
                return campaign.greeting(found.language), metadata  # preselects the language
        return COMMANDS[command], metadata
    return stripped, {}  # Inbound removes the "/" of anything else (Rasa's forced-intent syntax)


def message_media(message: Message) -> List[Media]:
    """The file a message carries (its Telegram file_id), or the shared location."""
    if message.photo:
        return [Media("photo", message.photo[-1].file_id, "image/jpeg")]  # largest size
    if message.location:
        location = message.location
        return [Media("location", f"geo:{location.latitude},{location.longitude}", "location")]
    if message.contact:
        # Someone else's phone number: not stored, only that a contact card was sent.
        return [Media("contact", "contact card (not stored)", "contact")]
    for kind in ("voice", "audio", "video", "video_note", "animation", "sticker", "document"):
        attachment = getattr(message, kind, None)
        if attachment is not None:
            content_type = getattr(attachment, "mime_type", None) or kind
            return [Media(kind, attachment.file_id, content_type)]
    return []


def parse_update(data: Dict[str, Any]) -> Optional[Tuple[Inbound, Optional[str]]]:
    """(Inbound, callback_query_id or None), or None for updates the assistant does not serve."""
    update = Update.de_json(data, None)
    if update is None:
        return None
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None or message.chat.type != "private":
            return None
        chat_id = str(message.chat.id)
        # Only a token signed for this chat chooses an option; anything else (an old "1" button,
        # a forged value) reaches the assistant as an old menu, never as text of its own.
        tap = tap_metadata(pseudonymise(TELEGRAM, chat_id), (query.data or "").strip())
        inbound = _inbound(chat_id, tap["text"], [], {"callback": True, **tap["metadata"]})
        return inbound, query.id
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return None
        status = member.new_chat_member.status
        control = BLOCKED if status in ("kicked", "left") else UNBLOCKED if status == "member" else None
        if control is None:
            return None
        inbound = _inbound(str(member.chat.id), None, [], {})
        inbound.control = control
        return inbound, None
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    sent_at = message.edit_date if update.edited_message is not None and message.edit_date else message.date
    if sent_at is not None and datetime.now(timezone.utc) - sent_at > MAX_UPDATE_AGE:
        logger.warning("Telegram update %s from %s refused: too old to be a delivery", update.update_id, sent_at)
        return None
    raw_text = message.text or message.caption or ""
    text, metadata = user_text(raw_text) if raw_text else ("", {})
    chat_id = str(message.chat.id)
    if update.edited_message is not None:
        metadata["edited"] = True  # never answered as a new message (channels/inbound.py)
    elif message.text and "command" not in metadata and (pressed := keyboard_tap(pseudonymise(TELEGRAM, chat_id), text)) is not None:
        text = pressed["text"]  # a reply-keyboard button: the main-menu option it names
        metadata.update(pressed["metadata"])
    language_code = message.from_user.language_code if message.from_user else None
    if language_code:
        metadata["client_language"] = language_code  # a hint only; the assistant detects the language
    return _inbound(chat_id, text or None, message_media(message), metadata), None


def _inbound(chat_id: str, text: Optional[str], media: List[Media], metadata: Dict[str, Any]) -> Inbound:
    return Inbound(
        channel=TELEGRAM,
        conversation_id=pseudonymise(TELEGRAM, chat_id),
        address=chat_id,
        text=text,
        media=media,
        metadata={"channel": TELEGRAM, **metadata},
    )
