"""Office hours: is the team at work now, and if not, when does it start again?

OFFICE_HOURS ("mon-fri 09:00-17:00", parsed by core.settings) is read in OFFICE_TIMEZONE (an IANA
name such as "Africa/Tripoli"; default UTC), because the team's hours are local hours and
the server's clock is not. Pure functions of a given moment, so tests need no clock.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

from core.settings import OFFICE_TIMEZONE, get_settings, parse_office_hours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
OPEN_DAYS = {"mon-fri": {0, 1, 2, 3, 4}, "sun-thu": {6, 0, 1, 2, 3}, "mon-sat": {0, 1, 2, 3, 4, 5},
             "daily": set(range(7))}


def office_timezone() -> ZoneInfo:
    return OFFICE_TIMEZONE.read()


def _clock(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    return time(0, 0) if hours == 24 else time(hours, minutes)  # 24:00 is handled as "until midnight"


def next_opening(now: Optional[datetime] = None, spec: Optional[str] = None,
                 zone: Optional[ZoneInfo] = None) -> Optional[datetime]:
    """None while the team is at work; otherwise the local moment it starts again."""
    days, start, end = parse_office_hours(spec or get_settings().office_hours)
    zone = zone or office_timezone()
    local = (now or datetime.now(timezone.utc)).astimezone(zone)
    opens, closes = _clock(start), _clock(end)
    until_midnight = end.startswith("24")
    if local.weekday() in OPEN_DAYS[days] and opens <= local.time() and (until_midnight or local.time() < closes):
        return None
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        moment = datetime.combine(day, opens, tzinfo=zone)
        if day.weekday() in OPEN_DAYS[days] and moment > local:
            return moment
    return None  # unreachable with a valid spec: every pattern has an open day each week


def opening_words(moment: datetime) -> Tuple[str, str]:
    """(weekday key for knowledge/ui `weekday_<key>`, "9:00")."""
    return WEEKDAYS[moment.weekday()], f"{moment.hour}:{moment.minute:02d}"
