"""WhatsApp (Twilio) input channel for Rasa: `channels.whatsapp.WhatsAppInput` in credentials.yml.

    channels.whatsapp.WhatsAppInput:
      account_sid: ${TWILIO_ACCOUNT_SID}
      auth_token: ${TWILIO_AUTH_TOKEN}
      whatsapp_from: ${TWILIO_WHATSAPP_FROM}
      public_url: ${TWILIO_PUBLIC_URL}

(values left out are read from the environment). In the Twilio console, point "when a message
comes in" to {public_url}/webhooks/whatsapp/webhook; status callbacks go to
{public_url}/webhooks/whatsapp/status. Every request must carry a valid X-Twilio-Signature,
computed over the public URL (TWILIO_PUBLIC_URL + path: behind a proxy the URL this server
sees is not the one Twilio signed), else 403. Replies go through the Messages API, and the
webhook answers with an empty TwiML document: a plain-text answer would be sent as an SMS.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from privacy.pseudonym import pseudonymise
from channels.base import ManagedInputChannel
from channels import audio, campaign
from channels.config import WHATSAPP, whatsapp_config
from channels.inbound import OPT_IN, OPT_OUT, Inbound, Media
from channels.menu_token import looks_like_token, tap_metadata
from channels.whatsapp_sender import UNSUBSCRIBED_CODES, WhatsAppSender

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's default opt-out / opt-in keywords (the whole message, any case).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}


def twilio_form(request: Request) -> RequestParameters:
    """The POSTed parameters, empty ones included: Twilio signs `Body=` of a media-only message
    too, and sanic's `request.form` drops blank values, which would break the signature."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return request.form or RequestParameters()
    return RequestParameters(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))


def parse_message(form: Mapping[str, Any]) -> Optional[Inbound]:
    """Twilio's incoming-message parameters → Inbound; None if it is not a WhatsApp message."""
    sender = str(form.get("From") or "")
    if not sender.startswith("whatsapp:"):
        return None  # e.g. an SMS to the same number: this channel only answers on WhatsApp
    number = sender[len("whatsapp:"):].strip()
    body = str(form.get("Body") or "").strip()
    cid = pseudonymise(WHATSAPP, number)
    # A tap on a quick-reply button or a list item carries the id we gave it, a signed menu
    # token; Body is then only the title the user saw. Which parameter holds the id of a
    # list-picker choice: Twilio's list-picker page (https://www.twilio.com/docs/content/twiliolist-picker)
    # documents the item `id` but not the webhook, and the copies of the incoming-message
    # reference (https://www.twilio.com/docs/messaging/guides/webhook-request) available to us
    # stop before its WhatsApp parameters. Integrations read ListId (ListTitle: the item) for a
    # list and ButtonPayload (ButtonText) for a button, and Twilio's changelog of 2025-07-14
    # (https://www.twilio.com/en-us/changelog/rcs-button-payload) moves every Content API id to
    # ButtonPayload, on RCS so far. So both are read, ListId first; the fake sends either form.
    # A payload that is not ours (a button of the approved template, set up in Twilio's console)
    # keeps the old way: its Body, the button's text, is the message.
    tapped = str(form.get("ListId") or form.get("ButtonPayload") or "").strip()
    tap = tap_metadata(cid, tapped) if looks_like_token(tapped) else None
    inbound = Inbound(
        channel=WHATSAPP, conversation_id=cid, address=number,
        text=(tap["text"] if tap else body) or None,  # Inbound removes Rasa's "/intent" syntax
        metadata={"channel": WHATSAPP, **(tap["metadata"] if tap else {})},
    )
    if tap:
        inbound.media = _media(form)
        return inbound
    if inbound.text:  # a click-to-chat link's prefilled "Bonjour [fr_radio1]" (channels/campaign.py)
        text, found = campaign.from_whatsapp_text(inbound.text)
        if found is not None:
            inbound.text = text
            inbound.metadata.update(found.metadata())
    opt_out_type = str(form.get("OptOutType") or "").upper()  # set by Twilio Advanced Opt-Out
    if opt_out_type == "STOP" or (not opt_out_type and body.upper() in STOP_WORDS):
        inbound.control = OPT_OUT
    elif opt_out_type == "START" or (not opt_out_type and body.upper() in START_WORDS):
        inbound.control = OPT_IN
    inbound.media = _media(form)
    return inbound


