"""One inbound message's way, the same for every channel (runs in the sender's queue worker):

(before the webhook's 200: claim the delivery id, record the address and keep the message in the
durable inbox, one transaction; a repeat stops there, see delivery/inbox.py) → ask the hooks who
gets it → keep media references → Rasa → replies, each step recorded in the inbox row → row
deleted. If the database could not take the message before the acknowledgement, the worker
records it itself (retried ~10 s) and handles it from memory.

The user always gets an answer: media gets `media_unsupported` (or `media_kept_for_caseworker`
when an open case took it; a voice note `voice_note_reply` with the main menu's buttons), an
empty message `not_understood`, an over-long one
`message_too_long` (MAX_MESSAGE_CHARS), a flood `rate_limited` once (channels/limits.py), and a
failed or silent Rasa turn `try_again`, each in the user's language. An edited message is
never answered again: an open case gets it as a note (EDITED_MARK), nothing else happens -
unless it now describes danger (then it is answered like any message).
Logs name conversations only by their pseudonymous id; addresses and texts are redacted from
every log record (privacy/log_filter.py).
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import UserMessage

from language.text import as_user_words
from privacy import log_filter
from channels import audio, hooks, limits, menus
from core.db import is_transient
from delivery.collector import Reply, ReplyCollector
from delivery.inbox import Inbox, KeptMessage
from delivery.store import Address, ChannelStore
from delivery.tracker_view import ERASED, AnsweredLookup, LanguageLookup

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = limits.DEFAULT_MAX_CHARS  # longer messages are not sent to NLU (MAX_MESSAGE_CHARS)

EDITED_MARK = "✎ "  # an edited message as a case records it
VOICE_KINDS = {"voice", "audio"}  # Telegram voice notes and audio files; WhatsApp audio/* media

# Control events: changes of a user's reachability that are not messages for the bot.
BLOCKED, UNBLOCKED, OPT_OUT, OPT_IN = "blocked", "unblocked", "opt_out", "opt_in"



@dataclass
class Media:
    kind: str                     # photo, voice, audio, video, document, sticker, location, ...
    reference: str                # Telegram file_id, Twilio MediaUrl, geo:lat,lon
    content_type: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {"kind": self.kind, "reference": self.reference, "content_type": self.content_type}


@dataclass
class Inbound:
    channel: str
    conversation_id: str
    address: str                  # where replies go; never log it
    text: Optional[str] = None
    media: List[Media] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)  # reaches Rasa's tracker: no personal data
    control: Optional[str] = None
    delivery_id: Optional[str] = None  # Telegram update_id / Twilio MessageSid, for de-duplication
    # Set by the channel when it stored the message before acknowledging it (delivery/inbox.py):
    acceptance: Optional["asyncio.Future[Any]"] = field(default=None, repr=False)  # -> (Address, row) | None
    kept: bool = False                           # in the inbox (its row id is message_id)
    recorded: Optional[Address] = field(default=None, repr=False)  # known already (taken-over rows)
    replies: Optional[List[Reply]] = None     # a taken-over row the assistant had answered
    replies_sent: int = 0
    # Rasa's message id and the inbox row's: after a takeover it finds the turn in the tracker.
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __repr__(self) -> str:
        return f"Inbound({self.channel!r}, {self.conversation_id!r}, media={len(self.media)}, control={self.control!r})"

    def __post_init__(self) -> None:
        if self.text is not None:  # typed text and button data alike (Telegram callback data is free text)
            self.text = as_user_words(self.text) or None
        log_filter.remember(self.address, self.text)  # never in a log line

    def message(self) -> Dict[str, Any]:
        """What the inbox keeps of it (never the address)."""
        return {"text": self.text, "media": [m.as_dict() for m in self.media], "metadata": self.metadata}

    @classmethod
    def from_kept(cls, row: KeptMessage, address: Address) -> "Inbound":
        message = row.message
        return cls(address.channel, row.conversation_id, address.address, message.get("text"),
                   [Media(**m) for m in message.get("media") or []], dict(message.get("metadata") or {}),
                   kept=True, recorded=address, replies=row.replies, replies_sent=row.replies_sent,
                   message_id=row.id)


class InboundProcessor:
    def __init__(
        self,
        channel: str,
        store: ChannelStore,
        sender: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        language_lookup: Optional[LanguageLookup] = None,
        inbox: Optional[Inbox] = None,
        answered_lookup: Optional[AnsweredLookup] = None,
    ) -> None:
        self.channel = channel
        self.store = store
        self.sender = sender
        self.on_new_message = on_new_message
        self.language_lookup = language_lookup
        self.inbox = inbox
        self.answered_lookup = answered_lookup
        self.limiter = limits.RateLimiter.from_env()
        self.max_chars = limits.max_message_chars()

    async def handle(self, inbound: Inbound) -> None:
        if inbound.control:
            await self._control(inbound)
            return
        cid = inbound.conversation_id
        try:
            address = await self._claim(inbound)
        except Exception:
            # The database stayed unreachable: the message is neither claimed nor answered;
            # say so (the platform's retries would be answered "repeated" only once it is claimed).
            logger.exception("Could not record a %s message from %s; asking the user to retry", self.channel, cid)
            await self._say(_unrecorded_address(inbound), "try_again")
            return
        if address is None:
            logger.info("Repeated %s delivery for %s ignored", self.channel, cid)
            return
        try:
            if inbound.replies is not None:  # taken over after the assistant had answered
                await self._deliver(inbound, address, inbound.replies)
            else:
                await self._answer(inbound, address)
        except asyncio.CancelledError:
            raise  # shutdown or crash: the inbox row stays, to be taken over
        except Exception:
            await self._finish(inbound)
            raise
        await self._finish(inbound)

    async def _answer(self, inbound: Inbound, address: Address) -> None:
        cid = inbound.conversation_id
        verdict = self.limiter.check(cid, lambda: limits.looks_urgent(inbound.text))
        if verdict != limits.ALLOW:
            logger.warning("Message from %s over the rate limit dropped", cid)
            if verdict == limits.REFUSE_AND_TELL:
                await self._say(address, "rate_limited")
            return
        if inbound.metadata.get("edited") and not limits.looks_urgent(inbound.text):
            # A correction of an earlier message, not a new question: never answered again (the
            # user would get a second, different answer). An open case notes it for the caseworker.
            # Danger written into an edit is the exception: it is answered like any message.
            if inbound.text:
                await hooks.on_inbound(cid, self.channel, f"{EDITED_MARK}{inbound.text}", None)
            logger.info("Edited %s message from %s not answered", self.channel, cid)
            return
        # Media is kept first, whoever answers, so that a case records our row id
        # ("channel_media:<id>"), not the platform's URL (Twilio's holds the account id).
        kept_media = [await self._keep_media(cid, media) for media in inbound.media]
        decision = await hooks.on_inbound(cid, self.channel, inbound.text, kept_media[0] if kept_media else None)
        held = decision in (hooks.TO_CASE, hooks.TO_CASE_AND_BOT)
        if hasattr(self.sender, "hold"):
            self.sender.hold(cid, held)  # Telegram: no main-menu keyboard while a caseworker holds it
        if decision == hooks.DROP:
            return
        if inbound.media:
            logger.info("Media (%s) from %s kept", ",".join(m.kind for m in inbound.media), cid)
            if held:
                await self._say(address, "media_kept_for_caseworker")
            elif any(m.kind in VOICE_KINDS for m in inbound.media):
                await self._voice_note(address)
            else:
                await self._say(address, "media_unsupported")
        if decision not in (hooks.TO_BOT, hooks.TO_CASE_AND_BOT):
            return
        text = (inbound.text or "").strip()
        if not text:
            if not inbound.media:
                await self._say(address, "not_understood")
            return
        if len(text) > self.max_chars:
            await self._say(address, "message_too_long")
            return
        await self._turn(inbound, address, text)

    async def _keep_media(self, cid: str, media: Media) -> Dict[str, Any]:
        row = await self.store.run(self.store.record_media, cid, self.channel, media.reference, media.content_type)
        return {"kind": media.kind, "reference": f"channel_media:{row}", "content_type": media.content_type}

    async def _voice_note(self, address: Address) -> None:
        """What the assistant can do instead of listening: the main menu's buttons (a topic, a
        person), in the user's language. The text carries no numbers: the last menu of the
        conversation keeps its numbers for anything typed."""
        from content.knowledge import load_knowledge

        text = load_knowledge().text("voice_note_reply", address.language)
        await self._send(address, text, menus.buttons(menus.main_menu(address.language)))

    async def _claim(self, inbound: Inbound) -> Optional[Address]:
        """The address to answer, None for a repeated delivery.

        Usually the webhook stored the message already (inbound.acceptance); if that failed, the
        worker claims it now, retrying while the database is briefly unreachable (about 10 s).
        """
        if inbound.recorded is not None:
            return inbound.recorded
        if inbound.acceptance is not None:
            try:
                accepted = await inbound.acceptance
            except Exception:
                logger.warning("The inbox could not keep a %s message from %s; handling it from memory",
                               self.channel, inbound.conversation_id)
            else:
                if accepted is None:
                    return None
                address, _row_id = accepted  # the row id is inbound.message_id
                inbound.kept = True
                return address
        return await self._record_inbound(inbound)

    async def _record_inbound(self, inbound: Inbound) -> Optional[Address]:
        from delivery.retry import RetryPolicy, call_with_retries

        return await call_with_retries(
            lambda: self.store.run(self.store.record_inbound, inbound.conversation_id, self.channel,
                                   inbound.address, inbound.delivery_id),
            _database_hiccup, RetryPolicy(attempts=8, base_delay=0.25, max_delay=3.0))

    async def _turn(self, inbound: Inbound, address: Address, text: str) -> None:
        cid = address.conversation_id
        if inbound.recorded is not None:  # taken over: had the assistant answered it?
            answered = await self._answered(cid, inbound.message_id)
            if answered:
                await self._inbox_step(inbound, "hold_replies", answered)
                await self._deliver(inbound, address, answered)
                return
        collector = ReplyCollector()
        message = UserMessage(text, collector, cid, input_channel=self.channel, metadata=dict(inbound.metadata),
                              message_id=inbound.message_id)
        try:
            await self.on_new_message(message)
        except Exception:
            logger.exception("The assistant failed on a message from %s; asking the user to retry", cid)
            await self._say(address, "try_again")
            return
        replies = collector.replies()
        if replies:  # first thing: Rasa has saved the turn, a takeover must not ask it again
            await self._inbox_step(inbound, "hold_replies", replies)
        try:
            language = await self._refresh_language(address)
        except Exception:  # the database again: the replies matter more than the language copy
            logger.exception("Could not store the language of %s", address.conversation_id)
            language = address.language
        if not replies and not collector.silence_intended:
            # Rasa logs action-server errors and carries on without a reply: never leave the user
            # in silence (every turn of this assistant normally answers).
            logger.warning("The assistant gave no reply to %s; asking the user to retry", cid)
            await self._say(address, "try_again", language)
            return
        if language and language != address.language:  # the user just chose one: this turn's menus in it
            address = replace(address, language=language)
        await self._deliver(inbound, address, replies)
        await self._send_audio(address, language, collector.customs())

    async def _send_audio(self, address: Address, language: Optional[str], customs: List[Dict[str, Any]]) -> None:
        """A recorded answer after the written one, where one exists (channels/audio.py)."""
        if not hasattr(self.sender, "send_audio"):
            return
        for answer_id in audio.answers_of(customs):
            path = audio.find(answer_id, language or address.language)
            if path is not None:
                await self.sender.send_audio(address, path, answer_id)

    async def _answered(self, conversation_id: str, message_id: str) -> Optional[List[Reply]]:
        if self.answered_lookup is None:
            return None
        try:
            return await self.answered_lookup(conversation_id, message_id)
        except Exception:  # the tracker store is down: asking again is the lesser evil than silence
            logger.warning("Could not look up an earlier answer for %s", conversation_id, exc_info=True)
            return None

    async def _deliver(self, inbound: Inbound, address: Address, replies: List[Reply]) -> None:
        """Send the replies not yet sent, counting each in the inbox (a takeover resumes there)."""
        for index in range(inbound.replies_sent, len(replies)):
            reply_text, buttons = replies[index]
            result = await self._send(address, reply_text, buttons)
            if not result.sent and result.permanent:
                break  # blocked / opted out: the remaining replies cannot arrive either
            if index + 1 < len(replies):
                await self._inbox_step(inbound, "mark_sent", index + 1)

    async def _inbox_step(self, inbound: Inbound, step: str, *args: Any) -> None:
        """Record progress in the inbox row; a failure only widens the window for a repeat."""
        if self.inbox is None or not inbound.kept:
            return
        try:
            await getattr(self.inbox, step)(inbound.message_id, *args)
        except Exception:
            logger.warning("Could not record %s for a message of %s", step, inbound.conversation_id, exc_info=True)

    async def _finish(self, inbound: Inbound) -> None:
        """Delete the inbox row (retried: a row left behind would be answered again after a restart)."""
        if self.inbox is None or not inbound.kept:
            return
        from delivery.retry import RetryPolicy, call_with_retries

        try:
            inbox = self.inbox
            await call_with_retries(lambda: inbox.finish(inbound.message_id),
                                    _database_hiccup, RetryPolicy(attempts=6, base_delay=0.25, max_delay=2.0))
        except Exception:
            logger.exception("Could not clear the inbox row of a message of %s", inbound.conversation_id)

    async def _refresh_language(self, address: Address) -> Optional[str]:
        """Copy Rasa's `language` slot to channel_addresses, for replies made outside Rasa."""
        if self.language_lookup is None:
            return address.language
        try:
            language = await self.language_lookup(address.conversation_id)
        except Exception:
            logger.exception("Could not read the language of %s", address.conversation_id)
            return address.language
        if language is ERASED:  # the user just had their conversation deleted
            await self.store.run(self.store.erase_conversation, address.conversation_id)
            return None
        if language and language != address.language and language in _known_languages():
            await self.store.run(self.store.set_language, address.conversation_id, language)
            return language
        return address.language

    async def _say(self, address: Address, key: str, language: Optional[str] = None) -> None:
        from content.knowledge import load_knowledge

        text = load_knowledge().text(key, language or address.language)
        await self._send(address, text)

    async def _send(self, address: Address, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> Any:
        """Every message to the user goes out here, and is reported to channels.hooks (an open
        case records it with its delivery state: the caseworker reads all the migrant got)."""
        result = await self.sender.deliver(address, text, buttons)
        await hooks.on_outbound(address.conversation_id, self.channel, text, result)
        return result

    async def _control(self, inbound: Inbound) -> None:
        cid = inbound.conversation_id
        if inbound.control in (OPT_OUT, OPT_IN):
            # A STOP/START is a message from the user too (it opens the 24 h window). The platform
            # answers it itself, so nothing is sent and the bot does not see it.
            address = await self.store.run(
                self.store.record_inbound, cid, self.channel, inbound.address, inbound.delivery_id)
            if address is not None:
                await self.store.run(self.store.set_opted_out, cid, inbound.control == OPT_OUT)
        elif inbound.control in (BLOCKED, UNBLOCKED):
            if inbound.delivery_id is None or await self.store.run(
                    self.store.claim_update, self.channel, inbound.delivery_id):
                await self.store.run(self.store.set_blocked, cid, inbound.control == BLOCKED)
        logger.info("%s: %s", cid, inbound.control)


def _known_languages() -> Dict[str, Any]:
    # a slot is data from the conversation: only a language the assistant speaks is copied
    from content.knowledge import load_knowledge

    return load_knowledge().languages


def _database_hiccup(exc: BaseException) -> Tuple[bool, None]:
    """Retry while the database is unreachable, as the tracker store does (same classification)."""
    return is_transient(exc), None


def _unrecorded_address(inbound: Inbound) -> Address:
    """Where to reply when the database cannot tell (the user just wrote: the window is open)."""
    from core.clock import utcnow

    return Address(inbound.conversation_id, inbound.channel, inbound.address, None, utcnow(), False, False)
