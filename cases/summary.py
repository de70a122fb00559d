"""What the assistant already knows at a handoff, so the caseworker does not ask again.

`from_slots` turns the conversation's slots into a small dict (no free text the migrant wrote:
country names and screening answers only); `save` stores it on the case (the case page's
summary card) and, for a new case, as its first private note (the case log travels with the
case, e.g. when a supervisor exports or reads the history). A case opened or raised by an
emergency is flagged so, on the card and at the top of the note, and stays flagged when a
later handoff refreshes the card.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from sqlalchemy.engine import Engine

from cases.models import Case, CaseEvent, dumps

from core.clock import utcnow
from core.db import session_scope

# eligibility_form's answers (actions/eligibility.py SLOTS), labelled for a caseworker
SCREENING = (("own_wish", "Own wish to go home"), ("has_document", "Has a passport or ID"),
             ("detained", "In detention"), ("vulnerability", "Vulnerabilities"),
             ("asylum_pending", "Asylum claim pending"), ("previous_return", "Helped to return before"))
NOT_SET: tuple = (None, "", [], "none")


def _country(value: Any) -> Optional[str]:
    return str(value).replace("_", " ").title() if value not in NOT_SET else None


def screening_result(slots: Mapping[str, Any]) -> Optional[str]:
    """The screening's outcome in a few words (information given, never a decision), or None
    when the screening was not completed."""
    if slots.get("own_wish") in NOT_SET:
        return None
    if slots.get("own_wish") == "no":
        return "not their own wish: told voluntary return is only for those who decide it"
    try:
        from retrieval.flows_data import programme_for

        key = programme_for(slots.get("host_country")).result_key
    except Exception:  # noqa: BLE001 - the programme data is optional here
        key = "screening_result_default"
    label = key.replace("screening_result_", "").replace("_", " ")
    return f"told help may be possible ({label.upper() if label != 'default' else 'to be checked by a caseworker'})"


EMERGENCY_LINE = "EMERGENCY: the migrant's words were read as danger to life; the assistant sent its safety answer."


def from_slots(slots: Mapping[str, Any], channel: Optional[str], language: str,
               emergency: bool = False) -> Dict[str, Any]:
    answers = {label: str(slots.get(slot)) for slot, label in SCREENING if slots.get(slot) not in NOT_SET}
    return {
        "emergency": emergency, "language": language, "channel": channel or "",
        "host_country": _country(slots.get("host_country") or slots.get("known_host_country")),
        "nationality": _country(slots.get("nationality") or slots.get("known_nationality")),
        "screening": answers, "screening_result": screening_result(slots),
        "consent": str(slots.get("consent") or "not asked"), "topic": slots.get("topic"),
    }


def as_note(summary: Mapping[str, Any]) -> str:
    from content.knowledge import load_knowledge

    language = load_knowledge().languages.get(summary.get("language") or "")
    summary = {**summary, "language": language.name if language else summary.get("language")}
    lines = [EMERGENCY_LINE] if summary.get("emergency") else []
    lines.append("Handoff summary (from the assistant):")
    for key, label in (("language", "Language"), ("channel", "Channel"), ("host_country", "Host country"),
                       ("nationality", "Nationality"), ("topic", "Topic"), ("consent", "Consent")):
        lines.append(f"- {label}: {summary.get(key) or 'not known'}")
    for label, answer in (summary.get("screening") or {}).items():
        lines.append(f"- {label}: {answer}")
    lines.append(f"- Screening: {summary.get('screening_result') or 'not completed'}")
    return "\n".join(lines)


def save(case_id: int, summary: Dict[str, Any], created: bool, engine: Optional[Engine] = None) -> None:
    from cases.service import engine_for

    with session_scope(engine_for(engine)) as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        was_emergency = bool(case.summary_dict.get("emergency"))
        summary = {**summary, "emergency": bool(summary.get("emergency")) or was_emergency}
        case.summary = dumps(summary)
        # the first note of a new case, and again when a case becomes an emergency; a repeated
        # handoff only refreshes the card
        if created or (summary["emergency"] and not was_emergency):
            session.add(CaseEvent(case_id=case_id, kind="note", actor="bot", created_at=utcnow(),
                                  payload=dumps({"text": as_note(summary)})))
