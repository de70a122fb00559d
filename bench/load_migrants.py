"""Simulated migrants for bench/load.py: who says what, how the platforms deliver it, and how each
turn's answer is judged.

Each migrant writes in one of the nine languages, on Telegram (even numbers) or WhatsApp (odd),
a conversation of greeting → topic question → menu number → second topic question → thanks
(`--turns` shortens or lengthens it; the last turn is always thanks). The texts are messages
from tests/nlu_test (held out from training), written the way migrants write.

The platforms are played as they behave (their documented webhook retries):
  - Telegram re-sends an update until the webhook answers 2xx (for hours; here up to
    `telegram_retry_seconds`), with growing pauses;
  - Twilio, with the connection overrides deploy/environment.md recommends
    (`#rc=5&rp=all&tt=15000` on the webhook URL), tries at most 6 times within 15 seconds,
    then gives up: the message never reaches the assistant.
Both re-send the same update_id / MessageSid, so the channels' de-duplication is exercised.

A turn is judged against the reference: the same conversation played once per language and
channel, through the same webhooks, before the measured run and without a fault (same model,
same actions, so the same answers; it doubles as the warm-up):
  ok         the expected replies arrived (compared without whitespace: the channels split
             long texts), the first within the timeout;
  try_again  the ui `try_again` text arrived; the migrant does what it says and sends the same
             message again (a new update), up to 3 times, after `resend_after` seconds;
  wrong      other text arrived (e.g. an answer from a conversation that lost its history);
  lost       the expected reply (or part of it) did not arrive within `reply_timeout`;
  undelivered the platform gave up delivering the webhook (Twilio after 15 s): lost too.
After a lost or undelivered turn the migrant sends the same message once more (as a person
would after silence), so the conversation keeps to the script; the turn still counts as lost.
Duplicates are counted over the whole run: for each address, every text delivered more often
than the turns that expected it.
"""
from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

LANGUAGES = ["en", "fr", "ar", "ha", "pcm", "so", "ti", "am", "pt"]
# greet, topic question (voluntary return), menu number, topic question (sea crossing), menu number, thanks
SCRIPTS: Dict[str, List[str]] = {
    "en": ["hello there", "what is the voluntary return program", "2", "is the boat trip to italy deadly", "1",
           "thx a lot for ur time"],
    "fr": ["bonjour la team", "c quoi le programme de retour volontaire", "2", "le bateau pour l italie c mortel", "1",
           "merci beaucoup pour tout"],
    "ar": ["السلام عليكم جميعا", "نحب نفهم شنو المقصود بالعودة الطوعية", "2", "الرحلة بالقارب لايطاليا تقتل", "1",
           "شكرا برشا خويا"],
    "ha": ["sannu da rana", "mene ne shirin IOM na mayar da mutane gida", "2",
           "hawa kwale kwale zuwa italy yana da hadari sosai", "1", "na gode kwarai da gaske"],
    "pcm": ["how far my guy", "wetin be IOM programme wey dey carry people go home", "2",
            "to enter boat go italy e get danger", "1", "thank you well well"],
    "so": ["galab wanaagsan walaal", "waa maxay barnaamijka IOM ee dadka dalkooda dib ugu celiya", "2",
           "doonta talyaaniga loo raaco khatar ma leedahay", "1", "aad ayaad u mahadsantahay walaal"],
    "ti": ["ሰላም ከመይ ውዒልኩም", "እቲ ሰባት ናብ ዓዶም ዝመልስ ፕሮግራም IOM እንታይ እዩ", "2", "ናብ ኢጣልያ ብጃልባ ምኻድ ሓደገኛ ድዩ", "1",
           "ብጣዕሚ የቐንየልና ሓወይ"],
    "am": ["ሰላም እንደምን ዋላችሁ", "ሰዎችን ወደ ሀገራቸው የሚመልሰው የIOM ፕሮግራም ምንድነው", "2", "ወደ ጣሊያን በጀልባ መሄድ አደገኛ ነው", "1",
           "በጣም እናመሰግናለን ወንድሜ"],
    "pt": ["ola a todos", "me explica o q é o regresso voluntario", "2", "a viagem de barco pra italia mata", "1",
           "muito obrigada por tudo"],
}
MAX_RESENDS = 3
_SPACE = re.compile(r"\s+")


def script(language: str, turns: int) -> List[str]:
    """The first `turns - 1` messages, then thanks (2 ≤ turns ≤ 6)."""
    full = SCRIPTS[language]
    turns = max(2, min(turns, len(full)))
    return full[: turns - 1] + [full[-1]]


