"""The case life cycle as a pure state machine: no database, no clock, easy to test.

pending (nobody assigned yet) → open (claimed) → resolved, and resolved → open again (reopen).
Actions that do not change the status (reply, note, priority) are in the same table, so that
"may I do X to a case in status Y" has exactly one answer, in one place.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

PENDING, OPEN, RESOLVED = "pending", "open", "resolved"
STATUSES = (PENDING, OPEN, RESOLVED)
ACTIVE_STATUSES = (PENDING, OPEN)

PRIORITIES = ("urgent", "high", "normal", "low")  # most urgent first: the inbox sorts by this

EVENT_KINDS = (
    "opened", "assigned", "message_in", "message_out", "note", "priority_changed", "resolved", "reopened",
)

# Why a case was opened → its priority. Emergencies and abuse cannot wait for office hours;
# children alone and other vulnerable people come next; a plain request is normal.
REASON_PRIORITY = {
    "emergency": "urgent",
    "abuse": "urgent",
    "unaccompanied_minor": "high",
    "vulnerable": "high",
    "request": "normal",
}

# (status, action) → status after the action. Anything not listed is invalid.
_TRANSITIONS: Dict[Tuple[str, str], str] = {
    (PENDING, "assign"): OPEN,
    (OPEN, "assign"): OPEN,            # hand over to someone else
    (PENDING, "reply"): OPEN,          # replying claims the case for the one who replies
    (OPEN, "reply"): OPEN,
    (PENDING, "message_in"): PENDING,
    (OPEN, "message_in"): OPEN,
    (PENDING, "change_priority"): PENDING,
    (OPEN, "change_priority"): OPEN,
    (PENDING, "note"): PENDING,
    (OPEN, "note"): OPEN,
    (RESOLVED, "note"): RESOLVED,      # notes after the fact are part of good case records
    (OPEN, "resolve"): RESOLVED,
    (RESOLVED, "reopen"): OPEN,
}
ACTIONS = tuple(sorted({action for _, action in _TRANSITIONS}))


class CaseError(Exception):
    """A case operation that cannot be done; the message is safe to show to a caseworker."""


class InvalidTransition(CaseError):
    def __init__(self, status: str, action: str) -> None:
        self.status, self.action = status, action
        allowed = ", ".join(allowed_actions(status)) or "nothing"
        super().__init__(f"Cannot {action.replace('_', ' ')} a case that is {status} (allowed: {allowed}).")


def transition(status: str, action: str) -> str:
    """The status after `action`, or InvalidTransition."""
    if status not in STATUSES:
        raise CaseError(f"Unknown case status {status!r}.")
    try:
        return _TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(status, action) from None


def allowed_actions(status: str) -> Tuple[str, ...]:
    return tuple(action for (state, action) in _TRANSITIONS if state == status)


def can(status: str, action: str) -> bool:
    return (status, action) in _TRANSITIONS


def validate_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise CaseError(f"Unknown priority {priority!r} (use one of {', '.join(PRIORITIES)}).")
    return priority


def priority_rank(priority: str) -> int:
    """0 for urgent … 3 for low: sorting by rank puts the most urgent first."""
    return PRIORITIES.index(validate_priority(priority))


def is_higher(new: str, old: str) -> bool:
    return priority_rank(new) < priority_rank(old)


def priority_for(reason: str, priority: Optional[str] = None) -> str:
    """An explicit priority wins; otherwise the reason decides (unknown reasons are 'normal')."""
    if priority:
        return validate_priority(priority)
    return REASON_PRIORITY.get(reason, "normal")
