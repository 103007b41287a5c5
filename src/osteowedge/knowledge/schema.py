"""Pydantic models for the knowledge records under ``knowledge/data/``.

Every YAML file in ``knowledge/data/`` holds ``records: [...]``; each record has a ``kind``
that selects one of the models below (a discriminated union). Fields shared by every record live
in :class:`RecordBase`. Numbers that decide anything are :class:`Fact` values carrying their own
verification mark (V, V2, D or U, the legend of ``shared/reference/clinical-facts.md``); a fact
marked ``U`` is stored for the reader but :meth:`KnowledgeBase.decision_fact` refuses it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

EvidenceLevel = Literal[
    "guideline",
    "systematic_review",
    "rct",
    "observational",
    "expert_opinion",
    "source_article_only",
]
Verification = Literal["V", "V2", "D", "U"]
TherapyStatus = Literal[
    "standard", "second_line", "withdrawn_or_restricted", "investigational", "not_recommended"
]
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
Jurisdiction = Literal["US", "EU", "UK", "CA", "AU", "JP"]
"""Whose drug labels apply: FDA (US), EMA (EU), MHRA (UK), Health Canada, TGA (AU), PMDA (JP)."""
Frequency = Literal[
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
    "as_needed",
]

SECTIONS: dict[str, str] = {
    "morphological_types": "Morphological types of vertebral deformity",
    "genant_grades": "Genant semi-quantitative severity grades",
    "causes": "Iatrogenic causes",
    "exposure_kinds": "Non-drug exposure kinds accepted in a patient record",
    "symptoms": "Symptoms",
    "treatment_warning_signs": "Symptoms that warn of a treatment's harm (beyond the article's)",
    "physical_examination": "Diagnostic tests: physical examination",
    "manual_functional_tests": "Diagnostic tests: manual functional tests",
    "laboratory_tests": "Diagnostic tests: laboratory and pathological studies",
    "bone_turnover_markers": "Diagnostic tests: bone turnover markers",
    "electrodiagnostic_studies": "Diagnostic tests: electrodiagnostic studies",
    "imaging_tests": "Diagnostic tests: imaging",
    "physiotherapy_electrotherapy": "Non-pharmacological: physiotherapy and electrotherapy",
    "exercise_therapies": "Non-pharmacological: exercise therapies",
    "mind_body_therapies": "Non-pharmacological: mind-body therapies",
    "educational_self_management": "Non-pharmacological: educational self-management",
    "pharmacological": "Pharmacological treatments",
    "oncology_bone_agents": "Oncology bone-targeted products (not osteoporosis regimens)",
    "dietary_supplements": "Dietary molecular supplements",
    "regenerative_cellular_therapies": "Advanced regenerative and cellular therapies",
    "surgical_procedures": "Surgical procedures",
    "prevention_strategies": "Prevention strategies",
    "red_flags": "When to see a doctor: red flags",
    "do": "What to do",
    "avoid": "What to avoid",
    "faqs": "Frequently asked questions",
    "conditions": "Coded conditions used by contraindication, triage and risk rules",
    "diagnoses": "Diagnoses the assessment can make",
    "guidelines": "Guideline logic: thresholds, tables and equations",
    "vocabularies": "Controlled vocabularies accepted in a patient record",
    "disclaimers": "Disclaimers",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A citable source: a paper, guideline, drug label or web page."""

    kind: Literal["reference"] = "reference"
    id: str = Field(description="snake_case id, e.g. `humphrey_2023_acr_giop`.")
    label: str = Field(description="Short human label: authors, title or body, journal, year.")
    url: str | None = Field(default=None, description="Web address, when one exists.")
    doi: str | None = Field(default=None, description="DOI without the https://doi.org/ prefix.")
    pmid: str | None = Field(default=None, description="PubMed id, digits only.")
    note: str | None = Field(default=None, description="What was read (abstract, table, label).")

    @model_validator(mode="after")
    def _has_locator(self) -> Reference:
        if not (self.url or self.doi or self.pmid):
            raise ValueError(f"reference {self.id!r} needs at least one of url, doi or pmid")
        if self.pmid is not None and not self.pmid.isdigit():
            raise ValueError(f"reference {self.id!r}: pmid must be digits, got {self.pmid!r}")
        if self.doi is not None and not self.doi.startswith("10."):
            raise ValueError(f"reference {self.id!r}: doi must start with '10.', got {self.doi!r}")
        return self


