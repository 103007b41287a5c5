"""The assessment: the output contract of ``shared/design/patient-format.md``.

Every statement names the knowledge records behind it (``knowledge_ids``) and the references that
support it (``citation_ids``, pointing into the top-level ``references``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from osteowedge.model.patient import SCHEMA_VERSION

WhoCategory = Literal[
    "normal", "osteopenia", "osteoporosis", "severe_osteoporosis", "not_applicable", "unknown"
]
Morphology = Literal["normal", "wedge", "biconcave", "crush"]
Urgency = Literal["routine", "soon", "urgent"]
GiopCategory = Literal["low", "moderate", "high", "very_high", "indeterminate", "not_applicable"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Statement(_Out):
    """Any assessment item: what it is, why, and what supports it."""

    id: str
    label: str
    reasons: list[str] = Field(default_factory=list)
    knowledge_ids: list[str] = Field(default_factory=list)
    citation_ids: list[str] = Field(default_factory=list)


class ExcludedVertebra(_Out):
    level: str
    reasons: list[str]


class BmdChange(_Out):
    region: str
    change_g_cm2: float
    change_pct: float
    least_significant_change_g_cm2: float | None
    significant: bool | None


class CtDensity(_Out):
    l1_hu: float | None
    level_used: str | None
    interpretation: str | None
    contrast_phase: str | None
    hu_t_score: float | None = Field(
        default=None,
        description="(L1 HU - young-women mean) / SD: a CT screening aid, never a DXA T-score.",
    )


class ExamRegionValue(_Out):
    region: str
    side: str | None = None
    bmd_g_cm2: float | None = None
    t_score: float | None = None
    z_score: float | None = None


class ExamSummary(_Out):
    date: dt.date
    regions: list[ExamRegionValue]
    tbs: float | None = None


class BoneDensity(_Out):
    who_category: WhoCategory
    lowest_t_score: float | None = None
    lowest_t_score_region: str | None = None
    z_score_interpretation: Literal["within_expected_range", "below_expected_range"] | None = None
    lowest_z_score: float | None = Field(
        default=None, description="Lowest DXA Z-score of the sites used (never a single vertebra)."
    )
    lowest_z_score_region: str | None = None
    excluded_vertebrae: list[ExcludedVertebra] = Field(default_factory=list)
    lumbar_spine_levels_used: list[str] = Field(default_factory=list)
    change_since_previous: list[BmdChange] = Field(default_factory=list)
    tbs_category: str | None = None
    ct: CtDensity | None = None
    exams: list[ExamSummary] = Field(default_factory=list)
    knowledge_ids: list[str] = Field(default_factory=list)
    citation_ids: list[str] = Field(default_factory=list)


class GradedVertebra(_Out):
    level: str
    genant_grade: int | float | None
    morphology: Morphology | None
    height_loss_pct: float | None
    reference_height_mm: float | None
    reference: str | None = Field(default=None, description="'own_posterior' or 'neighbours'.")
    neighbours: list[str] = Field(
        default_factory=list, description="The grade-0 levels whose posterior heights were used."
    )
    ratios: dict[str, float | None] = Field(default_factory=dict)
    wedge_angle_deg: float | None = Field(
        default=None,
        description="atan((Hp - Ha) / AP depth) in degrees; positive when the front is shorter.",
    )
    reader_grade: float | None = Field(default=None, description="A reader's own Genant grade.")
    counts_as_fracture: bool
    possible_fracture: bool = Field(
        default=False, description="An automated grade 1: a possible fracture for a reader."
    )
    in_sdi: bool = Field(default=True, description="Whether the level (T4-L4) enters the SDI.")
    qc: list[str] = Field(default_factory=list)


class IatrogenicCause(Statement):
    medications: list[str] = Field(default_factory=list)
    exposures: list[str] = Field(default_factory=list)
    meets_threshold: bool | None
    evidence: str


class GcPeriod(_Out):
    start: dt.date
    end: dt.date | None
    prednisone_equivalent_mg_per_day: float
    systemic: bool


class DaysAtOrAbove(_Out):
    """Days in the last 12 months at or above one dose threshold the guidelines use."""

    threshold_mg_per_day: float
    days: int | None = Field(description="None when the doses of the window are unknown.")
    knowledge_id: str = Field(description="The guideline record the threshold comes from.")


class GlucocorticoidExposure(_Out):
    current_prednisone_equivalent_mg_per_day: float | None
    max_prednisone_equivalent_mg_per_day: float | None
    cumulative_prednisone_equivalent_mg_last_12_months: float | None
    days_at_or_above: list[DaysAtOrAbove] = Field(
        default_factory=list,
        description="Last 12 months, one entry per threshold (2.5, 7.5 and 30 mg/day today); "
        "replaces the 1.x fields days_at_or_above_<threshold>_mg_last_12_months.",
    )
    periods: list[GcPeriod] = Field(default_factory=list)

    def days_at(self, threshold_mg_per_day: float) -> int | None:
        """Days at or above a threshold (None: unknown, or no such threshold computed)."""
        for entry in self.days_at_or_above:
            if entry.threshold_mg_per_day == threshold_mg_per_day:
                return entry.days
        return None


class Triage(_Out):
    urgency: Urgency
    red_flags: list[Statement] = Field(default_factory=list)


class FraxAdjusted(_Out):
    major_osteoporotic_pct: float | None
    hip_pct: float | None


class Risk(_Out):
    giop_category: GiopCategory
    missing_inputs: list[str] = Field(default_factory=list)
    frax_glucocorticoid_adjusted: FraxAdjusted | None = None
    basis: list[Statement] = Field(default_factory=list)
    minimum_category: GiopCategory | None = Field(
        default=None,
        description="When the category is indeterminate: the category the data already reach "
        "(the true one is at least this).",
    )


class LabFinding(Statement):
    value: float | None
    unit: str | None
    status: Literal["low", "normal", "high", "unknown"]


class Workup(_Out):
    recommended_tests: list[Statement] = Field(default_factory=list)
    lab_findings: list[LabFinding] = Field(default_factory=list)
    egfr_ml_min_1_73m2: float | None = None
    creatinine_clearance_ml_min: float | None = None


class DrugRecommendation(_Out):
    drug: str
    label: str
    dose: str
    route: str
    frequency: str
    timing: str | None = None
    duration: str | None = None
    reasons: list[str] = Field(default_factory=list)
    unverified_checks: list[str] = Field(
        default_factory=list,
        description="Checks that could not be made from the record (missing, stale or "
        "undated data): make them before the first dose.",
    )
    before_starting: list[str] = Field(
        default_factory=list,
        description="What must be done before the first dose (e.g. correct vitamin D "
        "deficiency); the drug stays the plan.",
    )
    ready_to_start: bool = Field(
        default=True,
        description="False while a contraindication could not be checked or something must "
        "be done first (see unverified_checks and before_starting).",
    )
    knowledge_ids: list[str] = Field(default_factory=list)
    label_ids: list[str] = Field(
        default_factory=list, description="The drug label records screened."
    )
    citation_ids: list[str] = Field(default_factory=list)


class AvoidedDrug(_Out):
    drug: str
    label: str | None = None
    reasons: list[str]
    knowledge_ids: list[str] = Field(default_factory=list)
    label_ids: list[str] = Field(
        default_factory=list, description="The drug label records whose restrictions apply."
    )
    citation_ids: list[str] = Field(default_factory=list)


class Plan(_Out):
    pharmacological: list[DrugRecommendation] = Field(default_factory=list)
    avoid: list[AvoidedDrug] = Field(default_factory=list)
    supplements: list[Statement] = Field(default_factory=list)
    non_pharmacological: list[Statement] = Field(default_factory=list)
    exercise: list[Statement] = Field(default_factory=list)
    mind_body: list[Statement] = Field(default_factory=list)
    education: list[Statement] = Field(default_factory=list)
    referrals: list[Statement] = Field(default_factory=list)
    prevention: list[Statement] = Field(default_factory=list)
    do: list[Statement] = Field(default_factory=list)
    avoid_activities: list[Statement] = Field(default_factory=list)
    follow_up: list[Statement] = Field(default_factory=list)


class FaqItem(_Out):
    id: str
    question: str
    answer: str


class Education(_Out):
    summary: str
    faqs: list[FaqItem] = Field(default_factory=list)
    disclaimer: str


class ReferenceOut(_Out):
    id: str
    label: str
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None


class TraceEntry(_Out):
    rule_id: str
    fired: bool
    knowledge_ids: list[str] = Field(default_factory=list)
    inputs: dict[str, str | float | int | bool | None] = Field(default_factory=dict)


class Warning(_Out):
    code: str
    message: str
    path: str | None = None


class Assessment(_Out):
    """What osteowedge concludes for one patient, with the basis of every statement."""

    schema_version: str = SCHEMA_VERSION
    patient_id: str
    as_of: dt.date
    knowledge_version: str
    software_version: str
    bone_density: BoneDensity
    vertebrae: list[GradedVertebra] = Field(default_factory=list)
    spinal_deformity_index: int | None = Field(
        default=None, description="Sum of Genant grades 0-3 over `sdi_levels` (T4-L4)."
    )
    sdi_levels: list[str] = Field(default_factory=list)
    iatrogenic_causes: list[IatrogenicCause] = Field(default_factory=list)
    glucocorticoid_exposure: GlucocorticoidExposure | None = None
    diagnoses: list[Statement] = Field(default_factory=list)
    triage: Triage
    risk: Risk
    workup: Workup
    plan: Plan
    education: Education
    references: list[ReferenceOut] = Field(default_factory=list)
    trace: list[TraceEntry] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)


class ProblemOut(_Out):
    path: str
    expected: str
    got: str | None = None


class ErrorDetail(_Out):
    message: str
    problems: list[ProblemOut] = Field(default_factory=list)


class ErrorRecord(_Out):
    """What a record that cannot be assessed yields instead of an assessment."""

    patient_id: str | None
    error: ErrorDetail
