"""Screening a drug, supplement or activity against what the record shows (pure).

Safety-first conventions (documented in the plan report):
- a condition counts whether or not it has resolved ("active or past" on most labels);
- a condition with a `within_months` window and no onset date cannot be ruled out, so it counts;
- a label population (`outside_population`) is met only when the record shows it: unknown sex-,
  menopause- or age-data mean the population could not be confirmed, so the item is screened out;
- a non-drug exposure counts at any time; a medication counts while current at `as_of`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import (
    Cause,
    Condition,
    Contraindication,
    Drug,
    ExposureKind,
    Population,
)
from osteowedge.model.context import LabContext
from osteowedge.model.patient import Medication, PatientRecord

_MONTH_DAYS = 365.25 / 12  # unit conversion: mean days per month

_SYSTEM_ALIASES = {
    "SNOMED": "SNOMED",
    "SNOMEDCT": "SNOMED",
    "SNOMED-CT": "SNOMED",
    "SNOMED CT": "SNOMED",
    "HTTP://SNOMED.INFO/SCT": "SNOMED",
    "ICD-10": "ICD-10",
    "ICD10": "ICD-10",
    "ICD-10-CM": "ICD-10",
    "ICD10CM": "ICD-10",
}

# Lab-derived conditions: condition id -> (test ids, lab status that shows it).
_LAB_CONDITIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "hypocalcemia": (("serum_calcium", "ionized_calcium", "albumin_corrected_calcium"), "low"),
    "hypercalcemia": (("serum_calcium", "ionized_calcium", "albumin_corrected_calcium"), "high"),
    "vitamin_d_deficiency": (("vitamin_d_25_hydroxy", "vitamin_d_25oh"), "low"),
}


def age_years(record: PatientRecord, as_of: dt.date) -> float | None:
    """Age at ``as_of`` from the birth date (preferred) or the given age."""
    if record.birth_date is not None:
        years = as_of.year - record.birth_date.year
        if (as_of.month, as_of.day) < (record.birth_date.month, record.birth_date.day):
            years -= 1
        return float(years)
    return record.age_years


def months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / _MONTH_DAYS


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover


def is_current(med: Medication, as_of: dt.date) -> bool:
    started = med.start is None or med.start <= as_of
    return started and (med.end is None or med.end >= as_of)


@dataclass(frozen=True)
class Hit:
    """A screen that fired: its severity, the reason, and the knowledge behind it."""

    severity: str
    reason: str
    knowledge_ids: tuple[str, ...]


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
        self.age = age_years(record, as_of)
        self._cause_ids = frozenset(cause_ids)
        matcher = kb.derived("plan.medication_matcher", _medication_matcher)
        self.medications: tuple[tuple[Medication, frozenset[str]], ...] = tuple(
            (med, matcher(med.name, med.atc)) for med in record.medications
        )
        """Each record medication with the ids of the knowledge records it is."""
        self._onsets: dict[str, list[dt.date | None] | None] = {}
        self._takes: dict[str, str | None] = {}

    # -- conditions ------------------------------------------------------------------------

    def condition_onsets(self, condition_id: str) -> list[dt.date | None] | None:
        """Onsets of every record entry that is the condition (None: the record does not show
        it); a lab that shows it (e.g. low calcium) counts with its date."""
        if condition_id in self._onsets:
            return self._onsets[condition_id]
        codes = self.kb.derived("plan.condition_codes", _condition_codes).get(condition_id)
        if codes is None:
            self.kb.get(condition_id)  # raises the KnowledgeError that names an unknown id
            codes = frozenset()
        onsets: list[dt.date | None] = []
        for entry in self.record.conditions:
            if entry.id == condition_id:
                onsets.append(entry.onset)
                continue
            if entry.code and entry.system:
                system = _SYSTEM_ALIASES.get(entry.system.strip().upper())
                code = entry.code.strip().upper()
                for kb_system, kb_code in codes:
                    if system == kb_system and _code_matches(system, code, kb_code):
                        onsets.append(entry.onset)
                        break
        lab_rule = _LAB_CONDITIONS.get(condition_id)
        if lab_rule is not None:
            tests, status = lab_rule
            for test in tests:
                if self.labs.status.get(test) == status:
                    onsets.append(self.labs.dates.get(test))
        self._onsets[condition_id] = onsets or None
        return onsets or None

    def has_condition(self, condition_id: str, within_months: int | None = None) -> str | None:
        """A reason when the record shows the condition (in the window), else None."""
        onsets = self.condition_onsets(condition_id)
        if onsets is None:
            return None
        name = self.kb.get(condition_id).name
        if within_months is None:
            return f"record shows {name}"
        for onset in onsets:
            if onset is None:
                return (
                    f"record shows {name} without an onset date: "
                    f"cannot rule out the last {within_months} months"
                )
            if onset <= self.as_of and months_between(onset, self.as_of) <= within_months:
                return f"{name} on {onset.isoformat()}, within {within_months} months"
            if onset > self.as_of:
                continue
        return None

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
        for exposure in self.record.exposures:
            kind = exposure.kind
            if kind == record_id:
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
        if pop.min_age_years is not None or pop.max_age_years is not None:
            if self.age is None:
                unknown = True
            else:
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

    def check(self, ci: Contraindication) -> str | None:
        """The reason the record shows this contraindication, or None."""
        found: str | None = None
        if ci.condition is not None:
            found = self.has_condition(ci.condition, ci.within_months)
        elif ci.medication is not None:
            found = self.takes(ci.medication)
        elif ci.vertebral_fracture is not None:
            found = "vertebral fracture present" if self.vertebral_fracture else None
        elif ci.lab is not None:
            found = self._lab(ci)
        elif ci.population is not None:
            inside = self.in_population(ci.population)
            found = "patient is in this population" if inside else None
        elif ci.outside_population is not None:
            inside = self.in_population(ci.outside_population)
            if inside is None:
                found = "label population could not be confirmed from the record"
            elif not inside:
                found = "patient is outside the label population"
        return None if found is None else f"{ci.reason} ({found})"

    def _lab(self, ci: Contraindication) -> str | None:
        lab = ci.lab
        assert lab is not None
        status = self.labs.status.get(lab.test)
        if lab.comparison == "below_reference_low":
            return f"{lab.test} low" if status == "low" else None
        if lab.comparison == "above_reference_high":
            return f"{lab.test} high" if status == "high" else None
        value = self.labs.values.get(lab.test)
        if value is None or lab.threshold is None:
            return None
        limit = float(lab.threshold.value)
        if lab.comparison == "below" and value < limit:
            return f"{lab.test} {value} below {limit}"
        if lab.comparison == "above" and value > limit:
            return f"{lab.test} {value} above {limit}"
        return None


def _code_matches(system: str, code: str, kb_code: str) -> bool:
    """SNOMED: exact; ICD-10: the knowledge code or any code below it (I21 covers I21.4)."""
    if system != "ICD-10":
        return code == kb_code
    return code.replace(".", "").startswith(kb_code.replace(".", ""))


def _condition_codes(kb: KnowledgeBase) -> dict[str, frozenset[tuple[str, str]]]:
    """Condition id -> its (system, code) pairs, ``-CM`` dropped from the system."""
    return {
        c.id: frozenset((k.system.replace("-CM", ""), k.code.upper()) for k in c.codes)
        for c in kb.of_kind(Condition)
    }


_MATCH_MEMO_SIZE = 4096  # distinct (name, ATC) pairs remembered per knowledge base


def _medication_matcher(kb: KnowledgeBase) -> Callable[[str | None, str | None], frozenset[str]]:
    """A memoised function from a medication's (name, ATC) to the ids of every knowledge record
    `medication_matches` finds it to be (it reads nothing else of the medication)."""
    targets = tuple((r.id, terms) for r in kb.records.values() if any(terms := _terms(r)))

    @functools.lru_cache(maxsize=_MATCH_MEMO_SIZE)
    def matched(name: str | None, atc: str | None) -> frozenset[str]:
        return frozenset(record_id for record_id, terms in targets if _matches(name, atc, terms))

    return matched


_Terms = tuple[frozenset[str], tuple[str, ...]]


def _terms(target: object) -> _Terms:
    """The names and ATC codes a drug or cause record is known by."""
    ingredients = getattr(target, "ingredients", ()) or ()
    atc_codes: list[str] = list(getattr(target, "atc_codes", ()) or ())
    names: set[str] = set()
    for ing in ingredients:
        names.add(ing.name.casefold())
        names.update(b.casefold() for b in ing.brands)
        if ing.atc:
            atc_codes.append(ing.atc)
    if isinstance(target, Drug | Cause):
        names.add(target.name.casefold())
        names.add(target.id.replace("_", " "))
        names.update(s.casefold() for s in target.synonyms)
    names.discard("")
    return frozenset(names), tuple(code.upper() for code in atc_codes if code)


@functools.lru_cache(maxsize=4096)
def _text_and_words(name: str) -> tuple[str, frozenset[str]]:
    text = " ".join(name.casefold().replace("-", " ").split())
    return text, frozenset(text.split())


def medication_matches(med: Medication, target: object) -> bool:
    """Whether a record medication is the given drug or cause record (names, brands, ATC)."""
    return _matches(med.name, med.atc, _terms(target))


def _matches(med_name: str | None, med_atc: str | None, terms: _Terms) -> bool:
    names, atc_codes = terms
    if med_name:
        text, words = _text_and_words(med_name)
        if text in names or not names.isdisjoint(words):
            return True
        if any(" " in name and name in text for name in names):
            return True
    if med_atc:
        atc = med_atc.strip().upper()
        if any(atc.startswith(code) for code in atc_codes):
            return True
    return False


__all__ = [
    "Hit",
    "Screener",
    "add_months",
    "age_years",
    "is_current",
    "medication_matches",
    "months_between",
]
