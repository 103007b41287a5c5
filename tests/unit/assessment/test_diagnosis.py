"""Diagnoses by the criteria of the `diagnosis` knowledge records, one scenario per rule."""

from __future__ import annotations

from typing import Any

import pytest

from osteowedge.diagnosis import make_diagnoses
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import BoneDensity, GradedVertebra, IatrogenicCause


def record(**extra: Any) -> Any:
    return parse_patient({"id": "p", "sex": "female", "age_years": 64, **extra})


def gc(meets: bool | None = True) -> IatrogenicCause:
    return IatrogenicCause(
        id="glucocorticoids",
        label="Glucocorticoid therapy",
        meets_threshold=meets,
        evidence="guideline",
        medications=["prednisone"],
    )


def vertebra(level: str, grade: int, morphology: str, counts: bool = True) -> GradedVertebra:
    return GradedVertebra(
        level=level,
        genant_grade=grade,
        morphology=morphology,  # type: ignore[arg-type]
        height_loss_pct=30.0,
        reference_height_mm=30.0,
        counts_as_fracture=counts,
    )


def ids(diagnoses: list[Any]) -> list[str]:
    return [d.id for d in diagnoses]


def test_osteopenia_with_a_met_cause_is_iatrogenic_osteopenia(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc(True)],
        bone_density=BoneDensity(who_category="osteopenia", lowest_t_score=-1.8),
        vertebrae=[],
    )
    assert ids(out) == ["iatrogenic_osteopenia"]
    assert "glucocorticoids" in out[0].knowledge_ids and out[0].citation_ids


@pytest.mark.parametrize("meets", [False, None])
def test_osteopenia_without_a_met_cause_is_not_iatrogenic(
    kb: KnowledgeBase, meets: bool | None
) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc(meets)],
        bone_density=BoneDensity(who_category="osteopenia", lowest_t_score=-1.8),
        vertebrae=[],
    )
    assert out == []


def test_normal_density_is_not_osteopenia(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(), kb, causes=[gc()], bone_density=BoneDensity(who_category="normal"), vertebrae=[]
    )
    assert out == []


def test_z_score_below_expected_counts_as_low_mass(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(
            who_category="not_applicable", z_score_interpretation="below_expected_range"
        ),
        vertebrae=[],
    )
    assert ids(out) == ["iatrogenic_osteopenia"]


def test_t_score_osteoporosis_replaces_osteopenia(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(
            who_category="osteoporosis", lowest_t_score=-2.7, lowest_t_score_region="L1-L4"
        ),
        vertebrae=[],
    )
    assert ids(out) == ["osteoporosis"]
    assert any("-2.7" in r for r in out[0].reasons)


def test_counted_wedge_fracture_with_a_met_cause(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(who_category="osteopenia", lowest_t_score=-1.5),
        vertebrae=[vertebra("L1", 2, "wedge"), vertebra("L2", 0, "normal", counts=False)],
    )
    # a fragility vertebral fracture means osteoporosis whatever the T-score
    assert ids(out) == [
        "vertebral_fracture",
        "osteoporosis",
        "iatrogenic_osteopenia_associated_vertebral_wedging",
    ]


def test_crush_fracture_is_not_wedging(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(who_category="unknown"),
        vertebrae=[vertebra("L1", 2, "crush")],
    )
    assert "iatrogenic_osteopenia_associated_vertebral_wedging" not in ids(out)
    assert "vertebral_fracture" in ids(out)


def test_uncounted_grade_1_is_no_diagnosis(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(who_category="unknown"),
        vertebrae=[vertebra("L1", 1, "wedge", counts=False)],
    )
    assert out == []


def test_traumatic_vertebral_fracture_is_not_osteoporosis(kb: KnowledgeBase) -> None:
    rec = record(fractures=[{"site": "vertebra", "level": "L1", "mechanism": "trauma"}])
    out = make_diagnoses(
        rec,
        kb,
        causes=[gc()],
        bone_density=BoneDensity(who_category="normal"),
        vertebrae=[vertebra("L1", 2, "wedge")],
    )
    assert ids(out) == ["vertebral_fracture"]


def test_fragility_hip_fracture_means_osteoporosis(kb: KnowledgeBase) -> None:
    rec = record(fractures=[{"site": "hip", "mechanism": "fragility"}])
    out = make_diagnoses(
        rec, kb, causes=[], bone_density=BoneDensity(who_category="normal"), vertebrae=[]
    )
    assert ids(out) == ["osteoporosis"]


def test_wedging_without_dxa_says_bone_density_is_missing(kb: KnowledgeBase) -> None:
    out = make_diagnoses(
        record(),
        kb,
        causes=[gc()],
        bone_density=BoneDensity(who_category="unknown"),
        vertebrae=[vertebra("T12", 3, "wedge")],
    )
    wedging = next(d for d in out if d.id == "iatrogenic_osteopenia_associated_vertebral_wedging")
    assert any("no DXA" in r for r in wedging.reasons)
