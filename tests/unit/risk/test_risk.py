"""ACR 2022 GIOP risk category and the Kanis 2011 FRAX glucocorticoid adjustment."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import (
    BmdChange,
    BoneDensity,
    DaysAtOrAbove,
    GlucocorticoidExposure,
    GradedVertebra,
)
from osteowedge.risk import ORDER, assess_risk
from tests.conftest import example_paths

AS_OF = dt.date(2026, 6, 1)


def record(**fields: Any) -> Any:
    data: dict[str, Any] = {
        "id": "r",
        "as_of": AS_OF.isoformat(),
        "sex": "female",
        "age_years": 55,
        "menopausal_status": "postmenopausal",
    }
    data.update(fields)
    return parse_patient(data)


def gc(dose: float, days: int = 365) -> GlucocorticoidExposure:
    """A constant daily prednisone-equivalent dose for ``days`` (<= 365) ending at as_of."""
    return GlucocorticoidExposure(
        current_prednisone_equivalent_mg_per_day=dose,
        max_prednisone_equivalent_mg_per_day=dose,
        cumulative_prednisone_equivalent_mg_last_12_months=dose * days,
        days_at_or_above=[
            DaysAtOrAbove(threshold_mg_per_day=t, days=days if dose >= t else 0, knowledge_id=k)
            for t, k in (
                (2.5, "glucocorticoid_scope"),
                (7.5, "kanis_2011_frax_gc_adjustment"),
                (30.0, "acr_2022_giop_risk_categories"),
            )
        ],
    )


def density(
    t: float | None = None, z: float | None = None, changes: list[BmdChange] | None = None
) -> BoneDensity:
    return BoneDensity(
        who_category="unknown" if t is None else "normal",
        lowest_t_score=t,
        lowest_z_score=z,
        change_since_previous=changes or [],
    )


def frax(mof: float | None, hip: float | None, entered: bool | None = True) -> dict[str, Any]:
    return {
        "major_osteoporotic_pct": mof,
        "hip_pct": hip,
        "with_bmd": True,
        "glucocorticoids_entered": entered,
    }


def run(
    kb: KnowledgeBase,
    rec: Any,
    exposure: GlucocorticoidExposure | None,
    bd: BoneDensity,
    scope: bool | None = True,
    vertebrae: list[GradedVertebra] | None = None,
) -> Any:
    return assess_risk(
        rec,
        kb,
        AS_OF,
        glucocorticoids=exposure,
        systemic_gc_scope_met=scope,
        bone_density=bd,
        vertebrae=vertebrae or [],
    )


def codes(result: Any) -> set[str]:
    return {w.code for w in result.notes.warnings}


# --- not applicable / indeterminate -------------------------------------------------------------


def test_not_on_glucocorticoids_not_applicable(kb: KnowledgeBase) -> None:
    result = run(kb, record(), None, density(-3.0), scope=False)
    assert result.risk.giop_category == "not_applicable"
    assert result.risk.basis[0].id == "giop_not_applicable_scope"
    assert result.risk.basis[0].citation_ids


def test_child_not_applicable(kb: KnowledgeBase) -> None:
    rec = record(age_years=17, menopausal_status=None)
    result = run(kb, rec, gc(10), density(-3.0))
    assert result.risk.giop_category == "not_applicable"
    assert result.risk.basis[0].id == "giop_not_applicable_child"


def test_adult_at_18_is_in_scope(kb: KnowledgeBase) -> None:
    rec = record(age_years=18, menopausal_status="premenopausal")
    assert run(kb, rec, gc(40, 60), density(-1.0)).risk.giop_category == "very_high"


def test_unknown_scope_is_indeterminate(kb: KnowledgeBase) -> None:
    result = run(kb, record(), None, density(-1.0), scope=None)
    assert result.risk.giop_category == "indeterminate"
    assert result.risk.missing_inputs == ["glucocorticoid_scope"]


def test_no_dxa_no_frax_50_year_old_is_indeterminate(kb: KnowledgeBase) -> None:
    result = run(kb, record(age_years=50), gc(5), density(None))
    assert result.risk.giop_category == "indeterminate"
    assert "lowest_t_score" in result.risk.missing_inputs
    assert "frax_mof_gc_adjusted_pct" in result.risk.missing_inputs
    assert "risk_input_missing" in codes(result)


def test_fracture_decides_even_without_dxa(kb: KnowledgeBase) -> None:
    rec = record(fractures=[{"site": "wrist", "mechanism": "fragility"}])
    result = run(kb, rec, gc(5), density(None))
    assert result.risk.giop_category == "very_high"
    assert result.risk.missing_inputs == []


def test_counted_vertebral_fracture_is_prior_fracture(kb: KnowledgeBase) -> None:
    v = GradedVertebra(
        level="L1",
        genant_grade=2,
        morphology="wedge",
        height_loss_pct=30.0,
        reference_height_mm=30.0,
        counts_as_fracture=True,
    )
    result = run(kb, record(), gc(5), density(None), vertebrae=[v])
    assert result.risk.giop_category == "very_high"


def test_fracture_of_unknown_mechanism_leaves_very_high_open(kb: KnowledgeBase) -> None:
    # T -2.7 is high; whether the wrist fracture was osteoporotic could make it very high
    rec = record(fractures=[{"site": "wrist", "mechanism": "unknown"}], frax=frax(12.0, 1.5))
    result = run(kb, rec, gc(5), density(-2.7))
    assert result.risk.giop_category == "indeterminate"
    assert result.risk.minimum_category == "high"
    assert result.risk.missing_inputs == ["prior_osteoporotic_fracture"]


# --- age 40 and over: bands and boundaries --------------------------------------------------


def test_p13_high_by_t_score(kb: KnowledgeBase) -> None:
    # P13: 55 y, T -2.7, GC 7.5 mg/day, GC-adjusted MOF 18 %, hip 2 %: high.
    # FRAX as entered: MOF 18/1.15 and hip 2/1.25 would be needed; use 15.0 % and 1.6 %:
    # age 55 -> column 50; dose 7.5 -> high band (+20 % MOF, +25 % hip):
    # 15.0 x 1.20 = 18.0 ; 1.6 x 1.25 = 2.0
    rec = record(frax=frax(15.0, 1.6))
    result = run(kb, rec, gc(7.5), density(-2.7))
    assert result.risk.frax_glucocorticoid_adjusted is not None
    assert result.risk.frax_glucocorticoid_adjusted.major_osteoporotic_pct == pytest.approx(18.0)
    assert result.risk.frax_glucocorticoid_adjusted.hip_pct == pytest.approx(2.0)
    assert result.risk.giop_category == "high"
    assert result.risk.basis[0].knowledge_ids[0] == "acr_2022_giop_risk_categories"
    assert "humphrey_2023_acr_giop" in result.risk.basis[0].citation_ids


def test_p15_moderate_by_t_despite_low_frax(kb: KnowledgeBase) -> None:
    # P15: 45 y, T -1.6, GC-adj MOF 8 %, hip 0.6 %, 5 mg/day (medium: unadjusted)
    rec = record(age_years=45, menopausal_status="premenopausal", frax=frax(8.0, 0.6))
    assert run(kb, rec, gc(5), density(-1.6)).risk.giop_category == "moderate"


def low_frax() -> dict[str, Any]:
    return frax(5.0, 0.5)


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (-3.5, "very_high"),  # T <= -3.5
        (-3.4, "high"),
        (-2.5, "high"),  # T <= -2.5
        (-2.45, "moderate"),  # gap between -2.4 and -2.5
        (-1.1, "moderate"),
        (-1.0, "low"),  # T = -1.0 is low
    ],
)
def test_t_score_boundaries(kb: KnowledgeBase, t: float, expected: str) -> None:
    # 5 mg/day is the medium band: FRAX unadjusted (5.0 %, 0.5 %) -> low by FRAX
    assert run(kb, record(frax=low_frax()), gc(5), density(t)).risk.giop_category == expected


@pytest.mark.parametrize(
    ("mof", "hip", "expected"),
    [
        (30.0, 0.5, "very_high"),  # MOF >= 30
        (29.99, 0.5, "high"),
        (20.0, 0.5, "high"),  # MOF 20 % is high
        (19.99, 0.5, "moderate"),
        (10.0, 0.5, "moderate"),
        (9.99, 0.5, "low"),
        (5.0, 4.5, "very_high"),  # hip >= 4.5
        (5.0, 4.49, "high"),
        (5.0, 3.0, "high"),  # hip 3 % is high
        (5.0, 2.99, "moderate"),
        (5.0, 1.01, "moderate"),
        (5.0, 1.0, "low"),  # hip 1.0 % is low
    ],
)
def test_frax_boundaries(kb: KnowledgeBase, mof: float, hip: float, expected: str) -> None:
    # medium dose (5 mg/day): adjusted = entered
    result = run(kb, record(frax=frax(mof, hip)), gc(5), density(-0.5))
    assert result.risk.giop_category == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(31, "very_high"), (30, "low")],  # >= 30 mg/day for MORE than 30 days
)
def test_high_dose_days_boundary(kb: KnowledgeBase, days: int, expected: str) -> None:
    # 30 mg x 30 days = 900 mg cumulative (< 5 g); FRAX entered 5 %/0.5 % at age 55, high
    # dose band (column 50): 5.0 x 1.20 = 6.0 ; 0.5 x 1.25 = 0.625 -> low
    exposure = gc(30, days)
    result = run(kb, record(frax=low_frax()), exposure, density(-0.5))
    assert result.risk.giop_category == expected


@pytest.mark.parametrize(("cumulative", "expected"), [(5000.0, "very_high"), (4999.0, "low")])
def test_cumulative_boundary(kb: KnowledgeBase, cumulative: float, expected: str) -> None:
    exposure = gc(10).model_copy(
        update={"cumulative_prednisone_equivalent_mg_last_12_months": cumulative}
    )
    # 10 mg/day: high band: 5.0 x 1.2 = 6.0 %, 0.5 x 1.25 = 0.625 %: low by FRAX
    result = run(kb, record(frax=low_frax()), exposure, density(-0.5))
    assert result.risk.giop_category == expected


def test_frax_without_glucocorticoids_entered_warns_and_is_not_used(kb: KnowledgeBase) -> None:
    rec = record(frax=frax(25.0, 3.5, entered=False))
    result = run(kb, rec, gc(5), density(-0.5))
    assert result.risk.frax_glucocorticoid_adjusted is None
    assert "frax_without_glucocorticoids" in codes(result)
    assert result.risk.giop_category == "indeterminate"  # FRAX could still decide
    assert "frax_mof_gc_adjusted_pct" in result.risk.missing_inputs


# --- Kanis 2011 adjustment ------------------------------------------------------------------


def test_kanis_p10(kb: KnowledgeBase) -> None:
    # P10: age 60, 10 mg/day: MOF 12.0 x 1.15 = 13.8 ; hip 2.6 x 1.25 = 3.25
    rec = record(age_years=60, frax=frax(12.0, 2.6))
    adjusted = run(kb, rec, gc(10), density(-0.5)).risk.frax_glucocorticoid_adjusted
    assert adjusted.major_osteoporotic_pct == pytest.approx(13.8)
    assert adjusted.hip_pct == pytest.approx(3.25)


def test_kanis_p11_low_dose_age_80(kb: KnowledgeBase) -> None:
    # P11: age 80, 1 mg/day: MOF 20 x 0.80 = 16.0 ; hip 6 x 0.70 = 4.2
    rec = record(age_years=80, frax=frax(20.0, 6.0))
    adjusted = run(kb, rec, gc(1), density(-0.5), scope=False).risk.frax_glucocorticoid_adjusted
    assert adjusted.major_osteoporotic_pct == pytest.approx(16.0)
    assert adjusted.hip_pct == pytest.approx(4.2)


def test_kanis_p12_medium_unadjusted(kb: KnowledgeBase) -> None:
    rec = record(age_years=70, frax=frax(12.0, 2.6))
    adjusted = run(kb, rec, gc(5), density(-0.5)).risk.frax_glucocorticoid_adjusted
    assert (adjusted.major_osteoporotic_pct, adjusted.hip_pct) == (12.0, 2.6)


@pytest.mark.parametrize(
    ("dose", "mof"),
    [
        (2.49, 8.0),  # low (< 2.5), age 55 -> column 50: -20 % -> 10 x 0.8 = 8.0
        (2.5, 10.0),  # medium from 2.5: unadjusted
        (7.49, 10.0),  # still medium
        (7.5, 12.0),  # high from 7.5 inclusive: +20 % -> 12.0
    ],
)
def test_kanis_dose_band_boundaries(kb: KnowledgeBase, dose: float, mof: float) -> None:
    rec = record(frax=frax(10.0, None))
    adjusted = run(kb, rec, gc(dose), density(-0.5)).risk.frax_glucocorticoid_adjusted
    assert adjusted.major_osteoporotic_pct == pytest.approx(mof)
    assert adjusted.hip_pct is None


@pytest.mark.parametrize(
    ("age", "mof"),
    [
        (49, 12.0),  # column 40: +20 %
        (60, 11.5),  # column 60: +15 %
        (69, 11.5),
        (79, 11.5),  # column 70: +15 %
        (80, 11.0),  # column 80: +10 %
        (95, 11.0),  # column 90: +10 %
    ],
)
def test_kanis_age_column_at_or_below(kb: KnowledgeBase, age: int, mof: float) -> None:
    rec = record(age_years=age, frax=frax(10.0, None))
    adjusted = run(kb, rec, gc(10), density(-0.5)).risk.frax_glucocorticoid_adjusted
    assert adjusted.major_osteoporotic_pct == pytest.approx(mof)


def test_frax_under_40_not_used(kb: KnowledgeBase) -> None:
    rec = record(age_years=39, menopausal_status="premenopausal", frax=frax(10.0, 1.0))
    result = run(kb, rec, gc(10), density(-0.5))
    assert result.risk.frax_glucocorticoid_adjusted is None
    assert "frax_under_40" in codes(result)


# --- under 40 ------------------------------------------------------------------------------


def young(**kw: Any) -> Any:
    return record(age_years=35, menopausal_status="premenopausal", **kw)


def test_p14_under_40_high_dose_very_high(kb: KnowledgeBase) -> None:
    # P14: 35 y, 40 mg/day for 6 weeks (42 days > 30)
    assert run(kb, young(), gc(40, 42), density(-0.5)).risk.giop_category == "very_high"


def test_p20_cumulative_very_high(kb: KnowledgeBase) -> None:
    # P20: 30 mg x 180 days = 5,400 mg >= 5,000 (and 180 days > 30)
    assert run(kb, young(), gc(30, 180), density(-0.5)).risk.giop_category == "very_high"


@pytest.mark.parametrize("t", [-2.5, -3.0, -3.6])
def test_under_40_is_never_high(kb: KnowledgeBase, t: float) -> None:
    # ACR 2022 has no high category under 40: a low T-score alone (Z not low, no loss, no
    # fracture, 5 mg/day) is low risk, and no under-40 rule can give "high"
    result = run(kb, young(), gc(5), density(t, -1.0))
    assert result.risk.giop_category == "low"
    assert not any("under40-high" in e.rule_id for e in result.notes.trace)


@pytest.mark.parametrize(("z", "expected"), [(-3.1, "moderate"), (-3.0, "low")])
def test_under_40_moderate_z_boundary(kb: KnowledgeBase, z: float, expected: str) -> None:
    # 7.5 mg/day for 200 days (>= 180) and continuing; Z < -3 strictly; no BMD change data
    # -> loss unknown, so Z -3.0 leaves moderate open
    result = run(kb, young(), gc(7.5, 200), density(-1.5, z))
    if expected == "moderate":
        assert result.risk.giop_category == "moderate"
    else:
        assert result.risk.giop_category == "indeterminate"
        assert result.risk.missing_inputs == ["bmd_loss_exceeds_lsc"]
        assert result.risk.minimum_category == "low"


def change(significant: bool | None, delta: float = -0.05) -> BmdChange:
    return BmdChange(
        region="total_hip",
        change_g_cm2=delta,
        change_pct=-5.0,
        least_significant_change_g_cm2=0.03,
        significant=significant,
    )


def test_under_40_moderate_by_loss_over_lsc(kb: KnowledgeBase) -> None:
    bd = density(-1.5, -1.0, [change(True)])
    assert run(kb, young(), gc(7.5, 180), bd).risk.giop_category == "moderate"


def test_under_40_low_without_loss(kb: KnowledgeBase) -> None:
    bd = density(-1.5, -1.0, [change(False)])
    assert run(kb, young(), gc(7.5, 180), bd).risk.giop_category == "low"


def test_under_40_gc_duration_boundary(kb: KnowledgeBase) -> None:
    bd = density(-1.5, -3.5)
    # 179 days at >= 7.5 mg is under 6 months: not moderate -> low
    assert run(kb, young(), gc(7.5, 179), bd).risk.giop_category == "low"
    assert run(kb, young(), gc(7.5, 180), bd).risk.giop_category == "moderate"


def test_under_40_no_dxa_low_when_bmd_cannot_matter(kb: KnowledgeBase) -> None:
    # under 40 the DXA only matters on >= 7.5 mg/day for 6 months (moderate); there is no
    # T-score ("high") category to wait for
    result = run(kb, young(), gc(5), density(None))
    assert result.risk.giop_category == "low"
    assert result.risk.missing_inputs == []


def test_under_40_no_dxa_indeterminate(kb: KnowledgeBase) -> None:
    result = run(kb, young(), gc(7.5, 200), density(None))
    assert result.risk.giop_category == "indeterminate"
    assert result.risk.missing_inputs == ["lowest_z_score", "bmd_loss_exceeds_lsc"]
    assert result.risk.minimum_category == "low"


# --- property: a higher dose never lowers the category ------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    age=st.integers(min_value=18, max_value=95),
    days=st.integers(min_value=91, max_value=365),
    d1=st.floats(min_value=2.5, max_value=60, allow_nan=False),
    extra=st.floats(min_value=0, max_value=60, allow_nan=False),
    t=st.one_of(st.none(), st.floats(min_value=-5, max_value=2, allow_nan=False)),
    z=st.one_of(st.none(), st.floats(min_value=-5, max_value=2, allow_nan=False)),
    mof=st.one_of(st.none(), st.floats(min_value=0, max_value=60, allow_nan=False)),
    hip=st.one_of(st.none(), st.floats(min_value=0, max_value=30, allow_nan=False)),
    fracture=st.booleans(),
)
def test_higher_dose_never_lowers_category(
    kb: KnowledgeBase,
    age: int,
    days: int,
    d1: float,
    extra: float,
    t: float | None,
    z: float | None,
    mof: float | None,
    hip: float | None,
    fracture: bool,
) -> None:
    rec = record(
        age_years=age,
        menopausal_status="postmenopausal",
        frax=frax(mof, hip) if mof is not None or hip is not None else None,
        fractures=[{"site": "wrist", "mechanism": "fragility"}] if fracture else [],
    )
    bd = density(t, z)
    low = run(kb, rec, gc(d1, days), bd).risk
    high = run(kb, rec, gc(d1 + extra, days), bd).risk

    def rank(risk: Any) -> int | None:
        category = risk.giop_category
        if category == "indeterminate":
            category = risk.minimum_category
        return None if category is None else ORDER.index(category)

    r_low, r_high = rank(low), rank(high)
    if r_low is not None and r_high is not None:
        assert r_high >= r_low


# --- examples -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_runs(kb: KnowledgeBase, path: Any) -> None:
    rec = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    when = rec.as_of or AS_OF
    for exposure, scope in ((gc(10, 200), True), (None, False), (None, None)):
        result = assess_risk(
            rec,
            kb,
            when,
            glucocorticoids=exposure,
            systemic_gc_scope_met=scope,
            bone_density=density(-1.5),
            vertebrae=[],
        )
        assert result.risk.giop_category in ORDER + ("indeterminate", "not_applicable")


def test_gc_wedge_example_very_high(kb: KnowledgeBase) -> None:
    path = next(p for p in example_paths() if p.stem == "gc_wedge_fracture")
    rec = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    # born 1959-04-17, as_of 2026-11-01: 67 -> column 60; 10 mg/day high band:
    # MOF 24.0 x 1.15 = 27.6 ; hip 4.1 x 1.25 = 5.125 (-> 5.12 or 5.13 after rounding)
    result = assess_risk(
        rec,
        kb,
        rec.as_of or AS_OF,
        glucocorticoids=gc(10, 300),
        systemic_gc_scope_met=True,
        bone_density=density(-2.0),
        vertebrae=[],
    )
    adjusted = result.risk.frax_glucocorticoid_adjusted
    assert adjusted.major_osteoporotic_pct == pytest.approx(27.6)
    assert adjusted.hip_pct == pytest.approx(5.125, abs=0.006)
    assert result.risk.giop_category == "very_high"  # fragility L1 fracture, hip >= 4.5
