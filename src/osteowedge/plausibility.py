"""Input that cannot be true is rejected before any rule runs (pure).

The record validator checks what a record says on its own (types, signs, order of dates);
this checks it against the assessment date and the knowledge base's plausibility bounds
(`input_plausibility`): every dated event lies between birth and `as_of`, doses, lab values and
vertebral heights lie inside physically possible ranges. Every problem is reported with its
JSON path in one InputError; nothing is assessed from a record that fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from osteowedge.errors import InputError, Problem, UnitError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.history import SymptomEntry
from osteowedge.model.patient import PatientRecord
from osteowedge.units import convert, dimension_of

_BOUNDS = "input_plausibility"


def _events(record: PatientRecord) -> Iterator[tuple[str, dt.date]]:
    """Every dated event (a start, a measurement, an onset) with its JSON path."""
    for i, med in enumerate(record.medications):
        if med.start:
            yield f"/medications/{i}/start", med.start
    for i, exposure in enumerate(record.exposures):
        if exposure.start:
            yield f"/exposures/{i}/start", exposure.start
    for i, condition in enumerate(record.conditions):
        if condition.onset:
            yield f"/conditions/{i}/onset", condition.onset
    for i, fracture in enumerate(record.fractures):
        if fracture.date:
            yield f"/fractures/{i}/date", fracture.date
    for i, lab in enumerate(record.labs):
        if lab.date:
            yield f"/labs/{i}/date", lab.date
    for i, exam in enumerate(record.dxa):
        yield f"/dxa/{i}/date", exam.date
    for i, morph in enumerate(record.vertebral_morphometry):
        if morph.date:
            yield f"/vertebral_morphometry/{i}/date", morph.date
    for i, ct in enumerate(record.ct_attenuation):
        if ct.date:
            yield f"/ct_attenuation/{i}/date", ct.date
    for i, height in enumerate(record.height_history):
        yield f"/height_history/{i}/date", height.date
    for i, symptom in enumerate(record.symptoms):
        if isinstance(symptom, SymptomEntry) and symptom.onset:
            yield f"/symptoms/{i}/onset", symptom.onset
    if record.dental is not None and record.dental.last_exam_date:
        yield "/dental/last_exam_date", record.dental.last_exam_date


def _earliest_birth(record: PatientRecord, as_of: dt.date) -> dt.date | None:
    if record.birth_date is not None:
        return record.birth_date
    if record.age_years is None:  # pragma: no cover - the record validator forbids it
        return None
    reference = record.as_of or as_of
    years = int(record.age_years) + 1
    try:
        return reference.replace(year=reference.year - years)
    except ValueError:  # 29 February
        return reference.replace(year=reference.year - years, day=28)


def implausible(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> list[Problem]:
    """Every problem that makes the record impossible at ``as_of`` (empty when plausible)."""
    problems: list[Problem] = []
    born = _earliest_birth(record, as_of)
    for path, day in _events(record):
        if day > as_of:
            problems.append(
                Problem(
                    path,
                    f"a date on or before the assessment date {as_of} (remove the event, or "
                    "assess as of a later date)",
                    str(day),
                )
            )
        elif born is not None and day < born:
            problems.append(Problem(path, f"a date after birth ({born} at the earliest)", str(day)))
    problems += _dose_problems(record, kb)
    problems += _lab_problems(record, kb)
    problems += _height_problems(record, kb)
    return problems


def _dose_problems(record: PatientRecord, kb: KnowledgeBase) -> list[Problem]:
    limit = float(kb.decision_fact(_BOUNDS, "single_dose_mass_max_mg"))
    problems: list[Problem] = []
    for i, med in enumerate(record.medications):
        if med.dose_value is None or med.dose_unit is None:
            continue
        try:
            if dimension_of(med.dose_unit) != "mass":
                continue
            mg = convert(med.dose_value, med.dose_unit, "mg")
        except UnitError:
            continue
        if mg > limit:
            problems.append(
                Problem(
                    f"/medications/{i}/dose_value",
                    f"a dose a person can take: at most {limit:g} mg at a time",
                    f"{med.dose_value:g} {med.dose_unit}",
                )
            )
    return problems


def _lab_problems(record: PatientRecord, kb: KnowledgeBase) -> list[Problem]:
    ranges = kb.decision_fact(_BOUNDS, "lab_value_ranges")
    problems: list[Problem] = []
    for i, lab in enumerate(record.labs):
        rule = ranges.get(lab.code) if lab.code else None
        if rule is None or lab.unit is None:
            continue
        try:
            value = convert(lab.value, lab.unit, rule["unit"], rule.get("analyte"))
        except UnitError:
            continue  # the lab engine rejects a unit of the wrong dimension with its path
        if not rule["min"] <= value <= rule["max"]:
            problems.append(
                Problem(
                    f"/labs/{i}/value",
                    f"a value a living person can have: {rule['min']:g}-{rule['max']:g} "
                    f"{rule['unit']}",
                    f"{lab.value:g} {lab.unit}",
                )
            )
    return problems


def _height_problems(record: PatientRecord, kb: KnowledgeBase) -> list[Problem]:
    limit = float(kb.decision_fact(_BOUNDS, "vertebral_height_mm_max"))
    problems: list[Problem] = []
    for e, exam in enumerate(record.vertebral_morphometry):
        for v, vertebra in enumerate(exam.vertebrae):
            for name in ("anterior_mm", "middle_mm", "posterior_mm"):
                height = getattr(vertebra, name)
                if height is not None and height > limit:
                    problems.append(
                        Problem(
                            f"/vertebral_morphometry/{e}/vertebrae/{v}/{name}",
                            f"a vertebral body height of at most {limit:g} mm",
                            f"{height:g}",
                        )
                    )
    return problems


def check_plausible(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> None:
    """Raise an InputError naming every impossible value; return when there is none."""
    problems = implausible(record, kb, as_of)
    if problems:
        raise InputError(
            f"patient record {record.id!r} cannot be true: {len(problems)} problem(s)", problems
        )


__all__ = ["check_plausible", "implausible"]
