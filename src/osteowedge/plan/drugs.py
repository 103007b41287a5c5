"""Drugs: every candidate screened against the record and its labels, and a complete avoid
list (pure).

A candidate that screening rules out goes to ``plan.avoid`` with its reasons, label records and
citations; one that passes becomes a recommendation that lists the checks the record could not
support (``unverified_checks``) and whether it is ready to start. Every other osteoporosis drug of
the knowledge base, and every drug the patient takes, is screened too, so ``plan.avoid`` holds
everything the record contraindicates, proposed or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from osteowedge.knowledge.cite import citation_ids
from osteowedge.model.assessment import DrugRecommendation
from osteowedge.plan.candidates import Candidate
from osteowedge.plan.context import NOT_STANDARD, PlanContext, PlanDraft


def plan_drugs(ctx: PlanContext, draft: PlanDraft, candidates: Sequence[Candidate]) -> None:
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.drug not in seen:
            seen.add(candidate.drug)
            _propose(ctx, draft, candidate)
    for drug_id, use in ctx.use.items():
        if drug_id in seen or not use.current:
            continue
        seen.add(drug_id)
        drug = ctx.drugs[drug_id]
        screened = draft.screened_warnings(drug, ctx.drug_screen.screen(drug))
        if screened.out:
            draft.avoid_item(
                drug_id,
                [f"Patient takes {drug.name}", *screened.out],
                screened.knowledge_ids,
                screened,
            )
        elif drug.status in NOT_STANDARD and drug.is_osteoporosis_therapy:
            draft.avoid_item(
                drug_id,
                [f"Patient takes {drug.name}: {drug.status.replace('_', ' ')}, not standard care"],
                [drug_id],
            )
    for drug_id, drug in ctx.drugs.items():
        if drug_id in seen or not drug.is_osteoporosis_therapy:
            continue
        screened = ctx.drug_screen.screen(drug)
        if screened.out:
            draft.avoid_item(drug_id, screened.out, screened.knowledge_ids, screened)
    draft.rule("plan.R-avoid-complete", True, ["plan_drug_preference"])
    _jurisdiction_warning(ctx, draft)


def _propose(ctx: PlanContext, draft: PlanDraft, candidate: Candidate) -> None:
    drug = ctx.drugs[candidate.drug]
    screened = draft.screened_warnings(drug, ctx.drug_screen.screen(drug))
    ids = list(dict.fromkeys([*candidate.knowledge_ids, *screened.knowledge_ids]))
    if drug.status in NOT_STANDARD:
        draft.avoid_item(
            drug.id,
            [f"{drug.name}: {drug.status.replace('_', ' ')}, not standard care", *screened.out],
            ids,
            screened,
        )
        return
    if screened.out:
        draft.avoid_item(drug.id, screened.out, ids, screened)
        draft.rule("plan.R-screen", True, ids, drug=drug.id)
        return
    reasons = list(candidate.reasons)
    if drug.anabolic and drug.follow_on:
        reasons.append(f"Afterwards: {drug.on_stop or 'an antiresorptive'}")
    remaining = ctx.drug_screen.remaining_months(drug)
    duration = (
        None
        if remaining is None
        else f"at most {remaining[0]:g} months in total ({remaining[1]:.0f} left)"
    )
    draft.rule("plan.R-screen", False, ids, drug=drug.id, ready=screened.ready)
    draft.pharmacological.append(
        DrugRecommendation(
            drug=drug.id,
            label=drug.name,
            dose=drug.dose.text or f"{drug.dose.value} {drug.dose.unit}",
            route=drug.route,
            frequency=drug.frequency,
            timing=" ".join(x for x in (candidate.timing, drug.timing) if x) or None,
            duration=duration,
            reasons=[*reasons, *screened.caution],
            unverified_checks=list(dict.fromkeys(screened.unverified)),
            before_starting=screened.delays,
            ready_to_start=screened.ready,
            knowledge_ids=ids,
            label_ids=screened.label_ids,
            citation_ids=list(
                dict.fromkeys(
                    [
                        *citation_ids(ctx.kb, [*candidate.knowledge_ids, drug.id]),
                        *screened.label_citations,
                        *screened.citations,
                    ]
                )
            ),
        )
    )


def _jurisdiction_warning(ctx: PlanContext, draft: PlanDraft) -> None:
    if not draft.every_label:
        return
    where = ctx.record.jurisdiction
    why = "the record has no jurisdiction" if where is None else f"no {where} label record"
    draft.warn(
        "jurisdiction_union",
        f"{why}, so every label's restrictions apply (the strictest reading) to "
        + ", ".join(dict.fromkeys(draft.every_label)),
        "/jurisdiction",
    )


__all__ = ["plan_drugs"]
