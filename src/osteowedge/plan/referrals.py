"""Referrals and follow-up (pure)."""

from __future__ import annotations

from osteowedge.knowledge.cite import statement
from osteowedge.knowledge.schema import Procedure
from osteowedge.model.patient import symptom_ids
from osteowedge.plan import guidance
from osteowedge.plan.context import PlanContext, PlanDraft


def referrals(ctx: PlanContext, draft: PlanDraft) -> None:
    """Urgent spinal surgery or medical assessment; augmentation review for a painful fracture."""
    rules = guidance.care(ctx.kb).referral
    rule = guidance.REFERRAL
    exam = ctx.record.exam
    fired = [t for t in rules.urgent_exam_triggers if exam is not None and getattr(exam, t, None)]
    if fired:
        names = ", ".join(ctx.kb.typed(p, Procedure).name for p in rules.urgent_procedures)
        draft.add(
            "referrals",
            statement(
                ctx.kb,
                "urgent_spinal_surgery_referral",
                "Urgent spinal surgical referral",
                [
                    f"Exam: {', '.join(fired)}",
                    f"Decompression and stabilisation may be needed ({names})",
                ],
                [rule, *rules.urgent_procedures],
            ),
        )
    elif ctx.triage.urgency == "urgent":
        flags = [f.id for f in ctx.triage.red_flags]
        draft.add(
            "referrals",
            statement(
                ctx.kb,
                "urgent_medical_assessment",
                "Urgent medical assessment",
                [f"Red flags: {', '.join(flags) or 'urgent triage'}"],
                [f for f in flags if f in ctx.kb] or [rule],
            ),
        )
    draft.rule("plan.R-referral-urgent", bool(fired), [rule], triggers=",".join(fired))
    painful = set(rules.painful_symptoms) & set(symptom_ids(ctx.record))
    percussion = exam is not None and exam.spinous_percussion_tenderness
    augment = ctx.vertebral_fracture and bool(painful or percussion)
    if augment:
        procedures = [ctx.kb.typed(i, Procedure) for i in rules.augmentation_procedures]
        draft.add(
            "referrals",
            statement(
                ctx.kb,
                "vertebral_augmentation_review",
                "Specialist review for vertebroplasty or kyphoplasty if the pain does not "
                "settle with conservative care",
                [
                    "Painful vertebral fracture ("
                    + (", ".join(sorted(painful)) or "tenderness")
                    + ")",
                    *(p.indications[0] for p in procedures if p.indications),
                ],
                [rule, *rules.augmentation_procedures],
            ),
        )
    draft.rule("plan.R-referral-augmentation", augment, [rule])


def follow_up(ctx: PlanContext, draft: PlanDraft) -> None:
    """DXA monitoring on glucocorticoids; on-time denosumab; the antiresorptive after an
    anabolic."""
    if ctx.glucocorticoids:
        span = guidance.care(ctx.kb).dxa_repeat_years
        draft.add(
            "follow_up",
            statement(
                ctx.kb,
                "dxa_monitoring",
                f"Repeat DXA every {span.text()} years while glucocorticoids continue",
                ["ACR 2022: monitor BMD during glucocorticoid therapy"],
                [guidance.MONITORING],
            ),
        )
    for rec in draft.pharmacological:
        drug = ctx.drugs[rec.drug]
        if drug.id == "denosumab":
            draft.add(
                "follow_up",
                statement(
                    ctx.kb,
                    "denosumab_on_time",
                    f"Give {drug.name.lower()} {drug.frequency.replace('_', ' ')} on time; "
                    "never stop without a follow-on",
                    [drug.on_stop or ""],
                    ["denosumab", guidance.DENOSUMAB_STOP],
                ),
            )
        if drug.anabolic:
            blocked = [ctx.drugs[d].name for d in drug.follow_on if d in draft.avoid]
            reasons = [drug.on_stop or ""]
            if blocked and len(blocked) == len(drug.follow_on):
                reasons.append(
                    f"The usual follow-on ({', '.join(blocked)}) is avoided for this patient "
                    "(see what to avoid): plan what follows with a specialist before starting"
                )
            draft.add(
                "follow_up",
                statement(
                    ctx.kb,
                    f"{drug.id}_follow_on",
                    f"Plan the antiresorptive that follows {drug.name}",
                    reasons,
                    [drug.id, guidance.ACR],
                ),
            )


__all__ = ["follow_up", "referrals"]
