"""Screening one osteoporosis drug against the record and its labels (pure).

What every label of the drug restricts (the drug record's own contraindications, renal cut-off
and duration) plus what the applicable regulator's label adds (`Drug.labels`): the label of the
record's `jurisdiction`, or every label when the record has none or the drug has no label record
for it (the strictest reading, said in a warning). Each check goes through
:class:`~osteowedge.plan.screening.Screener`, so stale, missing and undated data restrict and
never permit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Contraindication, Drug, DrugLabel, Fact, RenalCutoff
from osteowedge.model.age import months_between
from osteowedge.model.assessment import Warning
from osteowedge.model.patient import Medication
from osteowedge.plan.labels import drug_sources, label_set, lifetime_groups
from osteowedge.plan.screening import Screener, is_current

SCREENS_OUT = ("contraindicated", "not_recommended")
MANDATORY = (*SCREENS_OUT, "before_starting")
"""Severities whose check must be made before a first dose: unverified, the drug is not ready."""


def _shown(severity: str, reason: str, result: Screened, sources: Sequence[str]) -> None:
    """File what the record shows, and its sources, by its severity."""
    if severity in SCREENS_OUT:
        result.out.append(reason)
        result.out_citations += sources
        return
    result.citations += sources
    if severity == "before_starting":
        result.delays.append(f"Before starting: {reason}")
    else:
        result.caution.append(f"Caution: {reason}")


@dataclass
class Screened:
    """What screening found: reasons to avoid, cautions, checks not made, and delays."""

    out: list[str] = field(default_factory=list)
    caution: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    """Checks that could not be made (missing, stale or undated data)."""
    delays: list[str] = field(default_factory=list)
    """What must be done before the first dose (e.g. correct vitamin D deficiency)."""
    blocking: bool = False
    """A contraindication could not be checked: the drug is not ready to start."""
    knowledge_ids: list[str] = field(default_factory=list)
    label_ids: list[str] = field(default_factory=list)
    """The label records screened (``<drug>.label.<jurisdiction>``)."""
    label_citations: list[str] = field(default_factory=list)
    out_citations: list[str] = field(default_factory=list)
    """The sources of ``out``: each contraindication, cut-off, limit or plan rule that screened
    the drug out cites its own references here."""
    citations: list[str] = field(default_factory=list)
    """The sources of the cautions, delays and checks not made, likewise."""
    every_label: bool = False
    """Every label was screened: the record has no jurisdiction, or none with a label record."""
    warnings: list[Warning] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (self.blocking or self.delays)


@dataclass(frozen=True)
class Use:
    """The record's use of one drug up to ``as_of``."""

    current: bool
    first_start: dt.date | None
    last_end: dt.date | None
    months_used: float | None  # None: a course of unknown start


NO_USE = Use(False, None, None, 0.0)


def drug_use(meds: Sequence[Medication], as_of: dt.date) -> Use:
    """Current or not, first start, last end and months used, over the record's courses."""
    meds = [m for m in meds if m.start is None or m.start <= as_of]
    if not meds:
        return NO_USE
    current = any(is_current(m, as_of) for m in meds)
    starts = [m.start for m in meds if m.start is not None]
    ends = [m.end for m in meds if m.end is not None and m.end < as_of]
    months = 0.0
    known = True
    for m in meds:
        if m.start is None:
            known = False
            continue
        end = m.end if m.end is not None and m.end < as_of else as_of
        months += months_between(m.start, end)
    return Use(
        current=current,
        first_start=min(starts) if starts else None,
        last_end=None if current or not ends else max(ends),
        months_used=months if known else None,
    )


def screen_contraindications(
    screener: Screener, cis: Sequence[Contraindication], result: Screened
) -> None:
    for ci in cis:
        found = screener.check(ci)
        if found.shown is not None:
            _shown(ci.severity, found.shown, result, ci.citations)
        elif found.unverified is not None:
            result.unverified.append(found.unverified)
            result.blocking = result.blocking or ci.severity in MANDATORY
            result.citations += ci.citations


