"""Age of a patient at a given date (pure)."""

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