class Evidence(_Strict):
    level: EvidenceLevel = Field(description="Kind of evidence behind the record.")
    grade_strength: str | None = Field(
        default=None,
        description="Recommendation strength where a guideline gives one (e.g. 'strong', "
        "'conditional').",
    )
    note: str | None = None


class Fact(_Strict):
    """One number, code, list or table that code may use, with its verification mark."""

    value: Any = Field(description="The value: number, string, list or table (JSON-like).")
    unit: str | None = Field(default=None, description="UCUM unit or a plain unit name.")
    verification: Verification = Field(
        description="V verified, V2 secondary source, D derived, U unverified (never decides)."
    )
    citations: list[str] = Field(default_factory=list, description="Reference ids.")
    note: str | None = None


class SafetyNote(_Strict):
    """Where the source article is outdated, unsafe or describes something investigational."""

    kind: Literal[
        "outdated", "unsafe", "investigational", "restricted", "interaction", "not_recommended"
    ]
    text: str
    citations: list[str] = Field(min_length=1)


class Quantity(_Strict):
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str
    text: str | None = Field(default=None, description="The dose as a person would say it.")


class Population(_Strict):
    """Who a rule, contraindication or label applies to. Absent fields do not restrict."""

    sex: Literal["female", "male"] | None = None
    menopausal_status: list[Literal["premenopausal", "perimenopausal", "postmenopausal"]] | None = (
        None
    )
    min_age_years: float | None = None
    max_age_years: float | None = None
    pregnant: bool | None = None


class LabCriterion(_Strict):
    test: str = Field(description="Id of a test record (e.g. `serum_calcium`).")
    comparison: Literal["below_reference_low", "above_reference_high", "below", "above"]
    threshold: Fact | None = Field(default=None, description="For `below`/`above`.")


_TRIGGERS = "condition, lab, population, outside_population, medication, vertebral_fracture"


class Contraindication(_Strict):
    """A structured condition under which a drug, supplement or activity must not be used
    (contraindicated, not_recommended: screened out), needs a label step first (before_starting:
    kept, not ready to start) or needs care (caution: kept with the reason)."""

    id: str = Field(description="Stable id within the record, e.g. `alendronate.ci.esophagus`.")
    severity: Literal["contraindicated", "not_recommended", "before_starting", "caution"]
    condition: str | None = Field(default=None, description="Id of a `condition` record.")
    within_months: int | None = Field(
        default=None, description="Only when the condition's onset lies within this window."
    )
    lab: LabCriterion | None = None
    population: Population | None = Field(
        default=None, description="Applies when the patient IS in this population."
    )
    outside_population: Population | None = Field(
        default=None, description="Applies when the patient is NOT in this population (label)."
    )
    medication: str | None = Field(default=None, description="Id of a cause or drug taken.")
    vertebral_fracture: bool | None = Field(default=None, description="A vertebral fracture.")
    reason: str
    verification: Verification
    citations: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_trigger(self) -> Contraindication:
        triggers = (self.condition, self.lab, self.population, self.outside_population)
        if all(t is None for t in (*triggers, self.medication, self.vertebral_fracture)):
            raise ValueError(f"contraindication {self.id!r} needs a trigger: one of {_TRIGGERS}")
        return self


class RenalCutoff(_Strict):
    measure: Literal["crcl", "egfr"] = Field(
        description="Creatinine clearance (Cockcroft-Gault) or eGFR, as the label states."
    )
    below_ml_min: float
    action: Literal["contraindicated", "not_recommended", "before_starting", "caution"]
    reason: str | None = None  # what the label asks below the cut-off, as the plan says it
    verification: Verification
    citations: list[str] = Field(min_length=1)
    note: str | None = None


class DrugLabel(_Strict):
    """One regulator's label for a drug (FDA prescribing information, EMA SmPC, ...): the
    restrictions and limits that label states beyond the drug record's own, with its citation.

    The plan screens the label of the record's `jurisdiction`; without one, or without a label
    record for it, every label of the drug (the strictest reading).
    """

    jurisdiction: Jurisdiction
    regulator: str = Field(description="FDA, EMA, MHRA, ...")
    products: list[str] = Field(default_factory=list, description="Brand names on this label.")
    contraindications: list[Contraindication] = Field(default_factory=list)
    renal_cutoff: RenalCutoff | None = None
    max_duration_months: Fact | None = Field(
        default=None, description="Longest treatment this label allows (lifetime)."
    )
    lifetime_group: str | None = Field(
        default=None,
        description="Drugs sharing a group count together towards the duration limit "
        "(e.g. `pth_analogue`: teriparatide and abaloparatide).",
    )
    verification: Verification
    citations: list[str] = Field(min_length=1, description="The label itself (primary source).")
    note: str | None = None