def norm(text: str) -> str:
    return _SPACE.sub("", text or "")


def try_again_texts() -> set:
    """The ui `try_again` string in every language (what the channels send when a turn fails)."""
    from content.knowledge import load_knowledge

    knowledge = load_knowledge()
    return {norm(knowledge.text("try_again", language)) for language in LANGUAGES + [None]}


@dataclass
class Migrant:
    number: int
    language: str
    channel: str              # telegram | whatsapp
    address: str              # as the fake platform records it: tg:<chat> / wa:+<number>
    chat_id: int = 0
    phone: str = ""


def migrants(count: int, run_tag: int = 0, first: int = 0, every_pair: bool = False) -> List[Migrant]:
    """`count` migrants numbered from `first`; `every_pair`: each language on both channels."""
    people = []
    for number in range(first, first + count):
        language = LANGUAGES[(number - first) // 2 % len(LANGUAGES)] if every_pair else LANGUAGES[number % len(LANGUAGES)]
        if number % 2 == 0:
            chat = 810_000_000 + run_tag * 10_000 + number
            people.append(Migrant(number, language, "telegram", f"tg:{chat}", chat_id=chat))
        else:
            phone = f"+22{run_tag % 10}7{number:08d}"
            people.append(Migrant(number, language, "whatsapp", f"wa:{phone}", phone=phone))
    return people


@dataclass
class Turn:
    migrant: int
    language: str
    channel: str
    index: int
    text: str
    outcome: str = ""                  # ok | try_again_then_ok | try_again | wrong | lost | undelivered
    latency: Optional[float] = None    # first send → first reply of the final attempt... see TurnClock
    first_reply_latency: Optional[float] = None  # first send → first reply of any kind (try_again included)
    resends: int = 0
    resent_after_silence: bool = False  # lost or undelivered, then sent once more (as a person would)
    webhook_attempts: int = 0
    received: List[str] = field(default_factory=list)


class Inbox:
    """Replies as the fake platforms accepted them, per address, with a wake-up per address."""

    def __init__(self) -> None:
        self.by_address: Dict[str, List[Tuple[str, float]]] = {}
        self.events: Dict[str, asyncio.Event] = {}
        self.total = 0

    def event(self, address: str) -> asyncio.Event:
        return self.events.setdefault(address, asyncio.Event())

    def add(self, address: str, text: str, at: float) -> None:
        self.by_address.setdefault(address, []).append((text, at))
        self.total += 1
        self.event(address).set()


class Platforms:
    """Delivers webhooks the way Telegram and Twilio do (see the module docstring)."""

    def __init__(self, session: Any, base_url: str, settings: Dict[str, str],
                 telegram_retry_seconds: float = 300.0, twilio_total_seconds: float = 15.0) -> None:
        from twilio.request_validator import RequestValidator

        self.session = session
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(settings["auth_token"])
        self.telegram_retry_seconds = telegram_retry_seconds
        self.twilio_total_seconds = twilio_total_seconds
        self._update_ids = itertools.count(random.randint(10_000, 1_000_000) * 100)
        self.acked = asyncio.Event()  # set at every acknowledged webhook (the faults wait for one)
        self._message_ids = itertools.count(1)

    def build(self, migrant: Migrant, text: str) -> Tuple[str, Dict[str, Any]]:
        """A new platform message (fresh update_id / MessageSid) as the platform would post it."""
        if migrant.channel == "telegram":
            update = {"update_id": next(self._update_ids), "message": {
                "message_id": next(self._message_ids), "date": int(time.time()), "text": text,
                "chat": {"id": migrant.chat_id, "type": "private", "first_name": "M"},
                "from": {"id": migrant.chat_id, "is_bot": False, "first_name": "M",
                         "language_code": migrant.language[:2]}}}
            return "/webhooks/telegram/webhook", {"json": update}
        sid = "SM" + uuid.uuid4().hex
        form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
                "From": f"whatsapp:{migrant.phone}", "To": "whatsapp:+14155238886", "Body": text,
                "NumMedia": "0", "ProfileName": "M", "WaId": migrant.phone.lstrip("+"), "ApiVersion": "2010-04-01"}
        return "/webhooks/whatsapp/webhook", {"form": form}

    async def _post(self, path: str, payload: Dict[str, Any], read_timeout: float) -> int:
        import aiohttp

        from testing.harness import TELEGRAM_SECRET

        timeout = aiohttp.ClientTimeout(total=None, connect=5, sock_read=read_timeout)
        if "json" in payload:
            headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
            request = self.session.post(self.base_url + path, json=payload["json"], headers=headers, timeout=timeout)
        else:
            signature = self.validator.compute_signature(self.base_url + path, payload["form"])
            request = self.session.post(self.base_url + path, data=payload["form"], timeout=timeout,
                                        headers={"X-Twilio-Signature": signature})
        async with request as response:
            await response.read()
            return response.status

    async def deliver(self, migrant: Migrant, path: str, payload: Dict[str, Any]) -> Tuple[bool, int]:
        """(acknowledged?, attempts). Retries on connection errors, time-outs and non-2xx answers."""
        telegram = migrant.channel == "telegram"
        started = time.monotonic()
        budget = self.telegram_retry_seconds if telegram else self.twilio_total_seconds
        attempts = 0
        while True:
            attempts += 1
            remaining = budget - (time.monotonic() - started)
            try:
                status = await self._post(path, payload, read_timeout=max(1.0, min(60.0 if telegram else 15.0, remaining)))
                if 200 <= status < 300:
                    self.acked.set()
                    return True, attempts
            except Exception:  # noqa: BLE001 - refused, reset, time-out: the platform retries
                pass
            if telegram:
                pause = min(15.0, 0.5 * 2 ** (attempts - 1))
            else:
                if attempts >= 6:  # rc=5: the first try and 5 retries
                    return False, attempts
                pause = 1.0 + attempts * 0.5
            if time.monotonic() - started + pause > budget:
                return False, attempts
            await asyncio.sleep(pause)


