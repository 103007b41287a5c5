"""Thigh or groin pain on a bisphosphonate or denosumab is the warning sign of an atypical femoral
fracture (labels' warnings; ASBMR 2014): triage says soon and the workup images both femurs."""

from __future__ import annotations

from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment


def _assess(kb: KnowledgeBase, medications: list[dict[str, Any]], **extra: Any) -> Assessment:
    record: dict[str, Any] = {
        "id": "aff",
        "as_of": "2026-11-01",
        "sex": "female",
        "age_years": 71,
        "menopausal_status": "postmenopausal",
        "symptoms": ["thigh_or_groin_pain"],
        "medications": medications,
    }
    record.update(extra)
    return assess(parse_patient(record), kb)


@pytest.mark.parametrize(
    "med",
    [
        {"name": "alendronate", "dose_value": 70, "dose_unit": "mg", "start": "2019-03-01"},
        {"name": "Prolia", "start": "2022-05-01"},
        {"name": "zoledronic acid", "dose_value": 5, "dose_unit": "mg", "start": "2021-01-10"},
    ],
)
def test_thigh_pain_on_an_antiresorptive_is_a_soon_red_flag(
    kb: KnowledgeBase, med: dict[str, Any]
) -> None:
    a = _assess(kb, [med])
    assert a.triage.urgency == "soon"
    flag = next(f for f in a.triage.red_flags if f.id == "atypical_femoral_fracture_warning")
    assert "shane_2014_asbmr_aff" in flag.citation_ids
    assert "femur_radiograph" in [t.id for t in a.workup.recommended_tests]


def test_thigh_pain_without_an_antiresorptive_is_not_this_flag(kb: KnowledgeBase) -> None:
    a = _assess(kb, [])
    assert "atypical_femoral_fracture_warning" not in [f.id for f in a.triage.red_flags]


def test_a_stopped_antiresorptive_does_not_fire_it(kb: KnowledgeBase) -> None:
    stopped = {"name": "alendronate", "start": "2015-01-01", "end": "2020-01-01"}
    a = _assess(kb, [stopped])
    assert "atypical_femoral_fracture_warning" not in [f.id for f in a.triage.red_flags]
