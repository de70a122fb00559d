"""Caseworker accounts as the console feels them: weak passwords are refused with advice."""
from __future__ import annotations

import pytest

from bot.cases import accounts
from bot.cases.state import CaseError
from tests.console.helpers import PASSWORDS

WEAK = {
    "ten spaces": " " * 10,
    "twelve spaces": " " * 12,
    "one letter": "a" * 10,
    "one letter, long": "a" * 20,
    "one digit, spaced": "7 7 7 7 7 7 7 7 7 7 7 7 7",
    "common": "password12",
    "common, long": "password1234",
    "digits in a row": "1234567890",
    "digits in a row, long": "123456789012",
    "letters in a row": "abcdefghijklmn",
    "letters backwards": "nmlkjihgfedcba",
    "keyboard walk": "qwertyuiopasdf",
    "contains the username": "amina-sails-north-7",
    "username, capitals": "xAMINAx-orchid-lake-92",
    "leetspeak": "P@ssw0rd12345",
    "short with spaces": "a b c d e f g h",
}


@pytest.mark.parametrize("password", list(WEAK.values()), ids=list(WEAK))
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(CaseError):
        accounts.create("amina", password, engine=db)
    assert accounts.list_all(engine=db) == []


def test_the_refusal_says_what_to_do(db):
    with pytest.raises(CaseError, match="at least 12 characters"):
        accounts.create("amina", " " * 10, engine=db)
    with pytest.raises(CaseError, match="too easy to guess. This is a very common password"):
        accounts.create("amina", "password1234", engine=db)
    with pytest.raises(CaseError, match="must not contain the username"):
        accounts.create("amina", "amina-sails-north-7", engine=db)


@pytest.mark.parametrize("password", [
    "quiet harbour tulip mosaic", "Fjord-Cactus-Ladder-58", "tamarind pelican 4 vault",
    "the river bends by the old mill where grey herons wait for the tide to turn again",  # past zxcvbn's 72
])
def test_strong_passwords_are_accepted_also_when_changed(db, password):
    accounts.create("amina", "copper violin meadow 7", engine=db)
    accounts.set_password("amina", password, engine=db)
    assert accounts.authenticate("amina", password, engine=db) is not None


def test_a_weak_new_password_is_refused(db, people):
    with pytest.raises(CaseError):
        accounts.set_password("amina", "password1234", engine=db)
    assert accounts.authenticate("amina", PASSWORDS["amina"], engine=db) is not None
