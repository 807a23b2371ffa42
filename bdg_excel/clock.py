"""Vietnam's time, whatever the computer's time zone: every time stored or shown uses it.

Times are kept as naive ISO strings in Vietnam's time (UTC+7, no daylight saving), so that
they sort as text and print as officers read them.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(2000, 1, 1)  # no return of ours was sent before


def plausible(moment: datetime, now: datetime) -> bool:
    """True for a time a message or a file may really have: from 2000 on, and not more than a day after ``now``."""
    return EARLIEST <= moment <= now + timedelta(days=1)


def now() -> datetime:
    """The current time in Vietnam, naive."""
    return datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


def from_timestamp(seconds: float) -> datetime:
    """A file time (seconds since the epoch) in Vietnam's time, naive."""
    return datetime.fromtimestamp(seconds, VIETNAM).replace(tzinfo=None, microsecond=0)


def in_vietnam(moment: datetime) -> datetime:
    """An aware time converted to Vietnam's time, naive; a naive one is taken as Vietnam's already."""
    if moment.tzinfo is None:
        return moment.replace(microsecond=0)
    return moment.astimezone(VIETNAM).replace(tzinfo=None, microsecond=0)


def stamp(moment: datetime) -> str:
    """The stored form: ``2026-12-10T09:00:00``."""
    return moment.isoformat(timespec="seconds")


def shown(stored: str) -> str:
    """A stored time as officers read it: ``09:00 ngày 10/12/2026``."""
    return f"{datetime.fromisoformat(stored):%H:%M ngày %d/%m/%Y}"
