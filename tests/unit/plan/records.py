"""Record parts the plan tests share: a fresh, normal set of labs, long-term prednisone, and
the date they are assessed at, plus readers of a plan's drugs."""

from __future__ import annotations

from osteowedge.model.assessment import Assessment, DrugRecommendation

AS_OF = "2026-11-01"
GOOD_LABS = [
    {"code": "2160-0", "value": 0.8, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "1751-7", "value": 4.2, "unit": "g/dL", "date": "2026-10-20"},
    {"code": "62292-8", "value": 35, "unit": "ng/mL", "date": "2026-10-20"},
]
PREDNISONE = {
    "name": "prednisone",
    "dose_value": 10,
    "dose_unit": "mg",
    "frequency": "daily",
    "route": "oral",
    "start": "2025-06-01",
}


def drug(a: Assessment, drug_id: str) -> DrugRecommendation | None:
    """The plan's recommendation of ``drug_id``, if it is recommended."""
    return next((d for d in a.plan.pharmacological if d.drug == drug_id), None)


def avoided(a: Assessment) -> dict[str, list[str]]:
    """Drug id -> the reasons the plan avoids it."""
    return {d.drug: d.reasons for d in a.plan.avoid}
