"""Properties of the grading: monotone in height loss; landmarks invariant to rigid motion."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from osteowedge.knowledge import load_knowledge_base
from osteowedge.morphometry import GenantRules, Heights, grade_spine, heights_from_landmarks

RULES = GenantRules.from_knowledge(load_knowledge_base())
height = st.floats(min_value=10.0, max_value=45.0, allow_nan=False)
fraction = st.floats(min_value=0.0, max_value=0.9, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    neighbours=st.tuples(height, height, height, height),
    target=st.tuples(height, height, height),
    which=st.sampled_from(["anterior", "middle", "all"]),
    first=fraction,
    more=fraction,
)
def test_grade_never_falls_as_loss_grows(
    neighbours: tuple[float, float, float, float],
    target: tuple[float, float, float],
    which: str,
    first: float,
    more: float,
) -> None:
    levels = ("L1", "L2", "L4", "L5")
    spine = [Heights(lv, h, h, h) for lv, h in zip(levels, neighbours, strict=True)]

    def graded(loss: float) -> tuple[int, float]:
        heights = list(target)
        for i in {"anterior": [0], "middle": [1], "all": [0, 1, 2]}[which]:
            heights[i] *= 1.0 - loss
        v = next(
            g
            for g in grade_spine([*spine, Heights("L3", *heights)], RULES).vertebrae
            if g.level == "L3"
        )
        return v.genant_grade, v.height_loss_pct

    # Shrinking the anterior or middle height, or the whole body evenly, is more collapse.
    # (Shrinking only a posterior height that is taller than the neighbours' is not: it lowers
    # the reference too, and a body whose heights all match its neighbours is normal.)
    lighter = graded(first)
    heavier = graded(min(first + more * (1 - first), 0.95))
    assert heavier[0] >= lighter[0]
    assert heavier[1] >= lighter[1]


points = st.lists(
    st.tuples(
        st.floats(min_value=-200, max_value=200, allow_nan=False),
        st.floats(min_value=-200, max_value=200, allow_nan=False),
    ),
    min_size=6,
    max_size=6,
)


def _rotate(
    p: tuple[float, float], angle: float, shift: tuple[float, float]
) -> tuple[float, float]:
    c, s = math.cos(angle), math.sin(angle)
    return (c * p[0] - s * p[1] + shift[0], s * p[0] + c * p[1] + shift[1])


@settings(max_examples=300, deadline=None)
@given(
    pts=points,
    angle=st.floats(min_value=-math.pi, max_value=math.pi),
    shift=st.tuples(st.floats(-500, 500), st.floats(-500, 500)),
    spacing=st.floats(min_value=0.1, max_value=3.0),
)
def test_landmark_heights_are_invariant_to_rotation_and_translation(
    pts: list[tuple[float, float]], angle: float, shift: tuple[float, float], spacing: float
) -> None:
    segments = [(0, 1), (2, 3), (4, 5)]
    if any(math.dist(pts[a], pts[b]) < 1.0 for a, b in segments):
        return  # degenerate landmark sets are rejected, tested elsewhere
    moved = [_rotate(p, angle, shift) for p in pts]
    a = heights_from_landmarks("L1", pts, (spacing, spacing))
    b = heights_from_landmarks("L1", moved, (spacing, spacing))
    for name in ("anterior_mm", "middle_mm", "posterior_mm"):
        assert math.isclose(getattr(a, name), getattr(b, name), rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    heights=st.lists(st.tuples(height, height, height), min_size=5, max_size=5),
    scale=st.floats(min_value=0.2, max_value=5.0),
)
def test_heights_scale_with_spacing_and_grades_do_not(
    heights: list[tuple[float, float, float]], scale: float
) -> None:
    levels = ("T12", "L1", "L2", "L3", "L4")

    def landmarks(h: tuple[float, float, float]) -> list[tuple[float, float]]:
        ha, hm, hp = h
        return [(0, 0), (0, ha), (15, 0), (15, hm), (30, 0), (30, hp)]

    base = [
        heights_from_landmarks(lv, landmarks(h), (1.0, 1.0))
        for lv, h in zip(levels, heights, strict=True)
    ]
    scaled = [
        heights_from_landmarks(lv, landmarks(h), (scale, scale))
        for lv, h in zip(levels, heights, strict=True)
    ]
    for b, s in zip(base, scaled, strict=True):
        assert math.isclose(s.anterior_mm, b.anterior_mm * scale, rel_tol=1e-9)
    g1 = [(v.genant_grade, v.morphology) for v in grade_spine(base, RULES).vertebrae]
    g2 = [(v.genant_grade, v.morphology) for v in grade_spine(scaled, RULES).vertebrae]
    assert g1 == g2
