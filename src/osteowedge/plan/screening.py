"""Screening a drug, supplement or activity against what the record shows (pure).

One rule decides every screen: **unverified facts restrict, never permit**. Each check ends in
one of three answers: the record *shows* the restriction (the item is screened out, or kept with
a caution), the record *clears* it with verified data, or the check is *unverified* (missing,
stale or undated data): the item may stay, but the check is listed as not made and a
contraindication that could not be checked keeps a drug from being ready to start. A stale or
undated result that is abnormal *shows* the restriction exactly as a fresh one would, with its
date and "recheck"; a stale normal result is unverified, as a missing one is.

The same asymmetry everywhere:
- a condition counts whether or not it has resolved ("active or past" on most labels);
- a condition with a `within_months` window and no onset date cannot be ruled out, so it counts;
- a label population (`outside_population`) is met only when the record shows it: unknown sex-,
  menopause- or age-data mean the population could not be confirmed, so the item is screened out;
- a non-drug exposure counts at any time; a medication counts while current at `as_of`;
- which labels' restrictions are screened is the plan's choice (`plan.labels`): the record's
  jurisdiction's label, or every label when there is none (the strictest reading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.match import entry_conditions
from osteowedge.knowledge.medications import MATCHER_KEY, identify, medication_matcher
from osteowedge.knowledge.schema import (
    Cause,
    Contraindication,
    ExposureKind,
    LabCriterion,
    Population,
    Test,
)
from osteowedge.model.age import age_at, months_between
from osteowedge.model.context import LabContext, StaleResult
from osteowedge.model.patient import Medication, PatientRecord

# Lab-derived conditions: condition id -> (test ids, lab status that shows it).
_LAB_CONDITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "hypocalcemia": (("serum_calcium", "ionized_calcium", "albumin_corrected_calcium"), "low"),
    "hypercalcemia": (("serum_calcium", "ionized_calcium", "albumin_corrected_calcium"), "high"),
    "vitamin_d_deficiency": (("vitamin_d_25_hydroxy", "vitamin_d_25oh"), "low"),
}


def is_current(med: Medication, as_of: dt.date) -> bool:
    started = med.start is None or med.start <= as_of
    return started and (med.end is None or med.end >= as_of)


@dataclass(frozen=True)
class Check:
    """One screen's answer: ``shown`` (the reason the record shows it), ``unverified`` (why it
    could not be checked), or neither (verified clear)."""

    shown: str | None = None
    unverified: str | None = None


CLEAR = Check()


def stale_text(kb: KnowledgeBase, test_id: str, result: StaleResult) -> str:
    """What a restricting stale or undated result says: its value, date and the recheck."""
    name = kb.get(test_id).name if test_id in kb else test_id
    age = (
        "undated"
        if result.date is None
        else f"older than its {result.window_days}-day window"
        if result.window_days is not None
        else "not current"
    )
    return f"{name} last {result.shown} ({age}); recheck, and reconsider if now within range"


def missing_text(kb: KnowledgeBase, test_ids: Sequence[str], labs: LabContext) -> str:
    """Why a lab check could not be made: the tests it needs and how recent they must be."""
    names: list[str] = []
    for test_id in test_ids:
        if test_id not in kb:
            continue
        test = kb.get(test_id)
        window = test.freshness_days if isinstance(test, Test) else None
        days = "" if window is None else f" within {int(window.value)} days"
        if labs.status.get(test_id) == "unknown":
            when = labs.dates.get(test_id)
            names.append(
                f"{test.name}"
                + (f" of {when.isoformat()}" if when else "")
                + " could not be read (no reference range on the result, and no verified "
                "default): give the laboratory's range"
            )
            continue
        stale = labs.stale.get(test_id)
        last = "" if stale is None else f"; last {stale.shown} does not count"
        names.append(f"needs {test.name}{days}{last}")
    return " or ".join(names) or "needs a current result"


class Screener:
    """What the record shows, precomputed once per plan."""

    def __init__(
        self,
        record: PatientRecord,
        kb: KnowledgeBase,
        as_of: dt.date,
        labs: LabContext,
        *,
        vertebral_fracture: bool,
        cause_ids: Sequence[str],
    ) -> None:
        self.record = record
        self.kb = kb
        self.as_of = as_of
        self.labs = labs
        self.vertebral_fracture = vertebral_fracture
        self.age = age_at(record, as_of)
        self._cause_ids = frozenset(cause_ids)
        matcher = kb.derived(MATCHER_KEY, medication_matcher)
        self.medications: tuple[tuple[Medication, frozenset[str]], ...] = tuple(
            (med, identify(med, kb)) for med in record.medications
        )
        """Each record medication with the ids of the knowledge records it is."""
        self.identify = matcher
        """(name, ATC, RxNorm) -> the ids of the knowledge drug and cause records it names."""
        self._entries: dict[str, list[dt.date | None]] = {}
        for entry in record.conditions:
            for condition_id in entry_conditions(entry, kb):
                self._entries.setdefault(condition_id, []).append(entry.onset)
        self._takes: dict[str, str | None] = {}
        self._conditions: dict[tuple[str, int | None], Check] = {}
        self._checks: dict[str, Check] = {}

    # -- conditions ------------------------------------------------------------------------

    def shows_condition(self, condition_id: str) -> bool:
        """Whether the record shows the condition at any time (entry, or a fresh or stale lab)."""
        return self.has_condition(condition_id).shown is not None

    def has_condition(self, condition_id: str, within_months: int | None = None) -> Check:
        """The record's entries for the condition (in the window), else what the labs show."""
        key = (condition_id, within_months)
        found = self._conditions.get(key)
        if found is None:
            found = self._conditions[key] = self._has_condition(condition_id, within_months)
        return found

    def _has_condition(self, condition_id: str, within_months: int | None) -> Check:
        name = self.kb.get(condition_id).name  # a KnowledgeError names an unknown id
        onsets = self._entries.get(condition_id)
        if onsets is not None:
            if within_months is None:
                return Check(shown=f"record shows {name}")
            for onset in onsets:
                if onset is None:
                    return Check(
                        shown=f"record shows {name} without an onset date: "
                        f"cannot rule out the last {within_months} months"
                    )
                if onset <= self.as_of and months_between(onset, self.as_of) <= within_months:
                    return Check(
                        shown=f"{name} on {onset.isoformat()}, within {within_months} months"
                    )
        return self._lab_condition(condition_id, name)

    def _lab_condition(self, condition_id: str, name: str) -> Check:
        rule = _LAB_CONDITIONS.get(condition_id)
        if rule is None:
            return CLEAR
        tests, status = rule
        for test in tests:
            if self.labs.status.get(test) == status:
                when = self.labs.dates.get(test)
                return Check(shown=f"{name}: {test} {status}" + (f" on {when}" if when else ""))
        for test in tests:
            stale = self.labs.stale.get(test)
            if stale is not None and stale.status == status:
                return Check(shown=f"{name}: {stale_text(self.kb, test, stale)}")
        if any(self.labs.status.get(test) == "normal" for test in tests):
            return CLEAR
        return Check(unverified=f"{name} not excluded: {missing_text(self.kb, tests, self.labs)}")

    # -- medications and exposures ---------------------------------------------------------

    def takes(self, record_id: str) -> str | None:
        """A reason when the patient currently takes the drug/cause or had the exposure."""
        if record_id not in self._takes:
            self._takes[record_id] = self._find_use(record_id)
        return self._takes[record_id]

    def _find_use(self, record_id: str) -> str | None:
        target = self.kb.get(record_id)
        if record_id in self._cause_ids and not (
            isinstance(target, Cause) and target.exposure_kind
        ):
            return f"patient takes {target.name}"
        narrower = target.includes if isinstance(target, ExposureKind) else []
        for exposure in self.record.exposures:
            kind = exposure.kind
            if kind == record_id or kind in narrower:
                return f"record shows {target.name}"
            if kind in self.kb:
                kind_record = self.kb.get(kind)
                if (
                    isinstance(kind_record, ExposureKind)
                    and kind_record.counts_as_cause == record_id
                ):
                    return f"record shows {target.name}"
        for med, matched in self.medications:
            if record_id in matched and is_current(med, self.as_of):
                return f"patient takes {med.name or med.atc or med.rxnorm} ({target.name})"
        return None

    # -- population -----------------------------------------------------------------------

    def in_population(self, pop: Population) -> bool | None:
        """True/False when the record decides it; None when data are missing."""
        rec = self.record
        unknown = False
        if pop.sex is not None and rec.sex != pop.sex:
            return False
        if pop.menopausal_status is not None:
            if rec.sex == "male":
                return False
            if rec.menopausal_status is None:
                unknown = True
            elif rec.menopausal_status not in pop.menopausal_status:
                return False
        if pop.min_age_years is not None and self.age < pop.min_age_years:
            return False
        if pop.max_age_years is not None and self.age > pop.max_age_years:
            return False
        if pop.pregnant is not None:
            if rec.pregnant is None:
                unknown = True
            elif rec.pregnant != pop.pregnant:
                return False
        return None if unknown else True

    # -- one contraindication ---------------------------------------------------------------

    def check(self, ci: Contraindication) -> Check:
        """What the record says about this contraindication (see :class:`Check`); each
        contraindication (ids are unique) is checked once per plan."""
        found = self._checks.get(ci.id)
        if found is None:
            found = self._checks[ci.id] = self._answer(ci)
        return found

    def _answer(self, ci: Contraindication) -> Check:
        result = self._check(ci)
        if result.shown is not None:
            return Check(shown=f"{ci.reason} ({result.shown})")
        if result.unverified is not None:
            return Check(unverified=f"{ci.reason} ({result.unverified})")
        return CLEAR

    def _check(self, ci: Contraindication) -> Check:
        if ci.condition is not None:
            return self.has_condition(ci.condition, ci.within_months)
        if ci.medication is not None:
            found = self.takes(ci.medication)
            return CLEAR if found is None else Check(shown=found)
        if ci.vertebral_fracture is not None:
            return Check(shown="vertebral fracture present") if self.vertebral_fracture else CLEAR
        if ci.lab is not None:
            return self.lab(ci.lab)
        if ci.population is not None:
            inside = self.in_population(ci.population)
            return Check(shown="patient is in this population") if inside else CLEAR
        if ci.outside_population is not None:
            inside = self.in_population(ci.outside_population)
            if inside is None:
                return Check(shown="label population could not be confirmed from the record")
            if not inside:
                return Check(shown="patient is outside the label population")
        return CLEAR

    def lab(self, lab: LabCriterion) -> Check:
        """A lab criterion against the fresh result, else the stale one (which only restricts)."""
        name = self.kb.get(lab.test).name
        if lab.test in self.labs.status:
            status, value = self.labs.status[lab.test], self.labs.values.get(lab.test)
            fired = _lab_fires(lab, status, value)
            if fired is not None:
                when = self.labs.dates.get(lab.test)
                return Check(shown=f"{name} {fired}" + (f" on {when}" if when else ""))
            if _lab_decided(lab, status, value):
                return CLEAR
        stale = self.labs.stale.get(lab.test)
        if stale is not None and _lab_fires(lab, stale.status, stale.value) is not None:
            return Check(shown=stale_text(self.kb, lab.test, stale))
        return Check(unverified=missing_text(self.kb, [lab.test], self.labs))


def _lab_fires(lab: LabCriterion, status: str, value: float | None) -> str | None:
    """What the result shows for the criterion, or None when it does not show it."""
    if lab.comparison == "below_reference_low":
        return "below the reference range" if status == "low" else None
    if lab.comparison == "above_reference_high":
        return "above the reference range" if status == "high" else None
    if value is None or lab.threshold is None:
        return None
    limit = float(lab.threshold.value)
    if lab.comparison == "below" and value < limit:
        return f"{value:g} below {limit:g}"
    if lab.comparison == "above" and value > limit:
        return f"{value:g} above {limit:g}"
    return None


def _lab_decided(lab: LabCriterion, status: str, value: float | None) -> bool:
    """Whether a result that does not fire clears the criterion (known status or value)."""
    if lab.comparison in ("below_reference_low", "above_reference_high"):
        return status != "unknown"
    return value is not None and lab.threshold is not None


__all__ = [
    "CLEAR",
    "Check",
    "Screener",
    "is_current",
    "missing_text",
    "stale_text",
]
