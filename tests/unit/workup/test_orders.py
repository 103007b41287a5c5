"""Which tests the workup orders, for which reasons, and when a fresh result makes one unneeded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import IatrogenicCause, Triage
from osteowedge.triage import assess_triage
from osteowedge.workup import WorkupResult, assess_workup
from tests.conftest import example_paths

AS_OF = dt.date(2026, 6, 1)
BASELINE = [
    "serum_calcium",
    "serum_albumin",
    "creatinine_egfr",
    "vitamin_d_25_hydroxy",
    "alkaline_phosphatase",
    "parathyroid_hormone",
]


def cause(
    cause_id: str, meds: list[str] | None = None, meets: bool | None = True
) -> IatrogenicCause:
    return IatrogenicCause(
        id=cause_id,
        label=cause_id.replace("_", " "),
        medications=meds or [],
        meets_threshold=meets,
        evidence="test",
        knowledge_ids=[cause_id],
    )


def run(
    kb: KnowledgeBase,
    *,
    causes: list[IatrogenicCause] | None = None,
    gc: bool = False,
    triage: Triage | None = None,
    **fields: Any,
) -> WorkupResult:
    data: dict[str, Any] = {"id": "o", "sex": "female", "age_years": 64, **fields}
    return assess_workup(
        parse_patient(data),
        kb,
        AS_OF,
        causes=causes or [],
        triage=triage or Triage(urgency="routine"),
        on_systemic_glucocorticoids=gc,
    )


def ordered(result: WorkupResult) -> list[str]:
    return [s.id for s in result.workup.recommended_tests]


def test_baseline_labs_for_everyone_with_citations(kb: KnowledgeBase) -> None:
    result = run(kb)
    assert ordered(result) == BASELINE
    for test in result.workup.recommended_tests:
        assert test.knowledge_ids[0] == test.id
        assert test.citation_ids
        assert "baseline before any osteoporosis drug" in test.reasons


def test_fresh_baseline_lab_is_not_reordered(kb: KnowledgeBase) -> None:
    labs = [{"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-05-20"}]
    assert "serum_calcium" not in ordered(run(kb, labs=labs))


def test_stale_baseline_lab_is_reordered(kb: KnowledgeBase) -> None:
    # 2026-06-01 - 2026-01-01 = 151 days > the 90-day calcium window
    labs = [{"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-01-01"}]
    assert "serum_calcium" in ordered(run(kb, labs=labs))


def test_glucocorticoids_order_dxa_with_vertebral_imaging(kb: KnowledgeBase) -> None:
    result = run(kb, gc=True, causes=[cause("glucocorticoids", ["prednisone"])])
    tests = ordered(result)
    assert tests[:2] == ["dxa", "vfa"]
    vfa = result.workup.recommended_tests[1]
    assert "bmd_monitoring_interval" in vfa.knowledge_ids
    assert any("spine radiograph" in r for r in vfa.reasons)


def test_no_glucocorticoids_no_vfa(kb: KnowledgeBase) -> None:
    tests = ordered(run(kb))
    assert "dxa" not in tests
    assert "vfa" not in tests


@pytest.mark.parametrize(("dxa_date", "reordered"), [("2024-06-02", False), ("2024-05-31", True)])
def test_dxa_freshness_is_730_days(kb: KnowledgeBase, dxa_date: str, reordered: bool) -> None:
    # 2024-06-02 -> 2026-06-01 = 729 days (fresh); 2024-05-31 -> 731 days (stale)
    dxa = [{"date": dxa_date, "regions": [{"region": "total_hip", "t_score": -1.5}]}]
    result = run(kb, gc=True, dxa=dxa)
    assert ("dxa" in ordered(result)) is reordered


def test_recent_vertebral_imaging_satisfies_vfa(kb: KnowledgeBase) -> None:
    morph = [
        {
            "date": "2026-01-10",
            "source": "radiograph",
            "reader": "human",
            "vertebrae": [{"level": "L1", "anterior_mm": 25, "middle_mm": 25, "posterior_mm": 26}],
        }
    ]
    assert "vfa" not in ordered(run(kb, gc=True, vertebral_morphometry=morph))


def test_bone_toxic_cause_orders_dxa(kb: KnowledgeBase) -> None:
    assert "dxa" in ordered(run(kb, causes=[cause("aromatase_inhibitors", ["anastrozole"])]))


def test_cause_below_threshold_does_not_order_dxa(kb: KnowledgeBase) -> None:
    result = run(kb, causes=[cause("aromatase_inhibitors", ["anastrozole"], meets=False)])
    assert "dxa" not in ordered(result)


def test_unknown_threshold_still_orders_dxa(kb: KnowledgeBase) -> None:
    assert "dxa" in ordered(run(kb, causes=[cause("anticonvulsants", ["valproate"], meets=None)]))


def test_levothyroxine_orders_tsh(kb: KnowledgeBase) -> None:
    result = run(kb, causes=[cause("thyroxine_over_replacement", ["Synthroid"], meets=None)])
    assert "tsh" in ordered(result)
    tsh = next(t for t in result.workup.recommended_tests if t.id == "tsh")
    assert "thyroxine_over_replacement" in tsh.knowledge_ids


def test_fresh_tsh_is_not_reordered(kb: KnowledgeBase) -> None:
    labs = [{"code": "3016-3", "value": 1.2, "unit": "mIU/L", "date": "2026-03-01"}]
    result = run(kb, labs=labs, causes=[cause("thyroxine_over_replacement", ["levothyroxine"])])
    assert "tsh" not in ordered(result)


def test_no_levothyroxine_no_tsh(kb: KnowledgeBase) -> None:
    assert "tsh" not in ordered(run(kb))


def test_men_get_testosterone(kb: KnowledgeBase) -> None:
    assert "testosterone" in ordered(run(kb, sex="male"))
    assert "testosterone" not in ordered(run(kb, sex="female"))


def test_androgen_deprivation_names_the_cause(kb: KnowledgeBase) -> None:
    result = run(kb, sex="male", causes=[cause("gnrh_agonists", ["leuprorelin"])])
    test = next(t for t in result.workup.recommended_tests if t.id == "testosterone")
    assert "gnrh_agonists" in test.knowledge_ids


def test_gnrh_agonist_in_a_woman_orders_no_testosterone(kb: KnowledgeBase) -> None:
    result = run(kb, causes=[cause("gnrh_agonists", ["leuprorelin"])])
    assert "testosterone" not in ordered(result)


def test_enzyme_inducing_anticonvulsant_orders_vitamin_d(kb: KnowledgeBase) -> None:
    result = run(kb, causes=[cause("anticonvulsants", ["Phenytoin 300 mg"])])
    test = next(t for t in result.workup.recommended_tests if t.id == "vitamin_d_25_hydroxy")
    assert any(r.startswith("enzyme-inducing anticonvulsant (Phenytoin") for r in test.reasons)
    assert "anticonvulsants" in test.knowledge_ids


def test_non_inducing_anticonvulsant_gives_generic_reason(kb: KnowledgeBase) -> None:
    result = run(kb, causes=[cause("anticonvulsants", ["levetiracetam"])])
    test = next(t for t in result.workup.recommended_tests if t.id == "vitamin_d_25_hydroxy")
    assert not any(r.startswith("enzyme-inducing") for r in test.reasons)


def test_urgent_triage_orders_the_rule_out_tests_first(kb: KnowledgeBase) -> None:
    record = parse_patient(
        {
            "id": "u",
            "sex": "female",
            "age_years": 70,
            "symptoms": ["acute_back_pain"],
            "conditions": [{"id": "breast_cancer"}],
        }
    )
    triage = assess_triage(record, kb, AS_OF).triage
    assert triage.urgency == "urgent"
    result = assess_workup(
        record, kb, AS_OF, causes=[], triage=triage, on_systemic_glucocorticoids=False
    )
    tests = ordered(result)
    for test_id in (
        "mri_spine",
        "serum_protein_electrophoresis",
        "complete_blood_count",
        "esr",
        "crp",
    ):
        assert test_id in tests
    assert tests.index("mri_spine") < tests.index("serum_albumin")
    mri = next(t for t in result.workup.recommended_tests if t.id == "mri_spine")
    assert "back_pain_with_cancer_history" in mri.knowledge_ids


def test_routine_triage_orders_no_mri(kb: KnowledgeBase) -> None:
    tests = ordered(run(kb))
    assert "mri_spine" not in tests
    assert "serum_protein_electrophoresis" not in tests


def test_antiresorptive_therapy_orders_ctx(kb: KnowledgeBase) -> None:
    meds = [{"name": "Fosamax", "start": "2025-01-01"}]
    assert "ctx" in ordered(run(kb, medications=meds))


def test_anabolic_therapy_orders_p1np(kb: KnowledgeBase) -> None:
    meds = [{"name": "teriparatide", "route": "subcutaneous", "start": "2026-01-01"}]
    tests = ordered(run(kb, medications=meds))
    assert "p1np" in tests
    assert "ctx" not in tests


def test_stopped_therapy_orders_no_markers(kb: KnowledgeBase) -> None:
    meds = [{"name": "alendronate", "start": "2020-01-01", "end": "2025-01-01"}]
    assert "ctx" not in ordered(run(kb, medications=meds))


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_workup_without_error(kb: KnowledgeBase, path: Any) -> None:
    record = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    as_of = record.as_of or AS_OF
    triage = assess_triage(record, kb, as_of).triage
    result = assess_workup(
        record, kb, as_of, causes=[], triage=triage, on_systemic_glucocorticoids=True
    )
    assert all(t.citation_ids for t in result.workup.recommended_tests)
