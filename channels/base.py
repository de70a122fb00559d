"""What the Telegram and WhatsApp input channels share: the run-time state behind a webhook.

Rasa creates input channels before its event loop runs, so everything bound to the loop (HTTP
clients, queues, tasks) is created on the first webhook, inside the server's loop.

The acknowledgement path is verify → parse → keep in the durable inbox → queue → HTTP 200. Keeping
the message is one transaction that also claims its delivery id (a repeated delivery stops
there) and records the address; from then on a crash cannot lose it (delivery/inbox.py). The
platforms want their answer fast, so the webhook waits for that write at most ACK_WAIT seconds:
if the database is slower (locked, unreachable) the message is acknowledged anyway and the
worker finishes storing or, failing that, claims it itself and handles it from memory.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any, Awaitable, Callable, Optional, Set

from rasa.core.channels.channel import InputChannel, UserMessage

from core.settings import get_settings
from channels import hooks, outbound
from channels.inbound import Inbound, InboundProcessor
from delivery.inbox import Arrival, Inbox, KeptMessage
from delivery.queues import SenderQueues
from delivery.retry import RetryPolicy
from delivery.store import ChannelStore
from delivery.tracker_view import AnsweredLookup, LanguageLookup, TrackerView

logger = logging.getLogger(__name__)

ACCEPTED, IGNORED, FLOODED = "accepted", "ignored", "flooded"
ACK_WAIT = 2.0  # seconds a webhook waits for the inbox write before acknowledging anyway


class ManagedInputChannel(InputChannel):
    channel: str = ""

    def __init__(
        self,
        config: Any,
        store: Optional[ChannelStore] = None,
        language_lookup: Optional[LanguageLookup] = None,
        retry_policy: RetryPolicy = RetryPolicy(),
        answered_lookup: Optional[AnsweredLookup] = None,
    ) -> None:
        self.config = config  # None: credentials missing, every webhook gets 503
        self._store = store
        self.language_lookup = language_lookup
        self.answered_lookup = answered_lookup
        self.retry_policy = retry_policy
        self.sender: Any = None
        self.processor: Optional[InboundProcessor] = None
        self.queues: Optional[SenderQueues] = None
        self.inbox: Optional[Inbox] = None
        self.ready: Callable[[], bool] = lambda: True  # may taken-over messages go to the assistant yet?
        self._background: Set[asyncio.Task] = set()
        self._watcher: Optional[asyncio.Task] = None
        if config is None:
            logger.warning("The %s channel is mounted but not configured: its webhooks answer 503", self.channel)
        else:
            # Fail closed: without the key no address can be turned into a conversation id that
            # nobody can reverse, so the channel does not start at all (core.settings.MissingSecret).
            _ = get_settings().pseudonym_key_bytes
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
        """Create the loop-bound state; called when the server has started (or by the polling loop)."""
        if self.queues is not None:
            return
        _freeze_startup_heap()
        self.sender = self.make_sender()
        outbound.register_sender(self.sender)  # the console, in this process, reuses its clients
        view = TrackerView.of_app(app) if app is not None else None
        self.inbox = Inbox(self.store, self.channel)
        self.processor = InboundProcessor(
            self.channel, self.store, self.sender, on_new_message,
            self.language_lookup or (view.language if view else None), self.inbox,
            self.answered_lookup or (view.answered if view else None))
        self.queues = SenderQueues(self.processor.handle)
        if app is not None:
            self.ready = _agent_ready(app)
        self.spawn(self.store.run(self.store.prune_processed_updates))
        self._watcher = asyncio.ensure_future(self._watch_inbox())
        # The channels run inside the Rasa server, where nothing else of ours starts up: this runs
        # once per process before the first message.
        hooks.install_case_routing()

    def listen(self, blueprint: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Start with the server (messages left by a crashed server are taken over without waiting
        for a new webhook) and finish the queued messages when it stops."""

        @blueprint.listener("after_server_start")
        async def begin(app: Any, *_: Any) -> None:
            if self.config is not None:
                self.start(on_new_message, app)

        @blueprint.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            await self.shutdown()

    async def _watch_inbox(self) -> None:
        """Heartbeat, and take over the messages of owners that stopped beating.

        Only after beating without a gap for STALE_AFTER: after a database outage (or at start)
        every other owner's heartbeat looks stale too until it beats again, and taking over a
        live server's messages would answer them twice.
        """
        assert self.inbox is not None
        loop = asyncio.get_running_loop()
        beating_since: Optional[float] = None
        while True:
            try:
                await self.store.run(self.inbox.beat)
                beating_since = beating_since or loop.time()
                if self.ready() and loop.time() - beating_since >= self.inbox.STALE_AFTER:
                    for kept in await self.store.run(self.inbox.take_over):
                        await self._resume(kept)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is down: the next beat tries again
                beating_since = None
                logger.warning("The %s inbox watch failed; retrying", self.channel, exc_info=True)
            await asyncio.sleep(self.inbox.HEARTBEAT)

    async def _resume(self, kept: KeptMessage) -> None:
        assert self.inbox is not None and self.queues is not None and self.processor is not None
        address = await self.store.run(self.store.get_address, kept.conversation_id)
        if address is None:  # erased or purged meanwhile: nobody to answer
            await self.inbox.finish(kept.id)
            return
        if kept.attempts > self.inbox.MAX_ATTEMPTS:
            logger.error("A %s message of %s was taken over %d times; giving up", self.channel,
                         kept.conversation_id, kept.attempts - 1)
            await self.inbox.finish(kept.id)
            await self.processor._say(address, "try_again")
            return
        logger.warning("Taking over an unfinished %s message of %s (attempt %d)", self.channel,
                       kept.conversation_id, kept.attempts)
        self.queues.submit(kept.conversation_id, Inbound.from_kept(kept, address))

    def spawn(self, coroutine: Awaitable[Any]) -> None:
        """Run something in the background, keeping a reference so it is not garbage-collected."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Background task of the %s channel failed: %r", self.channel, type(task.exception()).__name__)

    async def accept(self, delivery_id: str, inbound: Optional[Inbound]) -> str:
        """Keep the message in the inbox (waiting at most ACK_WAIT) and queue it for its sender."""
        if inbound is None:
            return IGNORED
        assert self.queues is not None and self.inbox is not None, "start() must run first"
        inbound.delivery_id = str(delivery_id)
        if not inbound.control:
            acceptance = self.inbox.accept(Arrival(
                inbound.message_id, inbound.conversation_id, inbound.address, inbound.delivery_id, inbound.message()))
            if not await _settled(acceptance, ACK_WAIT):
                logger.warning("The inbox is slow: a %s message acknowledged before it was kept", self.channel)
            elif acceptance.exception() is None and acceptance.result() is None:
                return IGNORED  # a repeated delivery: the first one is kept or answered
            inbound.acceptance = acceptance  # a failure: the worker sees it and claims the message itself
        if self.queues.submit(inbound.conversation_id, inbound):
            return ACCEPTED
        if inbound.acceptance is not None:  # flooded: nobody will answer it, do not keep it
            self.spawn(self._forget(inbound.acceptance))
        return FLOODED

    async def _forget(self, acceptance: "asyncio.Future[Any]") -> None:
        accepted = await acceptance
        if accepted is not None and self.inbox is not None:
            await self.inbox.finish(accepted[1])

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every queued message and background call is done (shutdown, tests, bench)."""
        if self.queues is not None:
            await self.queues.drain(timeout)
        if self._background:
            await asyncio.wait(set(self._background), timeout=timeout)

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Finish the queued messages (bounded), hand the rest to the other servers, close the clients."""
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        await self.wait_idle(timeout)
        if self.inbox is not None:
            try:
                await self.store.run(self.inbox.retire)
            except Exception:  # its heartbeat goes stale instead: taken over a little later
                logger.warning("Could not retire the %s inbox owner", self.channel, exc_info=True)
            self.inbox.close()
        if self.sender is not None:
            outbound.unregister_sender(self.sender)
            await self.sender.close()
        self.queues = self.processor = self.sender = self.inbox = None


_heap_frozen = False


async def _settled(future: "asyncio.Future[Any]", timeout: float) -> bool:
    """Wait until `future` is done (True) or `timeout` passed (False), leaving it running.

    Not asyncio.wait_for(shield(...)): each of those layers costs a turn of a busy event loop,
    and the webhook's acknowledgement waits here.
    """
    if future.done():
        return True
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: Any = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    future.add_done_callback(wake)
    timer = loop.call_later(timeout, wake)
    try:
        await waiter
    finally:
        timer.cancel()
        future.remove_done_callback(wake)
    return future.done()


def _agent_ready(app: Any) -> Callable[[], bool]:
    """In a Rasa server: is the model loaded? (Before that, Rasa ignores messages.)"""

    def ready() -> bool:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        if agent is None:
            return not hasattr(getattr(app, "ctx", None), "agent")  # not a Rasa server (tests)
        is_ready = getattr(agent, "is_ready", None)
        return bool(is_ready()) if callable(is_ready) else True

    return ready


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
    from content.knowledge import load_knowledge

    load_knowledge()
