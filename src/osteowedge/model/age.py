"""Ages and month arithmetic: the one place every engine counts years and months (pure)."""

from __future__ import annotations

import datetime as dt

from osteowedge.model.patient import PatientRecord


def age_at(record: PatientRecord, as_of: dt.date) -> float:
    """Age in years at ``as_of``.

    From ``birth_date``: completed years (a whole number). Otherwise ``age_years`` as given in
    the record (taken to be the age at the record's ``as_of``; when that date is known and earlier
    than ``as_of`` the elapsed whole years are added). The record validator guarantees one of
    the two is present.
    """
    if record.birth_date is not None:
        years = as_of.year - record.birth_date.year
        if (as_of.month, as_of.day) < (record.birth_date.month, record.birth_date.day):
            years -= 1
        return float(max(years, 0))
    if record.age_years is None:  # pragma: no cover - the record validator forbids it
        raise ValueError("record has neither birth_date nor age_years")
    age = float(record.age_years)
    if record.as_of is not None and record.as_of < as_of:
        elapsed = as_of.year - record.as_of.year
        if (as_of.month, as_of.day) < (record.as_of.month, record.as_of.day):
            elapsed -= 1
        age += elapsed
    return age


MONTH_DAYS = 365.25 / 12  # unit conversion: mean days per month


def months_between(start: dt.date, end: dt.date) -> float:
    """Months from ``start`` to ``end`` (mean month length; negative when ``end`` is earlier)."""
    return (end - start).days / MONTH_DAYS


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover
