"""Exposure: medications and non-drug exposures -> iatrogenic causes; glucocorticoid dose.

``assess_exposure(record, kb, as_of)`` is pure: typed values in, typed values out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osteowedge.exposure.causes import Evaluation, evaluate_cause, exposure_cause_id
from osteowedge.exposure.glucocorticoids import GcResult, assess_glucocorticoids
from osteowedge.exposure.medications import Match, index_for, recognise
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Cause
from osteowedge.model.assessment import (
    GlucocorticoidExposure,
    IatrogenicCause,
    TraceEntry,
    Warning,
)
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import Medication, PatientRecord

__all__ = ["ExposureResult", "assess_exposure"]

GC_CAUSE = "glucocorticoids"


@dataclass(frozen=True)
class ExposureResult:
    causes: tuple[IatrogenicCause, ...]
    glucocorticoids: GlucocorticoidExposure | None
    """``None`` when no glucocorticoid is in the record."""
    systemic_gc_scope_met: bool | None
    """ACR scope: systemic >= 2.5 mg/day for > 3 months; ``None`` when the data cannot tell."""
    notes: EngineNotes


def assess_exposure(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> ExposureResult:
    """Every iatrogenic cause the record shows, with whether its threshold is met."""
    index = index_for(kb)
    warnings: list[Warning] = []
    trace: list[TraceEntry] = []
    found: dict[str, Evaluation] = {}
    gc_items: list[tuple[int, Medication, Match]] = []

    for i, med in enumerate(record.medications):
        match = recognise(index, med)
        shown = med.name or med.atc or med.rxnorm
        if match is None:
            warnings.append(
                Warning(
                    code="unrecognised_medication",
                    message=f"medication {shown!r} is not in the knowledge base"
                    + (
                        " (RxNorm codes are not mapped yet; give the name or ATC code)"
                        if not (med.name or med.atc)
                        else ""
                    )
                    + "; it was not checked as a cause of bone loss",
                    path=f"/medications/{i}",
                )
            )
            continue
        trace.append(
            TraceEntry(
                rule_id="exposure.recognise",
                fired=match.is_cause,
                knowledge_ids=[match.record_id],
                inputs={"medication": f"/medications/{i}", "matched_on": match.matched_on},
            )
        )
        if not match.is_cause:
            continue
        found.setdefault(match.record_id, Evaluation()).medications.append((i, med, match))
        if match.record_id == GC_CAUSE:
            gc_items.append((i, med, match))

    for i, exposure in enumerate(record.exposures):
        cause_id = exposure_cause_id(kb, exposure.kind)
        if cause_id is None:
            warnings.append(
                Warning(
                    code="unrecognised_exposure",
                    message=f"exposure kind {exposure.kind!r} maps to no cause",
                    path=f"/exposures/{i}/kind",
                )
            )
            continue
        found.setdefault(cause_id, Evaluation()).exposures.append((i, exposure, exposure.kind))

    gc: GcResult | None = None
    if gc_items:
        gc = assess_glucocorticoids(gc_items, kb, as_of)
        warnings.extend(gc.warnings)

    causes: list[IatrogenicCause] = []
    order = [c.id for c in kb.of_kind(Cause)]
    for cause_id in sorted(found, key=lambda c: order.index(c) if c in order else len(order)):
        cause, entry = evaluate_cause(
            kb.typed(cause_id, Cause), found[cause_id], record, kb, as_of, gc, warnings
        )
        causes.append(cause)
        trace.append(entry)

    scope: bool | None = False if gc is None else gc.scope_met
    trace.append(
        TraceEntry(
            rule_id="glucocorticoid_scope.R-in-scope",
            fired=scope is True,
            knowledge_ids=["glucocorticoid_scope"],
            inputs={"scope_met": scope, "glucocorticoid_medications": len(gc_items)},
        )
    )
    return ExposureResult(
        causes=tuple(causes),
        glucocorticoids=None if gc is None else gc.exposure,
        systemic_gc_scope_met=scope,
        notes=EngineNotes(warnings=tuple(warnings), trace=tuple(trace)),
    )
