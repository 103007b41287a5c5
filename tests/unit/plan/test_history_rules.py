"""Plan rules that read the 2.0 history fields: allergies, stop reasons, pregnancy planned and
breastfeeding, dental health, skeletal radiation, raised ALP, an overdue denosumab."""

from __future__ import annotations

from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment
from tests.unit.plan.records import AS_OF, GOOD_LABS, PREDNISONE
from tests.unit.plan.records import avoided as _avoided
from tests.unit.plan.records import drug as _drug


def _assess(kb: KnowledgeBase, **extra: Any) -> Assessment:
    record: dict[str, Any] = {
        "id": "h1",
        "as_of": AS_OF,
        "sex": "female",
        "age_years": 68,
        "menopausal_status": "postmenopausal",
        "pregnant": False,
        "weight_kg": 62,
        "medications": [PREDNISONE],
        "labs": GOOD_LABS,
        "dxa": [{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -2.9}]}],
        "fractures": [
            {"site": "vertebra", "level": "L1", "date": "2026-03-01", "mechanism": "fragility"}
        ],
        "dental": {"last_exam_date": "2026-09-01"},
    }
    record.update(extra)
    return assess(parse_patient(record), kb)


def test_baseline_recommends_zoledronic_acid_ready_to_start(kb: KnowledgeBase) -> None:
    zol = _drug(_assess(kb), "zoledronic_acid")
    assert zol is not None and zol.ready_to_start, zol


@pytest.mark.parametrize("substance", ["zoledronic_acid", "Reclast", "Aclasta", "M05BA08"])
def test_an_allergy_by_id_brand_or_atc_excludes_the_drug(kb: KnowledgeBase, substance: str) -> None:
    a = _assess(kb, allergies=[{"substance": substance, "reaction": "anaphylaxis"}])
    assert _drug(a, "zoledronic_acid") is None
    assert any("Allergy or intolerance" in r for r in _avoided(a)["zoledronic_acid"])


def test_a_course_stopped_for_an_adverse_reaction_excludes_the_drug(kb: KnowledgeBase) -> None:
    stopped = {
        "name": "alendronate",
        "dose_value": 70,
        "dose_unit": "mg",
        "frequency": "weekly",
        "route": "oral",
        "start": "2023-01-01",
        "end": "2023-06-01",
        "stop_reason": "adverse_reaction",
    }
    a = _assess(kb, medications=[PREDNISONE, stopped])
    assert _drug(a, "alendronate") is None
    assert any("adverse reaction" in r for r in _avoided(a)["alendronate"])


@pytest.mark.parametrize("field", ["breastfeeding", "pregnancy_planned"])
def test_breastfeeding_or_planned_pregnancy_defers_drugs(kb: KnowledgeBase, field: str) -> None:
    a = _assess(kb, menopausal_status="premenopausal", **{field: True})
    for drug in ("zoledronic_acid", "denosumab", "teriparatide", "alendronate"):
        assert _drug(a, drug) is None, drug


def test_planned_invasive_dental_work_comes_first(kb: KnowledgeBase) -> None:
    a = _assess(kb, dental={"last_exam_date": "2026-09-01", "invasive_procedure_planned": True})
    deno = _drug(a, "denosumab")
    assert deno is not None and not deno.ready_to_start
    assert any("dental" in b for b in deno.before_starting)


def test_no_dental_examination_is_a_check_not_made(kb: KnowledgeBase) -> None:
    a = _assess(kb, dental=None)
    zol = _drug(a, "zoledronic_acid")
    assert zol is not None and any("dental examination" in u for u in zol.unverified_checks)


@pytest.mark.parametrize("kind", ["skeletal_radiation", "pelvic_radiation"])
def test_skeletal_radiation_avoids_pth_analogues(kb: KnowledgeBase, kind: str) -> None:
    a = _assess(kb, exposures=[{"kind": kind, "start": "2015-01-01", "end": "2015-03-01"}])
    for drug in ("teriparatide", "abaloparatide"):
        assert _drug(a, drug) is None
        assert drug in _avoided(a)