class DrugScreen:
    """Screens drugs for one plan: the record's facts, its drug use and the knowledge base."""

    def __init__(
        self,
        screener: Screener,
        kb: KnowledgeBase,
        use: Mapping[str, Use],
        *,
        vitamin_d_low: bool,
    ) -> None:
        self.screener = screener
        self.kb = kb
        self.use = use
        self.vitamin_d_low = vitamin_d_low
        self.record = screener.record
        self.drugs = {d.id: d for d in kb.of_kind(Drug)}

    def screen(self, drug: Drug) -> Screened:
        result = Screened(knowledge_ids=[drug.id])
        found = label_set(self.kb, drug, self.record.jurisdiction)
        result.every_label = found.every_label
        screen_contraindications(self.screener, found.contraindications, result)
        for cutoff in found.cutoffs:
            self._renal(drug, cutoff, result)
        self._duration(drug, found.labels, result)
        result.label_ids = list(found.label_ids)
        result.label_citations = list(found.label_citations)
        self._plan_rules(drug, result)
        return result

    def _renal(self, drug: Drug, cutoff: RenalCutoff, result: Screened) -> None:
        labs = self.screener.labs
        crcl = cutoff.measure == "crcl"
        label = "creatinine clearance" if crcl else "eGFR"
        fresh = labs.creatinine_clearance_ml_min if crcl else labs.egfr_ml_min_1_73m2
        stale = labs.stale_creatinine_clearance_ml_min if crcl else labs.stale_egfr_ml_min_1_73m2
        limit = cutoff.below_ml_min
        value = fresh if fresh is not None else stale
        if value is not None and value < limit:
            reason = (
                f"{label} {value:.0f} mL/min is below the label's cut-off of {limit:g} mL/min "
                f"({cutoff.reason or cutoff.action.replace('_', ' ')})"
            )
            if fresh is None:
                creatinine = labs.stale.get("creatinine_egfr") or labs.stale.get("egfr_reported")
                shown = f"last {creatinine.shown}" if creatinine is not None else "last value"
                reason += f", from a creatinine that is not current ({shown}); recheck, and "
                reason += "reconsider if now within range"
            _shown(cutoff.action, reason, result, cutoff.citations)
            return
        if fresh is not None:
            return
        result.citations += cutoff.citations
        result.unverified.append(
            f"{label} not checked against the label's cut-off of {limit:g} mL/min "
            f"({cutoff.action.replace('_', ' ')} below it): needs a serum creatinine (and weight) "
            "within the "
            "freshness window before starting"
        )
        result.blocking = result.blocking or cutoff.action in MANDATORY
        result.warnings.append(
            Warning(
                code="renal_function_unknown",
                message=f"{drug.name}: no current {label}, so its renal cut-off "
                f"({limit:g} mL/min) could not be checked",
                path="/labs",
            )
        )

    def _duration(self, drug: Drug, labels: Sequence[DrugLabel], result: Screened) -> None:
        limits: list[tuple[Fact, str | None]] = []
        if drug.max_duration_months is not None:
            limits.append((drug.max_duration_months, None))
        limits += [
            (lb.max_duration_months, lb.lifetime_group)
            for lb in labels
            if lb.max_duration_months is not None
        ]
        for fact, group in limits:
            members = (drug.id,) if group is None else self.group_members(group)
            uses = [(m, self.use.get(m)) for m in members]
            taken = [(m, u) for m, u in uses if u is not None and u != NO_USE]
            limit = float(fact.value)
            names = " and ".join(self.drugs[m].name for m, _ in taken) or drug.name
            if any(u.months_used is None for _, u in taken):
                result.unverified.append(
                    f"{names} taken before for an unknown time: the {limit:g}-month limit "
                    "cannot be checked; give the start dates"
                )
                result.blocking = True
                result.citations += fact.citations
                continue
            used = sum(u.months_used or 0.0 for _, u in taken)
            if used >= limit:
                result.out_citations += fact.citations
                scope = "" if group is None else f" for {group.replace('_', ' ')}s together"
                result.out.append(
                    f"Maximum duration of {limit:g} months{scope} reached "
                    f"({used:.0f} months of {names} used)"
                )

    def group_members(self, group: str) -> tuple[str, ...]:
        return lifetime_groups(self.kb).get(group, ())

    def remaining_months(self, drug: Drug) -> tuple[float, float] | None:
        """(limit, months left) under the strictest applicable duration limit, if any."""
        labels = label_set(self.kb, drug, self.record.jurisdiction).labels
        best: tuple[float, float] | None = None
        candidates = [(drug.max_duration_months, None)] + [
            (lb.max_duration_months, lb.lifetime_group) for lb in labels
        ]
        for fact, group in candidates:
            if fact is None:
                continue
            members = (drug.id,) if group is None else self.group_members(group)
            used = sum((self.use[m].months_used or 0.0) for m in members if m in self.use)
            left = max(float(fact.value) - used, 0.0)
            if best is None or left < best[1]:
                best = (float(fact.value), left)
        return best

    def _plan_rules(self, drug: Drug, result: Screened) -> None:
        rules = "plan_screening_rules"
        rec = self.record
        if (
            self.vitamin_d_low
            and drug.id in self.kb.fact(rules, "correct_vitamin_d_deficiency_before").value
        ):
            result.delays.append(
                "Vitamin D deficiency: correct it (repletion) first, then start; recheck "
                "25-hydroxyvitamin D"
            )
            result.knowledge_ids.append(rules)
            result.citations += self._rule_citations(drug, "correct_vitamin_d_deficiency_before")
        if drug.id in self.kb.fact(rules, "defer_in_pregnancy").value:
            for shown, label in (
                (rec.pregnant, "Pregnancy"),
                (rec.pregnancy_planned, "Pregnancy planned"),
                (rec.breastfeeding, "Breastfeeding"),
            ):
                if shown:
                    result.out.append(
                        f"{label}: defer osteoporosis drug treatment; ask a specialist"
                    )
                    result.knowledge_ids.append(rules)
                    result.out_citations += self._rule_citations(drug, "defer_in_pregnancy")
        if (
            rec.pregnant is None
            and rec.sex == "female"
            and rec.menopausal_status in (None, "premenopausal", "perimenopausal")
        ):
            result.caution.append("Confirm the patient is not pregnant before starting")
        self._allergies(drug, result)
        self._dental(drug, result)

    def _allergies(self, drug: Drug, result: Screened) -> None:
        """A recorded allergy or intolerance, or an earlier course stopped for an adverse
        reaction, excludes the drug (every label contraindicates hypersensitivity)."""
        for allergy in self.record.allergies:
            text = allergy.substance
            if text == drug.id or drug.id in self.screener.identify(text, text, text):
                reaction = ", ".join(
                    x for x in (allergy.reaction, f"severity {allergy.severity}") if x
                )
                result.out.append(f"Allergy or intolerance recorded: {text} ({reaction})")
                result.knowledge_ids.append("plan_screening_rules")
        for med, ids in self.screener.medications:
            if drug.id in ids and med.stop_reason == "adverse_reaction":
                when = f" (course from {med.start})" if med.start else ""
                result.out.append(
                    f"{med.name or drug.name} was stopped for an adverse reaction{when}"
                )
                result.knowledge_ids.append("plan_screening_rules")

    def _dental(self, drug: Drug, result: Screened) -> None:
        rules = "plan_screening_rules"
        if drug.id not in self.kb.fact(rules, "dental_check_before").value:
            return
        dental = self.record.dental
        before = len(result.delays) + len(result.unverified) + len(result.caution)
        if dental is not None and dental.invasive_procedure_planned:
            result.delays.append(
                "Planned invasive dental treatment: complete it and let the bone heal first "
                "(osteonecrosis of the jaw)"
            )
        if dental is None or dental.last_exam_date is None:
            result.unverified.append(
                "No dental examination recorded: examine the teeth and gums before starting "
                "(osteonecrosis of the jaw)"
            )
        if dental is not None and dental.poor_oral_health:
            result.caution.append(
                "Caution: poor oral health raises the risk of osteonecrosis of the jaw; "
                "dental care first"
            )
        if len(result.delays) + len(result.unverified) + len(result.caution) > before:
            result.knowledge_ids.append(rules)  # cited only where a dental rule said something
            result.citations += self._rule_citations(drug, "dental_check_before")

    def _rule_citations(self, drug: Drug, fact_id: str) -> list[str]:
        """A plan rule's sources that bear on this drug: its own labels and sources about no
        drug in particular (another drug's label is not this drug's source)."""
        sources = drug_sources(self.kb)
        own, every = sources[drug.id], sources[""]
        cited = self.kb.fact("plan_screening_rules", fact_id).citations
        return [c for c in cited if c in own or c not in every]


__all__ = [
    "NO_USE",
    "SCREENS_OUT",
    "DrugScreen",
    "Screened",
    "Use",
    "drug_use",
    "screen_contraindications",
]
