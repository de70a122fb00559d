"""Two Rasa servers, one conversation: endpoints.production.yml on the real PostgreSQL and Redis.

One action server and two Rasa server processes (a copy of the trained model) on different
ports share a PostgreSQL database created for this run (dropped afterwards) through
ErasableSQLTrackerStore, and the Redis lock store under a key prefix of their own. Messages of
the same conversations go alternately to one server and the other (REST channel):

1. turn by turn: conversation c sends its k-th message to server (c + k) % 2 and waits for the
   answer. Two conversations in the same language follow the same script, so they must get
   exactly the same replies, although each message went to the other server;
2. at once: twice, two messages of one conversation sent at the same moment, one to each server.
   The Redis lock makes one wait for the other. With Rasa's own RedisLockStore (`type: redis`)
   both ran at once and one of the two turns was missing from the store, in every run here;
   hence rasa_extensions.stores.lock_store.AtomicRedisLockStore in endpoints.production.yml.

Then the tracker in PostgreSQL must hold each message exactly once, in the order it was
handled, each followed by exactly the replies its HTTP response carried, and every turn closed
by `action_listen` before the next message.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import create_engine, text

from bench import load_stack
from bench.load_migrants import SCRIPTS, norm
from core.paths import ROOT

LANGUAGES = ["en", "fr", "ar"]
CONVERSATIONS = [f"{language}-{n}" for language in LANGUAGES for n in (1, 2)]  # two per language
TURNS = 5
START_TIMEOUT = 150.0


def rest_replies(messages: List[Dict]) -> List[str]:
    return [m["text"] for m in messages if isinstance(m.get("text"), str) and m["text"].strip()]


def joined(texts: List[str]) -> str:
    """A turn's replies as one string without whitespace: Rasa's REST channel cuts a text at
    blank lines into several messages, the tracker keeps it whole."""
    return norm("".join(texts))


@pytest.fixture
def two_servers(tmp_path, postgres_database, redis_prefix):
    from core.db import upgrade

    pg_port = int(load_stack.postgres_address().rsplit(":", 1)[1])
    pg = load_stack.postgres_tracker(postgres_database, pg_port)
    database_url = load_stack.postgres_url(postgres_database, pg_port)
    upgrade(database_url)  # the migrations job: the project's tables next to Rasa's `events`
    action_port, ports = load_stack.free_port(), [load_stack.free_port(), load_stack.free_port()]
    env = {**os.environ, **load_stack.BASE_ENV, "PSEUDONYM_KEY": "scale-test-pseudonym-key-32-characters-long", "DATABASE_URL": database_url,
           # what endpoints.production.yml reads (deploy/environment.md)
           "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
           "DB_HOST": "127.0.0.1", "DB_PORT": str(pg_port), "DB_NAME": postgres_database,
           "DB_USER": pg["username"], "DB_PASSWORD": pg.get("password", ""),
           "REDIS_HOST": load_stack.REDIS_HOST, "REDIS_PORT": str(load_stack.REDIS_PORT),
           "REDIS_DB": str(load_stack.REDIS_DB), "REDIS_PASSWORD": "", "REDIS_KEY_PREFIX": redis_prefix}
    model = load_stack.copy_model(tmp_path)
    credentials = load_stack.write_credentials(tmp_path / "credentials.yml", channels=False)
    endpoints = ROOT / "endpoints.production.yml"
    services = [load_stack.action_server(tmp_path, action_port, env)]
    services += [load_stack.rasa_server(tmp_path, f"rasa server {n}", port, model, endpoints, credentials, env)
                 for n, port in enumerate(ports, start=1)]
    try:
        for service in services:
            service.spawn()
        for service in services:
            service.wait_ready(START_TIMEOUT)
        yield [f"http://127.0.0.1:{port}" for port in ports], database_url
    except BaseException:
        for log in tmp_path.glob("*.log"):
            print(f"---- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-25:]))
        raise
    finally:
        for service in reversed(services):
            service.stop(graceful=True, timeout=20)
        shutil.rmtree(tmp_path / "model", ignore_errors=True)


def stored_turns(database_url: str, sender: str) -> List[Tuple[str, List[str], List[str]]]:
    """The conversation as PostgreSQL holds it, in id order: (user text, bot texts, actions) per turn."""
    engine = create_engine(database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    engine.dispose()
    turns: List[Tuple[str, List[str], List[str]]] = []
    for type_name, action_name, data in rows:
        event = json.loads(data)
        if type_name == "user":
            turns.append((event["text"], [], []))
        elif turns and type_name == "bot" and event.get("text"):
            turns[-1][1].append(event["text"])
        elif turns and type_name == "action":
            turns[-1][2].append(action_name)
    return turns


def test_two_rasa_servers_share_conversations_through_postgres_and_redis(two_servers):
    import aiohttp

    servers, database_url = two_servers
    sent: Dict[str, List[Tuple[str, List[str]]]] = {c: [] for c in CONVERSATIONS}  # (text, replies) in order

    async def post(session, server: str, sender: str, message: str) -> List[str]:
        async with session.post(f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                timeout=aiohttp.ClientTimeout(total=90)) as response:
            assert response.status == 200, await response.text()
            return rest_replies(await response.json())

    async def turn_by_turn(session, number: int, conversation: str) -> None:
        for k, message in enumerate(SCRIPTS[conversation.split("-")[0]][:TURNS]):
            replies = await post(session, servers[(number + k) % 2], conversation, message)
            sent[conversation].append((message, replies))

    async def at_once(session, conversation: str) -> List[Tuple[str, List[str]]]:
        """Two rounds of two messages sent at the same moment, one to each server."""
        script = SCRIPTS[conversation.split("-")[0]]
        handled = []
        for messages in (["1", script[-1]], [script[0], "2"]):
            answers = await asyncio.gather(*(post(session, servers[i], conversation, m) for i, m in enumerate(messages)))
            handled += list(zip(messages, answers))
        return handled

    async def main() -> List[List[Tuple[str, List[str]]]]:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(turn_by_turn(session, n, c) for n, c in enumerate(CONVERSATIONS)))
            return await asyncio.gather(*(at_once(session, c) for c in CONVERSATIONS))

    concurrent = asyncio.run(main())

    # 1. every message answered, and the same script got the same answers whichever server took it
    for conversation in CONVERSATIONS:
        assert all(replies for _, replies in sent[conversation]), f"{conversation}: a message got no reply"
    for language in LANGUAGES:
        first, second = sent[f"{language}-1"], sent[f"{language}-2"]
        assert [r for _, r in first] == [r for _, r in second], f"{language}: the two servers answered differently"

    # 2. the tracker in PostgreSQL: each message once, in order, followed by exactly its replies
    for conversation, pair in zip(CONVERSATIONS, concurrent):
        stored = stored_turns(database_url, conversation)
        expected_first = sent[conversation]
        assert [(u, joined(b)) for u, b, _ in stored[:TURNS]] == [(m, joined(r)) for m, r in expected_first], (
            f"{conversation}: the stored turns differ from what was sent and answered")
        tail = stored[TURNS:]
        assert len(tail) == len(pair), (
            f"{conversation}: of the simultaneous messages {[m for m, _ in pair]}, all answered "
            f"({[len(r) for _, r in pair]} replies), {len(tail)} stored: {[u for u, _, _ in tail]}")
        for round_start in (0, 2):  # within a round either may go first; rounds are in order
            assert sorted((u, joined(b)) for u, b, _ in tail[round_start:round_start + 2]) == sorted(
                (m, joined(r)) for m, r in pair[round_start:round_start + 2]), (
                f"{conversation}: simultaneous messages interleaved or lost their replies")
        for user_text, _, actions in stored:
            assert actions and actions[-1] == "action_listen", f"{conversation}: turn {user_text!r} not closed"
            assert actions.count("action_listen") == 1, f"{conversation}: two turns ran into each other"
