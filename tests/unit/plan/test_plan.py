"""Plan engine: named positive and negative scenarios for each screen and rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.schema import Drug
from osteowedge.model import parse_patient
from osteowedge.model.assessment import (
    BoneDensity,
    GradedVertebra,
    Risk,
    Statement,
    Triage,
)
from osteowedge.model.context import LabContext
from osteowedge.plan import PlanResult, make_plan
from osteowedge.plan.screening import Screener

AS_OF = dt.date(2025, 6, 1)
GOOD_RENAL = LabContext(creatinine_clearance_ml_min=80.0, egfr_ml_min_1_73m2=85.0)


def _record(**extra: Any) -> Any:
    data: dict[str, Any] = {
        "id": "p1",
        "sex": "female",
        "age_years": 67,
        "menopausal_status": "postmenopausal",
    }
    data.update(extra)
    return parse_patient(data)


def _fracture(level: str = "L1") -> GradedVertebra:
    return GradedVertebra(
        level=level,
        genant_grade=2,
        morphology="wedge",
        height_loss_pct=30.0,
        reference_height_mm=25.0,
        counts_as_fracture=True,
    )


def plan_for(
    kb: KnowledgeBase,
    record: Any = None,
    *,
    category: str = "very_high",
    labs: LabContext = GOOD_RENAL,
    on_gc: bool = True,
    vertebrae: list[GradedVertebra] | None = None,
    diagnoses: list[str] | None = None,
    urgency: str = "routine",
) -> PlanResult:
    return make_plan(
        record if record is not None else _record(),
        kb,
        AS_OF,
        risk=Risk(giop_category=category),  # type: ignore[arg-type]
        causes=[],
        glucocorticoids=None,
        on_systemic_glucocorticoids=on_gc,
        bone_density=BoneDensity(who_category="unknown"),
        vertebrae=vertebrae or [],
        diagnoses=[Statement(id=d, label=d) for d in (diagnoses or [])],
        labs=labs,
        triage=Triage(urgency=urgency),  # type: ignore[arg-type]
    )


def drugs(result: PlanResult) -> list[str]:
    return [d.drug for d in result.plan.pharmacological]


def avoided(result: PlanResult) -> dict[str, list[str]]:
    return {a.drug: a.reasons for a in result.plan.avoid}


def ids(items: list[Statement]) -> list[str]:
    return [s.id for s in items]


# -- preference order --------------------------------------------------------------------------


def test_very_high_risk_puts_anabolic_first(kb: KnowledgeBase) -> None:
    # ACR 2022 R4: anabolic over antiresorptive at very high risk
    result = plan_for(kb, category="very_high")
    assert drugs(result)[:2] == ["teriparatide", "abaloparatide"]
    assert "alendronate" in drugs(result)
    first = result.plan.pharmacological[0]
    assert first.citation_ids and "acr_2022_giop_recommendations" in first.knowledge_ids


def test_high_risk_age_40_prefers_anabolic_or_denosumab(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="high")  # age 67 >= 40: R5
    assert drugs(result)[:3] == ["teriparatide", "abaloparatide", "denosumab"]


def test_high_risk_under_40_starts_with_oral_bisphosphonate(kb: KnowledgeBase) -> None:
    record = _record(age_years=35, menopausal_status="premenopausal", pregnant=False)
    result = plan_for(kb, record, category="high")
    assert drugs(result)[0] == "alendronate"
    assert "romosozumab" not in drugs(result)


def test_moderate_risk_starts_with_bisphosphonate_and_never_romosozumab(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="moderate")
    assert drugs(result)[0] == "alendronate"
    assert "romosozumab" not in drugs(result)


def test_low_risk_gets_no_drug_but_calcium_and_vitamin_d(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="low")
    assert drugs(result) == []
    assert {"calcium", "cholecalciferol"} <= set(ids(result.plan.supplements))


def test_indeterminate_risk_without_diagnosis_warns(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="indeterminate")
    assert drugs(result) == []
    assert "plan_drug_decision_pending" in [w.code for w in result.notes.warnings]


def test_no_glucocorticoids_with_osteoporosis_uses_general_guidance(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="not_applicable", on_gc=False, diagnoses=["osteoporosis"])
    assert drugs(result)[0] == "alendronate"
    assert "teriparatide" not in drugs(result)


def test_no_glucocorticoids_no_diagnosis_no_drugs_no_supplements(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="not_applicable", on_gc=False)
    assert drugs(result) == []
    assert result.plan.supplements == []
    assert "dxa_monitoring" not in ids(result.plan.follow_up)


# -- renal ----------------------------------------------------------------------------------


def test_crcl_below_alendronate_cutoff_avoids_it(kb: KnowledgeBase) -> None:
    # alendronate: not recommended below CrCl 35; 34.9 < 35
    labs = LabContext(creatinine_clearance_ml_min=34.9, egfr_ml_min_1_73m2=40.0)
    result = plan_for(kb, category="moderate", labs=labs)
    assert "alendronate" not in drugs(result)
    assert "alendronate" in avoided(result)
    # risedronate cut-off is 30: 34.9 >= 30 keeps it
    assert "risedronate" in drugs(result)


def test_crcl_at_cutoff_keeps_alendronate(kb: KnowledgeBase) -> None:
    labs = LabContext(creatinine_clearance_ml_min=35.0, egfr_ml_min_1_73m2=40.0)
    assert "alendronate" in drugs(plan_for(kb, category="moderate", labs=labs))


def test_missing_crcl_keeps_drug_with_explicit_check(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="moderate", labs=LabContext())
    alendronate = next(d for d in result.plan.pharmacological if d.drug == "alendronate")
    assert any("creatinine clearance not checked" in r for r in alendronate.unverified_checks)
    assert not alendronate.ready_to_start
    assert "renal_function_unknown" in [w.code for w in result.notes.warnings]


def test_denosumab_egfr_below_30_waits_for_the_ckd_mbd_evaluation(kb: KnowledgeBase) -> None:
    labs = LabContext(creatinine_clearance_ml_min=25.0, egfr_ml_min_1_73m2=25.0)
    result = plan_for(kb, category="high", labs=labs)
    deno = next(d for d in result.plan.pharmacological if d.drug == "denosumab")
    assert not deno.ready_to_start
    assert any("CKD-MBD" in step for step in deno.before_starting)
    assert "zoledronic_acid" in avoided(result)  # 25 < 35 contraindicated


# -- hypocalcaemia, vitamin D ------------------------------------------------------------------


def test_low_calcium_lab_avoids_denosumab_and_bisphosphonates(kb: KnowledgeBase) -> None:
    labs = LabContext(
        creatinine_clearance_ml_min=80.0, egfr_ml_min_1_73m2=85.0, status={"serum_calcium": "low"}
    )
    result = plan_for(kb, category="high", labs=labs)
    for drug in ("denosumab", "alendronate", "zoledronic_acid", "romosozumab"):
        assert drug not in drugs(result)
        assert drug in avoided(result)
    assert "teriparatide" in drugs(result)


def test_normal_calcium_keeps_denosumab(kb: KnowledgeBase) -> None:
    labs = LabContext(
        creatinine_clearance_ml_min=80.0,
        egfr_ml_min_1_73m2=85.0,
        status={"serum_calcium": "normal"},
    )
    assert "denosumab" in drugs(plan_for(kb, category="high", labs=labs))


def test_low_vitamin_d_repletes_and_defers_bisphosphonate(kb: KnowledgeBase) -> None:
    # 12 ng/mL < 20 ng/mL repletion trigger
    labs = LabContext(creatinine_clearance_ml_min=80.0, vitamin_d_25oh_ng_ml=12.0)
    result = plan_for(kb, category="moderate", labs=labs)
    assert "vitamin_d_repletion" in ids(result.plan.supplements)
    # deferred, never silently removed: listed, not ready, with the correction first
    alendronate = next(d for d in result.plan.pharmacological if d.drug == "alendronate")
    assert not alendronate.ready_to_start
    assert any("correct it (repletion) first" in b for b in alendronate.before_starting)
    assert "teriparatide" in drugs(result)


def test_vitamin_d_at_trigger_is_not_low(kb: KnowledgeBase) -> None:
    labs = LabContext(creatinine_clearance_ml_min=80.0, vitamin_d_25oh_ng_ml=20.0)
    result = plan_for(kb, category="moderate", labs=labs)
    assert "vitamin_d_repletion" not in ids(result.plan.supplements)
    assert "alendronate" in drugs(result)


# -- conditions -----------------------------------------------------------------------------


def test_oesophageal_disorder_by_icd_code_avoids_oral_bisphosphonates(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"code": "K22.2", "system": "ICD-10"}])
    result = plan_for(kb, record, category="moderate")
    for drug in ("alendronate", "risedronate", "ibandronate"):
        assert drug in avoided(result)
    assert "zoledronic_acid" in drugs(result)


def test_unrelated_condition_keeps_oral_bisphosphonates(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"code": "K21.9", "system": "ICD-10"}])
    assert "alendronate" in drugs(plan_for(kb, record, category="moderate"))


def test_mi_within_12_months_avoids_romosozumab(kb: KnowledgeBase) -> None:
    # 2024-12-01 to 2025-06-01 is 6 months <= 12
    record = _record(conditions=[{"id": "myocardial_infarction", "onset": "2024-12-01"}])
    result = plan_for(kb, record, category="very_high")
    assert "romosozumab" in avoided(result)


def test_mi_over_12_months_ago_blocks_romosozumab_only_where_the_label_says(
    kb: KnowledgeBase,
) -> None:
    mi = [{"id": "myocardial_infarction", "onset": "2023-01-01"}]
    us = plan_for(kb, _record(conditions=mi, jurisdiction="US"), category="very_high")
    assert "romosozumab" in drugs(us)  # US: only within the preceding year
    for where in ("EU", None, "JP"):  # EU: any history; none or unlabelled: every label
        extra = {} if where is None else {"jurisdiction": where}
        result = plan_for(kb, _record(conditions=mi, **extra), category="very_high")
        assert "romosozumab" in avoided(result), where
        if where != "EU":
            assert "jurisdiction_union" in [w.code for w in result.notes.warnings]


def test_stroke_without_onset_date_avoids_romosozumab(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"id": "stroke"}])
    assert "romosozumab" in avoided(plan_for(kb, record, category="very_high"))


def test_vte_avoids_raloxifene(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"code": "I26.9", "system": "ICD-10"}])
    result = plan_for(kb, record, category="very_high")
    assert "raloxifene" in avoided(result)
    assert "raloxifene" not in drugs(result)


def test_raloxifene_kept_for_postmenopausal_without_vte(kb: KnowledgeBase) -> None:
    assert "raloxifene" in drugs(plan_for(kb, category="very_high"))


# -- population, pregnancy --------------------------------------------------------------------


def test_raloxifene_outside_label_population_for_men(kb: KnowledgeBase) -> None:
    record = parse_patient({"id": "m", "sex": "male", "age_years": 70})
    result = plan_for(kb, record, category="very_high")
    assert "raloxifene" in avoided(result) and "romosozumab" in avoided(result)


def test_unknown_menopausal_status_cannot_confirm_serm_population(kb: KnowledgeBase) -> None:
    record = parse_patient({"id": "w", "sex": "female", "age_years": 60})
    result = plan_for(kb, record, category="very_high")
    assert any("could not be confirmed" in r for r in avoided(result)["raloxifene"])


def test_pregnancy_defers_all_osteoporosis_drugs(kb: KnowledgeBase) -> None:
    record = _record(age_years=30, menopausal_status="premenopausal", pregnant=True)
    result = plan_for(kb, record, category="very_high")
    assert drugs(result) == []
    assert "denosumab" in avoided(result) and "teriparatide" in avoided(result)


def test_not_pregnant_premenopausal_gets_drugs(kb: KnowledgeBase) -> None:
    record = _record(age_years=30, menopausal_status="premenopausal", pregnant=False)
    assert drugs(plan_for(kb, record, category="very_high"))[0] == "teriparatide"


# -- interactions, supplements ------------------------------------------------------------------


def test_warfarin_avoids_vitamin_k2(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "Warfarin", "dose_value": 5, "dose_unit": "mg"}])
    result = plan_for(kb, record, category="moderate")
    assert "menatetrenone" in avoided(result)


def test_no_warfarin_no_vitamin_k2_entry(kb: KnowledgeBase) -> None:
    assert "menatetrenone" not in avoided(plan_for(kb, category="moderate"))


def test_hypercalcaemia_avoids_calcium(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"id": "hypercalcemia"}])
    result = plan_for(kb, record, category="low")
    assert "calcium" in avoided(result)
    assert "calcium" not in ids(result.plan.supplements)


def test_hypercalcaemia_drops_calcium_vitamin_d_advice(kb: KnowledgeBase) -> None:
    record = _record(conditions=[{"id": "hypercalcemia"}])
    result = plan_for(kb, record, category="low")
    assert "adequate_calcium_vitamin_d" not in ids(result.plan.prevention)


def test_calcium_vitamin_d_advice_kept_normally(kb: KnowledgeBase) -> None:
    assert "adequate_calcium_vitamin_d" in ids(plan_for(kb, category="low").plan.prevention)


def test_low_albumin_corrected_calcium_avoids_denosumab(kb: KnowledgeBase) -> None:
    labs = LabContext(creatinine_clearance_ml_min=80.0, status={"albumin_corrected_calcium": "low"})
    assert "denosumab" in avoided(plan_for(kb, category="high", labs=labs))


def test_teriparatide_avoided_after_pelvic_radiation(kb: KnowledgeBase) -> None:
    record = _record(exposures=[{"kind": "pelvic_radiation", "start": "2015-01-01"}])
    result = plan_for(kb, record, category="very_high")
    assert "teriparatide" in avoided(result) and "abaloparatide" in avoided(result)
    assert drugs(result)[0] == "alendronate"


# -- sequencing -------------------------------------------------------------------------------


def test_stopped_denosumab_bisphosphonate_six_months_later(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "Prolia", "start": "2022-01-10", "end": "2025-01-10"}])
    result = plan_for(kb, record, category="moderate")
    first = result.plan.pharmacological[0]
    assert first.drug == "zoledronic_acid"
    # 2025-01-10 + 6 months = 2025-07-10
    assert first.timing is not None and "2025-07-10" in first.timing


def test_current_denosumab_continued_with_warning_on_stop(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "denosumab", "start": "2024-01-10"}])
    result = plan_for(kb, record, category="moderate")
    assert drugs(result)[0] == "denosumab"
    assert "denosumab_on_time" in ids(result.plan.follow_up)


def test_stopped_teriparatide_followed_by_antiresorptive(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "Forteo", "start": "2023-01-01", "end": "2025-01-01"}])
    result = plan_for(kb, record, category="very_high")
    assert drugs(result)[0] in ("alendronate", "zoledronic_acid")


def test_romosozumab_after_12_months_is_avoided(kb: KnowledgeBase) -> None:
    # 2024-05-01 to 2025-06-01 = 396 days = 13.0 months >= 12
    record = _record(medications=[{"name": "Evenity", "start": "2024-05-01"}])
    result = plan_for(kb, record, category="very_high")
    assert "romosozumab" in avoided(result)


def test_romosozumab_within_12_months_continues(kb: KnowledgeBase) -> None:
    # 2024-12-01 to 2025-06-01 = 182 days = 6.0 months < 12
    record = _record(medications=[{"name": "Evenity", "start": "2024-12-01"}])
    result = plan_for(kb, record, category="very_high")
    assert drugs(result)[0] == "romosozumab"


def test_no_drug_holiday_while_on_glucocorticoids(kb: KnowledgeBase) -> None:
    # 2019-01-01 to 2025-06-01 ≈ 6.4 years >= 5 (oral)
    record = _record(medications=[{"name": "Fosamax", "start": "2019-01-01"}])
    result = plan_for(kb, record, category="moderate", on_gc=True)
    assert "no_drug_holiday_on_glucocorticoids" in ids(result.plan.follow_up)


def test_drug_holiday_reassessment_off_glucocorticoids(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "Fosamax", "start": "2019-01-01"}])
    result = plan_for(
        kb, record, category="not_applicable", on_gc=False, diagnoses=["osteoporosis"]
    )
    assert "bisphosphonate_reassessment" in ids(result.plan.follow_up)


def test_no_holiday_before_five_years(kb: KnowledgeBase) -> None:
    record = _record(medications=[{"name": "Fosamax", "start": "2022-01-01"}])
    result = plan_for(
        kb, record, category="not_applicable", on_gc=False, diagnoses=["osteoporosis"]
    )
    assert "bisphosphonate_reassessment" not in ids(result.plan.follow_up)


# -- activities, referrals, follow-up ----------------------------------------------------------


def test_vertebral_fracture_avoids_traction_and_high_impact(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="very_high", vertebrae=[_fracture()])
    avoid = ids(result.plan.avoid_activities)
    assert "traction_therapy" in avoid and "high_impact_drills" in avoid
    assert "resistance_training_adaptation" in avoid  # no loaded spinal flexion
    assert "high_impact_drills" not in ids(result.plan.exercise)


def test_no_fracture_no_traction_entry(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="moderate")
    assert "traction_therapy" not in ids(result.plan.avoid_activities)
    assert "weight_bearing_aerobics" in ids(result.plan.exercise)


def test_neurological_deficit_urgent_surgical_referral(kb: KnowledgeBase) -> None:
    record = _record(exam={"neurological_deficit": True})
    result = plan_for(kb, record, vertebrae=[_fracture()], urgency="urgent")
    assert "urgent_spinal_surgery_referral" in ids(result.plan.referrals)


def test_painful_fracture_augmentation_review(kb: KnowledgeBase) -> None:
    record = _record(symptoms=["acute_back_pain"])
    result = plan_for(kb, record, vertebrae=[_fracture()])
    assert "vertebral_augmentation_review" in ids(result.plan.referrals)
    assert "urgent_spinal_surgery_referral" not in ids(result.plan.referrals)


def test_painless_no_fracture_no_referral(kb: KnowledgeBase) -> None:
    assert plan_for(kb, category="moderate").plan.referrals == []


def test_dxa_follow_up_on_glucocorticoids(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="low")
    assert "dxa_monitoring" in ids(result.plan.follow_up)


def test_investigational_never_recommended(kb: KnowledgeBase) -> None:
    result = plan_for(kb, category="very_high")
    for rec in result.plan.pharmacological:
        assert kb.typed(rec.drug, Drug).status in ("standard", "second_line")


# -- property: no contraindicated drug is ever recommended ---------------------------------

_CONDITIONS = [
    "esophageal_disorder",
    "hypocalcemia",
    "myocardial_infarction",
    "stroke",
    "venous_thromboembolism",
    "breast_cancer",
    "liver_disease",
    "hypercalcemia",
    "pagets_disease_of_bone",
    "chronic_kidney_disease",
]
_MEDS = ["warfarin", "prednisone", "omeprazole", "Prolia", "Forteo", "Evista", "heparin"]


@st.composite
def _records(draw: st.DrawFn) -> Any:
    sex = draw(st.sampled_from(["female", "male"]))
    data: dict[str, Any] = {"id": "h", "sex": sex, "age_years": draw(st.integers(19, 95))}
    if sex == "female":
        data["menopausal_status"] = draw(
            st.sampled_from([None, "premenopausal", "perimenopausal", "postmenopausal"])
        )
        data["pregnant"] = draw(st.sampled_from([None, True, False]))
    data["conditions"] = [
        {"id": c, "onset": draw(st.sampled_from([None, "2025-01-01", "2020-01-01"]))}
        for c in draw(st.lists(st.sampled_from(_CONDITIONS), max_size=4, unique=True))
    ]
    data["medications"] = [
        {"name": m} for m in draw(st.lists(st.sampled_from(_MEDS), max_size=3, unique=True))
    ]
    return parse_patient(data)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    record=_records(),
    category=st.sampled_from(
        ["low", "moderate", "high", "very_high", "indeterminate", "not_applicable"]
    ),
    crcl=st.one_of(st.none(), st.floats(5, 150)),
    calcium=st.sampled_from([None, "low", "normal", "high"]),
    vit_d=st.one_of(st.none(), st.floats(3, 80)),
)
def test_property_no_contraindicated_drug_recommended(
    kb: KnowledgeBase,
    record: Any,
    category: str,
    crcl: float | None,
    calcium: str | None,
    vit_d: float | None,
) -> None:
    status = {} if calcium is None else {"serum_calcium": calcium}
    labs = LabContext(
        creatinine_clearance_ml_min=crcl,
        egfr_ml_min_1_73m2=crcl,
        status=status,
        vitamin_d_25oh_ng_ml=vit_d,
    )
    result = plan_for(
        kb,
        record,
        category=category,
        labs=labs,
        diagnoses=["osteoporosis"],
        vertebrae=[_fracture()],
    )
    screener = Screener(record, kb, AS_OF, labs, vertebral_fracture=True, cause_ids=[])
    for rec in result.plan.pharmacological:
        drug = kb.typed(rec.drug, Drug)
        assert drug.status not in ("investigational", "withdrawn_or_restricted", "not_recommended")
        for ci in drug.contraindications:
            if ci.severity in ("contraindicated", "not_recommended"):
                assert screener.check(ci).shown is None, (rec.drug, ci.id)
        cut = drug.renal_cutoff
        forbids = cut is not None and cut.action in ("contraindicated", "not_recommended")
        if cut is not None and forbids and crcl is not None:
            assert crcl >= cut.below_ml_min
        if record.pregnant:
            assert drug.id not in kb.fact("plan_screening_rules", "defer_in_pregnancy").value
    # independent spot checks written from the labels, not from the screener
    shown = {c.id for c in record.conditions}
    recommended = set(drugs(result))
    if "esophageal_disorder" in shown:
        assert not recommended & {"alendronate", "risedronate", "ibandronate"}
    if "venous_thromboembolism" in shown:
        assert not recommended & {"raloxifene", "bazedoxifene", "hormone_replacement_therapy"}
    if "hypocalcemia" in shown or calcium == "low":
        assert not recommended & {"denosumab", "zoledronic_acid", "romosozumab", "alendronate"}
    if "stroke" in shown or "myocardial_infarction" in shown:
        # onsets drawn are None (unknown), 2025-01-01 (5 months) or 2020-01-01 (65 months)
        recent = [
            c
            for c in record.conditions
            if c.id in ("stroke", "myocardial_infarction") and c.onset != dt.date(2020, 1, 1)
        ]
        if recent:
            assert "romosozumab" not in recommended
    if record.sex == "male":
        assert not recommended & {"raloxifene", "bazedoxifene", "romosozumab"}
    assert all(s.citation_ids for s in result.plan.supplements)
