"""Hypothesis: adding a systemic glucocorticoid dose never lowers the prednisone figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osteowedge.exposure import assess_exposure
from osteowedge.knowledge import KnowledgeBase

from .helpers import AS_OF, record

SYSTEMIC = ["Prednisone", "prednisolone", "methylprednisolone", "dexamethasone", "hydrocortisone"]
FREQUENCIES = ["daily", "twice_daily", "every_other_day", "weekly", "once"]


@st.composite
def systemic_course(draw: st.DrawFn) -> dict[str, Any]:
    start = AS_OF - dt.timedelta(days=draw(st.integers(0, 800)))
    ongoing = draw(st.booleans())
    end = None if ongoing else start + dt.timedelta(days=draw(st.integers(0, 400)))
    return {
        "name": draw(st.sampled_from(SYSTEMIC)),
        "dose_value": draw(st.floats(0.25, 100, allow_nan=False)),
        "dose_unit": "mg",
        "frequency": draw(st.sampled_from(FREQUENCIES)),
        "route": draw(st.sampled_from(["oral", "intravenous", "intramuscular"])),
        "start": start.isoformat(),
        "end": None if end is None else end.isoformat(),
    }


FIGURES = (
    "current_prednisone_equivalent_mg_per_day",
    "max_prednisone_equivalent_mg_per_day",
    "cumulative_prednisone_equivalent_mg_last_12_months",
)
THRESHOLDS = (2.5, 7.5, 30.0)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=st.lists(systemic_course(), max_size=4), extra=systemic_course())
def test_adding_a_dose_never_lowers_the_figures(
    kb: KnowledgeBase, base: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    before = assess_exposure(record(medications=base), kb, AS_OF)
    after = assess_exposure(record(medications=[*base, extra]), kb, AS_OF)
    assert after.glucocorticoids is not None
    for name in FIGURES:
        new = getattr(after.glucocorticoids, name)
        assert new is not None
        old = 0 if before.glucocorticoids is None else getattr(before.glucocorticoids, name)
        assert new >= old - 1e-9, name
    for threshold in THRESHOLDS:
        new_days = after.glucocorticoids.days_at(threshold)
        assert new_days is not None
        old_days = (
            0 if before.glucocorticoids is None else before.glucocorticoids.days_at(threshold)
        )
        assert new_days >= (old_days or 0), threshold
    # and the scope, once met, stays met
    if before.systemic_gc_scope_met:
        assert after.systemic_gc_scope_met is True
