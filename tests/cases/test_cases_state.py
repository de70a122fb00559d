"""The case life cycle and permissions as pure rules (no database)."""
from __future__ import annotations

import itertools

import pytest

from cases import policy, state
from cases.policy import Actor, PermissionDenied
from cases.state import CaseError, InvalidTransition

VALID = {
    ("pending", "assign"): "open", ("open", "assign"): "open",
    ("pending", "reply"): "open", ("open", "reply"): "open",
    ("pending", "message_in"): "pending", ("open", "message_in"): "open",
    ("pending", "change_priority"): "pending", ("open", "change_priority"): "open",
    ("pending", "note"): "pending", ("open", "note"): "open", ("resolved", "note"): "resolved",
    ("open", "resolve"): "resolved",
    ("resolved", "reopen"): "open",
}
ALL = list(itertools.product(state.STATUSES, state.ACTIONS))


@pytest.mark.parametrize("status,action", sorted(VALID))
def test_valid_transitions(status, action):
    assert state.transition(status, action) == VALID[(status, action)]
    assert state.can(status, action)


@pytest.mark.parametrize("status,action", [pair for pair in ALL if pair not in VALID])
def test_invalid_transitions_raise_a_clear_error(status, action):
    assert not state.can(status, action)
    with pytest.raises(InvalidTransition) as caught:
        state.transition(status, action)
    message = str(caught.value)
    assert status in message and action.replace("_", " ") in message
    assert "allowed:" in message  # tells the caseworker what they can do instead


def test_the_table_has_no_hidden_extra_transitions():
    assert {pair for pair in ALL if state.can(*pair)} == set(VALID)


def test_unknown_status_is_an_error():
    with pytest.raises(CaseError):
        state.transition("closed", "reopen")


@pytest.mark.parametrize("reason,expected", [
    ("emergency", "urgent"), ("abuse", "urgent"), ("unaccompanied_minor", "high"), ("vulnerable", "high"),
    ("request", "normal"), ("something_new", "normal"),
])
def test_priority_follows_the_reason(reason, expected):
    assert state.priority_for(reason) == expected


def test_an_explicit_priority_wins_and_is_validated():
    assert state.priority_for("request", "urgent") == "urgent"
    with pytest.raises(CaseError):
        state.priority_for("request", "critical")


def test_priority_order():
    assert [state.priority_rank(p) for p in ("urgent", "high", "normal", "low")] == [0, 1, 2, 3]
    assert state.is_higher("urgent", "normal") and not state.is_higher("low", "normal")
    assert not state.is_higher("high", "high")


SUPERVISOR, AMINA, BEN = Actor(1, "sup", "supervisor"), Actor(2, "amina", "caseworker"), Actor(3, "ben", "caseworker")


@pytest.mark.parametrize("actor,action,assignee,target,allowed", [
    (AMINA, "assign", None, AMINA.id, True),       # claim an unassigned case
    (AMINA, "assign", None, BEN.id, False),        # hand it to someone else: supervisors only
    (AMINA, "assign", BEN.id, AMINA.id, False),    # take over a colleague's case
    (AMINA, "reply", AMINA.id, None, True),
    (AMINA, "reply", None, None, True),            # answering an unassigned case claims it
    (AMINA, "reply", BEN.id, None, False),
    (AMINA, "resolve", BEN.id, None, False),
    (AMINA, "note", BEN.id, None, False),
    (SUPERVISOR, "assign", BEN.id, AMINA.id, True),
    (SUPERVISOR, "resolve", BEN.id, None, True),
])
def test_permissions(actor, action, assignee, target, allowed):
    if allowed:
        policy.check(actor, action, assignee, target)
    else:
        with pytest.raises(PermissionDenied):
            policy.check(actor, action, assignee, target)


def test_only_supervisors_see_all_cases():
    assert policy.may_see_folder(SUPERVISOR, "all")
    assert not policy.may_see_folder(AMINA, "all")
    assert policy.may_see_folder(AMINA, "mine") and policy.may_see_folder(AMINA, "unassigned")
