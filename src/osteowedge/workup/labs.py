"""Lab interpretation: LOINC -> knowledge test, units, reference ranges, freshness, equations.

A laboratory's own reference range wins over the knowledge default; a default range marked U
(unverified) decides nothing (status ``unknown``). A result older than its test's
``freshness_days``, or undated, cannot clear anything: it is kept apart (``LabContext.stale``)
so that an abnormal value still restricts. A result dated after ``as_of`` is not used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from osteowedge.codes import code_system
from osteowedge.errors import InputError, KnowledgeError, Problem, UnitError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.knowledge.schema import ReferenceRange, Test
from osteowedge.model.age import age_at
from osteowedge.model.assessment import LabFinding, TraceEntry, Warning
from osteowedge.model.context import LabContext, StaleResult
from osteowedge.model.patient import Lab, PatientRecord
from osteowedge.units import convert, normalize_unit

Status = Literal["low", "normal", "high", "unknown"]

# Which molar mass converts a test between mass and substance concentration (a unit-conversion
# lookup into osteowedge.units.MOLAR_MASS_G_PER_MOL, not a clinical fact).
ANALYTE: dict[str, str] = {
    "serum_calcium": "calcium",
    "ionized_calcium": "calcium",
    "serum_phosphate": "phosphate",
    "creatinine_egfr": "creatinine",
    "vitamin_d_25_hydroxy": "vitamin_d_25_hydroxy",
    "serum_albumin": "albumin",
    "testosterone": "testosterone",
}
EGFR_REPORTED = "egfr_reported"
EGFR_UNIT = "mL/min/{1.73_m2}"
CALCIUM_UNIT = "mg/dL"
ALBUMIN_UNIT = "g/dL"
VITAMIN_D_UNIT = "ng/mL"


@dataclass(frozen=True)
class _Usable:
    """One lab result up to ``as_of``, in its canonical unit where one exists; ``fresh`` when
    it is dated and inside its test's window (only a fresh result can clear a drug)."""

    test_id: str
    value: float | None  # canonical unit; None when it cannot be converted
    status: Status
    date: dt.date | None
    index: int
    fresh: bool
    shown: str
    window_days: int | None

    def later_than(self, other: _Usable) -> bool:
        """Whether this result replaces ``other`` as the latest (undated ranks as oldest)."""
        if self.date is None:
            return other.date is None
        return other.date is None or self.date >= other.date


@dataclass
class LabReport:
    findings: list[LabFinding] = field(default_factory=list)
    context: LabContext = field(default_factory=LabContext)
    warnings: list[Warning] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)