def _media(form: Mapping[str, Any]) -> List[Media]:
    media = []
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        count = 0
    for index in range(min(count, 10)):  # Twilio sends at most 10
        url = form.get(f"MediaUrl{index}")
        if url:
            content_type = form.get(f"MediaContentType{index}") or None
            kind = (content_type or "file").split("/", 1)[0]
            media.append(Media(kind, str(url), content_type))
    if form.get("Latitude") and form.get("Longitude"):
        media.append(Media("location", f"geo:{form.get('Latitude')},{form.get('Longitude')}", "location"))
    return media


class WhatsAppInput(ManagedInputChannel):
    channel = WHATSAPP

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.validator = RequestValidator(config.auth_token) if config else None
        self._warned_no_public_url = False

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WhatsAppInput":
        return cls(whatsapp_config(credentials))

    def make_sender(self) -> WhatsAppSender:
        return WhatsAppSender(self.config, self.store, self.retry_policy)

    def signed_url(self, request: Request) -> str:
        if not self.config.public_url:
            if not self._warned_no_public_url:
                logger.warning("TWILIO_PUBLIC_URL is not set: checking signatures against %s", request.url)
                self._warned_no_public_url = True
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.config.public_url}{request.path}{query}"

    def signature_ok(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature or self.validator is None:
            return False
        request.ctx.twilio_form = twilio_form(request)
        return self.validator.validate(self.signed_url(request), request.ctx.twilio_form, signature)

    def _refuse(self, request: Request) -> Optional[HTTPResponse]:
        if self.config is None:
            return response.text("whatsapp channel not configured", status=503)
        if not self.signature_ok(request):
            logger.warning("Twilio request to %s with a missing or invalid signature rejected", request.path)
            return response.text("forbidden", status=403)
        return None

    async def record_status(self, form: Mapping[str, Any]) -> None:
        recipient = str(form.get("To") or "")
        cid = pseudonymise(WHATSAPP, recipient[len("whatsapp:"):]) if recipient.startswith("whatsapp:") else None
        status = str(form.get("MessageStatus") or form.get("SmsStatus") or "unknown")[:32]
        code = str(form.get("ErrorCode") or "") or None
        kept = await self.store.run(partial(self.store.record_delivery, known_only=True),
                                    WHATSAPP, status, form.get("MessageSid"), cid, code)
        if not kept:  # the conversation was erased (or never known): nothing about it is written again
            return
        if cid and code and code.isdigit() and int(code) in UNSUBSCRIBED_CODES:
            await self.store.run(self.store.set_opted_out, cid, True)
        if code:
            logger.info("WhatsApp message to %s: %s (error %s)", cid, status, code)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        whatsapp_webhook = Blueprint("channels_whatsapp_webhook", __name__)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.config else "not configured"})

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
            form = request.ctx.twilio_form
            sid = form.get("MessageSid") or form.get("SmsSid")
            if not sid:
                return response.text("no MessageSid", status=400)
            self.start(on_new_message, request.app)
            await self.accept(sid, parse_message(form))
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @whatsapp_webhook.route("/audio/<language:str>/<name:str>", methods=["GET"])
        async def recorded_answer(_: Request, language: str, name: str) -> HTTPResponse:
            # Public content for Twilio to fetch (no signature on media fetches): only files that
            # audio.find accepts - plain ids, nothing a path could be built from.
            path = audio.find(name[:-4] if name.endswith(".ogg") else None, language)
            if path is None:
                return response.text("not found", status=404)
            return await response.file(path, mime_type=audio.CONTENT_TYPE)

        @whatsapp_webhook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
            self.spawn(self.record_status(request.ctx.twilio_form))  # the database is not on the ack path
            return response.text(EMPTY_TWIML, content_type="text/xml")

        self.listen(whatsapp_webhook, on_new_message)

        return whatsapp_webhook
