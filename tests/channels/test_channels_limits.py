"""Flooding: a per-conversation sliding-window rate limit and a size limit, in the user's language."""
from __future__ import annotations

import pytest

from content.knowledge import load_knowledge
from privacy.pseudonym import pseudonymise
from core.settings import SettingError
from channels.limits import ALLOW, REFUSE_AND_TELL, REFUSE_SILENTLY, RateLimiter
from testing.harness import telegram_message, twilio_message

CHAT, OTHER = 55501234, 55509876
NUMBER = "+22790001122"


def ui(key: str, language: str = "en") -> str:
    return load_knowledge().text(key, language)


@pytest.fixture
def limits_env(monkeypatch):
    """Set before the channel starts (it reads the limits once, on its first webhook)."""
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "60")


async def send(harness, update) -> None:
    response = await harness.post_update(update)
    assert response.status_code == 200, response.text
    await harness.settle()


@pytest.mark.asyncio
async def test_a_flood_gets_one_polite_reply_in_the_users_language_and_others_are_not_slowed(
        limits_env, telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "bonjour"))  # the stub bot makes this conversation French
    for n in range(5):
        await send(telegram, telegram_message(CHAT, f"message {n}"))
    await send(telegram, telegram_message(OTHER, "hello"))
    cid = pseudonymise("telegram", str(CHAT))
    assert stub_bot.texts(cid) == ["bonjour", "message 0", "message 1"]  # 3 a minute
    assert fake_telegram.texts(CHAT)[-1] == ui("rate_limited", "fr")
    assert fake_telegram.texts(CHAT).count(ui("rate_limited", "fr")) == 1  # not one per dropped message
    assert fake_telegram.texts(OTHER) == ["Écho : hello"]


@pytest.mark.asyncio
async def test_a_message_in_danger_is_never_refused(limits_env, telegram, fake_telegram, stub_bot):
    for n in range(4):
        await send(telegram, telegram_message(CHAT, f"question {n}"))
    await send(telegram, telegram_message(CHAT, "help we are lost in the desert"))
    assert stub_bot.texts()[-1] == "help we are lost in the desert"
    assert fake_telegram.texts(CHAT)[-1] == "Écho : help we are lost in the desert"


@pytest.mark.asyncio
async def test_an_overlong_message_is_not_sent_to_nlu(limits_env, telegram, fake_telegram, stub_bot):
    await send(telegram, telegram_message(CHAT, "bonjour"))
    await send(telegram, telegram_message(CHAT, "x" * 61))
    await send(telegram, telegram_message(CHAT, "y" * 60))
    assert stub_bot.texts() == ["bonjour", "y" * 60]
    assert fake_telegram.texts(CHAT)[1] == ui("message_too_long", "fr")


@pytest.mark.asyncio
async def test_whatsapp_flood(limits_env, whatsapp, fake_twilio, stub_bot):
    for n in range(5):
        response = await whatsapp.post_twilio(twilio_message(NUMBER, f"salut {n}"))
        assert response.status_code == 200
        await whatsapp.settle()
    bodies = [m.params["Body"] for m in fake_twilio.messages]
    assert bodies == ["Écho : salut 0", "Écho : salut 1", "Écho : salut 2", ui("rate_limited")]
    assert len(stub_bot.turns) == 3


def test_sliding_window():
    now = [1000.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.check("a") for _ in range(4)] == [ALLOW, ALLOW, REFUSE_AND_TELL, REFUSE_SILENTLY]
    assert limiter.check("b") == ALLOW  # per conversation
    now[0] += 30
    assert limiter.check("a") == REFUSE_SILENTLY  # the first two are still in the last minute
    now[0] += 30.5
    assert limiter.check("a") == ALLOW  # they left the window
    assert limiter.check("a") == ALLOW
    assert limiter.check("a") == REFUSE_AND_TELL  # told again after a new accepted message
    assert limiter.check("a", urgent=lambda: True) == ALLOW


def test_idle_conversations_are_forgotten_and_zero_turns_it_off(monkeypatch):
    import channels.limits as limits

    now = [0.0]
    limiter = RateLimiter(per_minute=5, clock=lambda: now[0])
    monkeypatch.setattr(limits, "SWEEP_EVERY", 10)
    for n in range(9):
        limiter.check(f"c{n}")
    now[0] += 61
    limiter.check("late")
    assert len(limiter) == 1
    off = RateLimiter(per_minute=0)
    assert all(off.check("a") == ALLOW for _ in range(1000))


def test_limits_from_the_environment(monkeypatch):
    from channels.limits import max_message_chars

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "7")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    assert RateLimiter.from_env().per_minute == 7 and max_message_chars() == 500
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "")
    monkeypatch.delenv("MAX_MESSAGE_CHARS")
    assert RateLimiter.from_env().per_minute == 20 and max_message_chars() == 2000
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "lots")  # a bad value is refused, never a silent default
    with pytest.raises(SettingError, match="RATE_LIMIT_PER_MINUTE must be a whole number from 0, got 'lots'"):
        RateLimiter.from_env()