class Judge:
    def __init__(self, reference: Dict[Tuple[str, str], List[List[str]]], try_again: set) -> None:
        self.reference = reference      # (language, channel) -> per turn, the expected reply texts
        self.try_again = try_again

    def expected(self, migrant: "Migrant", index: int) -> str:
        return "".join(norm(text) for text in self.reference[(migrant.language, migrant.channel)][index])

    def state(self, migrant: "Migrant", index: int, received: List[str]) -> str:
        """complete | partial | try_again | wrong, for what has arrived so far in this attempt."""
        if not received:
            return "partial"
        if any(norm(text) in self.try_again for text in received):
            return "try_again"
        expected, got = self.expected(migrant, index), "".join(norm(text) for text in received)
        if got == expected:
            return "complete"
        return "partial" if expected.startswith(got) else "wrong"


async def converse(migrant: Migrant, turns: List[str], platforms: Platforms, inbox: Inbox, judge: Judge,
                   results: List[Turn], reply_timeout: float, think: float, resend_after: float,
                   progress: Optional[asyncio.Event] = None) -> None:
    consumed = 0  # replies to this address already attributed to earlier turns
    event = inbox.event(migrant.address)
    for index, text in enumerate(turns):
        turn = Turn(migrant.number, migrant.language, migrant.channel, index, text)
        results.append(turn)
        first_sent: Optional[float] = None
        while True:
            path, payload = platforms.build(migrant, text)
            sent = time.perf_counter()
            first_sent = first_sent or sent
            delivered, attempts = await platforms.deliver(migrant, path, payload)
            turn.webhook_attempts += attempts
            if not delivered:
                turn.outcome = turn.outcome or "undelivered"
                if turn.resent_after_silence:
                    break
                turn.resent_after_silence = True  # the migrant writes again, so the script goes on
                await asyncio.sleep(resend_after)
                continue
            received: List[str] = []
            deadline = time.monotonic() + reply_timeout
            state = "partial"
            first_at: Optional[float] = None
            while state == "partial":
                arrived = inbox.by_address.get(migrant.address, [])
                while consumed < len(arrived):
                    reply, at = arrived[consumed]
                    consumed += 1
                    received.append(reply)
                    if first_at is None:
                        first_at = at
                        if turn.first_reply_latency is None:
                            turn.first_reply_latency = at - first_sent
                state = judge.state(migrant, index, received)
                if state != "partial":
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                event.clear()
                if consumed < len(inbox.by_address.get(migrant.address, [])):
                    continue
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
            turn.received = received
            if state == "partial" and not turn.resent_after_silence:
                # Lost: counted as such; the migrant sends the message again (the conversation
                # must not drift from the script, or every later turn would count as wrong).
                turn.outcome = turn.outcome or "lost"
                turn.resent_after_silence = True
                consumed = len(inbox.by_address.get(migrant.address, []))
                continue
            if state == "try_again" and turn.resends < MAX_RESENDS:
                turn.resends += 1
                await asyncio.sleep(resend_after)
                consumed = len(inbox.by_address.get(migrant.address, []))  # late leftovers: counted at the end
                continue
            if turn.outcome:  # lost or undelivered the first time: stays so
                pass
            elif state == "complete":
                turn.outcome = "try_again_then_ok" if turn.resends else "ok"
                turn.latency = (first_at or sent) - first_sent
            elif state == "try_again":
                turn.outcome = "try_again"
            elif state == "wrong":
                turn.outcome = "wrong"
            else:  # nothing, or only part of the answer, within the time-out
                turn.outcome = "lost"
            break
        if progress is not None:
            progress.set()
        await asyncio.sleep(think * (0.5 + random.random()))


