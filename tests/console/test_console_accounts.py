"""Caseworker accounts as the console feels them: weak passwords are refused with advice, and a
new password or a (de)activation ends the account's sessions."""
from __future__ import annotations

import pytest

from cases import accounts
from cases.state import CaseError
from tests.console.helpers import PASSWORDS, login

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


async def _signed_in(client) -> bool:
    response = await client.get("/inbox", allow_redirects=False)
    return response.status == 200


@pytest.mark.asyncio
async def test_a_new_password_ends_every_session_of_the_account(client, db, people):
    await login(client, "amina")
    assert await _signed_in(client)
    accounts.set_password("amina", "tamarind pelican 4 vault", engine=db)
    assert not await _signed_in(client)  # whoever had the old password is out
    await login(client, "amina", "tamarind pelican 4 vault")
    assert await _signed_in(client)


@pytest.mark.asyncio
async def test_reactivation_does_not_bring_back_an_old_session(client, db, people):
    await login(client, "amina")
    accounts.set_active("amina", False, engine=db)
    assert not await _signed_in(client)
    accounts.set_active("amina", True, engine=db)
    assert not await _signed_in(client)
    await login(client, "amina")
    assert await _signed_in(client)
    accounts.set_active("amina", True, engine=db)  # already active: nothing changes
    assert await _signed_in(client)
