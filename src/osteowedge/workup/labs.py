"""Lab interpretation: LOINC -> knowledge test, units, reference ranges, freshness, equations.

A laboratory's own reference range wins over the knowledge default; a default range marked U
(unverified) decides nothing (status ``unknown``). A result older than its test's
``freshness_days``, or undated, cannot clear anything: it is kept apart (``LabContext.stale``)
so that an abnormal value still restricts. A result dated after ``as_of`` is not used.
"""

from __future__ import annotations

import datetime as dt

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import Warning
from osteowedge.model.patient import PatientRecord
from osteowedge.workup.lab_context import build_context
from osteowedge.workup.lab_equations import ckd_epi_2021, cockcroft_gault, corrected_calcium
from osteowedge.workup.lab_freshness import Usable
from osteowedge.workup.lab_identify import identify, loinc_index
from osteowedge.workup.lab_results import LabReport, interpret_result
from osteowedge.workup.lab_status import classify
from osteowedge.workup.lab_units import EGFR_REPORTED, canonical_unit


def interpret_labs(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> LabReport:
    """Every lab of the record interpreted; the latest usable result per test in the context."""
    report = LabReport()
    index = kb.derived("workup.loinc_index", loinc_index)
    usable: dict[str, Usable] = {}
    latest: dict[str, Usable] = {}
    for i, lab in enumerate(record.labs):
        found = identify(lab, kb, index)
        if found is None:
            report.warnings.append(
                Warning(
                    code="lab_unrecognised",
                    message=f"lab {lab.code or lab.name!r} ({lab.system}) is not a test the "
                    "knowledge base knows; it is kept but no rule uses it",
                    path=f"/labs/{i}",
                )
            )
            continue
        test, kind = found
        result = interpret_result(i, lab, test, kind, kb, as_of, report)
        if result is not None:
            key = EGFR_REPORTED if kind == EGFR_REPORTED else test.id
            chosen = usable if result.fresh else latest
            best = chosen.get(key)
            if best is None or result.later_than(best):
                chosen[key] = result
    stale = {k: v for k, v in latest.items() if k not in usable}
    report.context = build_context(record, kb, as_of, usable, report, stale)
    return report


__all__ = [
    "LabReport",
    "canonical_unit",
    "ckd_epi_2021",
    "classify",
    "cockcroft_gault",
    "corrected_calcium",
    "interpret_labs",
]
