"""Fracture risk: ACR 2022 GIOP category and the Kanis 2011 FRAX glucocorticoid adjustment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from osteowedge.densitometry.fractures import fragility_fractures
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import statement
from osteowedge.model.age import age_at
from osteowedge.model.assessment import (
    BoneDensity,
    FraxAdjusted,
    GiopCategory,
    GlucocorticoidExposure,
    GradedVertebra,
    Risk,
    Statement,
    TraceEntry,
    Warning,
)
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import PatientRecord
from osteowedge.risk.categories import ACR, OPS, age_rules

ADULT = "acr_2022_giop_adult_scope"
KANIS = "kanis_2011_frax_gc_adjustment"
SCOPE = "glucocorticoid_scope"

ORDER: tuple[GiopCategory, ...] = ("low", "moderate", "high", "very_high")
"""Risk categories from lowest to highest (indeterminate and not_applicable are outside)."""

_LABELS: Mapping[str, str] = {
    "low": "Low fracture risk",
    "moderate": "Moderate fracture risk",
    "high": "High fracture risk",
    "very_high": "Very high fracture risk",
}
_PCT_DECIMALS = 2
_INPUT_PATHS: Mapping[str, str] = {
    "prior_osteoporotic_fracture": "/fractures",
    "lowest_t_score": "/dxa",
    "lowest_z_score": "/dxa",
    "bmd_loss_exceeds_lsc": "/dxa",
    "frax_mof_gc_adjusted_pct": "/frax/major_osteoporotic_pct",
    "frax_hip_gc_adjusted_pct": "/frax/hip_pct",
    "days_at_or_above_30_mg_last_12_months": "/medications",
    "days_at_or_above_7_5_mg_last_12_months": "/medications",
    "cumulative_prednisone_equivalent_mg_last_12_months": "/medications",
    "glucocorticoid_current_at_as_of": "/medications",
}

Value = bool | float | int | None


@dataclass(frozen=True)
class RiskResult:
    risk: Risk
    notes: EngineNotes


def assess_risk(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    *,
    glucocorticoids: GlucocorticoidExposure | None,
    systemic_gc_scope_met: bool | None,
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
) -> RiskResult:
    """ACR 2022 GIOP fracture-risk category (pure).

    ``systemic_gc_scope_met``: systemic glucocorticoid >= 2.5 mg/day for > 3 months (exposure
    engine); None when the data cannot tell. ``bone_density``: DXA values only (a CT-derived
    value never enters). ``vertebrae``: graded vertebrae (a counted fracture is a prior
    fragility fracture).
    """
    warnings: list[Warning] = []
    trace: list[TraceEntry] = []
    age = age_at(record, as_of)
    frax = _frax_adjusted(record, kb, age, glucocorticoids, warnings, trace)

    def done(
        category: GiopCategory,
        basis: list[Statement],
        missing: Sequence[str] = (),
        minimum: GiopCategory | None = None,
    ) -> RiskResult:
        return RiskResult(
            risk=Risk(
                giop_category=category,
                missing_inputs=list(missing),
                frax_glucocorticoid_adjusted=frax,
                basis=basis,
                minimum_category=minimum,
            ),
            notes=EngineNotes(warnings=tuple(warnings), trace=tuple(trace)),
        )

    adult_min = float(kb.decision_fact(ADULT, "adult_min_age_years"))
    if age < adult_min:
        trace.append(
            TraceEntry(
                rule_id="acr-2022-giop.R-adult-scope",
                fired=False,
                knowledge_ids=[ADULT],
                inputs={"age_years": age},
            )
        )
        return done(
            "not_applicable",
            [
                statement(
                    kb,
                    "giop_not_applicable_child",
                    "GIOP risk category not applicable",
                    [f"age {age:g} is under {adult_min:g}: the ACR 2022 categories are for adults"],
                    [ADULT, ACR],
                )
            ],
        )
    if systemic_gc_scope_met is False:
        trace.append(
            TraceEntry(
                rule_id="glucocorticoid_scope.R-in-scope",
                fired=False,
                knowledge_ids=[SCOPE],
                inputs={"scope_met": False},
            )
        )
        return done(
            "not_applicable",
            [
                statement(
                    kb,
                    "giop_not_applicable_scope",
                    "GIOP risk category not applicable",
                    [
                        "not on systemic glucocorticoid of "
                        f"{kb.decision_fact(SCOPE, 'min_dose_mg_per_day'):g} mg/day "
                        "prednisone-equivalent or more for more than "
                        f"{kb.decision_fact(SCOPE, 'min_duration_days'):g} days"
                    ],
                    [SCOPE, ACR],
                )
            ],
        )
    if systemic_gc_scope_met is None:
        warnings.append(
            Warning(
                code="giop_scope_unknown",
                message="whether systemic glucocorticoid of 2.5 mg/day or more was taken for more "
                "than 3 months cannot be told from the medication list; GIOP risk is indeterminate",
                path="/medications",
            )
        )
        return done("indeterminate", [], ["glucocorticoid_scope"])

    inputs = _inputs(record, kb, glucocorticoids, bone_density, vertebrae, frax)
    rules = age_rules(kb, age)
    undecided: list[Mapping[str, Any]] = []
    for rule in rules:
        result, met, unknown = _evaluate(rule, inputs)
        trace.append(
            TraceEntry(
                rule_id=rule["rule_id"],
                fired=result is True,
                knowledge_ids=[ACR],
                inputs={name: inputs.get(name) for name in _rule_inputs(rule)},
            )
        )
        if result is None:
            undecided.append(rule)
            continue
        if result is False:
            continue
        category = cast(GiopCategory, rule["category"])
        basis = [_basis(kb, rule, met, age, frax is not None)]
        if not undecided:
            return done(category, basis)
        missing = list(dict.fromkeys(name for r in undecided for name in _evaluate(r, inputs)[2]))
        for name in missing:
            warnings.append(
                Warning(
                    code="risk_input_missing",
                    message=f"{name} is missing: a category above {category} cannot be ruled out",
                    path=_INPUT_PATHS.get(name),
                )
            )
        return done("indeterminate", basis, missing, minimum=category)
    # Unreachable with the knowledge base's fallback 'low' rules; say so rather than guess.
    missing = list(dict.fromkeys(name for r in undecided for name in _evaluate(r, inputs)[2]))
    return done("indeterminate", [], missing)


def _rule_inputs(rule: Mapping[str, Any]) -> list[str]:
    return [c["input"] for key in ("all_of", "any_of") for c in rule.get(key, [])]


def _evaluate(
    rule: Mapping[str, Any], inputs: Mapping[str, Value]
) -> tuple[bool | None, list[str], list[str]]:
    """Three-valued: True (met), False (not met), None (missing data could decide).

    Returns the result, the criteria met (as text) and the inputs that were missing.
    """
    met: list[str] = []
    missing: list[str] = []

    def check(criterion: Mapping[str, Any]) -> bool | None:
        value = inputs.get(criterion["input"])
        if value is None:
            missing.append(criterion["input"])
            return None
        ok = bool(OPS[criterion["op"]](value, criterion["value"]))
        if ok:
            met.append(
                f"{criterion['input']} = {value:g} ({criterion['op']} {criterion['value']:g})"
                if not isinstance(value, bool)
                else f"{criterion['input']} = {str(value).lower()}"
            )
        return ok

    any_of = rule.get("any_of", [])
    all_of = rule.get("all_of", [])
    if not any_of and not all_of:
        return True, ["none of the criteria of a higher category"], []
    results_any = [check(c) for c in any_of]
    any_result: bool | None
    if any(r is True for r in results_any):
        any_result = True
    elif all(r is False for r in results_any):
        any_result = False
    else:
        any_result = None
    if not all_of:
        return any_result, met, missing
    results_all = [check(c) for c in all_of]
    all_result: bool | None
    if any(r is False for r in results_all):
        all_result = False
    elif all(r is True for r in results_all):
        all_result = True
    else:
        all_result = None
    if all_result is False or any_result is False:
        return False, met, missing
    if all_result is True and any_result is True:
        return True, met, missing
    return None, met, missing


def _inputs(
    record: PatientRecord,
    kb: KnowledgeBase,
    gc: GlucocorticoidExposure | None,
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
    frax: FraxAdjusted | None,
) -> dict[str, Value]:
    findings = fragility_fractures(record, vertebrae)
    fracture: bool | None
    if findings.any_site:
        fracture = True
    elif findings.unknown_mechanism:
        fracture = None
    else:
        fracture = False
    current = gc.current_prednisone_equivalent_mg_per_day if gc else None
    continuing_min = float(kb.decision_fact(ACR, "under_40_moderate_gc_min_mg_per_day"))
    loss: bool | None = None
    changes = bone_density.change_since_previous
    if any(c.significant is True and c.change_g_cm2 < 0 for c in changes):
        loss = True
    elif changes and all(c.significant is not None for c in changes):
        loss = False
    return {
        "prior_osteoporotic_fracture": fracture,
        "lowest_t_score": bone_density.lowest_t_score,
        "lowest_z_score": bone_density.lowest_z_score,
        "bmd_loss_exceeds_lsc": loss,
        "frax_mof_gc_adjusted_pct": frax.major_osteoporotic_pct if frax else None,
        "frax_hip_gc_adjusted_pct": frax.hip_pct if frax else None,
        "days_at_or_above_30_mg_last_12_months": (
            gc.days_at(
                float(kb.decision_fact("acr_2022_giop_risk_categories", "very_high_gc_mg_per_day"))
            )
            if gc
            else None
        ),
        "days_at_or_above_7_5_mg_last_12_months": (
            gc.days_at(
                float(kb.decision_fact("kanis_2011_frax_gc_adjustment", "high_dose_min_mg_per_day"))
            )
            if gc
            else None
        ),
        "cumulative_prednisone_equivalent_mg_last_12_months": (
            gc.cumulative_prednisone_equivalent_mg_last_12_months if gc else None
        ),
        "glucocorticoid_current_at_as_of": None if current is None else current >= continuing_min,
    }


def _basis(
    kb: KnowledgeBase, rule: Mapping[str, Any], met: list[str], age: float, used_frax: bool
) -> Statement:
    category = str(rule["category"])
    group = "40 or older" if age >= float(kb.decision_fact(ACR, "age_split_years")) else "under 40"
    ids = [ACR, SCOPE] + ([KANIS] if used_frax else [])
    return statement(
        kb,
        str(rule["rule_id"]),
        f"ACR 2022 GIOP: {_LABELS[category].lower()}",
        [f"adult {group} on long-term systemic glucocorticoids", *met],
        ids,
    )


def _frax_adjusted(
    record: PatientRecord,
    kb: KnowledgeBase,
    age: float,
    gc: GlucocorticoidExposure | None,
    warnings: list[Warning],
    trace: list[TraceEntry],
) -> FraxAdjusted | None:
    """Kanis 2011 adjustment of the record's FRAX, or None (with a warning) when not possible."""
    frax = record.frax
    if frax is None or (frax.major_osteoporotic_pct is None and frax.hip_pct is None):
        return None
    if not kb.decision_fact(KANIS, "applies_only_when_glucocorticoids_entered"):
        raise AssertionError("kanis_2011_frax_gc_adjustment changed its applicability rule")
    if frax.glucocorticoids_entered is not True:
        warnings.append(
            Warning(
                code="frax_without_glucocorticoids",
                message="FRAX was not computed with glucocorticoids entered"
                + (" (not stated)" if frax.glucocorticoids_entered is None else "")
                + ": the Kanis 2011 dose adjustment does not apply and the values are not used for "
                "the glucocorticoid risk category; recompute FRAX with glucocorticoids = yes",
                path="/frax/glucocorticoids_entered",
            )
        )
        return None
    min_age = float(kb.decision_fact(ACR, "frax_min_age_years"))
    if age < min_age:
        warnings.append(
            Warning(
                code="frax_under_40",
                message=f"FRAX is not validated under {min_age:g}; not adjusted or used",
                path="/frax",
            )
        )
        return None
    dose = gc.current_prednisone_equivalent_mg_per_day if gc else None
    if dose is None:
        warnings.append(
            Warning(
                code="frax_gc_dose_unknown",
                message="the current glucocorticoid dose is unknown, so FRAX cannot be adjusted",
                path="/medications",
            )
        )
        return None
    if dose <= 0:
        warnings.append(
            Warning(
                code="frax_no_current_glucocorticoid",
                message="no current glucocorticoid dose: FRAX is used unadjusted (the low-dose "
                "reduction is not applied)",
                path="/medications",
            )
        )
        band = "medium"
    elif dose < float(kb.decision_fact(KANIS, "low_dose_max_exclusive")):
        band = "low"
    elif dose >= float(kb.decision_fact(KANIS, "high_dose_min_mg_per_day")):
        band = "high"
    else:
        band = "medium"
    columns = [float(c) for c in kb.decision_fact(KANIS, "age_columns_years")]
    column = max(i for i, c in enumerate(columns) if c <= age)
    table = kb.decision_fact(KANIS, "adjustment_pct")
    mof_pct = table["major_osteoporotic"][band]["by_age"][column]
    hip_pct = table["hip"][band]["by_age"][column]

    def adjust(value: float | None, pct: float) -> float | None:
        return None if value is None else round(value * (1 + pct / 100.0), _PCT_DECIMALS)

    adjusted = FraxAdjusted(
        major_osteoporotic_pct=adjust(frax.major_osteoporotic_pct, mof_pct),
        hip_pct=adjust(frax.hip_pct, hip_pct),
    )
    trace.append(
        TraceEntry(
            rule_id="kanis-2011.R-adjust",
            fired=True,
            knowledge_ids=[KANIS],
            inputs={
                "age_column": columns[column],
                "dose_mg_per_day": dose,
                "dose_band": band,
                "mof_adjust_pct": mof_pct,
                "hip_adjust_pct": hip_pct,
            },
        )
    )
    return adjusted
