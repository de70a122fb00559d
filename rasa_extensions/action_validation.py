"""Rasa's check of every action server response, with its JSON schema compiled once.

rasa.core.actions.action.RemoteAction._validate_action_result calls jsonschema.validate() for
every response of the action server. validate() first checks the *schema* against the JSON
Schema meta-schema, then builds a new validator, on every call: 16 ms of CPU per call here,
where validating the response alone with a validator built once takes 1.8 ms. A profile of a
loaded Rasa server showed 16-21 % of its CPU in that meta-schema check.

`install()` (called by bot/rasa_server.py when the server starts, and by the in-process action
endpoint of `python -m bot ask`) replaces that method with one that validates against a
validator built and checked once. Same schema, same validator class, same result: valid
responses pass, an invalid one raises the same jsonschema ValidationError (the best match of
the same errors, as validate() picks it) with Rasa's message appended. Site-packages is not
touched. Idempotent.
"""
from __future__ import annotations

from typing import Any, Dict

_INSTALLED = False
ORIGINAL: Any = None  # Rasa's own method, kept for the equivalence test


def install() -> bool:
    """Replace RemoteAction._validate_action_result in this process; True once installed."""
    global _INSTALLED, ORIGINAL
    if _INSTALLED:
        return True
    from jsonschema import exceptions, validators
    from rasa.core.actions import action as rasa_action

    remote = rasa_action.RemoteAction
    ORIGINAL = remote._validate_action_result
    schema = remote.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every call
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{rasa_action.DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.__doc__ = "jsonschema validation with a validator built once (rasa_extensions/action_validation.py)"
    remote._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _INSTALLED = True
    return True
