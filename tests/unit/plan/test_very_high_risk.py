"""Very high fracture risk from any cause, not on glucocorticoids: an anabolic first (AACE 2020,
Endocrine Society 2019/2020), through the whole pipeline."""

from __future__ import annotations

from typing import Any

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment
from osteowedge.plan import guidance
from tests.unit.plan.records import AS_OF, GOOD_LABS

RECORD = "very_high_fracture_risk_any_cause"
RULE = "plan.R-drug-order-very-high"
OLD_FRACTURE = [{"site": "vertebra", "level": "L1", "date": "2019-03-01", "mechanism": "fragility"}]
TWO_FRACTURES = [
    {"site": "vertebra", "level": "L1", "date": "2019-03-01", "mechanism": "fragility"},
    {"site": "vertebra", "level": "T12", "date": "2020-05-01", "mechanism": "fragility"},
]
ANABOLICS = ["teriparatide", "abaloparatide", "romosozumab"]
ACP_ORDER = ["alendronate", "risedronate", "zoledronic_acid", "ibandronate", "denosumab"]


def _assess(kb: KnowledgeBase, t_score: float, **extra: Any) -> Assessment:
    record: dict[str, Any] = {
        "id": "vh1",
        "as_of": AS_OF,
        "sex": "female",
        "age_years": 68,
        "menopausal_status": "postmenopausal",
        "pregnant": False,
        "weight_kg": 62,
        "medications": [],
        "labs": GOOD_LABS,
        "dxa": [
            {"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": t_score}]}
        ],
        "fractures": OLD_FRACTURE,
        "dental": {"last_exam_date": "2026-09-01"},
    }
    record.update(extra)
    return assess(parse_patient(record), kb)


def _offered(a: Assessment) -> list[str]:
    return [d.drug for d in a.plan.pharmacological]


def _fired(a: Assessment, rule_id: str) -> list[dict[str, Any]]:
    return [t.inputs for t in a.trace if t.rule_id == rule_id and t.fired]


def test_a_t_score_below_minus_3_ranks_teriparatide_first_with_the_aace_reason(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, -3.2)
    assert a.risk.giop_category == "not_applicable"
    assert _offered(a)[0] == "teriparatide", _offered(a)
    first = a.plan.pharmacological[0]
    assert any("AACE 2020" in r for r in first.reasons), first.reasons
    assert any("Lowest T-score -3.2 (below -3)" in r for r in first.reasons), first.reasons
    assert RECORD in first.knowledge_ids
    assert [i["pathway"] for i in _fired(a, RULE)] == ["very_high_any_cause_t_score"]
    # The antiresorptive alternatives follow the anabolics.
    offered = _offered(a)
    assert offered.index("zoledronic_acid") > offered.index("teriparatide")
    assert "ibandronate" not in offered


def test_a_t_score_of_minus_2_7_with_one_old_fracture_keeps_the_acp_order(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, -2.7)
    assert _offered(a) == [d for d in ACP_ORDER if d in _offered(a)]
    assert _offered(a)[0] == "alendronate"
    assert not _fired(a, RULE)
    assert [i["pathway"] for i in _fired(a, "plan.R-drug-order-general")] == [
        "general_osteoporosis"
    ]


def test_two_vertebral_fragility_fractures_rank_an_anabolic_first(kb: KnowledgeBase) -> None:
    a = _assess(kb, -2.7, fractures=TWO_FRACTURES)
    assert _offered(a)[0] == "teriparatide", _offered(a)
    assert [i["pathway"] for i in _fired(a, RULE)] == ["very_high_any_cause_multiple_vertebral"]
    reasons = a.plan.pharmacological[0].reasons
    assert any("Vertebral fractures: 2 (at least 2)" in r for r in reasons), reasons
    assert any("Endocrine Society" in r for r in reasons), reasons


def test_traumatic_or_unknown_mechanism_fractures_do_not_count(kb: KnowledgeBase) -> None:
    fractures = [
        OLD_FRACTURE[0],
        {"site": "vertebra", "level": "T12", "date": "2020-05-01", "mechanism": "trauma"},
        {"site": "vertebra", "level": "T11", "date": "2020-05-01"},
    ]
    a = _assess(kb, -2.7, fractures=fractures)
    assert not _fired(a, RULE)
    assert _offered(a)[0] == "alendronate"


def test_the_same_level_twice_counts_once(kb: KnowledgeBase) -> None:
    a = _assess(kb, -2.7, fractures=[OLD_FRACTURE[0], {**OLD_FRACTURE[0], "date": "2021-01-01"}])
    assert not _fired(a, RULE)


def test_a_man_keeps_teriparatide_while_label_populations_screen_the_others(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, -3.2, sex="male", menopausal_status=None)
    offered = _offered(a)
    assert offered[0] == "teriparatide", offered
    assert [i["pathway"] for i in _fired(a, RULE)] == ["very_high_any_cause_t_score"]
    avoided = {d.drug: d.reasons for d in a.plan.avoid}
    for drug in ("abaloparatide", "romosozumab"):
        assert drug not in offered
        assert any("outside the label population" in r for r in avoided[drug]), avoided[drug]


def test_glucocorticoid_patients_keep_the_acr_pathways(kb: KnowledgeBase) -> None:
    prednisone = {
        "name": "prednisone",
        "dose_value": 10,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "oral",
        "start": "2025-06-01",
    }
    a = _assess(kb, -3.2, medications=[prednisone], fractures=TWO_FRACTURES)
    assert a.risk.giop_category not in ("not_applicable", "indeterminate")
    assert not _fired(a, RULE)
    assert _fired(a, "plan.R-drug-order-giop")


def test_the_pathways_use_the_verified_facts(kb: KnowledgeBase) -> None:
    pathways = {p.id: p for p in guidance.drug_order(kb).pathways}
    t_score = pathways["very_high_any_cause_t_score"]
    vertebral = pathways["very_high_any_cause_multiple_vertebral"]
    assert t_score.t_score_below == kb.decision_fact(RECORD, "aace_very_low_t_score_below")
    assert vertebral.min_vertebral_fractures == kb.decision_fact(
        RECORD, "multiple_vertebral_fractures_at_least"
    )
    first_line = set(kb.decision_fact(RECORD, "aace_very_high_first_line"))
    for pathway in (t_score, vertebral):
        assert set(pathway.options[: len(first_line)]) == first_line
    ids = [p.id for p in guidance.drug_order(kb).pathways]
    assert ids.index("very_high_any_cause_multiple_vertebral") < ids.index(
        "cancer_therapy_aromatase_inhibitor"
    )
    assert ids.index("very_high_any_cause_t_score") < ids.index("general_osteoporosis")
