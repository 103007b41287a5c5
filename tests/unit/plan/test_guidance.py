"""The plan's guideline facts are typed: every bundle validates, every pathway is sound, and a
malformed fact fails naming the bundle and the field instead of a KeyError in a plan."""

from __future__ import annotations

import datetime as dt

import pytest

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.lint import rule_declared
from osteowedge.knowledge.schema import Drug, Fact, Guideline
from osteowedge.model import parse_patient
from osteowedge.model.assessment import BoneDensity, IatrogenicCause, Risk, Triage
from osteowedge.model.context import LabContext
from osteowedge.plan import guidance, make_plan


def test_every_bundle_validates_against_the_shipped_knowledge(kb: KnowledgeBase) -> None:
    for bundle in (guidance.intake, guidance.holiday, guidance.denosumab_stop, guidance.care):
        bundle(kb)
    order = guidance.drug_order(kb)
    assert [r.short_id for r in order.rows][:3] == ["R1", "R2", "R3"]
    drugs = {d.id for d in kb.of_kind(Drug)}
    holiday = guidance.holiday(kb)
    assert holiday.oral_bisphosphonates and set(holiday.oral_bisphosphonates) <= drugs
    assert holiday.iv_bisphosphonates and set(holiday.iv_bisphosphonates) <= drugs
    assert guidance.intake(kb).calcium_mg_per_day.min < guidance.intake(kb).calcium_mg_per_day.max


def test_every_pathway_offers_known_drugs_under_a_declared_rule(kb: KnowledgeBase) -> None:
    drugs = {d.id for d in kb.of_kind(Drug)}
    pathways = guidance.drug_order(kb).pathways
    assert pathways
    for pathway in pathways:
        assert rule_declared(kb, pathway.rule_id), pathway.id
        assert set(pathway.options) <= drugs, pathway.id
        assert set(pathway.last_resort) <= set(pathway.options), pathway.id
        assert all(k in kb for k in pathway.knowledge_ids), pathway.id
        assert pathway.reasons_from is None or pathway.reasons_from in kb
        assert len(set(pathway.options)) == len(pathway.options), pathway.id


def test_last_resort_drugs_come_last(kb: KnowledgeBase) -> None:
    for pathway in guidance.drug_order(kb).pathways:
        n = len(pathway.last_resort)
        if n:
            assert set(pathway.options[-n:]) == set(pathway.last_resort), pathway.id


def _with_fact(kb: KnowledgeBase, record_id: str, name: str, value: object) -> KnowledgeBase:
    record = kb.typed(record_id, Guideline)
    facts = dict(record.facts)
    facts[name] = Fact(value=value, verification="D", citations=list(facts[name].citations))
    changed = record.model_copy(update={"facts": facts})
    records = [changed if r.id == record_id else r for r in kb.records.values()]
    return KnowledgeBase.build(records, kb.references.values(), kb.knowledge_version)  # type: ignore[arg-type]


def test_a_malformed_pathway_fails_naming_the_field(kb: KnowledgeBase) -> None:
    broken = _with_fact(kb, guidance.PREFERENCE, "pathways", [{"id": "x", "rule_id": "y"}])
    with pytest.raises(KnowledgeError, match="DrugOrder.*pathways"):
        guidance.drug_order(broken)


def test_a_malformed_range_fails_naming_the_field(kb: KnowledgeBase) -> None:
    broken = _with_fact(kb, guidance.INTAKE, "acr_calcium_mg_per_day", {"low": 1000})
    with pytest.raises(KnowledgeError, match="Intake.*calcium_mg_per_day"):
        guidance.intake(broken)


def test_an_undecided_category_uses_the_options_of_the_category_already_reached(
    kb: KnowledgeBase,
) -> None:
    record = parse_patient(
        {"id": "p", "sex": "female", "age_years": 67, "menopausal_status": "postmenopausal"}
    )

    def plan(risk: Risk) -> list[str]:
        result = make_plan(
            record,
            kb,
            dt.date(2025, 6, 1),
            risk=risk,
            causes=[],
            glucocorticoids=None,
            on_systemic_glucocorticoids=True,
            bone_density=BoneDensity(who_category="unknown"),
            vertebrae=[],
            diagnoses=[],
            labs=LabContext(creatinine_clearance_ml_min=80.0, egfr_ml_min_1_73m2=85.0),
            triage=Triage(urgency="routine"),
        )
        codes = {w.code for w in result.notes.warnings}
        if risk.giop_category == "indeterminate" and risk.minimum_category in ("high",):
            assert "plan_category_minimum" in codes
        return [d.drug for d in result.plan.pharmacological]

    at_least_high = Risk(
        giop_category="indeterminate", minimum_category="high", missing_inputs=["frax"]
    )
    assert plan(at_least_high) == plan(Risk(giop_category="high"))
    assert plan(at_least_high)[0] == "teriparatide"
    assert plan(Risk(giop_category="indeterminate", minimum_category="low")) == []


def test_a_pathway_can_require_a_cause_and_a_t_score(kb: KnowledgeBase) -> None:
    pathways = list(kb.decision_fact(guidance.PREFERENCE, "pathways"))
    extra = {
        "id": "test_cause_t_score",
        "rule_id": "plan.R-drug-order-general",
        "giop_categories": ["not_applicable"],
        "causes_any": ["aromatase_inhibitors"],
        "t_score_below": -2.0,
        "options": ["denosumab", "zoledronic_acid"],
        "reason": "test pathway",
        "knowledge_ids": ["plan_drug_preference"],
    }
    changed = _with_fact(kb, guidance.PREFERENCE, "pathways", [extra, *pathways])
    record = parse_patient(
        {"id": "p", "sex": "female", "age_years": 60, "menopausal_status": "postmenopausal"}
    )

    def plan(t_score: float | None, causes: list[str]) -> list[str]:
        result = make_plan(
            record,
            changed,
            dt.date(2025, 6, 1),
            risk=Risk(giop_category="not_applicable"),
            causes=[
                IatrogenicCause(id=c, label=c, meets_threshold=True, evidence="") for c in causes
            ],
            glucocorticoids=None,
            on_systemic_glucocorticoids=False,
            bone_density=BoneDensity(who_category="unknown", lowest_t_score=t_score),
            vertebrae=[],
            diagnoses=[],
            labs=LabContext(creatinine_clearance_ml_min=80.0, egfr_ml_min_1_73m2=85.0),
            triage=Triage(urgency="routine"),
        )
        return [d.drug for d in result.plan.pharmacological]

    assert plan(-2.3, ["aromatase_inhibitors"]) == ["denosumab", "zoledronic_acid"]
    assert plan(-1.8, ["aromatase_inhibitors"]) == []
    assert plan(None, ["aromatase_inhibitors"]) == []  # unknown T-score: not decided
    assert plan(-2.3, ["proton_pump_inhibitors"]) == []
