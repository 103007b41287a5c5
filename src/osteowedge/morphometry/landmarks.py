"""Six-point landmarks -> vertebral heights in millimetres.

Point order (patient-format.md): anterior-superior, anterior-inferior, middle-superior,
middle-inferior, posterior-superior, posterior-inferior. ``x`` is a column index scaled by the
column spacing, ``y`` a row index scaled by the row spacing. Heights are Euclidean distances, so
they do not change under in-plane rotation or translation and scale with the spacing; the ratios
and grades built on them are scale-invariant. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from osteowedge.errors import InputError, Problem
from osteowedge.morphometry.genant import Heights

POINT_NAMES: tuple[str, ...] = (
    "anterior_superior",
    "anterior_inferior",
    "middle_superior",
    "middle_inferior",
    "posterior_superior",
    "posterior_inferior",
)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def heights_from_landmarks(
    level: str,
    landmarks: Sequence[Sequence[float]],
    pixel_spacing_mm: tuple[float, float],
    *,
    reader_grade: float | None = None,
    path: str = "",
) -> Heights:
    """Heights (and endplate depth) of one vertebra from its six landmarks.

    ``pixel_spacing_mm`` is ``(row, col)``: y is multiplied by the row spacing, x by the column
    spacing. ``ap_depth_mm`` is the mean length of the superior and inferior endplates
    (anterior-superior to posterior-superior, anterior-inferior to posterior-inferior).
    """
    problems: list[Problem] = []
    if len(landmarks) != len(POINT_NAMES):
        problems.append(
            Problem(f"{path}/landmarks", "exactly 6 [x, y] points", f"{len(landmarks)} point(s)")
        )
    else:
        for i, point in enumerate(landmarks):
            if len(point) != 2 or not all(math.isfinite(c) for c in point):
                problems.append(Problem(f"{path}/landmarks/{i}", "[x, y] finite", repr(point)))
    row, col = pixel_spacing_mm
    if not (math.isfinite(row) and math.isfinite(col) and row > 0 and col > 0):
        problems.append(
            Problem(f"{path}/pixel_spacing_mm", "[row, col] > 0 mm", repr(pixel_spacing_mm))
        )
    if problems:
        raise InputError(f"landmarks of {level} cannot be measured", problems)

    mm = [(float(p[0]) * col, float(p[1]) * row) for p in landmarks]
    anterior = _distance(mm[0], mm[1])
    middle = _distance(mm[2], mm[3])
    posterior = _distance(mm[4], mm[5])
    for name, value, (a, b) in (
        ("anterior", anterior, (0, 1)),
        ("middle", middle, (2, 3)),
        ("posterior", posterior, (4, 5)),
    ):
        if value <= 0:
            raise InputError(
                f"landmarks of {level} give a zero {name} height",
                [
                    Problem(
                        f"{path}/landmarks/{b}",
                        f"{POINT_NAMES[b]} distinct from {POINT_NAMES[a]}",
                        repr(list(landmarks[b])),
                    )
                ],
            )
    depth = (_distance(mm[0], mm[4]) + _distance(mm[1], mm[5])) / 2
    return Heights(
        level=level,
        anterior_mm=anterior,
        middle_mm=middle,
        posterior_mm=posterior,
        ap_depth_mm=depth if depth > 0 else None,
        reader_grade=reader_grade,
    )
