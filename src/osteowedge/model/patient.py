"""The patient record: the input contract of ``shared/design/patient-format.md``.

Names and types here are the public contract; add fields freely, never rename. Values that are
present but invalid (an unknown unit, a non-positive height, an impossible date) reject the record
with the JSON path of the problem; absent values are ``None`` and the assessment warns about them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from osteowedge.model.history import Allergy, Dental, StopReason, SymptomEntry
from osteowedge.model.strict import StrictModel
from osteowedge.units import normalize_unit, units_listed

SCHEMA_VERSION = "2.0.0"
ACCEPTED_MAJOR_VERSIONS = ("1", "2")  # 1.x records stay valid input
UNITS = units_listed()  # JSON Schema `examples` of a unit field: the accepted spellings

Sex = Literal["female", "male"]
Jurisdiction = Literal["US", "EU", "UK", "CA", "AU", "JP"]
MenopausalStatus = Literal["premenopausal", "perimenopausal", "postmenopausal"]
Route = Literal[
    "oral",
    "intravenous",
    "intramuscular",
    "subcutaneous",
    "inhaled",
    "intranasal",
    "topical",
    "intra_articular",
    "transdermal",
    "vaginal",
]
FrequencyName = Literal[
    "daily",
    "twice_daily",
    "three_times_daily",
    "every_other_day",
    "weekly",
    "monthly",
    "every_3_months",
    "every_6_months",
    "yearly",
    "once",
]
ExposureKindId = Literal[
    "pelvic_radiation",
    "skeletal_radiation",
    "parenteral_nutrition",
    "immobilization",
    "organ_transplantation",
    "spinal_surgery",
]
FractureSite = Literal["vertebra", "hip", "wrist", "humerus", "pelvis", "femoral_shaft", "other"]
FractureMechanism = Literal["fragility", "trauma", "unknown"]
ContrastPhase = Literal["native", "arterial", "portal_venous", "delayed", "unknown"]
MorphometrySource = Literal["radiograph", "vfa", "ct", "mri"]
Reader = Literal["human", "automated"]
Comparator = Literal["<", "<=", ">", ">="]


def _reader_grade(value: float) -> float:
    if value not in (0, 0.5, 1, 2, 3):
        raise ValueError("a Genant grade: 0, 0.5, 1, 2 or 3")
    return value


ReaderGrade = Annotated[float, AfterValidator(_reader_grade)]

VERTEBRAL_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 14)),
    *(f"L{i}" for i in range(1, 7)),
    "S1",
)
"""Cranio-caudal order; T13 and L6 occur in transitional anatomy."""

_LUMBAR_REGION = re.compile(r"^L([1-4])(?:-L([1-4]))?$|^L[1-4](?:,L[1-4])+$")
_HIP_AND_RADIUS = ("femoral_neck", "total_hip", "radius_33")

PositiveFloat = Annotated[float, Field(gt=0)]
Percent = Annotated[float, Field(ge=0, le=100)]


class _Model(StrictModel):
    pass


def _level(value: str) -> str:
    if value not in VERTEBRAL_LEVELS:
        raise ValueError("a vertebral level from C1 to S1 (e.g. L1, T12; T13 and L6 allowed)")
    return value


class HeightMeasurement(_Model):
    date: dt.date
    height_cm: PositiveFloat


class CustomFrequency(_Model):
    count: Annotated[float, Field(gt=0, description="Doses per period.")]
    period_days: Annotated[float, Field(gt=0, description="Length of the period in days.")]


class Medication(_Model):
    """A current or past drug. At least one of `name`, `rxnorm`, `atc`."""

    name: str | None = Field(default=None, description="Generic or brand name, any case.")
    rxnorm: str | None = None
    atc: str | None = None
    dose_value: float | None = Field(default=None, gt=0)
    dose_unit: str | None = Field(None, description="UCUM or alias", json_schema_extra=UNITS)
    frequency: FrequencyName | CustomFrequency | None = None
    route: Route | None = None
    start: dt.date | None = None
    end: dt.date | None = Field(default=None, description="null means ongoing at `as_of`.")
    planned_end: dt.date | None = None
    indication: str | None = None
    product: str | None = Field(None, description="Brand or product code (Prolia vs Xgeva).")
    stop_reason: StopReason | None = Field(
        default=None, description="Why it was stopped; `adverse_reaction` excludes the drug."
    )

    @field_validator("dose_unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        return None if value is None else normalize_unit(value)

    @model_validator(mode="after")
    def _consistent(self) -> Medication:
        if not (self.name or self.rxnorm or self.atc):
            raise ValueError("at least one of name, rxnorm or atc")
        if self.dose_value is not None and self.dose_unit is None:
            raise ValueError("dose_unit is required when dose_value is given (e.g. 'mg')")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.start and self.planned_end and self.planned_end < self.start:
            raise ValueError(f"planned_end {self.planned_end} is before start {self.start}")
        return self


class Exposure(_Model):
    kind: ExposureKindId
    start: dt.date | None = None
    end: dt.date | None = None
    details: str | None = None

    @model_validator(mode="after")
    def _order(self) -> Exposure:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class ConditionEntry(_Model):
    id: str | None = Field(default=None, description="Id from `osteowedge kb list conditions`.")
    code: str | None = None
    system: str | None = Field(default=None, description="e.g. SNOMED, ICD-10, ICD-10-CM.")
    name: str | None = None
    onset: dt.date | None = None
    resolved: dt.date | None = None

    @model_validator(mode="after")
    def _identified(self) -> ConditionEntry:
        if not (self.id or (self.code and self.system) or self.name):
            raise ValueError("an `id`, or `code` with `system`, or a `name`")
        if self.code and not self.system:
            raise ValueError("`system` is required with `code` (e.g. SNOMED or ICD-10)")
        return self


class Fracture(_Model):
    site: FractureSite
    level: str | None = Field(default=None, description="Vertebral level for site=vertebra.")
    date: dt.date | None = None
    mechanism: FractureMechanism = "unknown"

    @field_validator("level")
    @classmethod
    def _check_level(cls, value: str | None) -> str | None:
        return None if value is None else _level(value)


class Lifestyle(_Model):
    smoker: bool | None = None
    alcohol_units_per_day: float | None = Field(
        default=None, ge=0, description="UK units: one unit is 8 g of alcohol."
    )


class DxaRegion(_Model):
    region: str = Field(
        description="L1..L4, L1-L4 or a subset, femoral_neck, total_hip, radius_33."
    )
    side: Literal["left", "right"] | None = None
    bmd_g_cm2: PositiveFloat | None = None
    bmc_g: PositiveFloat | None = None
    area_cm2: PositiveFloat | None = None
    t_score: Annotated[float, Field(ge=-10, le=10)] | None = None
    z_score: Annotated[float, Field(ge=-10, le=10)] | None = None
    precision_rms_sd_g_cm2: PositiveFloat | None = None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if value in _HIP_AND_RADIUS or _LUMBAR_REGION.match(value):
            return value
        raise ValueError(
            "a DXA region: L1, L2, L3, L4, a range such as L1-L4 or L2-L3, a list such as "
            f"L1,L3, or one of {', '.join(_HIP_AND_RADIUS)}"
        )


class DxaExam(_Model):
    date: dt.date
    manufacturer: str | None = None
    regions: list[DxaRegion] = Field(min_length=1)
    tbs: Annotated[float, Field(gt=0, lt=3)] | None = None


class VertebraMeasurement(_Model):
    """Heights in mm, or six landmarks with pixel spacing."""

    level: str
    anterior_mm: PositiveFloat | None = None
    middle_mm: PositiveFloat | None = None
    posterior_mm: PositiveFloat | None = None
    ap_depth_mm: PositiveFloat | None = None
    landmarks: list[tuple[float, float]] | None = Field(
        default=None,
        description="Six [x, y] points: anterior-superior, anterior-inferior, middle-superior, "
        "middle-inferior, posterior-superior, posterior-inferior.",
    )
    pixel_spacing_mm: tuple[PositiveFloat, PositiveFloat] | None = Field(
        default=None, description="[row, col] spacing: y scales by row, x by col."
    )
    reader_grade: ReaderGrade | None = None

    @field_validator("level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        return _level(value)

    @field_validator("landmarks")
    @classmethod
    def _six(cls, value: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if value is not None and len(value) != 6:
            raise ValueError(f"exactly 6 [x, y] landmarks (found {len(value)})")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> VertebraMeasurement:
        heights = (self.anterior_mm, self.middle_mm, self.posterior_mm)
        has_heights = all(h is not None for h in heights)
        if self.landmarks is not None:
            if any(h is not None for h in heights):
                raise ValueError("give heights or landmarks, not both")
            if self.pixel_spacing_mm is None:
                raise ValueError("pixel_spacing_mm [row, col] is required with landmarks")
        elif not has_heights:
            raise ValueError("anterior_mm, middle_mm and posterior_mm (all three), or 6 landmarks")
        return self


class MorphometryExam(_Model):
    date: dt.date | None = None
    source: MorphometrySource
    reader: Reader
    vertebrae: list[VertebraMeasurement] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_levels(self) -> MorphometryExam:
        levels = [v.level for v in self.vertebrae]
        duplicated = sorted({lv for lv in levels if levels.count(lv) > 1})
        if duplicated:
            raise ValueError(f"each level at most once per exam; repeated: {duplicated}")
        return self


class CtAttenuation(_Model):
    date: dt.date | None = None
    level: str
    mean_hu: Annotated[float, Field(ge=-1024, le=3071)]
    kvp: PositiveFloat | None = None
    contrast_phase: ContrastPhase = "unknown"

    @field_validator("level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        return _level(value)


class Lab(_Model):
    code: str | None = Field(default=None, description="LOINC code unless `system` says else.")
    system: str = "LOINC"
    name: str | None = None
    value: float = Field(ge=0, description="A concentration or activity: never negative.")
    comparator: Comparator | None = None
    unit: str | None = Field(None, description="UCUM or listed alias", json_schema_extra=UNITS)
    date: dt.date | None = None
    reference_low: float | None = None
    reference_high: float | None = None

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        return None if value is None else normalize_unit(value)

    @model_validator(mode="after")
    def _identified(self) -> Lab:
        if not (self.code or self.name):
            raise ValueError("a `code` (LOINC) or a `name`")
        if (
            self.reference_low is not None
            and self.reference_high is not None
            and self.reference_low > self.reference_high
        ):
            raise ValueError("reference_low is above reference_high")
        return self


class Exam(_Model):
    height_loss_cm: Annotated[float, Field(ge=0)] | None = None
    spinous_percussion_tenderness: bool | None = None
    schober_increase_cm: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="Increase of the 10 cm mark on forward flexion."
    )
    straight_leg_raise_positive: bool | None = None
    gait_abnormal: bool | None = None
    sit_to_stand_impaired: bool | None = None
    neurological_deficit: bool | None = None
    saddle_anaesthesia: bool | None = None
    bladder_or_bowel_dysfunction: bool | None = None
    fever: bool | None = None


class Frax(_Model):
    major_osteoporotic_pct: Percent | None = None
    hip_pct: Percent | None = None
    with_bmd: bool | None = None
    glucocorticoids_entered: bool | None = None


class PatientRecord(_Model):
    """One patient, as a clinician or a health system already has the data."""

    schema_version: str = SCHEMA_VERSION
    id: str = Field(min_length=1)
    as_of: dt.date | None = Field(
        default=None, description="Date the assessment is made for; the edge fills in today."
    )
    sex: Sex
    birth_date: dt.date | None = None
    age_years: Annotated[float, Field(ge=0, le=130)] | None = None
    menopausal_status: MenopausalStatus | None = None
    pregnant: bool | None = None
    pregnancy_planned: bool | None = None
    breastfeeding: bool | None = None
    allergies: list[Allergy] = Field(default_factory=list)
    dental: Dental | None = None
    jurisdiction: Jurisdiction | None = Field(
        default=None,
        description="Whose drug labels apply (US FDA, EU EMA, UK MHRA, CA, AU, JP). Absent: "
        "the strictest reading of every label, with a warning.",
    )
    height_cm: Annotated[float, Field(gt=30, lt=280)] | None = None
    weight_kg: Annotated[float, Field(gt=1, lt=500)] | None = None
    height_history: list[HeightMeasurement] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    exposures: list[Exposure] = Field(default_factory=list)
    conditions: list[ConditionEntry] = Field(default_factory=list)
    fractures: list[Fracture] = Field(default_factory=list)
    falls_last_12_months: Annotated[int, Field(ge=0)] | None = None
    lifestyle: Lifestyle | None = None
    parent_hip_fracture: bool | None = None
    dxa: list[DxaExam] = Field(default_factory=list)
    vertebral_morphometry: list[MorphometryExam] = Field(default_factory=list)
    ct_attenuation: list[CtAttenuation] = Field(default_factory=list)
    labs: list[Lab] = Field(default_factory=list)
    symptoms: list[str | SymptomEntry] = Field(
        default_factory=list,
        description="Ids from `kb list symptoms`, or {id, onset, progressing}.",
    )
    exam: Exam | None = None
    frax: Frax | None = None

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value.split(".")[0] not in ACCEPTED_MAJOR_VERSIONS:
            raise ValueError(
                f"a schema version this release reads: 1.x or 2.x (current {SCHEMA_VERSION})"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PatientRecord:
        if self.birth_date is None and self.age_years is None:
            raise ValueError("one of birth_date or age_years is required")
        if self.sex == "male" and (
            self.menopausal_status or self.pregnant or self.breastfeeding or self.pregnancy_planned
        ):
            raise ValueError(
                "menopausal_status, pregnant, pregnancy_planned and breastfeeding apply to "
                "women only"
            )
        if self.as_of and self.birth_date and self.birth_date > self.as_of:
            raise ValueError(f"birth_date {self.birth_date} is after as_of {self.as_of}")
        return self


def symptom_ids(record: PatientRecord) -> list[str]:
    """The record's symptom ids, whichever form each was given in."""
    return [s if isinstance(s, str) else s.id for s in record.symptoms]