LoincProperty = Literal["MCnc", "SCnc", "CCnc", "ACnc", "ArVRat", "MRat", "Vel", "Prid", "Find"]
"""LOINC property: mass, substance (moles), catalytic (enzyme activity) or arbitrary (units)
concentration, volume rate per area (eGFR), mass rate (24 h), velocity (ESR), identity, finding."""


class Code(_Strict):
    system: Literal["ATC", "RxNorm", "LOINC", "SNOMED", "ICD-10", "ICD-10-CM", "UCUM"]
    code: str
    display: str | None = None
    property: LoincProperty | None = Field(
        default=None, description="LOINC codes: the property, which fixes the unit dimension."
    )
    specimen: str | None = Field(default=None, description="LOINC system, e.g. Ser/Plas, Bld.")
    verification: Verification = "V2"


class EffectSize(_Strict):
    measure: str = Field(description="e.g. 'any fracture OR', 'clinical vertebral HR'.")
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    population: str | None = None
    verification: Verification
    citations: list[str] = Field(min_length=1)


class Ingredient(_Strict):
    name: str = Field(description="Generic ingredient name, lower case.")
    atc: str | None = None
    rxnorm: str | None = Field(
        default=None, description="RxNorm ingredient concept (TTY IN) CUI, digits."
    )
    brands: list[str] = Field(default_factory=list)
    note: str | None = None


class RecordBase(_Strict):
    id: str = Field(description="snake_case identifier, unique across the knowledge base.")
    sections: list[str] = Field(min_length=1, description="Sections the record belongs to.")
    name: str
    synonyms: list[str] = Field(default_factory=list)
    source_label: str | None = Field(
        default=None, description="The source article's exact words for the item."
    )
    summary: str = Field(min_length=10, description="What it is, in our own words.")
    citations: list[str] = Field(min_length=1, description="Ids of `reference` records.")
    evidence: Evidence
    safety_notes: list[SafetyNote] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list, description="Ids of related records.")

    @field_validator("id")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"id {value!r} is not snake_case (e.g. `zoledronic_acid`)")
        return value

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; known: {sorted(SECTIONS)}")
        return value


class MorphologyType(RecordBase):
    kind: Literal["morphology_type"]
    morphology: Literal["wedge", "biconcave", "crush"]
    reduced_height: Literal["anterior", "middle", "posterior"]


class GenantGrade(RecordBase):
    kind: Literal["genant_grade"]
    grade: float
    label: str


class Cause(RecordBase):
    kind: Literal["cause"]
    category: Literal["drug", "procedure", "exposure"]
    mechanism: str
    atc_codes: list[str] = Field(default_factory=list, description="ATC classes or substances.")
    ingredients: list[Ingredient] = Field(default_factory=list)
    routes_that_count: list[Route] = Field(default_factory=list)
    routes_that_do_not_count: list[Route] = Field(default_factory=list)
    threshold: str = Field(description="The dose or duration that matters, in words.")
    min_duration_days: Fact | None = None
    min_dose: Fact | None = None
    requires_lab: LabCriterion | None = Field(
        default=None, description="e.g. thyroxine over-replacement needs a suppressed TSH."
    )
    effect_sizes: list[EffectSize] = Field(default_factory=list)
    exposure_kind: bool = Field(
        default=False, description="True when the record is a non-drug `exposures[].kind`."
    )


class ExposureKind(RecordBase):
    kind: Literal["exposure_kind"]
    counts_as_cause: str | None = Field(default=None, description="Cause id it maps to.")
    includes: list[str] = Field(
        default_factory=list,
        description="Narrower exposure kinds that are kinds of this one (pelvic radiation is "
        "skeletal radiation).",
    )


class Symptom(RecordBase):
    kind: Literal["symptom"]
    description: str


class ReferenceRange(_Strict):
    low: float | None = None
    high: float | None = None
    unit: str
    population: Population | None = None
    verification: Verification
    citations: list[str] = Field(min_length=1)
    note: str | None = None


