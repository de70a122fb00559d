"""Who may do what to a case: pure rules, checked by the service (so every caller gets them).

A supervisor may do everything, including assigning cases to others and seeing every case.
A caseworker works on cases nobody has claimed yet and on their own: they can claim a case
for themselves, but not take over a colleague's case or hand one to someone else.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from cases.state import CaseError

ROLES = ("caseworker", "supervisor")


class PermissionDenied(CaseError):
    pass


@dataclass(frozen=True)
class Actor:
    """A signed-in caseworker as the service sees them."""

    id: int
    username: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def label(self) -> str:  # how the event log names them
        return f"caseworker:{self.username}"


def may_view(actor: Actor, assignee_id: Optional[int]) -> bool:
    return actor.is_supervisor or assignee_id in (None, actor.id)


def check(actor: Actor, action: str, assignee_id: Optional[int], target_id: Optional[int] = None) -> None:
    """Raise PermissionDenied unless `actor` may do `action` on a case assigned to `assignee_id`."""
    if actor.is_supervisor:
        return
    if not may_view(actor, assignee_id):
        raise PermissionDenied("This case is assigned to a colleague; ask a supervisor to reassign it.")
    if action == "assign" and target_id != actor.id:
        raise PermissionDenied("Only a supervisor can assign a case to someone else.")


def may_see_folder(actor: Actor, folder: str) -> bool:
    return folder in ("unassigned", "mine") or actor.is_supervisor
