"""Candidates: the osteoporosis drugs the guidelines offer this patient, ranked (pure).

The ranked options come from the typed pathways of the knowledge base
(:class:`~osteowedge.plan.guidance.Pathway`: risk category, age and diagnoses to options); the
first pathway that matches the record decides. Nothing here screens: every candidate is still
screened against the record and its labels afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from osteowedge.model.assessment import GiopCategory
from osteowedge.plan import guidance
from osteowedge.plan.context import PlanContext, PlanDraft
from osteowedge.plan.guidance import DrugOrder, Pathway

_DRUG_CATEGORIES: tuple[GiopCategory, ...] = ("moderate", "high", "very_high")
PREF = guidance.PREFERENCE


@dataclass(frozen=True)
class Candidate:
    """A drug to offer, why, on what knowledge, and when to start (``None``: now)."""

    drug: str
    reasons: tuple[str, ...]
    knowledge_ids: tuple[str, ...]
    timing: str | None = None


def category(ctx: PlanContext) -> GiopCategory:
    """The category the plan decides on: the GIOP category, or, where it is indeterminate, the
    category the data already reach (the true one is at least this, so its options apply)."""
    risk = ctx.risk
    if risk.giop_category == "indeterminate" and risk.minimum_category in _DRUG_CATEGORIES:
        return risk.minimum_category
    return risk.giop_category


def _matches(pathway: Pathway, ctx: PlanContext) -> bool:
    if category(ctx) not in pathway.giop_categories:
        return False
    if pathway.min_age_years is not None and (ctx.age is None or ctx.age < pathway.min_age_years):
        return False
    if pathway.causes_any and not ctx.cause_ids & set(pathway.causes_any):
        return False
    if pathway.sexes and ctx.record.sex not in pathway.sexes:
        return False
    if pathway.t_score_below is not None and not (
        ctx.lowest_t_score is not None and ctx.lowest_t_score < pathway.t_score_below
    ):
        return False
    if (
        pathway.min_vertebral_fractures is not None
        and ctx.vertebral_fracture_count < pathway.min_vertebral_fractures
    ):
        return False
    return not pathway.diagnoses_any or bool(ctx.diagnosis_ids & set(pathway.diagnoses_any))


def _age_bound_unknown(pathway: Pathway, ctx: PlanContext) -> bool:
    return (
        ctx.age is None
        and pathway.min_age_years is not None
        and category(ctx) in pathway.giop_categories
    )


def _option_reasons(
    pathway: Pathway, order: DrugOrder, drug_id: str, ctx: PlanContext
) -> list[str]:
    reasons = [pathway.reason]
    if category(ctx) != ctx.risk.giop_category:
        reasons[0] = f"at least {pathway.reason} (the category is not yet decided)"
    if pathway.reasons_from is not None:
        reasons += [
            f"ACR 2022 ({row.short_id}, {row.strength}): {row.text}"
            for row in order.rows
            if category(ctx) in row.applies_to_categories
            and drug_id in row.prefers
            and row.applies_at(ctx.age)
        ]
    if drug_id in pathway.last_resort and pathway.last_resort_reason:
        reasons.append(pathway.last_resort_reason)
    if pathway.diagnoses_any:
        shown = [d for d in pathway.diagnoses_any if d in ctx.diagnosis_ids]
        reasons.insert(0, f"Diagnosis: {', '.join(shown)}")
    if pathway.t_score_below is not None and ctx.lowest_t_score is not None:
        reasons.insert(
            0, f"Lowest T-score {ctx.lowest_t_score:g} (below {pathway.t_score_below:g})"
        )
    if pathway.min_vertebral_fractures is not None:
        reasons.insert(
            0,
            f"Vertebral fractures: {ctx.vertebral_fracture_count} "
            f"(at least {pathway.min_vertebral_fractures})",
        )
    if pathway.causes_any:
        shown = [c for c in pathway.causes_any if c in ctx.cause_ids]
        reasons.insert(0, f"Bone-harming treatment: {', '.join(shown).replace('_', ' ')}")
    return reasons


def _below_minimum_age(ctx: PlanContext, order: DrugOrder, draft: PlanDraft) -> bool:
    """ACR 2022 R2: drugs are for adults over 18. Younger: a specialist decides."""
    row = order.row("acr-2022-giop.R2")
    bound = row.min_age_years_exclusive
    if category(ctx) not in _DRUG_CATEGORIES or bound is None:
        return False
    if ctx.age is None or ctx.age > bound:
        return False
    draft.warn(
        "plan_paediatric",
        f"ACR 2022 drug recommendations are for adults over {bound:g}; ask a specialist",
        "/age_years",
    )
    draft.rule(
        "acr-2022-giop.R2",
        False,
        [guidance.ACR],
        category=ctx.risk.giop_category,
        age=ctx.age,
    )
    return True


def _no_pathway(ctx: PlanContext, draft: PlanDraft) -> None:
    decided = ctx.risk.giop_category
    if decided == "low":
        draft.rule("acr-2022-giop.R11", True, [guidance.ACR], category=decided, age=ctx.age)
    elif decided == "indeterminate":
        draft.warn(
            "plan_drug_decision_pending",
            "Glucocorticoid fracture risk is indeterminate (missing: "
            + (", ".join(ctx.risk.missing_inputs) or "see risk")
            + "); no osteoporosis drug is chosen until it can be decided",
            None,
        )
        draft.rule("plan.R-drug-order-giop", False, [guidance.ACR], category=decided)
    else:
        draft.rule("plan.R-drug-order-none", False, [guidance.PREFERENCE], category=decided)


def guideline_candidates(ctx: PlanContext, draft: PlanDraft) -> list[Candidate]:
    """The ranked options of the first matching pathway (empty when none matches)."""
    order = guidance.drug_order(ctx.kb)
    if _below_minimum_age(ctx, order, draft):
        return []
    for pathway in order.pathways:
        if _age_bound_unknown(pathway, ctx):
            draft.warn(
                "age_unknown",
                f"Age unknown: the age-{pathway.min_age_years:g} rows of ACR 2022 were not applied",
                "/age_years",
            )
        if not _matches(pathway, ctx):
            continue
        if category(ctx) != ctx.risk.giop_category:
            draft.warn(
                "plan_category_minimum",
                f"Glucocorticoid fracture risk is at least {category(ctx).replace('_', ' ')} "
                "(missing: "
                + (", ".join(ctx.risk.missing_inputs) or "see risk")
                + "): the options for that category are shown; a higher category, which can "
                "rank an anabolic first, is not ruled out until the missing inputs are known",
                None,
            )
        draft.rule(
            pathway.rule_id,
            True,
            dict.fromkeys([*([pathway.reasons_from] if pathway.reasons_from else []), PREF]),
            category=category(ctx),
            age=ctx.age,
            pathway=pathway.id,
        )
        shown = [
            i
            for i in (*pathway.diagnoses_any, *pathway.causes_any)
            if i in ctx.diagnosis_ids or i in ctx.cause_ids
        ]
        return [
            Candidate(
                drug=drug_id,
                reasons=tuple(_option_reasons(pathway, order, drug_id, ctx)),
                knowledge_ids=tuple(dict.fromkeys([*pathway.knowledge_ids, *shown])),
            )
            for drug_id in pathway.options
        ]
    _no_pathway(ctx, draft)
    return []


__all__ = ["Candidate", "guideline_candidates"]
