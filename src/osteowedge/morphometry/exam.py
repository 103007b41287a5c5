"""From the contract's MorphometryExam to graded vertebrae (the one entry the pipeline uses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.assessment import GradedVertebra, TraceEntry, Warning
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import MorphometryExam, PatientRecord, VertebraMeasurement
from osteowedge.morphometry.genant import (
    KNOWLEDGE_IDS,
    GenantRules,
    Heights,
    SpineGrading,
    grade_spine,
)
from osteowedge.morphometry.landmarks import heights_from_landmarks


def heights_of(vertebra: VertebraMeasurement, path: str = "") -> Heights:
    """Heights in mm of one measured vertebra, from heights or six landmarks."""
    if vertebra.landmarks is not None and vertebra.pixel_spacing_mm is not None:
        return heights_from_landmarks(
            vertebra.level,
            vertebra.landmarks,
            vertebra.pixel_spacing_mm,
            reader_grade=vertebra.reader_grade,
            path=path,
        )
    assert vertebra.anterior_mm is not None  # the model guarantees all three heights
    assert vertebra.middle_mm is not None
    assert vertebra.posterior_mm is not None
    return Heights(
        level=vertebra.level,
        anterior_mm=vertebra.anterior_mm,
        middle_mm=vertebra.middle_mm,
        posterior_mm=vertebra.posterior_mm,
        ap_depth_mm=vertebra.ap_depth_mm,
        reader_grade=vertebra.reader_grade,
    )


def grade_exam(exam: MorphometryExam, rules: GenantRules, path: str = "") -> SpineGrading:
    """Grade every vertebra of one exam (``path`` locates the exam in error messages)."""
    heights = [heights_of(v, f"{path}/vertebrae/{i}") for i, v in enumerate(exam.vertebrae)]
    return grade_spine(heights, rules, reader=exam.reader)


@dataclass(frozen=True)
class VertebraeResult:
    """The graded vertebrae of the latest morphometry exam, for the assessment."""

    vertebrae: tuple[GradedVertebra, ...]
    spinal_deformity_index: int | None
    sdi_levels: tuple[str, ...]
    exam_index: int | None
    notes: EngineNotes


def latest_exam_index(exams: Sequence[MorphometryExam]) -> int | None:
    """Index of the most recent exam (dated exams win over undated; later entries win ties)."""
    if not exams:
        return None
    return max(range(len(exams)), key=lambda i: (exams[i].date is not None, exams[i].date, i))


def assess_vertebrae(record: PatientRecord, kb: KnowledgeBase) -> VertebraeResult:
    """Grade the latest morphometry exam of a record; earlier exams are not re-graded here."""
    index = latest_exam_index(record.vertebral_morphometry)
    if index is None:
        return VertebraeResult((), None, (), None, EngineNotes())
    exam = record.vertebral_morphometry[index]
    path = f"/vertebral_morphometry/{index}"
    grading = grade_exam(exam, GenantRules.from_knowledge(kb), path)
    warnings = [
        Warning(code="morphometry_reference", message=w, path=path) for w in grading.warnings
    ]
    possible = [v.level for v in grading.vertebrae if v.possible_fracture]
    if possible:
        warnings.append(
            Warning(
                code="possible_vertebral_fracture",
                message=(
                    f"automated grade-1 deformity at {', '.join(possible)}: a possible fracture "
                    "that a reader must confirm before it counts"
                ),
                path=path,
            )
        )
    trace = [
        TraceEntry(
            rule_id="genant_sq.R-grade",
            fired=any((v.genant_grade or 0) > 0 for v in grading.vertebrae),
            knowledge_ids=list(KNOWLEDGE_IDS),
            inputs={"exam": path, "reader": exam.reader, "levels": len(grading.vertebrae)},
        )
    ]
    return VertebraeResult(
        vertebrae=tuple(GradedVertebra.model_validate(v.as_dict()) for v in grading.vertebrae),
        spinal_deformity_index=grading.spinal_deformity_index,
        sdi_levels=grading.sdi_levels,
        exam_index=index,
        notes=EngineNotes(tuple(warnings), tuple(trace)),
    )
