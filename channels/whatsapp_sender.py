"""Sending WhatsApp messages through Twilio's Messages API (not TwiML, so a caseworker can write
at any time, not only in answer to a webhook).

WhatsApp only allows free-form messages within 24 hours of the user's last message. Outside it
the approved template (TWILIO_TEMPLATE_SID) is sent instead and the result says so; Twilio's
63016 error (outside the window, e.g. clocks disagree) leads to the same fallback.
Twilio's error messages can contain the phone number: only error codes are logged.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Dict, List, Optional

import httpx
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageList  # noqa: F401  (twilio imports it lazily:
# ~0.3 s, which would otherwise stall the event loop on the first reply)

from content.knowledge import load_knowledge
from delivery import result as d
from channels import menus
from channels import whatsapp_content as wa_content
from channels.config import WHATSAPP, WhatsAppConfig
from delivery.result import DeliveryResult
from channels.menu_token import choices
from delivery.retry import Classification, RetryPolicy, call_with_retries
from delivery.store import Address, ChannelStore
from core.clock import utcnow
from channels.text import TWILIO_LIMIT, split_message
from channels.twilio_http import TwilioHttpClient
from channels.whatsapp_content import ContentCatalog

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
AUDIO_PATH = "/webhooks/whatsapp/audio"  # where Twilio fetches recorded answers (channels/audio.py)
WINDOW_MARGIN = timedelta(minutes=5)  # do not start a free-form send seconds before the window shuts
OUTSIDE_WINDOW_CODE = 63016
UNSUBSCRIBED_CODES = {21610}
INVALID_CODES = {21211, 21614, 63024}  # invalid 'To', not a mobile number, invalid WhatsApp recipient


def classify(exc: BaseException) -> Classification:
    if isinstance(exc, TwilioRestException):
        return (exc.status == 429 or exc.status >= 500), None
    return isinstance(exc, (httpx.TransportError, asyncio.TimeoutError)), None


class WhatsAppSender:
    channel = WHATSAPP

    def __init__(self, config: WhatsAppConfig, store: ChannelStore, policy: RetryPolicy = RetryPolicy()) -> None:
        self.config = config
        self.store = store
        self.policy = policy
        self.http = TwilioHttpClient(base_url=config.api_base_url or None)
        self.client = Client(config.account_sid, config.auth_token, http_client=self.http)
        self.catalog = ContentCatalog(self.client, self.http, config.account_sid, config.auth_token)

    def in_window(self, address: Address) -> bool:
        last = address.last_inbound_at
        return last is not None and utcnow() - last < WINDOW - WINDOW_MARGIN

    async def deliver(self, address: Address, text: str, buttons: Optional[List[Dict[str, Any]]] = None,
                      held: Optional[bool] = None) -> DeliveryResult:
        """Text (split at 1600), or a menu as native buttons / a list (channels/whatsapp_content.py)
        when the window is open and the menu fits; the numbered list is in the text either way."""
        cid = address.conversation_id
        if address.opted_out:
            return DeliveryResult(cid, WHATSAPP, False, reason=d.OPTED_OUT, permanent=True,
                                  detail="The user unsubscribed (STOP); they must send START first.")
        if address.blocked:
            return DeliveryResult(cid, WHATSAPP, False, reason=d.INVALID_ADDRESS, permanent=True,
                                  detail="Twilio reported this number as not reachable on WhatsApp.")
        if not self.in_window(address):
            return await self._template(address, sent_ids=[])
        if buttons:
            result = await self._interactive(address, text, buttons)
            if result is not None:
                return result
        parts = split_message(text, TWILIO_LIMIT)
        if not parts:
            return DeliveryResult(cid, WHATSAPP, False, reason=d.EMPTY)
        ids: List[str] = []
        for part in parts:
            try:
                message = await self._create(address, body=part)
            except TwilioRestException as exc:
                if exc.code == OUTSIDE_WINDOW_CODE:
                    return await self._template(address, sent_ids=ids)
                return await self._failed(address, ids, exc)
            except Exception as exc:  # network failure after the retries
                return await self._failed(address, ids, exc)
            ids.append(message.sid)
        return DeliveryResult(cid, WHATSAPP, True, parts=len(ids), message_ids=ids)

    async def _interactive(self, address: Address, text: str, buttons: List[Dict[str, Any]]) -> Optional[DeliveryResult]:
        """Send the menu as buttons or a list; None: send it as numbered text instead."""
        cid = address.conversation_id
        made = choices(cid, buttons)
        parts = split_message(text, wa_content.BODY_LIMIT)
        if not parts or len(made) != len(buttons):
            return None
        label = load_knowledge().text("wa_list_button", address.language)
        hints = [menus.hint(choice.option, address.language) for choice in made]  # list descriptions
        message = wa_content.interactive(parts[-1], made, label, hints)
        sid = await self.catalog.sid(message.name) if message is not None else None
        if message is None or sid is None:
            return None
        ids: List[str] = []
        for part in parts[:-1]:  # a long text before the menu: its first parts as plain text
            try:
                ids.append((await self._create(address, body=part)).sid)
            except Exception as exc:
                return await self._on_error(address, ids, exc)
        try:
            sent = await self._create(address, content_sid=sid, content_variables=message.as_json())
        except TwilioRestException as exc:
            if exc.code == OUTSIDE_WINDOW_CODE:
                return await self._template(address, sent_ids=ids)
            if ids or exc.status in (429,) or exc.status >= 500:
                return await self._failed(address, ids, exc)
            # refused as content (variables, an unapproved sender...): the numbered text still works
            logger.warning("WhatsApp %s to %s refused (%s): sending the numbered text", message.kind, cid, exc.code)
            return None
        except Exception as exc:
            return await self._failed(address, ids, exc)
        return DeliveryResult(cid, WHATSAPP, True, parts=len(ids) + 1, message_ids=ids + [sent.sid])

    async def send_audio(self, address: Address, path: Any, answer_id: str) -> Optional[DeliveryResult]:
        """A recorded answer as a voice message, fetched by Twilio from our public URL (inside the
        window only: outside it, the template that went out instead says enough)."""
        if not self.config.public_url or address.opted_out or address.blocked or not self.in_window(address):
            return None
        language = path.parent.name
        url = f"{self.config.public_url}{AUDIO_PATH}/{language}/{answer_id}.ogg"
        try:
            message = await self._create(address, media_url=[url])
        except Exception as exc:
            return await self._failed(address, [], exc)
        return DeliveryResult(address.conversation_id, WHATSAPP, True, parts=1, message_ids=[message.sid])

    async def _on_error(self, address: Address, ids: List[str], exc: BaseException) -> DeliveryResult:
        if isinstance(exc, TwilioRestException) and exc.code == OUTSIDE_WINDOW_CODE:
            return await self._template(address, sent_ids=ids)
        return await self._failed(address, ids, exc)

    async def _create(self, address: Address, **content: Any) -> Any:
        extra = {"status_callback": self.config.status_callback_url} if self.config.status_callback_url else {}
        return await call_with_retries(
            lambda: self.client.messages.create_async(
                to=f"whatsapp:{address.address}", from_=self.config.sender, **content, **extra
            ),
            classify,
            self.policy,
        )

    async def _template(self, address: Address, sent_ids: List[str]) -> DeliveryResult:
        cid = address.conversation_id
        if not self.config.template_sid:
            await self.store.run(self.store.record_delivery, WHATSAPP, "not_sent", None, cid, str(OUTSIDE_WINDOW_CODE))
            logger.warning("%s is outside the 24 h window and no template is configured: not sent", cid)
            return DeliveryResult(cid, WHATSAPP, bool(sent_ids), parts=len(sent_ids), message_ids=sent_ids,
                                  reason=d.OUTSIDE_WINDOW_NO_TEMPLATE,
                                  detail="Not sent: the user last wrote more than 24 hours ago and "
                                         "TWILIO_TEMPLATE_SID is not set.")
        try:
            message = await self._create(address, content_sid=self.config.template_sid)
        except Exception as exc:
            return await self._failed(address, sent_ids, exc)
        logger.info("%s is outside the 24 h window: template sent instead of the text", cid)
        return DeliveryResult(cid, WHATSAPP, True, parts=len(sent_ids) + 1, message_ids=sent_ids + [message.sid],
                              used_template=True, reason=d.OUTSIDE_WINDOW,
                              detail="The user last wrote more than 24 hours ago: the approved template "
                                     "was sent instead of the text; send the text again after they reply.")

    async def _failed(self, address: Address, sent_ids: List[str], exc: BaseException) -> DeliveryResult:
        cid = address.conversation_id
        code = getattr(exc, "code", None)
        reason, permanent = d.FAILED, False
        if code in UNSUBSCRIBED_CODES:
            reason, permanent = d.OPTED_OUT, True
            await self.store.run(self.store.set_opted_out, cid, True)
        elif code in INVALID_CODES:
            reason, permanent = d.INVALID_ADDRESS, True
            await self.store.run(self.store.set_blocked, cid, True)
        elif isinstance(exc, TwilioRestException):
            permanent = not classify(exc)[0]
        label = str(code) if code is not None else type(exc).__name__
        await self.store.run(self.store.record_delivery, WHATSAPP, "failed", None, cid, label[:16])
        logger.warning("WhatsApp message to %s failed (%s, %s)", cid, label, reason)
        return DeliveryResult(cid, WHATSAPP, bool(sent_ids), parts=len(sent_ids), message_ids=sent_ids,
                              reason=reason, permanent=permanent, detail=f"Twilio error {label}")

    async def close(self) -> None:
        await self.http.close()
