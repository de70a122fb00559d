"""What the Telegram and WhatsApp input channels share: the run-time state behind a webhook.

Rasa creates input channels before its event loop runs, so everything bound to the loop (HTTP
clients, queues, tasks) is created on the first webhook, inside the server's loop.

The acknowledgement path is verify → parse → queue → HTTP 200, with no database or network call
in it: under load one SQLite write took up to a second in bench/webhook_ack, and the platforms
want their answer at once. The sender's queue worker then claims the delivery id and records the
address in one transaction, and a repeated delivery stops there, before anything is answered.
The price: a message acknowledged in the last moments before a crash is lost, not re-delivered.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any, Awaitable, Callable, Optional, Set

from rasa.core.channels.channel import InputChannel, UserMessage

from channels import outbound
from channels.inbound import ERASED, Inbound, InboundProcessor, LanguageLookup
from channels.queues import SenderQueues
from channels.retry import RetryPolicy
from channels.store import ChannelStore

logger = logging.getLogger(__name__)

ACCEPTED, IGNORED, FLOODED = "accepted", "ignored", "flooded"


def tracker_language_lookup(app: Any) -> Optional[LanguageLookup]:
    """Reads the `language` slot from the Rasa server's tracker store (app.ctx.agent)."""

    async def lookup(conversation_id: str) -> Any:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        tracker_store = getattr(agent, "tracker_store", None)
        if tracker_store is None:
            return None
        tracker = await tracker_store.retrieve(conversation_id)
        return ERASED if tracker is None else tracker.get_slot("language")

    return lookup


class ManagedInputChannel(InputChannel):
    channel: str = ""

    def __init__(
        self,
        config: Any,
        store: Optional[ChannelStore] = None,
        language_lookup: Optional[LanguageLookup] = None,
        retry_policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.config = config  # None: credentials missing, every webhook gets 503
        self._store = store
        self.language_lookup = language_lookup
        self.retry_policy = retry_policy
        self.sender: Any = None
        self.processor: Optional[InboundProcessor] = None
        self.queues: Optional[SenderQueues] = None
        self._background: Set[asyncio.Task] = set()
        if config is None:
            logger.warning("The %s channel is mounted but not configured: its webhooks answer 503", self.channel)
        else:
            _warm_up()  # now, at start-up, not in the event loop while the first user waits

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @property
    def store(self) -> ChannelStore:
        if self._store is None:
            self._store = ChannelStore.from_settings()
        return self._store

    def make_sender(self) -> Any:
        raise NotImplementedError

    def start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Any = None) -> None:
        """Create the loop-bound state; called on the first webhook (or by the polling loop)."""
        if self.queues is not None:
            return
        _freeze_startup_heap()
        self.sender = self.make_sender()
        outbound.register_sender(self.sender)  # the console, in this process, reuses its clients
        lookup = self.language_lookup or (tracker_language_lookup(app) if app is not None else None)
        self.processor = InboundProcessor(self.channel, self.store, self.sender, on_new_message, lookup)
        self.queues = SenderQueues(self.processor.handle)
        self.spawn(self.store.run(self.store.prune_processed_updates))
        _install_case_routing()

    def spawn(self, coroutine: Awaitable[Any]) -> None:
        """Run something in the background, keeping a reference so it is not garbage-collected."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Background task of the %s channel failed: %r", self.channel, type(task.exception()).__name__)

    def accept(self, delivery_id: str, inbound: Optional[Inbound]) -> str:
        """Queue the message for its sender (de-duplication happens in the worker)."""
        if inbound is None:
            return IGNORED
        assert self.queues is not None, "start() must run first"
        inbound.delivery_id = str(delivery_id)
        return ACCEPTED if self.queues.submit(inbound.conversation_id, inbound) else FLOODED

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every queued message and background call is done (shutdown, tests, bench)."""
        if self.queues is not None:
            await self.queues.drain(timeout)
        if self._background:
            await asyncio.wait(set(self._background), timeout=timeout)

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Finish the queued messages (bounded), then close the HTTP clients."""
        await self.wait_idle(timeout)
        if self.sender is not None:
            outbound.unregister_sender(self.sender)
            await self.sender.close()
        self.queues = self.processor = self.sender = None


_heap_frozen = False


def _install_case_routing() -> None:
    """While a caseworker handles a conversation, the migrant's messages go to the case.

    The channels run inside the Rasa server, where nothing else of ours starts up: this is the
    one place that runs once per process before the first message. Idempotent.
    """
    try:
        from bot.cases.routing import install
    except ImportError:  # a deployment without the case store: everything goes to the bot
        return
    install()


def _freeze_startup_heap() -> None:
    """Exclude everything loaded at start-up (Rasa, models, libraries) from the garbage collector.

    A full collection walks every object in the process: 140 ms with the channels alone in
    bench/webhook_ack, more in a Rasa server, and every webhook arriving meanwhile waits. Frozen
    objects are never collected, which only matters for garbage created before this point.
    """
    global _heap_frozen
    if not _heap_frozen:
        gc.freeze()
        _heap_frozen = True


def _warm_up() -> None:
    """Load the ui strings (cached per process) before the first "media not supported"."""
    from bot.knowledge import load_knowledge

    load_knowledge()
