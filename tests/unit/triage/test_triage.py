"""Triage scenarios: each red flag fires and stays quiet; urgency is the highest that fired."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.triage import TriageResult, assess_triage
from osteowedge.triage.engine import height_loss
from tests.conftest import example_paths

AS_OF = dt.date(2026, 6, 1)


def run(kb: KnowledgeBase, **fields: Any) -> TriageResult:
    data: dict[str, Any] = {"id": "t", "sex": "female", "age_years": 68, **fields}
    return assess_triage(parse_patient(data), kb, AS_OF)


def flags(result: TriageResult) -> list[str]:
    return [s.id for s in result.triage.red_flags]


def codes(result: TriageResult) -> list[str]:
    return [w.code for w in result.notes.warnings]


NO_NEURO = {
    "neurological_deficit": False,
    "saddle_anaesthesia": False,
    "bladder_or_bowel_dysfunction": False,
    "fever": False,
}


def test_nothing_recorded_is_routine_with_a_warning(kb: KnowledgeBase) -> None:
    result = run(kb)
    assert result.triage.urgency == "routine"
    assert result.triage.red_flags == []
    assert "triage_no_symptoms_or_exam" in codes(result)


def test_sudden_back_pain_is_urgent_and_cites_the_red_flag(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["acute_back_pain"], exam=NO_NEURO)
    assert result.triage.urgency == "urgent"
    assert flags(result) == ["sudden_back_pain_minimal_trauma"]
    flag = result.triage.red_flags[0]
    assert "sudden_back_pain_minimal_trauma" in flag.knowledge_ids
    assert "source_article" in flag.citation_ids


def test_sudden_back_pain_reports_a_fragility_fracture_as_support(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        symptoms=["acute_back_pain"],
        exam=NO_NEURO,
        fractures=[{"site": "vertebra", "level": "L1", "mechanism": "fragility"}],
    )
    assert any(r.startswith("also: fragility fracture") for r in result.triage.red_flags[0].reasons)


def test_chronic_ache_alone_is_routine(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["chronic_dull_ache"], exam=NO_NEURO)
    assert result.triage.urgency == "routine"


@pytest.mark.parametrize(
    "condition",
    [
        {"id": "breast_cancer"},
        {"id": "multiple_myeloma", "resolved": "2020-01-01"},
        {"code": "363346000", "system": "SNOMED"},
        {"name": "Cancer"},
    ],
)
def test_back_pain_with_cancer_history_is_urgent(kb: KnowledgeBase, condition: dict) -> None:
    result = run(kb, symptoms=["chronic_dull_ache"], exam=NO_NEURO, conditions=[condition])
    assert result.triage.urgency == "urgent"
    assert flags(result) == ["back_pain_with_cancer_history"]


def test_cancer_without_back_pain_is_not_a_red_flag(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["fatigue"], exam=NO_NEURO, conditions=[{"id": "breast_cancer"}])
    assert result.triage.urgency == "routine"


def test_back_pain_with_fever_is_urgent(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["chronic_dull_ache"], exam={**NO_NEURO, "fever": True})
    assert flags(result) == ["back_pain_with_fever_immunosuppressed"]
    assert result.triage.urgency == "urgent"


def test_back_pain_with_fever_in_immunosuppressed_names_the_drug(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        symptoms=["chronic_dull_ache"],
        exam={**NO_NEURO, "fever": True},
        medications=[{"name": "Prednisone", "route": "oral", "start": "2026-01-01"}],
    )
    reasons = result.triage.red_flags[0].reasons
    assert any(r.startswith("also: immunosuppressed: Prednisone") for r in reasons)


def test_immunosuppressed_back_pain_without_temperature_warns(kb: KnowledgeBase) -> None:
    exam = {k: v for k, v in NO_NEURO.items() if k != "fever"}
    result = run(
        kb, symptoms=["chronic_dull_ache"], exam=exam, conditions=[{"id": "immunosuppression"}]
    )
    assert result.triage.urgency == "routine"
    warning = next(w for w in result.notes.warnings if w.code == "triage_fever_unknown")
    assert warning.path == "/exam/fever"


def test_inhaled_or_stopped_steroid_is_not_immunosuppression(kb: KnowledgeBase) -> None:
    exam = {k: v for k, v in NO_NEURO.items() if k != "fever"}
    meds = [
        {"name": "budesonide", "route": "inhaled"},
        {"name": "prednisone", "route": "oral", "start": "2025-01-01", "end": "2025-03-01"},
    ]
    result = run(kb, symptoms=["chronic_dull_ache"], exam=exam, medications=meds)
    assert "triage_fever_unknown" not in codes(result)


def test_fever_without_back_pain_is_not_a_red_flag(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["fatigue"], exam={**NO_NEURO, "fever": True})
    assert result.triage.urgency == "routine"


@pytest.mark.parametrize("sign", ["saddle_anaesthesia", "bladder_or_bowel_dysfunction"])
def test_cauda_equina_sign_is_urgent_even_without_pain(kb: KnowledgeBase, sign: str) -> None:
    result = run(kb, exam={**NO_NEURO, sign: True})
    assert flags(result) == ["cauda_equina_signs"]
    assert result.triage.urgency == "urgent"


def test_neurological_deficit_on_exam_is_urgent(kb: KnowledgeBase) -> None:
    result = run(kb, exam={**NO_NEURO, "neurological_deficit": True})
    assert flags(result) == ["new_neurological_deficit"]
    assert result.triage.urgency == "urgent"


def test_paresthesia_without_exam_asks_for_an_examination_soon(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["paresthesia"])
    assert flags(result) == ["neurological_symptoms_unexamined"]
    assert result.triage.urgency == "soon"


def test_paresthesia_with_normal_neurological_exam_is_routine(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["paresthesia", "muscle_weakness"], exam=NO_NEURO)
    assert result.triage.urgency == "routine"


def test_kyphosis_is_soon(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["kyphotic_posture"], exam=NO_NEURO)
    assert flags(result) == ["progressive_spinal_curvature"]
    assert result.triage.urgency == "soon"


def test_height_loss_symptom_is_soon(kb: KnowledgeBase) -> None:
    assert run(kb, symptoms=["height_loss"], exam=NO_NEURO).triage.urgency == "soon"


@pytest.mark.parametrize(
    ("loss_cm", "urgency"), [(2.0, "soon"), (1.9, "routine"), (0.0, "routine")]
)
def test_exam_height_loss_threshold_is_2_cm_inclusive(
    kb: KnowledgeBase, loss_cm: float, urgency: str
) -> None:
    # BHOF 2022: measured height loss of 2 cm or more (knowledge fact, inclusive).
    result = run(kb, exam={**NO_NEURO, "height_loss_cm": loss_cm})
    assert result.triage.urgency == urgency


@pytest.mark.parametrize(
    ("earlier", "current", "urgency"),
    [
        (170.3, 168.3, "soon"),  # 170.3 - 168.3 = 2.0 cm (float noise must not matter)
        (170.2, 168.3, "routine"),  # 1.9 cm
    ],
)
def test_height_history_loss(
    kb: KnowledgeBase, earlier: float, current: float, urgency: str
) -> None:
    result = run(
        kb,
        exam=NO_NEURO,
        height_cm=current,
        height_history=[{"date": "2020-01-01", "height_cm": earlier}],
    )
    assert result.triage.urgency == urgency


def test_height_loss_uses_tallest_earlier_and_ignores_future_entries() -> None:
    record = parse_patient(
        {
            "id": "h",
            "sex": "male",
            "age_years": 70,
            "height_history": [
                {"date": "2010-01-01", "height_cm": 175.0},
                {"date": "2015-01-01", "height_cm": 176.0},
                {"date": "2024-01-01", "height_cm": 173.5},
                {"date": "2027-01-01", "height_cm": 160.0},
            ],
        }
    )
    loss, basis = height_loss(record, AS_OF)
    # no height_cm: current = latest entry up to as_of (2024: 173.5); tallest earlier 176.0
    # 176.0 - 173.5 = 2.5 cm
    assert loss == pytest.approx(2.5)
    assert basis is not None and "176" in basis


def test_single_height_gives_no_loss() -> None:
    record = parse_patient({"id": "h", "sex": "male", "age_years": 70, "height_cm": 170})
    assert height_loss(record, AS_OF) == (None, None)


def test_urgent_outranks_soon_and_comes_first(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["kyphotic_posture", "acute_back_pain"], exam=NO_NEURO)
    assert result.triage.urgency == "urgent"
    assert flags(result) == ["sudden_back_pain_minimal_trauma", "progressive_spinal_curvature"]


def test_unknown_symptom_is_warned_with_its_path(kb: KnowledgeBase) -> None:
    result = run(kb, symptoms=["acute_back_pain", "itchy_elbow"], exam=NO_NEURO)
    warning = next(w for w in result.notes.warnings if w.code == "symptom_unknown")
    assert warning.path == "/symptoms/1"


def test_back_pain_without_exam_warns(kb: KnowledgeBase) -> None:
    assert "triage_exam_missing" in codes(run(kb, symptoms=["chronic_dull_ache"]))


def test_trace_names_every_red_flag(kb: KnowledgeBase) -> None:
    result = run(kb)
    rules = {t.rule_id for t in result.notes.trace}
    assert "triage.red_flag.cauda_equina_signs" in rules
    assert "triage.R-urgency" in rules


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_triage_without_error(kb: KnowledgeBase, path: Any) -> None:
    record = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    result = assess_triage(record, kb, record.as_of or AS_OF)
    assert result.triage.urgency in ("routine", "soon", "urgent")