@pytest.mark.parametrize("date", ["2026-10-20", "2025-01-10", None], ids=["fresh", "stale", "none"])
def test_raised_alp_fresh_stale_or_undated_avoids_pth_analogues(
    kb: KnowledgeBase, date: str | None
) -> None:
    alp: dict[str, Any] = {
        "code": "6768-6",
        "system": "http://loinc.org",
        "value": 280,
        "unit": "U/L",
        "reference_low": 40,
        "reference_high": 130,
    }
    if date:
        alp["date"] = date
    a = _assess(kb, labs=[*GOOD_LABS, alp])
    for drug in ("teriparatide", "abaloparatide"):
        assert _drug(a, drug) is None
        assert any("alkaline phosphatase" in r for r in _avoided(a)[drug]), _avoided(a)[drug]


def test_an_overdue_denosumab_keeps_its_follow_on_and_warns(kb: KnowledgeBase) -> None:
    deno = {
        "name": "Prolia",
        "dose_value": 60,
        "dose_unit": "mg",
        "frequency": "every_6_months",
        "route": "subcutaneous",
        "start": "2022-01-10",
        "end": "2026-01-10",
    }
    low_d = [lab for lab in GOOD_LABS if lab["code"] != "62292-8"]
    low_d.append({"code": "62292-8", "value": 12, "unit": "ng/mL", "date": "2026-10-20"})
    a = _assess(kb, medications=[PREDNISONE, deno], labs=low_d)
    assert "denosumab_overdue" in [w.code for w in a.warnings]
    follow = _drug(a, "zoledronic_acid") or _drug(a, "alendronate")
    assert follow is not None, [d.drug for d in a.plan.pharmacological]
    assert follow.timing is not None and "Overdue" in follow.timing
    assert a.plan.pharmacological[0].drug in {"zoledronic_acid", "alendronate"}
    # low vitamin D delays it, never removes it
    assert any("Vitamin D" in b for b in follow.before_starting)


ANTIRESORPTIVES = ("alendronate", "risedronate", "ibandronate", "zoledronic_acid", "denosumab")


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "osteonecrosis_of_the_jaw", "onset": "2024-05-01"},
        {"code": "M87.180", "system": "http://hl7.org/fhir/sid/icd-10-cm"},
        {"code": "M87.1", "system": "ICD-10"},
    ],
)
def test_a_prior_onj_by_id_or_code_avoids_antiresorptives(
    kb: KnowledgeBase, entry: dict[str, str]
) -> None:
    a = _assess(kb, conditions=[entry])
    for drug in (*ANTIRESORPTIVES, "romosozumab"):
        assert _drug(a, drug) is None and drug in _avoided(a), drug
    # an anabolic remains, first
    assert a.plan.pharmacological and a.plan.pharmacological[0].drug in (
        "teriparatide",
        "abaloparatide",
    )


@pytest.mark.parametrize("code", ["M84.751A", "M84.75"])
def test_a_prior_atypical_femoral_fracture_by_code_avoids_antiresorptives(
    kb: KnowledgeBase, code: str
) -> None:
    a = _assess(kb, conditions=[{"code": code, "system": "ICD-10-CM"}])
    for drug in ANTIRESORPTIVES:
        assert _drug(a, drug) is None and drug in _avoided(a), drug


@pytest.mark.parametrize(
    "entry",
    [
        {"code": "428281000", "system": "http://snomed.info/sct"},
        {"code": "C41.2", "system": "ICD-10"},
    ],
)
def test_a_skeletal_malignancy_by_code_avoids_pth_analogues(
    kb: KnowledgeBase, entry: dict[str, str]
) -> None:
    a = _assess(kb, conditions=[entry])
    for drug in ("teriparatide", "abaloparatide"):
        assert _drug(a, drug) is None and drug in _avoided(a), drug


def test_dialysis_by_code_avoids_bisphosphonates(kb: KnowledgeBase) -> None:
    a = _assess(kb, conditions=[{"code": "Z99.2", "system": "ICD-10-CM"}])
    for drug in ("alendronate", "risedronate", "ibandronate", "zoledronic_acid"):
        assert _drug(a, drug) is None, drug


def test_after_onj_the_anabolic_follow_up_says_the_usual_follow_on_is_avoided(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, conditions=[{"system": "ICD-10-CM", "code": "M87.180"}], jurisdiction="US")
    assert _drug(a, "teriparatide") is not None
    follow = next(s for s in a.plan.follow_up if s.id == "teriparatide_follow_on")
    assert any("avoided for this patient" in r for r in follow.reasons)
    plain = _assess(kb, jurisdiction="US")
    follow = next(s for s in plain.plan.follow_up if s.id == "teriparatide_follow_on")
    assert not any("avoided for this patient" in r for r in follow.reasons)
