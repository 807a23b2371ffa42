"""Working days in Vietnam, for the deadlines bdg gives units: Monday to Friday, less public holidays.

Of the holidays of the Labour Code (2019, article 112) bdg knows those fixed by the solar calendar (1/1,
30/4, 1/5, 2/9) and five days of Tết, taken here as the eve of the lunar new year and its first four days.
The others move from year to year (Giỗ Tổ Hùng Vương on 10/3 of the lunar calendar, the day beside 2/9 the
government picks, compensatory days, a longer Tết): an officer lists them in the folder's ``bdg.toml``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

SOLAR_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))  # (month, day)
LUNAR_NEW_YEAR = {  # the first day of Tết (mùng 1 tháng Giêng)
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}
TET_DAYS = range(-1, 4)  # the eve and the first four days


def public_holidays(year: int) -> set[date]:
    """The holidays of ``year`` bdg knows (Tết only for the years listed in LUNAR_NEW_YEAR)."""
    days = {date(year, month, day) for month, day in SOLAR_HOLIDAYS}
    if year in LUNAR_NEW_YEAR:
        days |= {LUNAR_NEW_YEAR[year] + timedelta(days=offset) for offset in TET_DAYS}
    return days


def working_days_after(day: date, count: int, days_off: Iterable[date] = ()) -> date:
    """The day ``count`` working days after ``day``: Monday to Friday, not a public holiday nor one of
    ``days_off``."""
    days_off = set(days_off)
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in days_off and day not in public_holidays(day.year):
            count -= 1
    return day
