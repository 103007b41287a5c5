"""What every plan stage reads (:class:`PlanContext`, fixed once per plan) and what it writes
(:class:`PlanDraft`: the plan lists, the avoid list, warnings and the rule trace)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.knowledge.schema import Drug
from osteowedge.model.assessment import (
    AvoidedDrug,
    DrugRecommendation,
    GradedVertebra,
    IatrogenicCause,
    Plan,
    Risk,
    Statement,
    TraceEntry,
    Triage,
    Warning,
)
from osteowedge.model.context import EngineNotes, LabContext
from osteowedge.model.patient import PatientRecord
from osteowedge.plan import guidance
from osteowedge.plan.drug_screen import DrugScreen, Screened, Use, drug_use
from osteowedge.plan.screening import Screener

NOT_STANDARD = ("investigational", "withdrawn_or_restricted", "not_recommended")
GC_CATEGORIES = ("low", "moderate", "high", "very_high", "indeterminate")
LISTS = (
    "supplements",
    "non_pharmacological",
    "exercise",
    "mind_body",
    "education",
    "referrals",
    "prevention",
    "do",
    "avoid_activities",
    "follow_up",
)


@dataclass(frozen=True)
class PlanContext:
    """The facts of one patient that the plan stages decide on (read-only)."""

    record: PatientRecord
    kb: KnowledgeBase
    as_of: dt.date
    risk: Risk
    labs: LabContext
    triage: Triage
    diagnosis_ids: frozenset[str]
    vertebral_fracture: bool
    vertebral_fracture_count: int
    """Vertebral fractures: graded vertebrae that count as fractures and fragility fractures of the
    spine on record, one per level (a record fracture without a level counts on its own)."""
    cause_ids: frozenset[str]
    lowest_t_score: float | None
    glucocorticoids: bool
    """On glucocorticoids now, or a GIOP risk category applies."""
    screener: Screener
    drugs: dict[str, Drug]
    use: dict[str, Use]
    vitamin_d_low: bool
    drug_screen: DrugScreen

    @classmethod
    def build(
        cls,
        record: PatientRecord,
        kb: KnowledgeBase,
        as_of: dt.date,
        *,
        risk: Risk,
        causes: Sequence[IatrogenicCause],
        lowest_t_score: float | None,
        on_gc: bool,
        vertebrae: Sequence[GradedVertebra],
        diagnoses: Sequence[Statement],
        labs: LabContext,
        triage: Triage,
    ) -> PlanContext:
        diagnosis_ids = frozenset(d.id for d in diagnoses)
        vertebral_fracture = (
            any(v.counts_as_fracture for v in vertebrae)
            or bool(
                diagnosis_ids
                & {"vertebral_fracture", "iatrogenic_osteopenia_associated_vertebral_wedging"}
            )
            or any(f.site == "vertebra" for f in record.fractures)
        )
        levels = {v.level for v in vertebrae if v.counts_as_fracture}
        spine = [f for f in record.fractures if f.site == "vertebra" and f.mechanism == "fragility"]
        levels |= {f.level for f in spine if f.level is not None}
        fracture_count = len(levels) + sum(f.level is None for f in spine)
        screener = Screener(
            record,
            kb,
            as_of,
            labs,
            vertebral_fracture=vertebral_fracture,
            cause_ids=[c.id for c in causes],
        )
        drugs = {d.id: d for d in kb.of_kind(Drug)}
        use = {
            d_id: drug_use([m for m, ids in screener.medications if d_id in ids], as_of)
            for d_id in drugs
        }
        vitamin_d_low = screener.shows_condition("vitamin_d_deficiency")
        if labs.vitamin_d_25oh_ng_ml is not None:
            trigger = guidance.intake(kb).repletion.trigger_25ohd_lt_ng_ml
            vitamin_d_low = vitamin_d_low or labs.vitamin_d_25oh_ng_ml < trigger
        return cls(
            record=record,
            kb=kb,
            as_of=as_of,
            risk=risk,
            labs=labs,
            triage=triage,
            diagnosis_ids=diagnosis_ids,
            vertebral_fracture=vertebral_fracture,
            vertebral_fracture_count=fracture_count,
            cause_ids=frozenset(c.id for c in causes),
            lowest_t_score=lowest_t_score,
            glucocorticoids=on_gc or risk.giop_category in GC_CATEGORIES,
            screener=screener,
            drugs=drugs,
            use=use,
            vitamin_d_low=vitamin_d_low,
            drug_screen=DrugScreen(screener, kb, use, vitamin_d_low=vitamin_d_low),
        )

    @property
    def age(self) -> float | None:
        return self.screener.age

    def current_drugs(self, ids: Iterable[str]) -> list[str]:
        return [d for d in ids if self.use[d].current]


@dataclass
class PlanDraft:
    """The plan as the stages build it, with the warnings and the rule trace."""

    kb: KnowledgeBase
    pharmacological: list[DrugRecommendation] = field(default_factory=list)
    avoid: dict[str, AvoidedDrug] = field(default_factory=dict)
    lists: dict[str, list[Statement]] = field(default_factory=lambda: {n: [] for n in LISTS})
    warnings: list[Warning] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)
    every_label: list[str] = field(default_factory=list)
    """Drugs screened against every label (no jurisdiction, or none with a label record)."""

    def rule(self, rule_id: str, fired: bool, ids: Iterable[str], **inputs: Any) -> None:
        self.trace.append(
            TraceEntry(rule_id=rule_id, fired=fired, knowledge_ids=list(ids), inputs=inputs)
        )

    def warn(self, code: str, message: str, path: str | None = None) -> None:
        warning = Warning(code=code, message=message, path=path)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def add(self, list_name: str, item: Statement) -> None:
        """Add a statement to a plan list; the first statement with an id stays."""
        if not self.has(list_name, item.id):
            self.lists[list_name].append(item)

    def has(self, list_name: str, item_id: str) -> bool:
        return any(s.id == item_id for s in self.lists[list_name])

    def avoid_item(
        self,
        item_id: str,
        reasons: Sequence[str],
        kids: Sequence[str],
        screened: Screened | None = None,
    ) -> None:
        """List an item under ``plan.avoid``, merging with what is already there.

        With a screen, the item cites its own record, its labels and the sources of what fired
        (not the guidelines that proposed it); without one, the records in ``kids``."""
        label_ids = [] if screened is None else screened.label_ids
        own = [item_id] if item_id in self.kb else []
        cited = (
            citation_ids(self.kb, kids)
            if screened is None
            else [*citation_ids(self.kb, own), *screened.label_citations, *screened.out_citations]
        )
        previous = self.avoid.get(item_id)
        if previous is not None:
            reasons = [*previous.reasons, *reasons]
            kids = [*previous.knowledge_ids, *kids]
            label_ids = [*previous.label_ids, *label_ids]
            cited = [*previous.citation_ids, *cited]
        ids = list(dict.fromkeys(kids))
        record = self.kb.get(item_id) if item_id in self.kb else None
        self.avoid[item_id] = AvoidedDrug(
            drug=item_id,
            label=None if record is None else record.name,
            reasons=list(dict.fromkeys(reasons)),
            knowledge_ids=ids,
            label_ids=list(dict.fromkeys(label_ids)),
            citation_ids=list(dict.fromkeys(cited)),
        )

    def screened_warnings(self, drug: Drug, screened: Screened) -> Screened:
        """Take over what screening a drug warned about; remember every-label screens."""
        for warning in screened.warnings:
            self.warn(warning.code, warning.message, warning.path)
        if screened.every_label:
            self.every_label.append(drug.name)
        return screened

    def plan(self) -> Plan:
        return Plan(
            pharmacological=self.pharmacological, avoid=list(self.avoid.values()), **self.lists
        )

    def notes(self) -> EngineNotes:
        return EngineNotes(warnings=tuple(self.warnings), trace=tuple(self.trace))


__all__ = [
    "GC_CATEGORIES",
    "LISTS",
    "NOT_STANDARD",
    "PlanContext",
    "PlanDraft",
]
