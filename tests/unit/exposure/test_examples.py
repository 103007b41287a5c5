"""Every bundled example assesses without error and shows the causes it was written for."""

from __future__ import annotations

import json

import pytest

from osteowedge.exposure import assess_exposure
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from tests.conftest import EXAMPLES, example_paths

EXPECTED: dict[str, dict[str, bool | None]] = {
    "androgen_deprivation": {"gnrh_agonists": True, "pelvic_radiation": True},
    "anticonvulsant": {"anticonvulsants": True},
    "aromatase_inhibitor": {"aromatase_inhibitors": True},
    # Depo-Provera since 2021-09-01: far more than 730 days by 2026-11-01
    "dmpa_premenopausal": {"depot_medroxyprogesterone": True},
    "gc_wedge_fracture": {
        "glucocorticoids": True,
        "proton_pump_inhibitors": True,  # Nexium since 2025-08-01: 458 days >= 365
        "chemotherapy": False,  # weekly methotrexate for arthritis: listed, not counted
    },
    "ppi_ssri": {"proton_pump_inhibitors": True, "ssris": True},
    "transplant_ct_landmarks": {
        "glucocorticoids": True,
        "calcineurin_inhibitors": True,
        "loop_diuretics": False,  # Lasix since 2025-12-05: 332 days, not more than 1095
        "organ_transplantation": True,
    },
}


def test_every_example_is_listed() -> None:
    assert sorted(p.stem for p in example_paths()) == sorted(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_example_causes(kb: KnowledgeBase, stem: str) -> None:
    rec = parse_patient(json.loads((EXAMPLES / f"{stem}.json").read_text(encoding="utf-8")))
    assert rec.as_of is not None
    result = assess_exposure(rec, kb, rec.as_of)
    assert {c.id: c.meets_threshold for c in result.causes} == EXPECTED[stem]


def test_gc_wedge_fracture_figures(kb: KnowledgeBase) -> None:
    rec = parse_patient(json.loads((EXAMPLES / "gc_wedge_fracture.json").read_text("utf-8")))
    assert rec.as_of is not None
    exp = assess_exposure(rec, kb, rec.as_of).glucocorticoids
    assert exp is not None
    # prednisone 40 mg 2025-08-01..2025-09-14 (before the window 2025-11-02..2026-11-01),
    # then 10 mg from 2025-09-15 ongoing: 365 window days * 10 mg = 3650 mg
    assert exp.current_prednisone_equivalent_mg_per_day == 10
    assert exp.max_prednisone_equivalent_mg_per_day == 40
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 3650
    assert exp.days_at(7.5) == 365
    assert exp.days_at(30) == 0


def test_transplant_figures(kb: KnowledgeBase) -> None:
    rec = parse_patient(json.loads((EXAMPLES / "transplant_ct_landmarks.json").read_text("utf-8")))
    assert rec.as_of is not None
    exp = assess_exposure(rec, kb, rec.as_of).glucocorticoids
    assert exp is not None
    # methylprednisolone 500 mg IV 1-3 Dec 2025 = 625 mg/day + prednisolone 5 mg = 630 mg/day
    assert exp.max_prednisone_equivalent_mg_per_day == 630
    # prednisolone 2025-12-01..2026-11-01 = 336 days * 5 = 1680; pulses 3 * 625 = 1875
    assert exp.cumulative_prednisone_equivalent_mg_last_12_months == 3555
    assert exp.days_at(30) == 3
