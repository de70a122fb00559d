"""One inbound message's way, the same for every channel (runs in the sender's queue worker):

claim the delivery id and record the address (one transaction; a repeat stops here) → ask the
hooks who gets it → keep media references → Rasa → replies.

The user always gets an answer: media gets `media_unsupported` (or `media_kept_for_caseworker`
when an open case took it), an empty message `not_understood`, an over-long one
`message_too_long` (MAX_MESSAGE_CHARS), a flood `rate_limited` once (channels/limits.py), and a
failed or silent Rasa turn `try_again`, each in the user's language.
Logs name conversations only by their pseudonymous id; addresses and texts are redacted from
every log record (bot/privacy/log_filter.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage

from bot.privacy import log_filter
from channels import hooks, limits
from channels.collector import ReplyCollector
from channels.store import Address, ChannelStore

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = limits.DEFAULT_MAX_CHARS  # longer messages are not sent to NLU (MAX_MESSAGE_CHARS)
ERASED = object()      # a language look-up's answer when the conversation was erased on request

# Control events: changes of a user's reachability that are not messages for the bot.
BLOCKED, UNBLOCKED, OPT_OUT, OPT_IN = "blocked", "unblocked", "opt_out", "opt_in"

LanguageLookup = Callable[[str], Awaitable[Any]]  # conversation id -> language code, None or ERASED


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

    def __repr__(self) -> str:
        return f"Inbound({self.channel!r}, {self.conversation_id!r}, media={len(self.media)}, control={self.control!r})"

    def __post_init__(self) -> None:
        log_filter.remember(self.address, self.text)  # never in a log line


class InboundProcessor:
    def __init__(
        self,
        channel: str,
        store: ChannelStore,
        sender: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        language_lookup: Optional[LanguageLookup] = None,
    ) -> None:
        self.channel = channel
        self.store = store
        self.sender = sender
        self.on_new_message = on_new_message
        self.language_lookup = language_lookup
        self.limiter = limits.RateLimiter.from_env()
        self.max_chars = limits.max_message_chars()

    async def handle(self, inbound: Inbound) -> None:
        if inbound.control:
            await self._control(inbound)
            return
        cid = inbound.conversation_id
        try:
            address = await self._record_inbound(inbound)
        except Exception:
            # The database stayed unreachable: the message is neither claimed nor answered;
            # say so (the platform's retries would be answered "repeated" only once it is claimed).
            logger.exception("Could not record a %s message from %s; asking the user to retry", self.channel, cid)
            await self._say(_unrecorded_address(inbound), "try_again")
            return
        if address is None:
            logger.info("Repeated %s delivery for %s ignored", self.channel, cid)
            return
        verdict = self.limiter.check(cid, lambda: limits.looks_urgent(inbound.text))
        if verdict != limits.ALLOW:
            logger.warning("Message from %s over the rate limit dropped", cid)
            if verdict == limits.REFUSE_AND_TELL:
                await self._say(address, "rate_limited")
            return
        first_media = inbound.media[0].as_dict() if inbound.media else None
        decision = await hooks.on_inbound(cid, self.channel, inbound.text, first_media)
        if decision == hooks.DROP:
            return
        if inbound.media:
            for media in inbound.media:  # kept whoever answers, so a caseworker can see it later
                await self.store.run(self.store.record_media, cid, self.channel, media.reference, media.content_type)
            logger.info("Media (%s) from %s kept", ",".join(m.kind for m in inbound.media), cid)
            kept = decision in (hooks.TO_CASE, hooks.TO_CASE_AND_BOT)
            await self._say(address, "media_kept_for_caseworker" if kept else "media_unsupported")
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
        await self._turn(address, text, inbound.metadata)

    async def _record_inbound(self, inbound: Inbound) -> Optional[Address]:
        """record_inbound, retried while the database is briefly unreachable (about 10 s)."""
        from channels.retry import RetryPolicy, call_with_retries

        def transient(exc: BaseException):
            from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

            return isinstance(exc, (OperationalError, InterfaceError)) or (
                isinstance(exc, DBAPIError) and exc.connection_invalidated), None

        return await call_with_retries(
            lambda: self.store.run(self.store.record_inbound, inbound.conversation_id, self.channel,
                                   inbound.address, inbound.delivery_id),
            transient, RetryPolicy(attempts=8, base_delay=0.25, max_delay=3.0))

    async def _turn(self, address: Address, text: str, metadata: Dict[str, Any]) -> None:
        cid = address.conversation_id
        collector = ReplyCollector()
        message = UserMessage(text, collector, cid, input_channel=self.channel, metadata=dict(metadata))
        try:
            await self.on_new_message(message)
        except Exception:
            logger.exception("The assistant failed on a message from %s; asking the user to retry", cid)
            await self._say(address, "try_again")
            return
        try:
            language = await self._refresh_language(address)
        except Exception:  # the database again: the replies matter more than the language copy
            logger.exception("Could not store the language of %s", address.conversation_id)
            language = address.language
        replies = collector.replies()
        if not replies and not collector.silence_intended:
            # Rasa logs action-server errors and carries on without a reply: never leave the user
            # in silence (every turn of this assistant normally answers).
            logger.warning("The assistant gave no reply to %s; asking the user to retry", cid)
            await self._say(address, "try_again", language)
            return
        for reply_text, buttons in replies:
            result = await self.sender.deliver(address, reply_text, buttons)
            if not result.sent and result.permanent:
                break  # blocked / opted out: the remaining replies cannot arrive either

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
        if language and language != address.language:
            await self.store.run(self.store.set_language, address.conversation_id, language)
            return language
        return address.language

    async def _say(self, address: Address, key: str, language: Optional[str] = None) -> None:
        from bot.knowledge import load_knowledge

        text = load_knowledge().text(key, language or address.language)
        await self.sender.deliver(address, text, None)

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


def _unrecorded_address(inbound: Inbound) -> Address:
    """Where to reply when the database cannot tell (the user just wrote: the window is open)."""
    from channels.store import utcnow

    return Address(inbound.conversation_id, inbound.channel, inbound.address, None, utcnow(), False, False)
