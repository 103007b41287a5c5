"""The LabContext builder: renal function, corrected calcium and vitamin D from the latest
usable results; stale or undated results kept apart (they restrict only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.knowledge.schema import Test
from osteowedge.model.age import age_at
from osteowedge.model.assessment import LabFinding, TraceEntry, Warning
from osteowedge.model.context import LabContext, StaleResult
from osteowedge.model.patient import PatientRecord
from osteowedge.workup.lab_equations import ckd_epi_2021, cockcroft_gault, corrected_calcium
from osteowedge.workup.lab_freshness import Usable
from osteowedge.workup.lab_results import LabReport
from osteowedge.workup.lab_status import Status, classify, default_range, range_text
from osteowedge.workup.lab_units import EGFR_REPORTED, canonical_unit, convertible

CALCIUM_UNIT = "mg/dL"
ALBUMIN_UNIT = "g/dL"
VITAMIN_D_UNIT = "ng/mL"


def build_context(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    usable: Mapping[str, Usable],
    report: LabReport,
    stale: Mapping[str, Usable],
) -> LabContext:
    status = {k: u.status for k, u in usable.items()}
    values = {k: u.value for k, u in usable.items() if u.value is not None}
    dates = {k: u.date for k, u in usable.items() if u.date is not None}
    age = age_at(record, as_of)
    stale_egfr, stale_crcl = _stale_renal(record, kb, stale, age)

    creatinine = values.get("creatinine_egfr")
    egfr: float | None = None
    crcl: float | None = None
    if creatinine is None:
        reported = values.get(EGFR_REPORTED)
        msg = "no current serum creatinine: eGFR and creatinine clearance not computed"
        if reported is not None:
            egfr = reported
            msg += "; the laboratory's reported eGFR is used, creatinine clearance is unknown"
        report.warnings.append(Warning(code="creatinine_missing", message=msg, path="/labs"))
    elif age is None:
        report.warnings.append(
            Warning(
                code="age_missing",
                message="age unknown: eGFR and creatinine clearance not computed",
                path="/birth_date",
            )
        )
    else:
        egfr = ckd_epi_2021(kb, creatinine, age, record.sex)
        report.trace.append(
            TraceEntry(
                rule_id="ckd_epi_2021.R-creatinine",
                fired=True,
                knowledge_ids=["ckd_epi_2021", "creatinine_egfr"],
                inputs={
                    "creatinine_mg_dl": creatinine,
                    "age": age,
                    "sex": record.sex,
                    "egfr": round(egfr, 2),
                },
            )
        )
        if record.weight_kg is None:
            report.warnings.append(
                Warning(
                    code="weight_missing",
                    message="no weight: creatinine clearance (Cockcroft-Gault, the measure the "
                    "drug labels' renal cut-offs use) not computed",
                    path="/weight_kg",
                )
            )
        else:
            crcl = cockcroft_gault(kb, creatinine, age, record.weight_kg, record.sex)
            report.trace.append(
                TraceEntry(
                    rule_id="cockcroft_gault.R-crcl",
                    fired=True,
                    knowledge_ids=["cockcroft_gault", "creatinine_egfr"],
                    inputs={
                        "creatinine_mg_dl": creatinine,
                        "age": age,
                        "weight_kg": record.weight_kg,
                        "sex": record.sex,
                        "crcl": round(crcl, 2),
                        "weight_basis": "actual_body_weight",
                    },
                )
            )

    calcium = _in_unit(usable, "serum_calcium", CALCIUM_UNIT, kb)
    albumin = _in_unit(usable, "serum_albumin", ALBUMIN_UNIT, kb)
    corrected: float | None = None
    if calcium is not None and albumin is not None:
        corrected = corrected_calcium(kb, calcium, albumin)
        rng = default_range(
            CALCIUM_UNIT, list(kb.typed("serum_calcium", Test).reference_ranges), "serum_calcium"
        )
        ca_lab = record.labs[usable["serum_calcium"].index]
        low: float | None
        high: float | None
        if ca_lab.reference_low is not None or ca_lab.reference_high is not None:
            unit = ca_lab.unit or CALCIUM_UNIT
            low = _opt_convert(ca_lab.reference_low, unit, CALCIUM_UNIT)
            high = _opt_convert(ca_lab.reference_high, unit, CALCIUM_UNIT)
            basis = "the laboratory's calcium range"
        elif rng is not None and rng[0].verification != "U":
            _, low, high = rng
            basis = "the knowledge default calcium range"
        else:
            low = high = None
            basis = "no range"
        corr_status: Status = (
            "unknown" if basis == "no range" else classify(corrected, None, low, high)
        )
        status["albumin_corrected_calcium"] = corr_status
        values["albumin_corrected_calcium"] = corrected
        dates["albumin_corrected_calcium"] = min(dates["serum_calcium"], dates["serum_albumin"])
        kids = ["albumin_corrected_calcium", "serum_calcium", "serum_albumin"]
        report.findings.append(
            LabFinding(
                id="albumin_corrected_calcium",
                label="Albumin-corrected calcium",
                value=round(corrected, 2),
                unit=CALCIUM_UNIT,
                status=corr_status,
                reasons=[
                    f"{calcium:.2f} mg/dL + {_fact(kb, 'factor_mg_dl_per_g_dl'):g} x "
                    f"({_fact(kb, 'normal_albumin_g_dl'):g} - {albumin:.2f} g/dL) "
                    f"= {corrected:.2f} mg/dL",
                    f"judged against {basis}"
                    + (
                        "" if low is None and high is None else f" {range_text(low, high, 'mg/dL')}"
                    ),
                ],
                knowledge_ids=kids,
                citation_ids=citation_ids(kb, kids),
            )
        )
    elif calcium is not None:
        report.warnings.append(
            Warning(
                code="albumin_missing",
                message="calcium without a current albumin: the albumin-corrected calcium is "
                "unknown (hypoalbuminaemia can hide true hypocalcaemia)",
                path="/labs",
            )
        )

    vitamin_d = _in_unit(usable, "vitamin_d_25_hydroxy", VITAMIN_D_UNIT, kb)
    return LabContext(
        egfr_ml_min_1_73m2=egfr,
        creatinine_clearance_ml_min=crcl,
        corrected_calcium_mg_dl=corrected,
        vitamin_d_25oh_ng_ml=vitamin_d,
        status=status,
        values=values,
        dates=dates,
        stale={
            k: StaleResult(u.value, u.status, u.date, u.shown, u.window_days)
            for k, u in stale.items()
        },
        stale_egfr_ml_min_1_73m2=stale_egfr,
        stale_creatinine_clearance_ml_min=stale_crcl,
    )


def _stale_renal(
    record: PatientRecord, kb: KnowledgeBase, stale: Mapping[str, Usable], age: float | None
) -> tuple[float | None, float | None]:
    """eGFR and creatinine clearance from a stale or undated creatinine (they restrict only);
    a stale laboratory-reported eGFR stands in for the eGFR when there is no creatinine."""
    creatinine = stale.get("creatinine_egfr")
    reported = stale.get(EGFR_REPORTED)
    if creatinine is None or creatinine.value is None or age is None:
        return (reported.value if reported is not None else None), None
    egfr = ckd_epi_2021(kb, creatinine.value, age, record.sex)
    crcl = (
        None
        if record.weight_kg is None
        else cockcroft_gault(kb, creatinine.value, age, record.weight_kg, record.sex)
    )
    return egfr, crcl


def _in_unit(
    usable: Mapping[str, Usable], test_id: str, unit: str, kb: KnowledgeBase
) -> float | None:
    found = usable.get(test_id)
    if found is None or found.value is None:
        return None
    target = canonical_unit(kb.typed(test_id, Test), kb, "measured")
    if target is None:
        return None
    return convertible(found.value, target, unit, test_id)


def _opt_convert(value: float | None, unit: str, target: str) -> float | None:
    if value is None:
        return None
    return convertible(value, unit, target, "serum_calcium")


def _fact(kb: KnowledgeBase, name: str) -> float:
    return float(kb.decision_fact("albumin_corrected_calcium", name))
