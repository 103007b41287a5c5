"""Glucocorticoid exposure: prednisone equivalents, windows, overlaps, the ACR scope."""

from __future__ import annotations

import datetime as dt

import pytest

from osteowedge.exposure.glucocorticoids import one_year_before
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.assessment import GcPeriod

from .helpers import AS_OF, cause, med, run, warning_codes

D = dt.date


def oral(name: str, mg: float, start: str, end: str | None = None, **kw: object) -> dict:
    return med(
        name,
        dose_value=mg,
        dose_unit="mg",
        frequency=kw.pop("frequency", "daily"),
        route=kw.pop("route", "oral"),
        start=start,
        end=end,
        **kw,
    )


def test_single_current_course(kb: KnowledgeBase) -> None:
    # prednisone 10 mg/day from 2026-06-01 to as_of 2026-11-01:
    # days = 30 (Jun) + 31 + 31 + 30 + 31 + 1 (1 Nov) = 154; cumulative 10 * 154 = 1540 mg
    gc = run(kb, medications=[oral("Prednisone", 10, "2026-06-01")])
    exp = gc.glucocorticoids
    assert exp is not None
    assert exp.current_prednisone_equivalent_mg_per_day == 10
    assert exp.max_prednisone_equivalent_mg_per_day == 10
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 1540
    assert exp.days_at(2.5) == 154
    assert exp.days_at(7.5) == 154
    assert exp.days_at(30) == 0
    assert exp.periods == [
        GcPeriod(start=D(2026, 6, 1), end=None, prednisone_equivalent_mg_per_day=10, systemic=True)
    ]
    assert gc.systemic_gc_scope_met is True  # 154 days > 90
    assert cause(gc, "glucocorticoids").meets_threshold is True


@pytest.mark.parametrize(
    ("name", "mg", "frequency", "expected"),
    [
        ("methylprednisolone", 4, "twice_daily", 10.0),  # 8 mg * 5/4
        ("Decadron", 0.75, "daily", 5.0),  # 0.75 mg dexamethasone = 5 mg
        ("hydrocortisone", 20, "three_times_daily", 15.0),  # 60 mg * 5/20
        ("cortisone", 25, "daily", 5.0),
        ("prednisolone", 5, "daily", 5.0),
        ("Prednisone", 70, "weekly", 10.0),  # 70 / 7
        ("Prednisone", 10, "every_other_day", 5.0),
        ("deflazacort", 6, "daily", 5.0),  # 6 mg = 5 mg (V2)
    ],
)
def test_prednisone_equivalents(
    kb: KnowledgeBase, name: str, mg: float, frequency: str, expected: float
) -> None:
    exp = run(kb, medications=[oral(name, mg, "2026-10-01", frequency=frequency)]).glucocorticoids
    assert exp is not None
    assert exp.current_prednisone_equivalent_mg_per_day == pytest.approx(expected)


def test_microgram_doses_are_converted(kb: KnowledgeBase) -> None:
    # 750 ug dexamethasone = 0.75 mg = 5 mg prednisone
    exp = run(
        kb,
        medications=[
            med(
                "dexamethasone",
                dose_value=750,
                dose_unit="ug",
                frequency="daily",
                route="oral",
                start="2026-10-01",
            )
        ],
    )
    assert exp.glucocorticoids is not None
    assert exp.glucocorticoids.current_prednisone_equivalent_mg_per_day == pytest.approx(5.0)


def test_overlapping_prescriptions_add_up(kb: KnowledgeBase) -> None:
    # prednisone 5 mg from 1 Oct (ongoing) + prednisolone 5 mg 15-20 Oct
    result = run(
        kb,
        medications=[
            oral("Prednisone", 5, "2026-10-01"),
            oral("prednisolone", 5, "2026-10-15", "2026-10-20"),
        ],
    )
    exp = result.glucocorticoids
    assert exp is not None
    assert [(p.start, p.end, p.prednisone_equivalent_mg_per_day) for p in exp.periods] == [
        (D(2026, 10, 1), D(2026, 10, 14), 5.0),
        (D(2026, 10, 15), D(2026, 10, 20), 10.0),
        (D(2026, 10, 21), None, 5.0),
    ]
    assert exp.max_prednisone_equivalent_mg_per_day == 10
    assert exp.current_prednisone_equivalent_mg_per_day == 5
    # 32 days (1 Oct - 1 Nov) at 5 mg + 6 days at another 5 mg = 160 + 30
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 190
    # 10 mg on 6 days only
    assert exp.days_at(7.5) == 6


