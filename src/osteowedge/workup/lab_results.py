"""One lab result interpreted: its finding (status against a range, unit conversion,
freshness) and, when dated up to ``as_of``, the usable result it contributes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from osteowedge.errors import InputError, Problem
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.knowledge.schema import Test
from osteowedge.model.assessment import LabFinding, TraceEntry, Warning
from osteowedge.model.context import LabContext
from osteowedge.model.patient import Lab
from osteowedge.units import normalize_unit
from osteowedge.workup.lab_freshness import Usable, check_fresh
from osteowedge.workup.lab_status import Status, reference_status
from osteowedge.workup.lab_units import EGFR_REPORTED, canonical_unit, convertible


@dataclass
class LabReport:
    findings: list[LabFinding] = field(default_factory=list)
    context: LabContext = field(default_factory=LabContext)
    warnings: list[Warning] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)


def interpret_result(
    i: int,
    lab: Lab,
    test: Test,
    kind: str,
    kb: KnowledgeBase,
    as_of: dt.date,
    report: LabReport,
) -> Usable | None:
    reasons: list[str] = []
    kids = [test.id]
    label = test.name if kind != EGFR_REPORTED else "eGFR (reported by the laboratory)"
    shown = f"{lab.comparator or ''}{lab.value:g} {lab.unit or '(no unit)'}"
    reasons.append(f"result {shown}" + (f" on {lab.date}" if lab.date else " (undated)"))

    def finding(status: Status) -> None:
        report.findings.append(
            LabFinding(
                id=test.id if kind != EGFR_REPORTED else EGFR_REPORTED,
                label=label,
                value=lab.value,
                unit=lab.unit,
                status=status,
                reasons=reasons,
                knowledge_ids=kids,
                citation_ids=citation_ids(kb, kids),
            )
        )

    if lab.unit is None:
        report.warnings.append(
            Warning(
                code="lab_unit_missing",
                message=f"{test.name} has no unit; the value cannot be interpreted",
                path=f"/labs/{i}/unit",
            )
        )
        reasons.append("no unit: not interpreted")
        finding("unknown")
        return None
    unit = lab.unit
    target = canonical_unit(test, kb, kind)
    ranges = [] if kind == EGFR_REPORTED else list(test.reference_ranges)
    candidates = [target] if target else []
    candidates += [normalize_unit(r.unit) for r in ranges]
    if candidates and all(convertible(1.0, unit, c, test.id) is None for c in candidates):
        expected = ", ".join(dict.fromkeys(candidates))
        raise InputError(
            f"lab {i} ({test.name}) is in {unit!r}, a unit of the wrong dimension for this test",
            [
                Problem(
                    f"/labs/{i}/unit", f"a unit of the test's dimension, such as {expected}", unit
                )
            ],
        )

    status = reference_status(lab, unit, ranges, test.id, reasons)
    canonical = None if target is None else convertible(lab.value, unit, target, test.id)
    if canonical is not None and target != unit:
        reasons.append(f"= {canonical:.4g} {target}")

    fresh = check_fresh(i, lab, test, kind, as_of, reasons, report.warnings)
    finding(status)
    if lab.date is not None and lab.date > as_of:
        return None
    window = test.freshness_days
    return Usable(
        test.id,
        canonical,
        status,
        lab.date,
        i,
        fresh and lab.date is not None,
        shown + (f" on {lab.date}" if lab.date else " (undated)"),
        None if window is None or window.verification == "U" else int(window.value),
    )
