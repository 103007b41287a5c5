"""Six-point landmarks -> heights in mm."""

from __future__ import annotations

import math

import pytest

from osteowedge.errors import InputError
from osteowedge.morphometry import heights_from_landmarks

# A 30 mm deep vertebra, anterior 20 mm, middle 25 mm, posterior 28 mm; anterior at x = 0.
BOX = [(0.0, 0.0), (0.0, 20.0), (15.0, -2.0), (15.0, 23.0), (30.0, -4.0), (30.0, 24.0)]


def test_heights_and_depth_with_unit_spacing() -> None:
    h = heights_from_landmarks("L1", BOX, (1.0, 1.0))
    assert (h.anterior_mm, h.middle_mm, h.posterior_mm) == (20.0, 25.0, 28.0)
    assert h.ap_depth_mm == pytest.approx((math.hypot(30, 4) + math.hypot(30, 4)) / 2)


def test_spacing_is_row_then_column() -> None:
    # y (rows) scaled by 0.5, x (columns) by 2: vertical heights halve
    h = heights_from_landmarks("L1", BOX, (0.5, 2.0))
    assert h.anterior_mm == pytest.approx(10.0)
    assert h.posterior_mm == pytest.approx(14.0)
    assert h.ap_depth_mm == pytest.approx(math.hypot(60, 2))


@pytest.mark.parametrize(
    ("points", "spacing", "path"),
    [
        (BOX[:5], (1.0, 1.0), "/landmarks"),
        (BOX, (0.0, 1.0), "/pixel_spacing_mm"),
        ([*BOX[:4], (30.0, 0.0), (30.0, 0.0)], (1.0, 1.0), "/landmarks/5"),
        ([*BOX[:5], (float("inf"), 1.0)], (1.0, 1.0), "/landmarks/5"),
    ],
)
def test_bad_landmarks_are_rejected(
    points: list[tuple[float, float]], spacing: tuple[float, float], path: str
) -> None:
    with pytest.raises(InputError) as err:
        heights_from_landmarks("L1", points, spacing)
    assert path in [p.path for p in err.value.problems]