def interpret_labs(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> LabReport:
    """Every lab of the record interpreted; the latest usable result per test in the context."""
    report = LabReport()
    index = kb.derived("workup.loinc_index", _loinc_index)
    usable: dict[str, _Usable] = {}
    latest: dict[str, _Usable] = {}
    for i, lab in enumerate(record.labs):
        found = _identify(lab, kb, index)
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
        result = _interpret(i, lab, test, kind, kb, as_of, report)
        if result is not None:
            key = EGFR_REPORTED if kind == EGFR_REPORTED else test.id
            chosen = usable if result.fresh else latest
            best = chosen.get(key)
            if best is None or result.later_than(best):
                chosen[key] = result
    stale = {k: v for k, v in latest.items() if k not in usable}
    report.context = _context(record, kb, as_of, usable, report, stale)
    return report


# ---------------------------------------------------------------------------- identification


def _loinc_index(kb: KnowledgeBase) -> dict[str, tuple[Test, str | None]]:
    index: dict[str, tuple[Test, str | None]] = {}
    for test in kb.of_kind(Test):
        for code in test.codes:
            if code.system == "LOINC":
                index.setdefault(code.code, (test, code.property))
    return index


def _identify(
    lab: Lab, kb: KnowledgeBase, index: Mapping[str, tuple[Test, str | None]]
) -> tuple[Test, str] | None:
    if lab.code and code_system(lab.system) == "LOINC" and lab.code.strip() in index:
        test, prop = index[lab.code.strip()]
        kind = EGFR_REPORTED if prop == "ArVRat" else "measured"
        return test, kind
    if lab.name:
        named = kb.derived("workup.lab_names", _name_index).get(lab.name.strip().casefold())
        if named is not None:
            return named, "measured"
    return None


def _name_index(kb: KnowledgeBase) -> dict[str, Test]:
    """Laboratory test id, casefolded name or synonym -> test; the first test (in knowledge
    order) wins, as a scan in that order would find it."""
    index: dict[str, Test] = {}
    for test in kb.of_kind(Test):
        if test.category != "laboratory":
            continue
        for name in (test.id, test.name.casefold(), *(s.casefold() for s in test.synonyms)):
            index.setdefault(name, test)
    return index


# ------------------------------------------------------------------------------ interpretation


def canonical_unit(test: Test, kb: KnowledgeBase, kind: str) -> str | None:
    """The unit LabContext.values uses for a test (its first reference range's unit)."""
    if kind == EGFR_REPORTED:
        return EGFR_UNIT
    if test.reference_ranges:
        return normalize_unit(test.reference_ranges[0].unit)
    if test.id == "creatinine_egfr":
        return normalize_unit(str(kb.decision_fact("ckd_epi_2021", "creatinine_unit")))
    return None


def _convertible(value: float, unit: str, target: str, test_id: str) -> float | None:
    try:
        return convert(value, unit, target, ANALYTE.get(test_id))
    except UnitError:
        return None


def _interpret(
    i: int,
    lab: Lab,
    test: Test,
    kind: str,
    kb: KnowledgeBase,
    as_of: dt.date,
    report: LabReport,
) -> _Usable | None:
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
    if candidates and all(_convertible(1.0, unit, c, test.id) is None for c in candidates):
        expected = ", ".join(dict.fromkeys(candidates))
        raise InputError(
            f"lab {i} ({test.name}) is in {unit!r}, a unit of the wrong dimension for this test",
            [
                Problem(
                    f"/labs/{i}/unit", f"a unit of the test's dimension, such as {expected}", unit
                )
            ],
        )

    status = _status(lab, unit, ranges, test.id, reasons)
    canonical = None if target is None else _convertible(lab.value, unit, target, test.id)
    if canonical is not None and target != unit:
        reasons.append(f"= {canonical:.4g} {target}")

    fresh = _fresh(i, lab, test, kind, as_of, reasons, report)
    finding(status)
    if lab.date is not None and lab.date > as_of:
        return None
    window = test.freshness_days
    return _Usable(
        test.id,
        canonical,
        status,
        lab.date,
        i,
        fresh and lab.date is not None,
        shown + (f" on {lab.date}" if lab.date else " (undated)"),
        None if window is None or window.verification == "U" else int(window.value),
    )


def _status(
    lab: Lab, unit: str, ranges: list[ReferenceRange], test_id: str, reasons: list[str]
) -> Status:
    if lab.reference_low is not None or lab.reference_high is not None:
        low, high = lab.reference_low, lab.reference_high
        reasons.append(f"laboratory's own reference range {_range_text(low, high, unit)}")
        return classify(lab.value, lab.comparator, low, high)
    chosen = _default_range(unit, ranges, test_id)
    if chosen is None:
        reasons.append("no reference range (none given by the laboratory or the knowledge base)")
        return "unknown"
    rng, low, high = chosen
    if rng.verification == "U":
        reasons.append(
            f"knowledge default range {_range_text(low, high, unit)} is unverified (U) and "
            "decides nothing: give the laboratory's own range"
        )
        return "unknown"
    reasons.append(f"knowledge default range {_range_text(low, high, unit)}")
    return classify(lab.value, lab.comparator, low, high)


def _default_range(
    unit: str, ranges: list[ReferenceRange], test_id: str
) -> tuple[ReferenceRange, float | None, float | None] | None:
    """The knowledge default range, converted to the lab's unit. The first range of the test
    decides (the others state it in other units for the reader): a value has the same status
    whichever unit it is sent in, since conversions use the analyte's molar mass, whereas the
    published ranges in two units are rounded differently (8.8-10.4 mg/dL is 2.20-2.59 mmol/L,
    not 2.2-2.6)."""
    for rng in ranges:
        if rng.population is not None:
            continue
        src = normalize_unit(rng.unit)
        low = None if rng.low is None else _convertible(rng.low, src, unit, test_id)
        high = None if rng.high is None else _convertible(rng.high, src, unit, test_id)
        if (rng.low is None or low is not None) and (rng.high is None or high is not None):
            return rng, low, high
    return None


def classify(value: float, comparator: str | None, low: float | None, high: float | None) -> Status:
    """low / normal / high against an inclusive range; ``unknown`` when a ``<``/``>`` value
    could fall on either side of a bound."""
    # The true value lies in [lo, hi]; open ends for strict comparators.
    lo, hi = value, value
    lo_open = hi_open = False
    if comparator in ("<", "<="):
        lo, hi, hi_open = float("-inf"), value, comparator == "<"
    elif comparator in (">", ">="):
        lo, hi, lo_open = value, float("inf"), comparator == ">"
    if low is not None and (hi < low or (hi == low and hi_open)):
        return "low"
    if high is not None and (lo > high or (lo == high and lo_open)):
        return "high"
    within_low = low is None or lo >= low
    within_high = high is None or hi <= high
    if within_low and within_high:
        return "normal"
    return "unknown"


def _range_text(low: float | None, high: float | None, unit: str) -> str:
    lo = "" if low is None else f"{low:.4g}"
    hi = "" if high is None else f"{high:.4g}"
    return f"{lo}-{hi} {unit}"


def _fresh(
    i: int,
    lab: Lab,
    test: Test,
    kind: str,
    as_of: dt.date,
    reasons: list[str],
    report: LabReport,
) -> bool:
    name = test.name if kind != EGFR_REPORTED else "reported eGFR"
    if lab.date is None:
        report.warnings.append(
            Warning(
                code="lab_undated",
                message=f"{name} has no date: its age cannot be checked, so it cannot clear a "
                "drug (an abnormal value still restricts)",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append("undated: cannot clear a drug; an abnormal value still restricts")
        return False
    if lab.date > as_of:
        report.warnings.append(
            Warning(
                code="lab_after_as_of",
                message=f"{name} is dated {lab.date}, after the assessment date {as_of}; not used",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append("dated after the assessment date: not used")
        return False
    window = test.freshness_days
    if window is None or window.verification == "U":
        return True
    days = int(window.value)
    age = (as_of - lab.date).days
    if age > days:
        report.warnings.append(
            Warning(
                code="lab_stale",
                message=f"{name} from {lab.date} is {age} days old, beyond the {days}-day "
                f"window for {test.id}: it cannot clear a drug (an abnormal value still "
                "restricts); repeat it",
                path=f"/labs/{i}/date",
            )
        )
        reasons.append(
            f"{age} days old, beyond the {days}-day window: cannot clear a drug; an abnormal "
            "value still restricts"
        )
        return False
    return True


# ------------------------------------------------------------------------------- equations


def ckd_epi_2021(kb: KnowledgeBase, creatinine_mg_dl: float, age: float, sex: str) -> float:
    """eGFR (mL/min/1.73 m2) by the race-free CKD-EPI 2021 creatinine equation."""
    rid = "ckd_epi_2021"
    kappa = float(_by_sex(kb.decision_fact(rid, "kappa"), sex))
    alpha = float(_by_sex(kb.decision_fact(rid, "alpha"), sex))
    ratio = creatinine_mg_dl / kappa
    egfr: float = (
        float(kb.decision_fact(rid, "constant"))
        * min(ratio, 1.0) ** alpha
        * max(ratio, 1.0) ** float(kb.decision_fact(rid, "exponent_above_kappa"))
        * float(kb.decision_fact(rid, "age_base")) ** age
    )
    if sex == "female":
        egfr *= float(kb.decision_fact(rid, "female_factor"))
    return egfr


def cockcroft_gault(
    kb: KnowledgeBase, creatinine_mg_dl: float, age: float, weight_kg: float, sex: str
) -> float:
    """Creatinine clearance (mL/min, not per 1.73 m2) by Cockcroft-Gault."""
    rid = "cockcroft_gault"
    crcl = (float(kb.decision_fact(rid, "age_constant")) - age) * weight_kg
    crcl /= float(kb.decision_fact(rid, "denominator_constant")) * creatinine_mg_dl
    if sex == "female":
        crcl *= float(kb.decision_fact(rid, "female_factor"))
    return crcl


def corrected_calcium(kb: KnowledgeBase, calcium_mg_dl: float, albumin_g_dl: float) -> float:
    """Albumin-corrected calcium (mg/dL) = Ca + factor x (normal albumin - albumin)."""
    rid = "albumin_corrected_calcium"
    factor = float(kb.decision_fact(rid, "factor_mg_dl_per_g_dl"))
    normal = float(kb.decision_fact(rid, "normal_albumin_g_dl"))
    return calcium_mg_dl + factor * (normal - albumin_g_dl)


def _fact(kb: KnowledgeBase, name: str) -> float:
    return float(kb.decision_fact("albumin_corrected_calcium", name))


def _by_sex(value: object, sex: str) -> float:
    if not isinstance(value, Mapping) or sex not in value:
        raise KnowledgeError(f"expected a value per sex, got {value!r}")
    return float(value[sex])


# --------------------------------------------------------------------------------- context


def _context(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    usable: Mapping[str, _Usable],
    report: LabReport,
    stale: Mapping[str, _Usable],
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
        rng = _default_range(
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
                        ""
                        if low is None and high is None
                        else f" {_range_text(low, high, 'mg/dL')}"
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
    record: PatientRecord, kb: KnowledgeBase, stale: Mapping[str, _Usable], age: float | None
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
    usable: Mapping[str, _Usable], test_id: str, unit: str, kb: KnowledgeBase
) -> float | None:
    found = usable.get(test_id)
    if found is None or found.value is None:
        return None
    target = canonical_unit(kb.typed(test_id, Test), kb, "measured")
    if target is None:
        return None
    return _convertible(found.value, target, unit, test_id)


def _opt_convert(value: float | None, unit: str, target: str) -> float | None:
    if value is None:
        return None
    return _convertible(value, unit, target, "serum_calcium")


__all__ = [
    "LabReport",
    "canonical_unit",
    "ckd_epi_2021",
    "classify",
    "cockcroft_gault",
    "corrected_calcium",
    "interpret_labs",
]
