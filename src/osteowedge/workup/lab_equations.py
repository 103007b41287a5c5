"""Lab equations: eGFR (CKD-EPI 2021), creatinine clearance (Cockcroft-Gault) and the
albumin-corrected calcium, their constants read from the knowledge base."""

from __future__ import annotations

from collections.abc import Mapping

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge.base import KnowledgeBase


def ckd_epi_2021(kb: KnowledgeBase, creatinine_mg_dl: float, age: float, sex: str) -> float:
    """eGFR (mL/min/1.73 m2) by the race-free CKD-EPI 2021 creatinine equation."""
    rid = "ckd_epi_2021"
    kappa = float(_by_sex(kb.decision_fact(rid, "kappa"), sex))
    alpha = float(_by_sex(kb.decision_fact(rid, "alpha"), sex))
    ratio = creatinine_mg_dl / kappa
    egfr: float = (
        float(kb.decision_fact(rid, "constant"))
        * min(ratio, 1.0) ** alpha
        * max(ratio, 1.0) ** float(kb.decision_fact(rid, "exponent_above_kappa"))
        * float(kb.decision_fact(rid, "age_base")) ** age
    )
    if sex == "female":
        egfr *= float(kb.decision_fact(rid, "female_factor"))
    return egfr


def cockcroft_gault(
    kb: KnowledgeBase, creatinine_mg_dl: float, age: float, weight_kg: float, sex: str
) -> float:
    """Creatinine clearance (mL/min, not per 1.73 m2) by Cockcroft-Gault."""
    rid = "cockcroft_gault"
    crcl = (float(kb.decision_fact(rid, "age_constant")) - age) * weight_kg
    crcl /= float(kb.decision_fact(rid, "denominator_constant")) * creatinine_mg_dl
    if sex == "female":
        crcl *= float(kb.decision_fact(rid, "female_factor"))
    return crcl


def corrected_calcium(kb: KnowledgeBase, calcium_mg_dl: float, albumin_g_dl: float) -> float:
    """Albumin-corrected calcium (mg/dL) = Ca + factor x (normal albumin - albumin)."""
    rid = "albumin_corrected_calcium"
    factor = float(kb.decision_fact(rid, "factor_mg_dl_per_g_dl"))
    normal = float(kb.decision_fact(rid, "normal_albumin_g_dl"))
    return calcium_mg_dl + factor * (normal - albumin_g_dl)


def _by_sex(value: object, sex: str) -> float:
    if not isinstance(value, Mapping) or sex not in value:
        raise KnowledgeError(f"expected a value per sex, got {value!r}")
    return float(value[sex])
