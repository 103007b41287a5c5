"""Lab units: the canonical unit per test and conversions between a lab's unit and it."""

from __future__ import annotations

from osteowedge.errors import UnitError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Test
from osteowedge.units import convert, normalize_unit

# Which molar mass converts a test between mass and substance concentration (a unit-conversion
# lookup into osteowedge.units.MOLAR_MASS_G_PER_MOL, not a clinical fact).
ANALYTE: dict[str, str] = {
    "serum_calcium": "calcium",
    "ionized_calcium": "calcium",
    "serum_phosphate": "phosphate",
    "creatinine_egfr": "creatinine",
    "vitamin_d_25_hydroxy": "vitamin_d_25_hydroxy",
    "serum_albumin": "albumin",
    "testosterone": "testosterone",
}
EGFR_REPORTED = "egfr_reported"
EGFR_UNIT = "mL/min/{1.73_m2}"


def canonical_unit(test: Test, kb: KnowledgeBase, kind: str) -> str | None:
    """The unit LabContext.values uses for a test (its first reference range's unit)."""
    if kind == EGFR_REPORTED:
        return EGFR_UNIT
    if test.reference_ranges:
        return normalize_unit(test.reference_ranges[0].unit)
    if test.id == "creatinine_egfr":
        return normalize_unit(str(kb.decision_fact("ckd_epi_2021", "creatinine_unit")))
    return None


def convertible(value: float, unit: str, target: str, test_id: str) -> float | None:
    try:
        return convert(value, unit, target, ANALYTE.get(test_id))
    except UnitError:
        return None
