"""rasa_extensions/action_validation.py: Rasa's check of action server responses, schema compiled once,
gives the same verdicts and the same error as Rasa's own jsonschema.validate() call."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "avr_overview", "timestamp": None}],
     "responses": [{"text": "hello", "buttons": [{"title": "1", "payload": "/x"}]}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "no such event"}]},
    {"events": [{"event": "slot"}], "responses": "x"},
    {"responses": [1, 2]},
    [],
]


@pytest.fixture(scope="module")
def methods():
    from rasa.core.actions.action import RemoteAction

    from rasa_extensions.action_validation import install

    install()
    import rasa_extensions.action_validation as validation

    action = RemoteAction.__new__(RemoteAction)  # the methods only read its (static) schema
    return validation.ORIGINAL.__get__(action), RemoteAction._validate_action_result.__get__(action)


@pytest.mark.parametrize("response", VALID)
def test_a_valid_response_passes_both(methods, response):
    rasa, ours = methods
    assert rasa(response) is True and ours(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_response_raises_the_same_error(methods, response):
    rasa, ours = methods
    with pytest.raises(ValidationError) as expected:
        rasa(response)
    with pytest.raises(ValidationError) as got:
        ours(response)
    assert got.value.message == expected.value.message
    assert list(got.value.absolute_path) == list(expected.value.absolute_path)
    assert "Failed to validate Action server response" in got.value.message


def test_install_is_idempotent(methods):
    from rasa.core.actions.action import RemoteAction

    from rasa_extensions.action_validation import install

    assert install() and RemoteAction._validate_action_result is methods[1].__func__
