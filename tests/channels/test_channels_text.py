"""channels.text.split_message: every part fits, nothing is lost, cuts fall on good boundaries."""
from __future__ import annotations

import random

import pytest

from channels.text import TELEGRAM_LIMIT, TWILIO_LIMIT, split_message, utf16_length

ARABIC = "يمكنك طلب المساعدة من المنظمة الدولية للهجرة في أي وقت. "
GEEZ = "የጉዞ ሰነድ ለማግኘት ወደ ኤምባሲው መሄድ ያስፈልግዎታል። "
FRENCH = "Vous pouvez demander de l'aide à tout moment, même sans papiers ! "
EMOJI = "Restez en sécurité 🙏🏾👨‍👩‍👧. "


def _texts():
    rng = random.Random(7)
    words = "le la passeport ambassade retour voyage désert mer aide santé".split()
    return {
        "latin-5000": FRENCH * 76,
        "arabic": ARABIC * 90,
        "geez": GEEZ * 150,
        "emoji": EMOJI * 250,
        "paragraphs": "\n\n".join((FRENCH * rng.randint(1, 12)).strip() for _ in range(40)),
        "no-spaces": "x" * 9000,
        "one-long-word-amid-text": FRENCH * 10 + "y" * 5000 + " " + FRENCH * 10,
        "random-words": " ".join(rng.choice(words) for _ in range(3000)),
    }


@pytest.mark.parametrize("limit", [TELEGRAM_LIMIT, TWILIO_LIMIT, 100])
@pytest.mark.parametrize("name, text", list(_texts().items()))
def test_every_part_fits_and_nothing_is_lost(name, text, limit):
    parts = split_message(text, limit)
    assert parts and all(0 < utf16_length(part) <= limit for part in parts)
    assert all(part == part.strip() for part in parts)
    if name in ("no-spaces", "one-long-word-amid-text"):
        assert "".join("".join(parts).split()) == "".join(text.split())  # words cut only when unavoidable
    else:
        assert " ".join(parts).split() == text.split()


@pytest.mark.parametrize("sentence, end", [(FRENCH, "!"), (ARABIC, "."), (GEEZ, "።")])
def test_cuts_fall_at_sentence_ends(sentence, end):
    parts = split_message(sentence * 100, TWILIO_LIMIT)
    assert len(parts) > 1 and all(part.endswith(end) for part in parts)


def test_paragraph_breaks_are_preferred_when_they_keep_parts_large():
    first, second = "A" + " mot" * 300, "B" + " mot" * 300  # each ~1200 characters
    parts = split_message(f"{first}\n\n{second}", TWILIO_LIMIT)
    assert parts == [first, second]


def test_short_text_is_unchanged_and_empty_gives_nothing():
    assert split_message("  Bonjour.  ", 10) == ["Bonjour."]
    assert split_message("   \n ", 10) == []
    with pytest.raises(ValueError):
        split_message("x", 0)


def test_length_is_counted_in_utf16_units():
    assert utf16_length("🙏🏾") == 4 and utf16_length("ሰላም") == 3
    parts = split_message("🙏" * 10, 5)
    assert parts == ["🙏🙏", "🙏🙏", "🙏🙏", "🙏🙏", "🙏🙏"]  # never half a surrogate pair
