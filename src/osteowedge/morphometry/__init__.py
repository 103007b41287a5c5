"""Vertebral morphometry: heights or landmarks -> Genant grade, morphology, QM ratios, wedge
angle, spinal deformity index; reader agreement; CT label maps -> heights and trabecular HU
(`osteowedge.morphometry.labelmap`, imported on its own so that assessing a record does not load
scipy.ndimage).

Pure numpy/scipy: no file I/O (that lives in `osteowedge.io`).
"""

from osteowedge.morphometry.agreement import (
    AgreementReport,
    ReaderHeights,
    icc_2_1,
    reader_agreement,
)
from osteowedge.morphometry.exam import grade_exam, heights_of
from osteowedge.morphometry.genant import (
    GenantRules,
    Heights,
    SpineGrading,
    VertebraGrade,
    grade_spine,
)
from osteowedge.morphometry.landmarks import heights_from_landmarks

__all__ = [
    "AgreementReport",
    "GenantRules",
    "Heights",
    "ReaderHeights",
    "SpineGrading",
    "VertebraGrade",
    "grade_exam",
    "grade_spine",
    "heights_from_landmarks",
    "heights_of",
    "icc_2_1",
    "reader_agreement",
]