@pytest.mark.parametrize(
    ("start", "met"),
    [
        ("2026-08-03", True),  # 29 (Aug 3-31) + 30 + 31 + 1 = 91 days > 90
        ("2026-08-04", False),  # 90 days: not more than 3 months
    ],
)
def test_scope_duration_boundary(kb: KnowledgeBase, start: str, met: bool) -> None:
    assert run(kb, medications=[oral("Prednisone", 5, start)]).systemic_gc_scope_met is met


@pytest.mark.parametrize(
    ("name", "mg", "met"),
    [
        ("methylprednisolone", 2, True),  # 2 * 5/4 = 2.5 mg: inclusive
        ("methylprednisolone", 1.9, False),  # 2.375 mg
    ],
)
def test_scope_dose_boundary(kb: KnowledgeBase, name: str, mg: float, met: bool) -> None:
    result = run(kb, medications=[oral(name, mg, "2026-01-01")])
    assert result.systemic_gc_scope_met is met
    assert result.glucocorticoids is not None
    # 2026-01-01 to 2026-11-01 = 305 days
    assert result.glucocorticoids.days_at(2.5) == (305 if met else 0)


@pytest.mark.parametrize(
    ("planned_end", "met"),
    [
        ("2027-01-15", True),  # Oct 1 - Jan 15 = 31 + 30 + 31 + 15 = 107 days > 90
        ("2026-12-29", False),  # 31 + 30 + 29 = 90 days
        (None, False),  # only 32 days so far
    ],
)
def test_planned_end_counts_toward_scope(
    kb: KnowledgeBase, planned_end: str | None, met: bool
) -> None:
    result = run(kb, medications=[oral("Prednisone", 5, "2026-10-01", planned_end=planned_end)])
    assert result.systemic_gc_scope_met is met
    exp = result.glucocorticoids
    assert exp is not None
    # the figures stop at as_of: 32 days * 5 mg
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 160


def test_past_course_only_is_not_in_scope(kb: KnowledgeBase) -> None:
    # 6 months of 10 mg ending 2026-06-30: long enough, but not current at as_of
    result = run(kb, medications=[oral("Prednisone", 10, "2026-01-01", "2026-06-30")])
    assert result.systemic_gc_scope_met is False
    exp = result.glucocorticoids
    assert exp is not None
    assert exp.current_prednisone_equivalent_mg_per_day == 0
    # Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 = 181 days * 10 mg
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 1810


@pytest.mark.parametrize(
    ("end", "days_in_window"),
    [
        ("2025-11-01", 0),  # one year before as_of is outside the window
        ("2025-11-02", 1),  # first day of the window
    ],
)
def test_twelve_month_window_boundary(kb: KnowledgeBase, end: str, days_in_window: int) -> None:
    result = run(kb, medications=[oral("Prednisone", 20, "2025-10-01", end)])
    exp = result.glucocorticoids
    assert exp is not None
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 20 * days_in_window
    assert exp.days_at(7.5) == days_in_window
    assert exp.max_prednisone_equivalent_mg_per_day == 20
    assert exp.current_prednisone_equivalent_mg_per_day == 0


@pytest.mark.parametrize(("mg", "days"), [(30, 10), (29.9, 0)])
def test_thirty_mg_band_boundary(kb: KnowledgeBase, mg: float, days: int) -> None:
    # 23 Oct - 1 Nov = 10 days
    exp = run(kb, medications=[oral("Prednisone", mg, "2026-10-23")]).glucocorticoids
    assert exp is not None
    assert exp.days_at(30) == days


def test_single_pulse_dose(kb: KnowledgeBase) -> None:
    # methylprednisolone 500 mg IV once = 500 * 5/4 = 625 mg on one day
    result = run(
        kb,
        medications=[oral("Solu-Medrol", 500, "2026-10-01", frequency="once", route="intravenous")],
    )
    exp = result.glucocorticoids
    assert exp is not None
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 625
    assert exp.days_at(30) == 1
    assert exp.current_prednisone_equivalent_mg_per_day == 0
    assert result.systemic_gc_scope_met is False


