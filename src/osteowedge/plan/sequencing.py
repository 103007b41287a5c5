"""Sequencing: what the patient already takes or has stopped decides what comes first (pure).

- an osteoporosis drug taken now is offered first (continue it; never two at once);
- after denosumab, a bisphosphonate follows about 6 months after the last injection; past the
  overdue mark the follow-on is due now, with a prominent warning (ECTS 2021);
- after an anabolic course, an antiresorptive follows (ACR 2022 R7);
- after years of a bisphosphonate: reassess for a drug holiday, or not while glucocorticoids
  continue (ASBMR 2016).
"""

from __future__ import annotations

import datetime as dt

from osteowedge.knowledge.cite import statement
from osteowedge.model.age import add_months, months_between
from osteowedge.plan import guidance
from osteowedge.plan.candidates import Candidate
from osteowedge.plan.context import (
    PlanContext,
    PlanDraft,
)


def sequencing_candidates(ctx: PlanContext, draft: PlanDraft) -> list[Candidate]:
    """Drugs that come first because of what the patient takes or stopped."""
    current = [d for d, u in ctx.use.items() if u.current and ctx.drugs[d].is_osteoporosis_therapy]
    if current:
        out = []
        for drug_id in current:
            drug = ctx.drugs[drug_id]
            reasons = [
                "Currently taking: continue if it still suits (do not combine two "
                "osteoporosis drugs, ACR 2022 R9)"
            ]
            if drug.on_stop:
                reasons.append(drug.on_stop)
            out.append(Candidate(drug_id, tuple(reasons), (drug_id, guidance.ACR)))
        return out
    stopped = [
        (u.last_end, d)
        for d, u in ctx.use.items()
        if u.last_end is not None and ctx.drugs[d].is_osteoporosis_therapy
    ]
    if not stopped:
        return []
    last_end, drug_id = max(stopped)
    assert last_end is not None
    if drug_id == "denosumab":
        return _after_denosumab(ctx, draft, last_end)
    drug = ctx.drugs[drug_id]
    if not drug.anabolic:
        return []
    draft.rule("acr-2022-giop.R7", True, [guidance.ACR], stopped=drug_id)
    return [
        Candidate(
            follow,
            (f"{drug.name} course ended: follow it with an antiresorptive (ACR 2022 R7)",),
            (drug_id, guidance.PREFERENCE, guidance.ACR),
            f"Start when the {drug.name} course ends ({last_end.isoformat()})",
        )
        for follow in drug.follow_on
    ]


def _after_denosumab(ctx: PlanContext, draft: PlanDraft, last_end: dt.date) -> list[Candidate]:
    rules = guidance.denosumab_stop(ctx.kb)
    months = rules.follow_on_after_months
    due = add_months(last_end, months)
    timing = (
        f"Start about {months} months after the last denosumab injection "
        f"({last_end.isoformat()}): due {due.isoformat()}"
    )
    since = months_between(last_end, ctx.as_of)
    if since > rules.overdue_after_months:
        timing = (
            f"Overdue: the last denosumab injection was on {last_end.isoformat()}, "
            f"{since:.0f} months ago. Start now (or give denosumab now and plan the "
            "transition); do not wait"
        )
        draft.warn(
            "denosumab_overdue",
            f"Denosumab overdue: last injection {last_end.isoformat()}, {since:.0f} "
            f"months ago (more than {rules.overdue_after_months:g}). Rebound bone loss and "
            "multiple vertebral fractures can follow: give the follow-on now",
            "/medications",
        )
        draft.rule(
            "ects-2021.R-overdue",
            True,
            [guidance.DENOSUMAB_STOP],
            last_injection=last_end.isoformat(),
            months=round(since, 1),
        )
    draft.rule(
        "ects-2021.R-follow-on",
        True,
        [guidance.DENOSUMAB_STOP],
        last_injection=last_end.isoformat(),
        due=due.isoformat(),
    )
    return [
        Candidate(
            follow,
            (
                "Denosumab stopped: a bisphosphonate must follow to prevent rebound bone loss "
                "and multiple vertebral fractures (ECTS 2021)",
            ),
            (guidance.DENOSUMAB_STOP, "denosumab", guidance.ACR),
            timing,
        )
        for follow in ctx.drugs["denosumab"].follow_on
    ]


def drug_holiday(ctx: PlanContext, draft: PlanDraft) -> None:
    """Reassess after years of a bisphosphonate (ASBMR 2016)."""
    rules = guidance.holiday(ctx.kb)
    for group, years in (
        (rules.oral_bisphosphonates, rules.reassess_after_years_oral),
        (rules.iv_bisphosphonates, rules.reassess_after_years_iv),
    ):
        known = [m for d in ctx.current_drugs(group) if (m := ctx.use[d].months_used) is not None]
        if not known or max(known) / 12 < years:
            continue
        used_years = max(known) / 12
        ids = [guidance.HOLIDAY, "bisphosphonate_drug_holiday"]
        if ctx.glucocorticoids:
            draft.add(
                "follow_up",
                statement(
                    ctx.kb,
                    "no_drug_holiday_on_glucocorticoids",
                    "No bisphosphonate drug holiday while glucocorticoids continue",
                    [
                        f"{used_years:.1f} years of bisphosphonate; glucocorticoids "
                        "continue, so fracture risk stays high"
                    ],
                    ids,
                ),
            )
            draft.rule(
                "asbmr-2016.R-continue", True, [guidance.HOLIDAY], years=round(used_years, 1)
            )
            continue
        draft.add(
            "follow_up",
            statement(
                ctx.kb,
                "bisphosphonate_reassessment",
                "Reassess fracture risk: consider a bisphosphonate drug holiday",
                [
                    f"{used_years:.1f} years of bisphosphonate (reassess after {years:g})",
                    f"If not at high risk: a {rules.holiday_years.text()} year drug holiday; "
                    "if still at high risk continue",
                    rules.high_risk_definition,
                ],
                ids,
            ),
        )
        draft.rule("asbmr-2016.R-reassess", True, [guidance.HOLIDAY], years=round(used_years, 1))


__all__ = ["drug_holiday", "sequencing_candidates"]
