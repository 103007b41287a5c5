"""Lab freshness: a result undated, older than its test's ``freshness_days`` or dated after
``as_of`` cannot clear anything; a usable result ranks by date (undated as oldest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osteowedge.knowledge.schema import Test
from osteowedge.model.assessment import Warning
from osteowedge.model.patient import Lab
from osteowedge.workup.lab_status import Status
from osteowedge.workup.lab_units import EGFR_REPORTED


@dataclass(frozen=True)
class Usable:
    """One lab result up to ``as_of``, in its canonical unit where one exists; ``fresh`` when
    it is dated and inside its test's window (only a fresh result can clear a drug)."""

    test_id: str
    value: float | None  # canonical unit; None when it cannot be converted
    status: Status
    date: dt.date | None
    index: int
    fresh: bool
    shown: str
    window_days: int | None

    def later_than(self, other: Usable) -> bool:
        """Whether this result replaces ``other`` as the latest (undated ranks as oldest)."""
        if self.date is None:
            return other.date is None
        return other.date is None or self.date >= other.date


def check_fresh(
    i: int,
    lab: Lab,
    test: Test,
    kind: str,
    as_of: dt.date,
    reasons: list[str],
    warnings: list[Warning],
) -> bool:
    name = test.name if kind != EGFR_REPORTED else "reported eGFR"
    if lab.date is None:
        warnings.append(
            Warning(
                code="lab_undated",
                message=f"{name} has no date: its age cannot be checked, so it cannot clear a "
                "drug (an abnormal value still restricts)",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append("undated: cannot clear a drug; an abnormal value still restricts")
        return False
    if lab.date > as_of:
        warnings.append(
            Warning(
                code="lab_after_as_of",
                message=f"{name} is dated {lab.date}, after the assessment date {as_of}; not used",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append("dated after the assessment date: not used")
        return False
    window = test.freshness_days
    if window is None or window.verification == "U":
        return True
    days = int(window.value)
    age = (as_of - lab.date).days
    if age > days:
        warnings.append(
            Warning(
                code="lab_stale",
                message=f"{name} from {lab.date} is {age} days old, beyond the {days}-day "
                f"window for {test.id}: it cannot clear a drug (an abnormal value still "
                "restricts); repeat it",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append(
            f"{age} days old, beyond the {days}-day window: cannot clear a drug; an abnormal "
            "value still restricts"
        )
        return False
    return True
