"""Supplements, conservative care and advice, each screened against the record (pure)."""

from __future__ import annotations

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import statement
from osteowedge.knowledge.schema import Advice, Contraindication, RecordBase, Therapy
from osteowedge.model.assessment import Statement
from osteowedge.model.patient import symptom_ids
from osteowedge.plan import guidance
from osteowedge.plan.context import (
    NOT_STANDARD,
    PlanContext,
    PlanDraft,
)
from osteowedge.plan.drug_screen import Screened, screen_contraindications

_THERAPY_SECTIONS = {
    "physiotherapy_electrotherapy": "non_pharmacological",
    "exercise_therapies": "exercise",
    "mind_body_therapies": "mind_body",
    "educational_self_management": "education",
}
_ADVICE_LISTS = {"prevention": "prevention", "do": "do", "avoid": "avoid_activities"}


def _screen(ctx: PlanContext, record: object, knowledge_ids: list[str] | None = None) -> Screened:
    screened = Screened(knowledge_ids=knowledge_ids or [])
    cis: list[Contraindication] = getattr(record, "contraindications", [])
    screen_contraindications(ctx.screener, cis, screened)
    return screened


def supplements(ctx: PlanContext, draft: PlanDraft) -> None:
    """Calcium and vitamin D where drugs or glucocorticoids need them; vitamin D repletion."""
    rules = guidance.intake(ctx.kb)
    needs = (
        ctx.glucocorticoids
        or bool(draft.pharmacological)
        or bool(ctx.diagnosis_ids & {"osteoporosis", "vertebral_fracture"})
    )
    if needs:
        ca, vd = rules.calcium_mg_per_day, rules.vitamin_d_iu_per_day
        for item_id, label, reason in (
            (
                "calcium",
                f"Calcium {ca.text()} mg a day from diet and supplements together",
                "ACR 2022 R1: calcium for everyone on glucocorticoids",
            ),
            (
                "cholecalciferol",
                f"Vitamin D {vd.text()} IU a day",
                "ACR 2022 R1: vitamin D for everyone on glucocorticoids",
            ),
        ):
            screened = _screen(ctx, ctx.kb.get(item_id), [item_id])
            ids = [item_id, guidance.INTAKE, guidance.ACR]
            if screened.out:
                draft.avoid_item(item_id, screened.out, ids, screened)
                continue
            if not ctx.glucocorticoids:
                reason = "Calcium and vitamin D with osteoporosis treatment or diagnosis"
            draft.add(
                "supplements", statement(ctx.kb, item_id, label, [reason, *screened.caution], ids)
            )
        draft.rule(
            "calcium_vitamin_d.R-intake",
            True,
            [guidance.INTAKE],
            glucocorticoids=ctx.glucocorticoids,
        )
        if (
            ctx.labs.vitamin_d_25oh_ng_ml is None
            and "vitamin_d_25_hydroxy" not in ctx.labs.status
            and not ctx.vitamin_d_low
        ):
            draft.warn(
                "vitamin_d_unknown",
                "No recent 25-hydroxyvitamin D: repletion need could not be checked",
                "/labs",
            )
    if ctx.vitamin_d_low:
        _repletion(ctx, draft)
    # non-standard supplements: listed only when the record shows a reason to avoid them
    for record, status in ctx.kb.derived("plan.nonstandard_supplements", _nonstandard):
        screened = _screen(ctx, record)
        shown = screened.out + screened.caution
        if shown:
            draft.avoid_item(
                record.id,
                [*shown, f"{record.name}: {status.replace('_', ' ')}, not standard care"],
                [record.id],
                screened,
            )


def _repletion(ctx: PlanContext, draft: PlanDraft) -> None:
    rules = guidance.intake(ctx.kb)
    screened = _screen(ctx, ctx.drugs["ergocalciferol"])
    ids = ["ergocalciferol", guidance.INTAKE, "vitamin_d_status"]
    if screened.out:
        draft.avoid_item("ergocalciferol", screened.out, ids, screened)
    else:
        rep = rules.repletion
        draft.add(
            "supplements",
            statement(
                ctx.kb,
                "vitamin_d_repletion",
                f"Vitamin D repletion: {rep.loading_iu_weekly:,} IU weekly for "
                f"{rules.loading_weeks.text()} weeks, then {rep.maintenance_iu_per_day} IU a day",
                ["25-hydroxyvitamin D is low", *screened.caution],
                ids,
            ),
        )
        draft.add(
            "follow_up",
            statement(
                ctx.kb,
                "vitamin_d_recheck",
                "Recheck 25-hydroxyvitamin D after the loading course",
                ["Confirm repletion before starting drugs that need it"],
                ids,
            ),
        )
    draft.rule(
        "calcium_vitamin_d.R-repletion",
        True,
        [guidance.INTAKE],
        vitamin_d_ng_ml=ctx.labs.vitamin_d_25oh_ng_ml,
    )


