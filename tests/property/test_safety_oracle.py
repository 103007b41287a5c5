"""The plan never recommends what the record and the labels forbid, by an independent oracle.

Records come from `tests/strategies.py` (stale and fresh labs, mass and SI codes, canonical and
short code systems, coded and unknown conditions, every jurisdiction and none, prior PTH
analogues, pregnancy); the oracle (`tests/safety_oracle.py`) reads the label records itself.
`benchmarks/safety_sweep.py` runs the same check over 100,000 records.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from osteowedge.assess import assess
from osteowedge.knowledge.schema import Drug
from osteowedge.model import parse_patient
from tests.safety_oracle import forbidden, needs_renal_check
from tests.strategies import KB, Truth, records


def check_record(record: dict[str, Any], truth: Truth) -> list[str]:
    """Every safety violation in the plan for one record (empty when safe)."""
    assessment = assess(parse_patient(record), KB)
    fracture = any(v.counts_as_fracture for v in assessment.vertebrae) or bool(
        record.get("fractures")
    )
    banned = forbidden(record, truth, fracture=fracture)
    problems: list[str] = []
    avoided = {a.drug for a in assessment.plan.avoid}
    for rec in assessment.plan.pharmacological:
        if rec.drug in banned:
            problems.append(f"{rec.drug} recommended although {banned[rec.drug]}")
        drug = KB.typed(rec.drug, Drug)
        if rec.ready_to_start and needs_renal_check(drug, record, truth):
            problems.append(f"{rec.drug} ready to start without a current creatinine clearance")
    for drug_id in banned:
        drug = KB.typed(drug_id, Drug)
        if drug.is_osteoporosis_therapy and drug_id not in avoided:
            problems.append(f"{drug_id} forbidden ({banned[drug_id]}) but not in plan.avoid")
    return problems


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(records())
def test_no_recommendation_the_labels_forbid(drawn: tuple[dict[str, Any], Truth]) -> None:
    record, truth = drawn
    assert check_record(record, truth) == [], record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_every_trace_rule_id_is_declared_in_the_knowledge_base(
    drawn: tuple[dict[str, Any], Truth],
) -> None:
    from osteowedge.knowledge.lint import rule_declared

    record, _ = drawn
    assessment = assess(parse_patient(record), KB)
    undeclared = {t.rule_id for t in assessment.trace if not rule_declared(KB, t.rule_id)}
    assert not undeclared
