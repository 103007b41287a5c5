"""Unverified facts restrict, never permit: stale, undated, SI-coded and URI-coded labs, coded
conditions, through the whole pipeline. Each case failed on the main of 2026-12-06."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment

AS_OF = dt.date(2026, 11, 1)
FOUR_MONTHS_AGO = "2026-07-01"
LAST_WEEK = "2026-10-25"


def _assess(kb: KnowledgeBase, labs: list[dict[str, Any]], **extra: Any) -> Assessment:
    record = {
        "id": "u1",
        "as_of": AS_OF.isoformat(),
        "sex": "female",
        "age_years": 70,
        "menopausal_status": "postmenopausal",
        "weight_kg": 60,
        "medications": [
            {
                "name": "prednisone",
                "dose_value": 10,
                "dose_unit": "mg",
                "frequency": "daily",
                "route": "oral",
                "start": "2025-06-01",
            }
        ],
        "dxa": [{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -2.7}]}],
        "labs": labs,
        **extra,
    }
    return assess(parse_patient(record), kb)


def _recommended(a: Assessment) -> set[str]:
    return {d.drug for d in a.plan.pharmacological}


def _avoided(a: Assessment) -> dict[str, list[str]]:
    return {d.drug: d.reasons for d in a.plan.avoid}


BISPHOSPHONATES = {"alendronate", "risedronate", "ibandronate", "zoledronic_acid"}


def _creatinine(value: float, date: str | None, **extra: Any) -> dict[str, Any]:
    lab = {"code": "2160-0", "value": value, "unit": "mg/dL", **extra}
    return lab if date is None else {**lab, "date": date}


@pytest.mark.parametrize("date", [FOUR_MONTHS_AGO, None], ids=["stale", "undated"])
def test_a_stale_or_undated_high_creatinine_screens_bisphosphonates_out(
    kb: KnowledgeBase, date: str | None
) -> None:
    a = _assess(kb, [_creatinine(4.2, date)])
    assert not _recommended(a) & BISPHOSPHONATES
    reasons = _avoided(a)["zoledronic_acid"]
    assert any("recheck, and reconsider if now within range" in r for r in reasons), reasons
    assert any("4.2 mg/dL" in r for r in reasons), reasons


def test_a_stale_normal_creatinine_does_not_clear_a_renal_cut_off(kb: KnowledgeBase) -> None:
    a = _assess(kb, [_creatinine(0.8, FOUR_MONTHS_AGO)])
    zol = next(d for d in a.plan.pharmacological if d.drug == "zoledronic_acid")
    assert not zol.ready_to_start
    assert any("creatinine clearance not checked" in u for u in zol.unverified_checks)


def test_a_fresh_normal_creatinine_clears_it(kb: KnowledgeBase) -> None:
    a = _assess(kb, [_creatinine(0.8, LAST_WEEK)])
    zol = next(d for d in a.plan.pharmacological if d.drug == "zoledronic_acid")
    assert not any("creatinine clearance" in u for u in zol.unverified_checks)


@pytest.mark.parametrize("system", ["http://loinc.org", "LOINC", "loinc", "https://loinc.org/"])
def test_every_spelling_of_loinc_is_read(kb: KnowledgeBase, system: str) -> None:
    a = _assess(kb, [_creatinine(4.2, LAST_WEEK, system=system)])
    assert not _recommended(a) & BISPHOSPHONATES
    assert a.workup.egfr_ml_min_1_73m2 is not None and a.workup.egfr_ml_min_1_73m2 < 15


def test_si_creatinine_is_read_and_converted(kb: KnowledgeBase) -> None:
    # 371 umol/L = 4.2 mg/dL (creatinine 113.12 g/mol)
    si = _assess(kb, [{"code": "14682-9", "value": 371.3, "unit": "umol/L", "date": LAST_WEEK}])
    mass = _assess(kb, [_creatinine(4.2, LAST_WEEK)])
    assert si.workup.egfr_ml_min_1_73m2 == pytest.approx(mass.workup.egfr_ml_min_1_73m2, rel=1e-3)
    assert not _recommended(si) & BISPHOSPHONATES


@pytest.mark.parametrize("date", [LAST_WEEK, FOUR_MONTHS_AGO], ids=["fresh", "stale"])
def test_si_low_calcium_screens_antiresorptives_out(kb: KnowledgeBase, date: str) -> None:
    # 1.8 mmol/L = 7.2 mg/dL
    labs = [
        {"code": "2000-8", "value": 1.8, "unit": "mmol/L", "date": date},
        {"code": "1751-7", "value": 4.0, "unit": "g/dL", "date": date},
    ]
    a = _assess(kb, labs)
    for drug in ("denosumab", "zoledronic_acid", "alendronate", "romosozumab"):
        assert drug not in _recommended(a)
        assert drug in _avoided(a), drug


@pytest.mark.parametrize(
    ("value", "unit", "code"),
    [(10.41, "mg/dL", "17861-6"), (2.597, "mmol/L", "2000-8"), (8.79, "mg/dL", "17861-6")],
)
def test_calcium_status_does_not_depend_on_the_unit(
    kb: KnowledgeBase, value: float, unit: str, code: str
) -> None:
    a = _assess(kb, [{"code": code, "value": value, "unit": unit, "date": LAST_WEEK}])
    finding = next(f for f in a.workup.lab_findings if f.id == "serum_calcium")
    mg_dl = value if unit == "mg/dL" else value * 40.078 / 10
    expected = "high" if mg_dl > 10.4 else "low" if mg_dl < 8.8 else "normal"
    assert finding.status == expected


@pytest.mark.parametrize(
    "entry",
    [
        {"code": "E83.51", "system": "http://hl7.org/fhir/sid/icd-10-cm"},
        {"code": "5291005", "system": "http://snomed.info/sct"},
        {"code": "5291005", "system": "SNOMED CT"},
    ],
)
def test_a_coded_condition_in_any_system_spelling_restricts(
    kb: KnowledgeBase, entry: dict[str, str]
) -> None:
    a = _assess(kb, [], conditions=[entry])
    assert "denosumab" in _avoided(a)


def test_an_unknown_code_is_kept_and_reported(kb: KnowledgeBase) -> None:
    a = _assess(kb, [], conditions=[{"code": "999999999", "system": "http://snomed.info/sct"}])
    warning = next(w for w in a.warnings if w.code == "condition_unrecognised")
    assert "999999999" in warning.message and warning.path == "/conditions/0"


def test_a_fragility_fracture_adds_the_clinical_diagnosis_not_the_who_category(
    kb: KnowledgeBase,
) -> None:
    a = _assess(
        kb,
        [],
        dxa=[{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -1.8}]}],
        fractures=[{"site": "hip", "date": "2026-02-01", "mechanism": "fragility"}],
    )
    assert a.bone_density.who_category == "osteopenia"
    osteoporosis = next(d for d in a.diagnoses if d.id == "osteoporosis")
    assert any("fragility hip fracture" in r for r in osteoporosis.reasons)