def conservative(ctx: PlanContext, draft: PlanDraft) -> None:
    """Physiotherapy, exercise, mind-body and education by indication, screened."""
    table = guidance.care(ctx.kb).conservative_by_trigger
    kb_lists = ctx.kb.derived("plan.therapy_lists", _therapy_lists)
    triggers = ["always"]
    if ctx.vertebral_fracture:
        triggers.append("vertebral_fracture")
    if draft.pharmacological:
        triggers.append("osteoporosis_drug")
    triggers.extend(f"symptom.{s}" for s in symptom_ids(ctx.record))
    for trigger in triggers:
        for item_id in table.get(trigger, []):
            record = ctx.kb.typed(item_id, Therapy)
            screened = _screen(ctx, record)
            ids = [item_id, guidance.CONSERVATIVE]
            if screened.out or (record.status in NOT_STANDARD and screened.caution):
                draft.add(
                    "avoid_activities",
                    statement(
                        ctx.kb,
                        item_id,
                        f"Avoid: {record.name}",
                        [*screened.out, *screened.caution],
                        ids,
                    ),
                )
                draft.rule("plan.R-activity-screen", True, ids, item=item_id)
                continue
            if record.status in NOT_STANDARD:
                continue
            reasons = [
                f"Indication: {trigger.replace('symptom.', 'symptom ')}",
                *screened.caution,
                *(f"Not checked: {u}" for u in screened.unverified),
            ]
            draft.add(kb_lists[record.id], statement(ctx.kb, item_id, record.name, reasons, ids))
            for ci in record.contraindications:
                if ci.severity == "caution" and ctx.screener.check(ci).shown is not None:
                    draft.add(
                        "avoid_activities",
                        statement(
                            ctx.kb,
                            f"{item_id}_adaptation",
                            f"While doing {record.name}",
                            [ci.reason],
                            [item_id],
                        ),
                    )


def advice(ctx: PlanContext, draft: PlanDraft) -> None:
    """The knowledge base's advice, where it applies to this patient."""
    holiday = guidance.holiday(ctx.kb)
    on_bisphosphonate = bool(
        ctx.current_drugs((*holiday.oral_bisphosphonates, *holiday.iv_bisphosphonates))
    )
    conditional = {
        "minimize_glucocorticoid_exposure": ctx.glucocorticoids,
        "bisphosphonate_drug_holiday": on_bisphosphonate and not ctx.glucocorticoids,
        "lumbar_bracing": ctx.vertebral_fracture,
        "monitor_bone_markers": bool(draft.pharmacological),
        # no calcium and vitamin D advice when the record shows they must be avoided
        "adequate_calcium_vitamin_d": not ({"calcium", "cholecalciferol"} & set(draft.avoid)),
    }
    for advice_id, target, item in ctx.kb.derived("plan.advice", _advice_statements):
        if conditional.get(advice_id, True):
            draft.add(target, item)


def _therapy_lists(kb: KnowledgeBase) -> dict[str, str]:
    """The plan list each therapy goes to: its first section that names one."""
    return {
        record.id: next(
            (_THERAPY_SECTIONS[s] for s in record.sections if s in _THERAPY_SECTIONS),
            "non_pharmacological",
        )
        for record in kb.of_kind(Therapy)
    }


def _nonstandard(kb: KnowledgeBase) -> tuple[tuple[RecordBase, str], ...]:
    """The dietary supplements whose status is not standard care, with that status."""
    found: list[tuple[RecordBase, str]] = []
    for record in kb.section("dietary_supplements"):
        status = getattr(record, "status", "standard")
        if status in NOT_STANDARD:
            found.append((record, status))
    return tuple(found)


def _advice_statements(kb: KnowledgeBase) -> tuple[tuple[str, str, Statement], ...]:
    """(advice id, plan list, statement) for every advice record. A statement depends on its
    record alone, and statements are frozen, so each is built once per knowledge base."""
    return tuple(
        (
            item.id,
            _ADVICE_LISTS[item.advice_type],
            statement(kb, item.id, item.text, [item.rationale], [item.id]),
        )
        for item in kb.of_kind(Advice)
    )


__all__ = ["advice", "conservative", "supplements"]
