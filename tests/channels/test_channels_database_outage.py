"""A database briefly down while a message arrives: retried, then answered; never silently dropped."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

import delivery.retry as retry
from channels.inbound import Inbound, InboundProcessor
from delivery.store import Address
from core.clock import utcnow


@dataclass(frozen=True)
class FastPolicy(retry.RetryPolicy):
    base_delay: float = 0.001
    max_delay: float = 0.002


class FlakyStore:
    """Runs store calls inline; record_inbound fails `failures` times like an unreachable database."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def run(self, function, *args):
        return function(*args)

    def record_inbound(self, cid, channel, address, delivery_id):
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))
        return Address(cid, channel, address, "fr", utcnow(), False, False)

    def __getattr__(self, name):  # anything else the processor records: accepted, nothing returned
        return lambda *args, **kwargs: None


class Sender:
    def __init__(self) -> None:
        self.sent = []

    async def deliver(self, address, text, buttons):
        from types import SimpleNamespace

        self.sent.append(text)
        return SimpleNamespace(sent=True, permanent=False)


def _process(failures: int, monkeypatch):
    monkeypatch.setattr(retry, "RetryPolicy", FastPolicy)
    store, sender, seen = FlakyStore(failures), Sender(), []

    async def on_new_message(message):
        seen.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "réponse")

    processor = InboundProcessor("telegram", store, sender, on_new_message)
    inbound = Inbound("telegram", "tg-outage", "7306550981", text="bonjour", delivery_id="u1")
    asyncio.run(processor.handle(inbound))
    return store, sender, seen


def test_a_short_outage_is_ridden_out_and_the_message_answered(monkeypatch):
    store, sender, seen = _process(failures=3, monkeypatch=monkeypatch)
    assert store.calls == 4 and seen == ["bonjour"]
    assert "réponse" in sender.sent


def test_a_long_outage_gets_try_again_instead_of_silence(monkeypatch):
    from content.knowledge import load_knowledge

    store, sender, seen = _process(failures=100, monkeypatch=monkeypatch)
    assert seen == []
    assert sender.sent == [load_knowledge().text("try_again", None)]
