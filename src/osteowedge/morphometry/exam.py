"""From the contract's MorphometryExam to graded vertebrae (the one entry the pipeline uses)."""

from __future__ import annotations

from osteowedge.model.patient import MorphometryExam, VertebraMeasurement
from osteowedge.morphometry.genant import GenantRules, Heights, SpineGrading, grade_spine
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
