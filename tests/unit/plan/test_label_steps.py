"""Label steps before a first dose and boxed-warning cautions: denosumab in advanced CKD is kept
but not ready to start until CKD-MBD is evaluated (FDA boxed warning); raloxifene and romosozumab
after a stroke carry the boxed warning's risk-benefit caution."""

from __future__ import annotations

from typing import Any

from osteowedge.knowledge import KnowledgeBase
from tests.unit.plan.records import GOOD_LABS
from tests.unit.plan.records import avoided as _avoided
from tests.unit.plan.records import drug as _drug
from tests.unit.plan.test_history_rules import _assess

HIGH_CREATININE = [
    {"code": "2160-0", "value": 3.5, "unit": "mg/dL", "date": "2026-10-20"},
    *GOOD_LABS[1:],
]


def _labs_without_creatinine() -> list[dict[str, Any]]:
    return [lab for lab in GOOD_LABS if lab["code"] != "2160-0"]


def test_denosumab_below_egfr_30_waits_for_the_ckd_mbd_evaluation(kb: KnowledgeBase) -> None:
    a = _assess(kb, labs=HIGH_CREATININE, jurisdiction="US")
    assert a.workup.egfr_ml_min_1_73m2 is not None and a.workup.egfr_ml_min_1_73m2 < 30
    denosumab = _drug(a, "denosumab")
    assert denosumab is not None, _avoided(a).get("denosumab")
    assert not denosumab.ready_to_start
    assert any("CKD-MBD" in step for step in denosumab.before_starting)


def test_denosumab_with_good_renal_function_is_ready(kb: KnowledgeBase) -> None:
    a = _assess(kb, jurisdiction="US")
    denosumab = _drug(a, "denosumab")
    assert denosumab is not None and denosumab.ready_to_start
    assert not any("CKD-MBD" in step for step in denosumab.before_starting)


def test_coded_ckd_stage_4_holds_denosumab_even_with_a_good_egfr(kb: KnowledgeBase) -> None:
    conditions = [{"system": "ICD-10-CM", "code": "N18.4"}]
    a = _assess(kb, conditions=conditions, jurisdiction="US")
    denosumab = _drug(a, "denosumab")
    assert denosumab is not None and not denosumab.ready_to_start
    assert any("CKD stage 4" in step for step in denosumab.before_starting)


def test_unknown_renal_function_keeps_denosumab_from_being_ready(kb: KnowledgeBase) -> None:
    a = _assess(kb, labs=_labs_without_creatinine(), jurisdiction="US")
    denosumab = _drug(a, "denosumab")
    assert denosumab is not None and not denosumab.ready_to_start
    assert any("eGFR" in check for check in denosumab.unverified_checks)


def test_raloxifene_and_romosozumab_after_a_stroke_carry_the_boxed_warning(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, conditions=[{"id": "stroke", "onset": "2020-01-01"}], jurisdiction="US")
    for drug_id in ("raloxifene", "romosozumab"):
        rec = _drug(a, drug_id)
        assert rec is not None, (drug_id, _avoided(a).get(drug_id))
        assert any("stroke" in r.casefold() and "Caution" in r for r in rec.reasons), rec.reasons
    without = _assess(kb, jurisdiction="US")
    for drug_id in ("raloxifene", "romosozumab"):
        rec = _drug(without, drug_id)
        assert rec is not None and not any("stroke" in r.casefold() for r in rec.reasons)