class Test(RecordBase):
    kind: Literal["test"]
    category: Literal[
        "physical_examination", "manual_functional", "laboratory", "electrodiagnostic", "imaging"
    ]
    codes: list[Code] = Field(default_factory=list, description="LOINC codes where they exist.")
    detects: str
    indications: list[str] = Field(default_factory=list)
    reference_ranges: list[ReferenceRange] = Field(default_factory=list)
    freshness_days: Fact | None = Field(
        default=None, description="How old a result may be before it counts as missing."
    )


class Therapy(RecordBase):
    """Physiotherapy, exercise, mind-body, education, regenerative and prevention items."""

    kind: Literal["therapy"]
    description: str
    purpose: str
    mechanism: str | None = None
    indications: list[str] = Field(default_factory=list)
    status: TherapyStatus
    dose: Quantity | None = None
    contraindications: list[Contraindication] = Field(default_factory=list)


class Drug(RecordBase):
    kind: Literal["drug"]
    drug_class: str
    ingredients: list[Ingredient] = Field(default_factory=list)
    atc_codes: list[str] = Field(default_factory=list)
    dose: Quantity
    alternative_doses: list[Quantity] = Field(default_factory=list)
    route: Route
    frequency: Frequency
    timing: str | None = None
    side_effects: list[str] = Field(default_factory=list)
    contraindications: list[Contraindication] = Field(default_factory=list)
    renal_cutoff: RenalCutoff | None = None
    max_duration_months: Fact | None = None
    labels: list[DrugLabel] = Field(
        default_factory=list, description="One record per regulator's label (see DrugLabel)."
    )
    eu_authorisation: Literal["central", "national"] = Field(
        default="central",
        description="`national`: no centrally authorised EU product, so no EMA label record "
        "(each member state's SmPC applies).",
    )
    on_stop: str | None = Field(default=None, description="What must follow when it stops.")
    follow_on: list[str] = Field(default_factory=list, description="Drug ids that follow.")
    product_of: str | None = None  # the drug record whose substance this product is, at its dose
    status: TherapyStatus
    is_osteoporosis_therapy: bool = True
    anabolic: bool = False
    interactions: list[str] = Field(default_factory=list, description="Plain-language notes.")


class Procedure(RecordBase):
    kind: Literal["procedure"]
    description: str
    purpose: str
    mechanism: str | None = None
    indications: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    status: TherapyStatus


class Advice(RecordBase):
    """An item of the article's prevention, do or avoid lists."""

    kind: Literal["advice"]
    advice_type: Literal["prevention", "do", "avoid"]
    text: str = Field(description="What to do or avoid, plainly.")
    rationale: str


class RedFlag(RecordBase):
    kind: Literal["red_flag"]
    urgency: Literal["soon", "urgent"]
    triggers: list[str] = Field(
        description="Symptom ids or `exam.<field>` / `history.<item>` names that fire it."
    )
    workup: list[str] = Field(default_factory=list, description="Test ids to order.")


class Faq(RecordBase):
    kind: Literal["faq"]
    question: str
    answer: str = Field(description="Plain-language answer in our own words.")
    applies_to: list[str] = Field(
        default_factory=list, description="Record ids that make this FAQ relevant."
    )


class Condition(RecordBase):
    kind: Literal["condition"]
    codes: list[Code] = Field(min_length=1, description="SNOMED CT and ICD-10 codes.")


class Diagnosis(RecordBase):
    kind: Literal["diagnosis"]
    criteria: str = Field(description="When the assessment makes this diagnosis.")


class Guideline(RecordBase):
    """Guideline logic as data: thresholds, tables, coefficients."""

    kind: Literal["guideline"]
    rule_ids: list[str] = Field(default_factory=list, description="Stable rule ids, e.g. R1.")
    facts: dict[str, Fact] = Field(min_length=1)


class VocabularyValue(_Strict):
    id: str
    name: str
    note: str | None = None


class Vocabulary(RecordBase):
    kind: Literal["vocabulary"]
    values: list[VocabularyValue] = Field(min_length=1)


class Disclaimer(RecordBase):
    kind: Literal["disclaimer"]
    text: str


Record = Annotated[
    MorphologyType
    | GenantGrade
    | Cause
    | ExposureKind
    | Symptom
    | Test
    | Therapy
    | Drug
    | Procedure
    | Advice
    | RedFlag
    | Faq
    | Condition
    | Diagnosis
    | Guideline
    | Vocabulary
    | Disclaimer,
    Field(discriminator="kind"),
]


class RecordFile(_Strict):
    """One YAML file: its records and the references they cite."""

    records: list[Record] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
