"""The plan, as a pipeline of stages over typed knowledge (pure; every fact from the knowledge
base).

1. candidates: what the patient takes or stopped comes first (:mod:`.sequencing`), then the
   ranked options of the first guideline pathway that matches (:mod:`.candidates`);
2. screening: each candidate, each drug the patient takes and every other osteoporosis drug is
   screened against the record and the applicable labels (:mod:`.drugs`, through
   :mod:`.drug_screen` and :mod:`.screening`, where missing, stale and undated data restrict and
   never permit); screened-out drugs go to ``plan.avoid`` with their reasons and labels;
3. sequencing after the choice: drug holidays (:mod:`.sequencing`);
4. care around the drugs: supplements, conservative care, advice (:mod:`.care`), referrals and
   follow-up (:mod:`.referrals`).

Each stage reads the :class:`~osteowedge.plan.context.PlanContext` and writes the
:class:`~osteowedge.plan.context.PlanDraft`; every rule it applies is traced under an id declared
in the knowledge base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import (
    BoneDensity,
    GlucocorticoidExposure,
    GradedVertebra,
    IatrogenicCause,
    Plan,
    Risk,
    Statement,
    Triage,
)
from osteowedge.model.context import EngineNotes, LabContext
from osteowedge.model.patient import PatientRecord
from osteowedge.plan.candidates import guideline_candidates
from osteowedge.plan.care import advice, conservative, supplements
from osteowedge.plan.context import PlanContext, PlanDraft
from osteowedge.plan.drugs import plan_drugs
from osteowedge.plan.referrals import follow_up, referrals
from osteowedge.plan.sequencing import drug_holiday, sequencing_candidates


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    notes: EngineNotes


def make_plan(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    *,
    risk: Risk,
    causes: Sequence[IatrogenicCause],
    glucocorticoids: GlucocorticoidExposure | None,
    on_systemic_glucocorticoids: bool,
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
    diagnoses: Sequence[Statement],
    labs: LabContext,
    triage: Triage,
) -> PlanResult:
    """The treatment plan for one patient (pure)."""
    current = (
        None
        if glucocorticoids is None
        else glucocorticoids.current_prednisone_equivalent_mg_per_day
    )
    ctx = PlanContext.build(
        record,
        kb,
        as_of,
        risk=risk,
        causes=causes,
        lowest_t_score=bone_density.lowest_t_score,
        on_gc=on_systemic_glucocorticoids or (current is not None and current > 0),
        vertebrae=vertebrae,
        diagnoses=diagnoses,
        labs=labs,
        triage=triage,
    )
    draft = PlanDraft(kb)
    candidates = [*sequencing_candidates(ctx, draft), *guideline_candidates(ctx, draft)]
    plan_drugs(ctx, draft, candidates)
    drug_holiday(ctx, draft)
    for stage in (supplements, conservative, advice, referrals, follow_up):
        stage(ctx, draft)
    return PlanResult(plan=draft.plan(), notes=draft.notes())


__all__ = ["PlanResult", "make_plan"]
