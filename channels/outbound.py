"""Sending to a conversation by its pseudonymous id, from anywhere (e.g. the caseworker console).

    result = await channels.outbound.send_to_conversation("wa-…", "Hello, this is Amina from …")
    if not result.sent: show(result.reason, result.detail)

The address and channel are looked up in channel_addresses; the text is split for the channel,
buttons become a Telegram keyboard (WhatsApp: put the numbered list in the text). Never raises
for delivery problems: the DeliveryResult says what happened (see delivery/result.py).
Senders are made from the environment once per event loop, or registered by an input channel
running in the same process.
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any, Dict, List, MutableMapping, Optional

from channels.webchat import outbox
from cases import delivery as case_delivery
from channels import config as channel_config
from delivery import result as d
from delivery.result import DeliveryResult
from delivery.store import ChannelStore

# event loop -> {channel name -> sender}: HTTP clients must not cross event loops.
_senders: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[str, Any]]" = weakref.WeakKeyDictionary()


def _loop_senders() -> MutableMapping[str, Any]:
    return _senders.setdefault(asyncio.get_running_loop(), {})


def register_sender(sender: Any) -> None:
    """Use `sender` (a TelegramSender / WhatsAppSender) for its channel in the current event loop."""
    _loop_senders()[sender.channel] = sender


def unregister_sender(sender: Any) -> None:
    senders, channel = _loop_senders(), sender.channel
    if senders.get(channel) is sender:
        del senders[channel]


def get_sender(channel: str, store: Optional[ChannelStore] = None) -> Optional[Any]:
    senders = _loop_senders()
    if channel not in senders:
        store = store or ChannelStore.from_settings()
        if channel == channel_config.TELEGRAM and (tg := channel_config.telegram_config(require_secret=False)):
            from channels.telegram_sender import TelegramSender

            senders[channel] = TelegramSender(tg, store)
        elif channel == channel_config.WHATSAPP and (wa := channel_config.whatsapp_config()):
            from channels.whatsapp_sender import WhatsAppSender

            senders[channel] = WhatsAppSender(wa, store)
        else:
            return None
    return senders[channel]


async def close_senders() -> None:
    """Close the HTTP clients of this event loop's senders (at shutdown, and between tests)."""
    senders = _senders.pop(asyncio.get_running_loop(), {})
    for sender in senders.values():
        await sender.close()


async def send_to_conversation(
    conversation_id: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None,
    store: Optional[ChannelStore] = None,
) -> DeliveryResult:
    store = store or ChannelStore.from_settings()
    address = await store.run(store.get_address, conversation_id)
    if address is None:
        return DeliveryResult(conversation_id, None, False, reason=d.UNKNOWN_CONVERSATION, permanent=True,
                              detail="No channel address is known for this conversation.")
    sender = get_sender(address.channel, store)
    if sender is None:
        return DeliveryResult(conversation_id, address.channel, False, reason=d.NOT_CONFIGURED,
                              detail=f"The {address.channel} channel is not configured in this process.")
    # From outside the assistant's turn: a caseworker writes (Telegram removes the menu keyboard).
    return await sender.deliver(address, text, buttons, held=True)


async def send_to_migrant(conversation_id: str, text: str,
                          buttons: Optional[List[Dict[str, Any]]] = None) -> case_delivery.DeliveryResult:
    """What a caseworker's message takes (the console's `send`, cases.delivery.Send): the migrant's
    own channel, or for the local web chat's conversations (`web-…`) its outbox, which its page
    polls. The result in the case's terms."""
    if outbox.is_webchat(conversation_id):
        return case_delivery.normalise(await outbox.deliver(conversation_id, text))
    return case_delivery.normalise(await send_to_conversation(conversation_id, text, buttons=buttons))
