"""Snapshot of the spine figure's SVG for a fixed case.

The case: the documented example assessment (L1 grade-2 wedge, T11-L3 measured) plus an
automated grade 1 at T8 (possible fracture) and a measured, ungraded L5. To accept a deliberate
change of the drawing, regenerate the snapshot and review the diff:

    OSTEOWEDGE_UPDATE_SNAPSHOTS=1 uv run pytest tests/unit/report/test_spine_snapshot.py
"""

from __future__ import annotations

import os

from osteowedge.model.assessment import Assessment, GradedVertebra
from osteowedge.report.spine_diagram import spine_svg
from tests.unit.report.conftest import snapshot_path

SNAPSHOT = snapshot_path("spine_example.svg")


def fixed_case(a: Assessment) -> Assessment:
    extra = [
        GradedVertebra(
            level="T8",
            genant_grade=1,
            morphology="wedge",
            height_loss_pct=21.5,
            reference_height_mm=22.0,
            counts_as_fracture=False,
            possible_fracture=True,
        ),
        GradedVertebra(
            level="L5",
            genant_grade=None,
            morphology=None,
            height_loss_pct=None,
            reference_height_mm=None,
            counts_as_fracture=False,
            in_sdi=False,
        ),
    ]
    return a.model_copy(update={"vertebrae": [*a.vertebrae, *extra]})


def test_spine_svg_matches_snapshot(doc_assessment: Assessment) -> None:
    svg = spine_svg(fixed_case(doc_assessment)) + "\n"
    if os.environ.get("OSTEOWEDGE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(svg, encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot at {SNAPSHOT}: run with OSTEOWEDGE_UPDATE_SNAPSHOTS=1"
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert svg == expected, (
        "the spine SVG changed; if on purpose, rerun with OSTEOWEDGE_UPDATE_SNAPSHOTS=1 and "
        "review the diff of tests/unit/report/snapshots/spine_example.svg"
    )
