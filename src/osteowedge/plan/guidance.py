"""The guideline facts the plan decides with, as typed values (pure).

Each bundle below is built once per knowledge base from deciding facts (never unverified ones,
except where a field says it only restricts) and validated on the way in, so the plan reads
attributes, not string keys, and a malformed knowledge record fails with the record and fact
named instead of a ``KeyError`` deep in a plan.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import GiopCategory

ACR = "acr_2022_giop_recommendations"
PREFERENCE = "plan_drug_preference"
INTAKE = "calcium_vitamin_d_intake"
HOLIDAY = "asbmr_2016_drug_holiday"
DENOSUMAB_STOP = "denosumab_discontinuation"
CONSERVATIVE = "plan_conservative_selection"
REFERRAL = "plan_referral_rules"
MONITORING = "bmd_monitoring_interval"

M = TypeVar("M", bound=BaseModel)


class _Typed(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Span(_Typed):
    min: float
    max: float

    def text(self) -> str:
        return f"{self.min:g}-{self.max:g}"


class GuidelineRow(_Typed):
    """One numbered recommendation of a guideline (ACR 2022 R1-R12)."""

    id: str
    text: str
    strength: str | None
    applies_to_categories: list[GiopCategory]
    prefers: list[str] = Field(default_factory=list)
    min_age_years: float | None = None
    min_age_years_exclusive: float | None = None

    @property
    def short_id(self) -> str:
        return self.id.rsplit(".", 1)[-1]

    def applies_at(self, age: float | None) -> bool:
        """Whether the row's own age bound admits ``age`` (an unknown age fails a bound)."""
        if self.min_age_years is None:
            return True
        return age is not None and age >= self.min_age_years


class Pathway(_Typed):
    """Risk category and population to ranked drug options."""

    id: str
    rule_id: str
    giop_categories: list[GiopCategory]
    min_age_years: float | None = None
    diagnoses_any: list[str] = Field(default_factory=list)
    causes_any: list[str] = Field(default_factory=list)
    """The pathway needs one of these iatrogenic causes (cause record ids) on record."""
    sexes: list[str] = Field(default_factory=list)
    """The pathway's population by sex (empty: any); an unknown sex does not match."""
    t_score_below: float | None = None
    """The pathway needs a lowest DXA T-score below this (an unknown T-score does not match)."""
    min_vertebral_fractures: int | None = None
    """The pathway needs at least this many vertebral fractures: vertebrae graded as fractures and
    fragility fractures of the spine on record, each level once (a fracture of unknown or
    traumatic mechanism does not count)."""
    options: list[str]
    last_resort: list[str] = Field(default_factory=list)
    last_resort_reason: str | None = None
    reason: str
    reasons_from: str | None = None
    """The guideline whose recommendation rows give each option its own reasons."""
    knowledge_ids: list[str]


class DrugOrder(_Typed):
    pathways: list[Pathway]
    rows: list[GuidelineRow]

    def row(self, row_id: str) -> GuidelineRow:
        return next(r for r in self.rows if r.id == row_id)


class Repletion(_Typed):
    trigger_25ohd_lt_ng_ml: float
    loading_iu_weekly: int
    maintenance_iu_per_day: int


class Intake(_Typed):
    calcium_mg_per_day: Span
    vitamin_d_iu_per_day: Span
    repletion: Repletion
    loading_weeks: Span


class Holiday(_Typed):
    oral_bisphosphonates: list[str]
    iv_bisphosphonates: list[str]
    reassess_after_years_oral: float
    reassess_after_years_iv: float
    holiday_years: Span
    high_risk_definition: str


class DenosumabStop(_Typed):
    follow_on_after_months: int
    overdue_after_months: float
    """Unverified (U) in the knowledge base: it only ever restricts (it raises a warning and
    brings the follow-on forward, never removes anything)."""


class Referral(_Typed):
    urgent_exam_triggers: list[str]
    urgent_procedures: list[str]
    painful_symptoms: list[str]
    augmentation_procedures: list[str]


class Care(_Typed):
    conservative_by_trigger: dict[str, list[str]]
    referral: Referral
    dxa_repeat_years: Span


def _build(kb: KnowledgeBase, model: type[M], values: dict[str, Callable[[], Any]]) -> M:
    try:
        return model.model_validate({name: read() for name, read in values.items()})
    except ValidationError as exc:
        raise KnowledgeError(
            f"knowledge base {kb.knowledge_version}: the plan's {model.__name__} facts are "
            "malformed: "
            f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from exc


def drug_order(kb: KnowledgeBase) -> DrugOrder:
    def build(kb: KnowledgeBase) -> DrugOrder:
        return _build(
            kb,
            DrugOrder,
            {
                "pathways": lambda: kb.decision_fact(PREFERENCE, "pathways"),
                "rows": lambda: kb.decision_fact(ACR, "recommendations"),
            },
        )

    return kb.derived("plan.guidance.drug_order", build)


def intake(kb: KnowledgeBase) -> Intake:
    def build(kb: KnowledgeBase) -> Intake:
        return _build(
            kb,
            Intake,
            {
                "calcium_mg_per_day": lambda: kb.decision_fact(INTAKE, "acr_calcium_mg_per_day"),
                "vitamin_d_iu_per_day": lambda: kb.decision_fact(
                    INTAKE, "acr_vitamin_d_iu_per_day"
                ),
                "repletion": lambda: kb.decision_fact(INTAKE, "uk_repletion"),
                "loading_weeks": lambda: kb.decision_fact(INTAKE, "repletion_loading_weeks_range"),
            },
        )

    return kb.derived("plan.guidance.intake", build)


def holiday(kb: KnowledgeBase) -> Holiday:
    def build(kb: KnowledgeBase) -> Holiday:
        names = (
            "oral_bisphosphonates",
            "iv_bisphosphonates",
            "reassess_after_years_oral",
            "reassess_after_years_iv",
            "holiday_years",
            "high_risk_definition",
        )
        return _build(
            kb,
            Holiday,
            {n: partial(kb.decision_fact, HOLIDAY, n) for n in names},
        )

    return kb.derived("plan.guidance.holiday", build)


def denosumab_stop(kb: KnowledgeBase) -> DenosumabStop:
    def build(kb: KnowledgeBase) -> DenosumabStop:
        return _build(
            kb,
            DenosumabStop,
            {
                "follow_on_after_months": lambda: kb.decision_fact(
                    DENOSUMAB_STOP, "follow_on_start_after_last_injection_months"
                ),
                "overdue_after_months": lambda: (
                    kb.fact(DENOSUMAB_STOP, "overdue_after_last_injection_months").value
                ),
            },
        )

    return kb.derived("plan.guidance.denosumab_stop", build)


def care(kb: KnowledgeBase) -> Care:
    def build(kb: KnowledgeBase) -> Care:
        names = Referral.model_fields
        return _build(
            kb,
            Care,
            {
                "conservative_by_trigger": lambda: kb.decision_fact(CONSERVATIVE, "by_trigger"),
                "referral": lambda: {n: kb.decision_fact(REFERRAL, n) for n in names},
                "dxa_repeat_years": lambda: kb.decision_fact(MONITORING, "repeat_interval_years"),
            },
        )

    return kb.derived("plan.guidance.care", build)


__all__ = [
    "Care",
    "DenosumabStop",
    "DrugOrder",
    "GuidelineRow",
    "Holiday",
    "Intake",
    "Pathway",
    "Span",
    "care",
    "denosumab_stop",
    "drug_order",
    "holiday",
    "intake",
]
