"""Jurisdiction-aware labels: the record's regulator, or every label (the strictest reading)."""

from __future__ import annotations

from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment

LABS = [
    {"code": "2160-0", "value": 0.8, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "1751-7", "value": 4.2, "unit": "g/dL", "date": "2026-10-20"},
    {"code": "62292-8", "value": 35, "unit": "ng/mL", "date": "2026-10-20"},
    {"code": "6768-6", "value": 80, "unit": "U/L", "date": "2026-10-20"},
]


def _course(drug: str, start: str, end: str) -> dict[str, Any]:
    return {
        "name": drug,
        "dose_value": 20 if drug == "teriparatide" else 80,
        "dose_unit": "ug",
        "frequency": "daily",
        "route": "subcutaneous",
        "start": start,
        "end": end,
    }


def _assess(kb: KnowledgeBase, *, where: str | None, **extra: Any) -> Assessment:
    record: dict[str, Any] = {
        "id": "j1",
        "as_of": "2026-11-01",
        "sex": "female",
        "age_years": 72,
        "menopausal_status": "postmenopausal",
        "pregnant": False,
        "weight_kg": 60,
        "medications": [
            {
                "name": "prednisone",
                "dose_value": 10,
                "dose_unit": "mg",
                "frequency": "daily",
                "route": "oral",
                "start": "2025-06-01",
            }
        ],
        "labs": LABS,
        "dxa": [{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -3.6}]}],
        "fractures": [
            {"site": "vertebra", "level": "L1", "date": "2026-03-01", "mechanism": "fragility"}
        ],
        "dental": {"last_exam_date": "2026-09-01"},
        **extra,
    }
    if where is not None:
        record["jurisdiction"] = where
    return assess(parse_patient(record), kb)


def _recommended(a: Assessment) -> set[str]:
    return {d.drug for d in a.plan.pharmacological}


def test_20_months_of_teriparatide_ends_eu_abaloparatide_not_us(kb: KnowledgeBase) -> None:
    course = _course("teriparatide", "2023-01-01", "2024-09-01")  # 20 months
    eu = _assess(kb, where="EU", medications=[*_base_meds(), course])
    us = _assess(kb, where="US", medications=[*_base_meds(), course])
    # EU abaloparatide: 18 months at most, PTH analogues counted together
    assert "abaloparatide" not in _recommended(eu)
    reasons = next(a.reasons for a in eu.plan.avoid if a.drug == "abaloparatide")
    assert any("pth analogue" in r.casefold() for r in reasons), reasons
    # US: 24 months for PTH analogues together, 4 left
    aba = next(d for d in us.plan.pharmacological if d.drug == "abaloparatide")
    assert aba.duration is not None and "4 left" in aba.duration


def test_the_lifetime_sums_teriparatide_and_abaloparatide(kb: KnowledgeBase) -> None:
    meds = [
        *_base_meds(),
        _course("teriparatide", "2020-01-01", "2021-01-01"),  # 12 months
        _course("abaloparatide", "2022-01-01", "2023-01-01"),  # 12 months
    ]
    for where in ("EU", None):
        a = _assess(kb, where=where, medications=meds)
        assert not {"teriparatide", "abaloparatide"} & _recommended(a), where
    # US: abaloparatide's 2 years count teriparatide too; teriparatide's own label has no
    # lifetime limit since 2020 (use beyond 2 years when fracture risk stays high)
    us = _recommended(_assess(kb, where="US", medications=meds))
    assert "abaloparatide" not in us and "teriparatide" in us


@pytest.mark.parametrize("where", ["EU", None])
def test_severe_renal_impairment_stops_pth_analogues_under_the_eu_label(
    kb: KnowledgeBase, where: str | None
) -> None:
    labs = [lab for lab in LABS if lab["code"] != "2160-0"]
    labs.append({"code": "2160-0", "value": 2.4, "unit": "mg/dL", "date": "2026-10-20"})
    a = _assess(kb, where=where, labs=labs)  # CrCl about 20 mL/min
    assert not {"teriparatide", "abaloparatide"} & _recommended(a)
    us = _assess(kb, where="US", labs=labs)
    assert "teriparatide" in _recommended(us)


def test_men_get_abaloparatide_in_the_us_only(kb: KnowledgeBase) -> None:
    man = {"sex": "male", "menopausal_status": None, "pregnant": None}
    assert "abaloparatide" in _recommended(_assess(kb, where="US", **man))
    assert "abaloparatide" not in _recommended(_assess(kb, where="EU", **man))


def _base_meds() -> list[dict[str, Any]]:
    return [
        {
            "name": "prednisone",
            "dose_value": 10,
            "dose_unit": "mg",
            "frequency": "daily",
            "route": "oral",
            "start": "2025-06-01",
        }
    ]
