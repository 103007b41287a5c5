"""An independent safety oracle: which drugs a record forbids, read from the label records.

Written apart from `osteowedge.plan` on purpose: it decides from the truth a record was built
from (`tests/strategies.Truth`) and the knowledge base's drug and label records, with its own
arithmetic (Cockcroft-Gault, month counting) and its own reading of each contraindication. It
applies the label of the record's jurisdiction when the drug has one, else every label.
Staleness never matters here: a stale or undated abnormal value forbids exactly as a fresh one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from osteowedge.knowledge.schema import Contraindication, Drug, Test
from tests.strategies import AS_OF, KB, Truth

FORBIDDING = ("contraindicated", "not_recommended")
_LOW_CALCIUM_CONDITIONS = {"hypocalcemia": "low", "hypercalcemia": "high"}


def _calcium_range() -> tuple[float, float]:
    test = KB.typed("serum_calcium", Test)
    mass = next(r for r in test.reference_ranges if r.unit == "mg/dL" and r.population is None)
    assert mass.low is not None and mass.high is not None
    return mass.low, mass.high


def crcl(truth: Truth, sex: str) -> float | None:
    """Cockcroft-Gault creatinine clearance (mL/min) from the truth, whatever its date."""
    if truth.creatinine_mg_dl is None or truth.weight_kg is None:
        return None
    value = (140 - truth.age) * truth.weight_kg / (72 * truth.creatinine_mg_dl)
    return value * 0.85 if sex == "female" else value


def labels_for(drug: Drug, jurisdiction: str | None) -> list[Any]:
    own = [lb for lb in drug.labels if lb.jurisdiction == jurisdiction]
    return own or list(drug.labels)


def _months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / (365.25 / 12)


def _condition_shown(ci: Contraindication, truth: Truth) -> bool:
    assert ci.condition is not None
    if ci.condition in truth.conditions:
        onset = truth.conditions[ci.condition]
        if ci.within_months is None or onset is None:
            return True
        if _months(onset, AS_OF) <= ci.within_months:
            return True
    status = _LOW_CALCIUM_CONDITIONS.get(ci.condition)
    if status is not None and truth.calcium_mg_dl is not None:
        low, high = _calcium_range()
        return truth.calcium_mg_dl < low if status == "low" else truth.calcium_mg_dl > high
    return False


def _shown(ci: Contraindication, record: dict[str, Any], truth: Truth, fracture: bool) -> bool:
    if ci.condition is not None:
        return _condition_shown(ci, truth)
    if ci.lab is not None:
        if ci.lab.test == "alkaline_phosphatase" and ci.lab.comparison == "above_reference_high":
            return bool(truth.alp_high)
        if ci.lab.test == "serum_calcium":
            return _condition_shown(
                ci.model_copy(
                    update={
                        "condition": "hypocalcemia"
                        if ci.lab.comparison == "below_reference_low"
                        else "hypercalcemia",
                        "lab": None,
                    }
                ),
                truth,
            )
        return False
    if ci.vertebral_fracture:
        return fracture
    if ci.population is not None and ci.population.pregnant:
        return record.get("pregnant") is True
    if ci.outside_population is not None:
        pop = ci.outside_population
        if pop.sex is not None and record["sex"] != pop.sex:
            return True
        if (
            pop.menopausal_status is not None
            and record.get("menopausal_status") not in pop.menopausal_status
        ):
            return True
    return False


def forbidden(record: dict[str, Any], truth: Truth, *, fracture: bool) -> dict[str, list[str]]:
    """Drug id -> the label restrictions the record shows (only drugs with at least one)."""
    out: dict[str, list[str]] = {}
    jurisdiction = record.get("jurisdiction")
    clearance = crcl(truth, record["sex"])
    used_pth = sum(truth.pth_months.values())
    defer = set(KB.fact("plan_screening_rules", "defer_in_pregnancy").value)
    for drug in KB.of_kind(Drug):
        labels = labels_for(drug, jurisdiction)
        reasons: list[str] = []
        cis = [*drug.contraindications, *(ci for lb in labels for ci in lb.contraindications)]
        for ci in cis:
            if ci.severity in FORBIDDING and _shown(ci, record, truth, fracture):
                reasons.append(ci.id)
        for cutoff in (drug.renal_cutoff, *(lb.renal_cutoff for lb in labels)):
            if cutoff is None or cutoff.action not in FORBIDDING or cutoff.measure != "crcl":
                continue
            if clearance is not None and clearance < cutoff.below_ml_min - 0.5:
                reasons.append(f"crcl {clearance:.0f} < {cutoff.below_ml_min:g}")
        limits = [(drug.max_duration_months, None)] + [
            (lb.max_duration_months, lb.lifetime_group) for lb in labels
        ]
        for fact, group in limits:
            if fact is None:
                continue
            used = used_pth if group == "pth_analogue" else truth.pth_months.get(drug.id, 0.0)
            if used >= float(fact.value) + 0.5:
                reasons.append(f"{used:.0f} months used >= {fact.value}")
        if record.get("pregnant") is True and drug.id in defer:
            reasons.append("pregnancy")
        if reasons:
            out[drug.id] = reasons
    return out


def needs_renal_check(drug: Drug, record: dict[str, Any], truth: Truth) -> bool:
    """A drug with a forbidding renal cut-off and no fresh, dated creatinine with weight."""
    labels = labels_for(drug, record.get("jurisdiction"))
    cutoffs = [c for c in (drug.renal_cutoff, *(lb.renal_cutoff for lb in labels)) if c]
    if not any(c.action in FORBIDDING for c in cutoffs):
        return False
    fresh = (
        truth.creatinine_date is not None
        and (AS_OF - truth.creatinine_date).days <= 90
        and truth.weight_kg is not None
    )
    return not fresh


__all__ = ["crcl", "forbidden", "labels_for", "needs_renal_check"]
