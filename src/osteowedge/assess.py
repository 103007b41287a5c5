"""The one pipeline: PatientRecord + KnowledgeBase -> Assessment (pure).

exposure -> morphometry -> densitometry -> triage -> workup -> risk -> diagnoses -> plan ->
education. Morphometry comes before densitometry: fractured vertebrae leave the spine BMD and a
fragility fracture changes the diagnosis. Every interface calls :func:`assess`; none re-implements
a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from osteowedge import __version__
from osteowedge.densitometry import assess_bone_density
from osteowedge.diagnosis import make_diagnoses
from osteowedge.education import make_education
from osteowedge.errors import InputError, Problem
from osteowedge.exposure import assess_exposure
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.assessment import (
    Assessment,
    BoneDensity,
    IatrogenicCause,
    Plan,
    ReferenceOut,
    Risk,
    Statement,
    TraceEntry,
    Triage,
    Warning,
    Workup,
)
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import PatientRecord
from osteowedge.morphometry.exam import assess_vertebrae
from osteowedge.plan import make_plan
from osteowedge.plausibility import check_plausible
from osteowedge.risk import assess_risk
from osteowedge.triage import assess_triage
from osteowedge.workup import assess_workup

_Parts = tuple[
    BoneDensity,
    Sequence[IatrogenicCause],
    Sequence[Statement],
    Triage,
    Risk,
    Workup,
    Plan,
]
_PLAN_LISTS = tuple(name for name in Plan.model_fields if name not in {"pharmacological", "avoid"})


def _references(kb: KnowledgeBase, assessment_parts: _Parts) -> list[ReferenceOut]:
    """The references every statement cites, first cited first (statements cite by id)."""
    density, causes, diagnoses, triage, risk, workup, plan = assessment_parts
    cited: list[str] = list(density.citation_ids)
    for items in (
        causes,
        diagnoses,
        triage.red_flags,
        risk.basis,
        workup.recommended_tests,
        workup.lab_findings,
        plan.pharmacological,
        plan.avoid,
        *(getattr(plan, name) for name in _PLAN_LISTS),
    ):
        for item in items:
            cited.extend(item.citation_ids)
    table = kb.derived("assess.reference_out", _reference_table)
    return [table[ref_id] for ref_id in dict.fromkeys(cited)]


def _reference_table(kb: KnowledgeBase) -> dict[str, ReferenceOut]:
    return {
        ref.id: ReferenceOut(id=ref.id, label=ref.label, url=ref.url, doi=ref.doi, pmid=ref.pmid)
        for ref in kb.references.values()
    }


def assess(
    record: PatientRecord,
    kb: KnowledgeBase,
    *,
    as_of: dt.date | None = None,
    software_version: str = __version__,
) -> Assessment:
    """Assess one patient. ``as_of`` (or the record's own) is the date every rule looks from."""
    when = as_of or record.as_of
    if when is None:
        raise InputError(
            f"patient record {record.id!r} has no as_of date",
            [Problem("/as_of", "the date the assessment is made for (YYYY-MM-DD)", None)],
        )

    check_plausible(record, kb, when)
    exposure = assess_exposure(record, kb, when)
    spine = assess_vertebrae(record, kb)
    density = assess_bone_density(record, kb, when, spine.vertebrae)
    triage = assess_triage(record, kb, when)
    gc = exposure.glucocorticoids
    on_systemic = bool(exposure.systemic_gc_scope_met) or bool(
        gc is not None and (gc.current_prednisone_equivalent_mg_per_day or 0) > 0
    )
    workup = assess_workup(
        record,
        kb,
        when,
        causes=exposure.causes,
        triage=triage.triage,
        on_systemic_glucocorticoids=on_systemic,
    )
    risk = assess_risk(
        record,
        kb,
        when,
        glucocorticoids=gc,
        systemic_gc_scope_met=exposure.systemic_gc_scope_met,
        bone_density=density.bone_density,
        vertebrae=spine.vertebrae,
    )
    diagnoses = make_diagnoses(
        record,
        kb,
        causes=exposure.causes,
        bone_density=density.bone_density,
        vertebrae=spine.vertebrae,
    )
    plan = make_plan(
        record,
        kb,
        when,
        risk=risk.risk,
        causes=exposure.causes,
        glucocorticoids=gc,
        on_systemic_glucocorticoids=on_systemic,
        bone_density=density.bone_density,
        vertebrae=spine.vertebrae,
        diagnoses=diagnoses,
        labs=workup.labs,
        triage=triage.triage,
    )
    education = make_education(
        kb,
        causes=exposure.causes,
        bone_density=density.bone_density,
        vertebrae=spine.vertebrae,
        diagnoses=diagnoses,
        triage=triage.triage,
        risk=risk.risk,
        plan=plan.plan,
        workup_ids=[t.id for t in workup.workup.recommended_tests],
    )

    notes: list[EngineNotes] = [
        exposure.notes,
        spine.notes,
        density.notes,
        triage.notes,
        workup.notes,
        risk.notes,
        plan.notes,
    ]
    warnings: list[Warning] = [w for n in notes for w in n.warnings]
    trace: list[TraceEntry] = [t for n in notes for t in n.trace]
    parts: _Parts = (
        density.bone_density,
        exposure.causes,
        diagnoses,
        triage.triage,
        risk.risk,
        workup.workup,
        plan.plan,
    )
    return Assessment(
        patient_id=record.id,
        as_of=when,
        knowledge_version=kb.knowledge_version,
        software_version=software_version,
        bone_density=density.bone_density,
        vertebrae=list(spine.vertebrae),
        spinal_deformity_index=spine.spinal_deformity_index,
        sdi_levels=list(spine.sdi_levels),
        iatrogenic_causes=list(exposure.causes),
        glucocorticoid_exposure=gc,
        diagnoses=diagnoses,
        triage=triage.triage,
        risk=risk.risk,
        workup=workup.workup,
        plan=plan.plan,
        education=education,
        references=_references(kb, parts),
        trace=trace,
        warnings=warnings,
    )