def test_inhaled_and_intra_articular_are_listed_not_counted(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            med(
                "fluticasone",
                dose_value=250,
                dose_unit="ug",
                frequency="twice_daily",
                route="inhaled",
                start="2020-01-01",
            ),
            oral("Kenalog-40", 40, "2026-10-01", frequency="once", route="intra_articular"),
        ],
    )
    exp = result.glucocorticoids
    assert exp is not None  # a glucocorticoid is in the record
    assert exp.current_prednisone_equivalent_mg_per_day == 0
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 0
    # the joint injection is shown as a non-systemic period: 40 mg triamcinolone * 5/4 = 50 mg
    assert exp.periods == [
        GcPeriod(
            start=D(2026, 10, 1),
            end=D(2026, 10, 1),
            prednisone_equivalent_mg_per_day=50,
            systemic=False,
        )
    ]
    assert result.systemic_gc_scope_met is False
    c = cause(result, "glucocorticoids")
    assert c.meets_threshold is False
    assert c.medications == ["fluticasone", "Kenalog-40"]
    # the route decides, before the knowledge base is asked for a prednisone equivalent
    assert "fluticasone (inhaled): listed, not counted toward the systemic threshold" in c.reasons
    assert any("intra_articular" in r and "not counted" in r for r in c.reasons)


def test_a_drug_prescribed_twice_is_named_once(kb: KnowledgeBase) -> None:
    result = run(
        kb, medications=[oral("Prednisone", 40, "2026-01-01"), oral("Prednisone", 10, "2026-03-01")]
    )
    c = cause(result, "glucocorticoids")
    assert c.medications == ["Prednisone"]
    assert sum("counted" in r and r.startswith("Prednisone") for r in c.reasons) == 2


def test_missing_dose_is_unknown_and_warned(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[med("Prednisone", route="oral", start="2026-10-01")])
    exp = result.glucocorticoids
    assert exp is not None
    assert exp.current_prednisone_equivalent_mg_per_day is None
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months is None
    assert result.systemic_gc_scope_met is None
    assert ("missing_dose", "/medications/0/dose_value") in warning_codes(result)
    assert cause(result, "glucocorticoids").meets_threshold is None


def test_missing_route_is_unknown_and_warned(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            med("Prednisone", dose_value=5, dose_unit="mg", frequency="daily", start="2026-10-01")
        ],
    )
    assert result.systemic_gc_scope_met is None
    assert ("missing_route", "/medications/0/route") in warning_codes(result)


def test_known_scope_is_not_undone_by_an_unknown_course(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            oral("Prednisone", 10, "2026-01-01"),
            med("Medrol", route="oral", start="2026-10-01"),
        ],
    )
    assert result.systemic_gc_scope_met is True
    assert result.glucocorticoids is not None
    assert result.glucocorticoids.current_prednisone_equivalent_mg_per_day is None


def test_missing_start_is_warned(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            med("Prednisone", dose_value=5, dose_unit="mg", frequency="daily", route="oral")
        ],
    )
    assert ("missing_start", "/medications/0/start") in warning_codes(result)
    exp = result.glucocorticoids
    assert exp is not None and exp.cumulative_prednisone_equivalent_mg_last_12_months is None


def test_no_glucocorticoid(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Nexium", 40, "2026-01-01")])
    assert result.glucocorticoids is None
    assert result.systemic_gc_scope_met is False


def test_one_year_before_leap_day() -> None:
    assert one_year_before(D(2028, 2, 29)) == D(2027, 2, 28)
    assert one_year_before(AS_OF) == D(2025, 11, 1)


def test_class_word_without_ingredient_is_unknown(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("oral steroids", 10, "2026-01-01")])
    assert result.systemic_gc_scope_met is None
    assert ("unknown_glucocorticoid_ingredient", "/medications/0/name") in warning_codes(result)
    # with an ATC code the ingredient is known: prednisolone H02AB06, 10 mg/day since 1 Jan
    coded = run(kb, medications=[oral("oral steroids", 10, "2026-01-01", atc="H02AB06")])
    assert coded.systemic_gc_scope_met is True