async def record_reference(people: List[Migrant], turns: int, platforms: Platforms, inbox: Inbox,
                           quiet: float = 1.0, timeout: float = 60.0) -> Dict[Tuple[str, str], List[List[str]]]:
    """Plays each (language, channel) conversation once, through the same webhooks, and keeps
    what each turn answered (everything that arrives until `quiet` seconds pass without more).
    The assistant is deterministic for a given model and code, so these are the expected replies."""

    async def one(migrant: Migrant) -> List[List[str]]:
        answers: List[List[str]] = []
        event = inbox.event(migrant.address)
        for text in script(migrant.language, turns):
            before = len(inbox.by_address.get(migrant.address, []))
            path, payload = platforms.build(migrant, text)
            delivered, _ = await platforms.deliver(migrant, path, payload)
            if not delivered:
                raise RuntimeError(f"reference conversation {migrant.language}/{migrant.channel}: webhook refused")
            deadline = time.monotonic() + timeout
            while len(inbox.by_address.get(migrant.address, [])) == before and time.monotonic() < deadline:
                event.clear()
                try:
                    await asyncio.wait_for(event.wait(), 0.5)
                except asyncio.TimeoutError:
                    pass
            while True:  # the rest of this turn's replies
                count = len(inbox.by_address.get(migrant.address, []))
                await asyncio.sleep(quiet)
                if len(inbox.by_address.get(migrant.address, [])) == count:
                    break
            answers.append([text for text, _ in inbox.by_address.get(migrant.address, [])[before:]])
            if not answers[-1]:
                raise RuntimeError(f"reference conversation {migrant.language}/{migrant.channel}: no answer to {text!r}")
        return answers

    results = await asyncio.gather(*(one(m) for m in people))
    return {(m.language, m.channel): answer for m, answer in zip(people, results)}


def duplicates(inbox: Inbox, people: List[Migrant], results: List[Turn], judge: Judge) -> Tuple[int, List[str]]:
    """Texts delivered to an address more often than its turns can account for."""
    duplicated, examples = 0, []
    by_migrant: Dict[int, List[Turn]] = {}
    for turn in results:
        by_migrant.setdefault(turn.migrant, []).append(turn)
    for migrant in people:
        allowed: Counter = Counter()
        for turn in by_migrant.get(migrant.number, []):
            for text in judge.reference[(migrant.language, migrant.channel)][turn.index]:
                allowed[norm(text)] += 2 if turn.resent_after_silence else 1  # a late answer + the re-sent one
            allowed["<try_again>"] += turn.resends + (1 if turn.outcome == "try_again" else 0)
        delivered: Counter = Counter()
        for text, _ in inbox.by_address.get(migrant.address, []):
            key = "<try_again>" if norm(text) in judge.try_again else norm(text)
            delivered[key] += 1
        for key, count in delivered.items():
            extra = count - allowed.get(key, 0)
            if extra > 0 and key != "<try_again>" and key in allowed:
                duplicated += extra
                if len(examples) < 5:
                    examples.append(f"{migrant.address} {key[:40]}… ×{count}")
            elif extra > 0 and key == "<try_again>":
                duplicated += extra
                if len(examples) < 5:
                    examples.append(f"{migrant.address} try_again ×{count} (expected {allowed[key]})")
    return duplicated, examples


def unexpected(inbox: Inbox, people: List[Migrant], judge: Judge) -> Tuple[int, List[str]]:
    """Delivered texts that no turn of that conversation expected (neither reference nor try_again)."""
    count, examples = 0, []
    for migrant in people:
        expected = {norm(t) for turn in judge.reference[(migrant.language, migrant.channel)] for t in turn}
        for text, _ in inbox.by_address.get(migrant.address, []):
            if norm(text) not in expected and norm(text) not in judge.try_again:
                count += 1
                if len(examples) < 5:
                    examples.append(f"{migrant.address} ({migrant.language}): {text[:80]}")
    return count, examples
