"""Record parts added in contract 2.0: allergies, dental health and symptoms with a course.

Each is part of the patient record's public contract (`shared/design/patient-format.md`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from osteowedge.model.strict import StrictModel

Severity = Literal["mild", "moderate", "severe", "unknown"]
StopReason = Literal[
    "completed",
    "adverse_reaction",
    "ineffective",
    "cost",
    "patient_choice",
    "contraindication",
    "unknown",
]


class _Part(StrictModel):
    pass


class Allergy(_Part):
    """An allergy or intolerance to a drug: it excludes that drug from the plan."""

    substance: str = Field(
        min_length=1,
        description="A knowledge-base drug id (`alendronate`), a drug or brand name, or an "
        "RxNorm or ATC code.",
    )
    reaction: str | None = Field(default=None, description="What happened, in words.")
    severity: Severity = "unknown"


class Dental(_Part):
    """Dental health before antiresorptives and romosozumab (osteonecrosis of the jaw)."""

    last_exam_date: dt.date | None = None
    invasive_procedure_planned: bool | None = Field(
        default=None, description="An extraction, implant or other surgery involving the jaw bone."
    )
    poor_oral_health: bool | None = None


class SymptomEntry(_Part):
    """A symptom with its course: a new or progressing symptom differs from a stable one."""

    id: str = Field(min_length=1, description="Id from `osteowedge kb list symptoms`.")
    onset: dt.date | None = None
    progressing: bool | None = None


__all__ = ["Allergy", "Dental", "Severity", "StopReason", "SymptomEntry"]
