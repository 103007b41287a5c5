"""CT label maps -> heights, depth, volume, trabecular HU and QC, on synthetic vertebrae with
known answers: boxes, wedges and biconcave bodies with or without a posterior arch, on voxel
grids of any orientation (oblique, VerSe-like PIR) and anisotropic spacing."""

from __future__ import annotations

import json
import math
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from osteowedge.errors import ImageGeometryError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.ct.results import LabelMapMeasurement
from osteowedge.morphometry.ct.schemes import (
    TOTAL,
    VERSE,
    VERTEBRAE_PP,
    detect_scheme,
    resolve_scheme,
)
from osteowedge.morphometry.labelmap import label_boxes, measure_label_map
from tests.synthetic_spine import (
    TRABECULAR_HU,
    Grid,
    Vertebra,
    grid_around,
    lumbar_spine,
    rotation,
    voxelise,
)

PIR = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
"""Grid axes pointing posterior, inferior, right (VerSe's sub-verse004 orientation)."""


@pytest.fixture(scope="module")
def params() -> MeasurementParams:
    from osteowedge.knowledge import load_knowledge_base

    return MeasurementParams.from_knowledge(load_knowledge_base())


def build(
    vertebrae: list[Vertebra],
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0),
    axes: np.ndarray | None = None,
    *,
    with_ct: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, Grid]:
    grid = grid_around(vertebrae, spacing=spacing, axes=axes)
    labels, ct = voxelise(vertebrae, grid, with_ct=with_ct)
    return labels, ct, grid


def footprint(grid: Grid, direction: tuple[float, float, float]) -> float:
    """Width of one voxel along a direction: the tolerance 'about one voxel'."""
    return float(np.sum(np.abs(np.asarray(direction) @ grid.affine[:3, :3])))


def check_heights(
    result: LabelMapMeasurement,
    vertebrae: list[Vertebra],
    grid: Grid,
    params: MeasurementParams,
    levels: set[str] | None = None,
) -> None:
    for v in vertebrae:
        if levels is not None and v.level not in levels:
            continue
        m = result.level(v.level)
        tolerance = footprint(grid, v.u)
        expected = v.expected(params.height_positions)
        measured = (m.anterior_mm, m.middle_mm, m.posterior_mm)
        for name, want, got in zip(
            ("anterior", "middle", "posterior"), expected, measured, strict=True
        ):
            assert got is not None, (v.level, name)
            assert abs(got - want) <= tolerance, (v.level, name, want, got, tolerance)


# --------------------------------------------------------------------------------------------
# Label schemes
# --------------------------------------------------------------------------------------------


def test_totalsegmentator_total_ids() -> None:
    expected = {26: "S1", 27: "L5", 28: "L4", 29: "L3", 30: "L2", 31: "L1", 32: "T12", 33: "T11"}
    assert {k: TOTAL.levels[k] for k in expected} == expected  # verified on the shared example
    assert (TOTAL.levels[34], TOTAL.levels[43], TOTAL.levels[44], TOTAL.levels[50]) == (
        "T10",
        "T1",
        "C7",
        "C1",
    )
    assert sorted(TOTAL.levels) == list(range(26, 51))
    assert TOTAL.verified_ids <= set(TOTAL.levels) and TOTAL.whole_vertebra


def test_vertebrae_pp_and_verse_ids() -> None:
    assert [VERTEBRAE_PP.levels[i] for i in range(19, 25)] == ["T12", "L1", "L2", "L3", "L4", "L5"]
    assert (VERTEBRAE_PP.levels[1], VERTEBRAE_PP.levels[7], VERTEBRAE_PP.levels[8]) == (
        "C1",
        "C7",
        "T1",
    )
    assert not VERTEBRAE_PP.whole_vertebra
    assert [VERSE.levels[i] for i in range(16, 25)] == [
        "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5"
    ]  # fmt: skip
    assert (VERSE.levels[25], VERSE.levels[28]) == ("L6", "T13") and 26 not in VERSE.levels


def test_auto_detects_total_only_when_values_leave_no_doubt() -> None:
    assert detect_scheme({5, 25, 29, 30, 31, 52}) is TOTAL
    for ambiguous in ({16, 17, 18, 19, 20}, {19, 20, 21, 22, 23, 24}, {1, 2}, {26, 27}):
        with pytest.raises(ImageGeometryError, match="--labels"):
            detect_scheme(ambiguous)
    with pytest.raises(ImageGeometryError, match="empty"):
        detect_scheme(set())
    with pytest.raises(ImageGeometryError, match="unknown label scheme.*--labels"):
        detect_scheme({31, 500})


def test_named_schemes_are_checked_against_the_values() -> None:
    assert resolve_scheme("totalsegmentator", {31}) is TOTAL
    assert resolve_scheme("vertebrae_pp_refined", {20, 21}) is VERTEBRAE_PP
    assert resolve_scheme("verse", {16, 28}) is VERSE
    with pytest.raises(ImageGeometryError, match="not part of the VerSe"):
        resolve_scheme("verse", {20, 31})
    with pytest.raises(ImageGeometryError, match="not part of.*vertebrae_pp"):
        resolve_scheme("vertebrae_pp", {20, 25})
    with pytest.raises(ImageGeometryError, match="--body-mask"):
        resolve_scheme("vertebrae_body", {1, 2})
    with pytest.raises(ImageGeometryError, match="unknown label scheme 'spine'"):
        resolve_scheme("spine", {1})


# --------------------------------------------------------------------------------------------
# Heights on synthetic vertebrae
# --------------------------------------------------------------------------------------------

GRIDS = {
    "RAS 1 mm": ((1.0, 1.0, 1.0), None),
    "oblique anisotropic": ((0.9, 1.1, 1.7), rotation((1.0, 1.0, 0.3), 35.0)),
    "PIR 1x1x2 mm (VerSe)": ((1.0, 1.0, 2.0), PIR),
}


@pytest.mark.parametrize("name", list(GRIDS))
def test_whole_vertebrae_heights_in_any_orientation(name: str, params: MeasurementParams) -> None:
    """Box, wedge and biconcave bodies with their arch, on a spine tilted 12 degrees."""
    spacing, axes = GRIDS[name]
    spine = lumbar_spine(
        (("T12", 32), ("L1", 31), ("L2", 30), ("L3", 29)),
        tilt_deg=12.0,
        overrides={
            "L1": {"anterior_mm": 17.5, "posterior_mm": 27.0},  # wedge
            "L2": {"middle_dip_mm": 7.0},  # biconcave
        },
    )
    labels, _, grid = build(spine, spacing, axes)
    result = measure_label_map(labels, grid.affine, params, scheme="total")
    assert [m.level for m in result.levels] == ["T12", "L1", "L2", "L3"]
    check_heights(result, spine, grid, params)
    for v in spine:
        m = result.level(v.level)
        assert m.body_isolation == "posterior_elements_removed"
        assert m.ap_depth_mm is not None
        assert abs(m.ap_depth_mm - v.depth_mm) <= footprint(grid, (0.0, 1.0, 0.0))
        assert m.body_volume_ml == pytest.approx(v.body_volume_ml, rel=0.08)
        assert m.vertebra_volume_ml > 1.3 * m.body_volume_ml  # the arch was there, and cut off
        assert abs(float(np.dot(m.cranio_caudal_axis, v.frame()[0]))) > math.cos(math.radians(3))
        assert m.gradable and m.flag_ids == ()
    assert result.qc == ()


def test_body_labels_are_measured_as_they_are(params: MeasurementParams) -> None:
    """TotalSegmentator vertebrae_pp: labels are bodies already (no arch to cut)."""
    spine = lumbar_spine(
        (("L1", 20), ("L2", 21), ("L3", 22)),
        arch=False,
        overrides={"L2": {"anterior_mm": 20.0, "posterior_mm": 29.0}},
    )
    labels, _, grid = build(spine, (1.2, 1.2, 1.5), rotation((0.0, 0.0, 1.0), 30.0))
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp")
    check_heights(result, spine, grid, params)
    assert {m.body_isolation for m in result.levels} == {"body_label"}
    assert result.level("L2").body_volume_ml == pytest.approx(spine[1].body_volume_ml, rel=0.08)


def test_a_body_only_map_named_as_whole_vertebrae_is_not_cut(params: MeasurementParams) -> None:
    """Bodies under `total` ids: no canal, no pedicle waist, so nothing is cut (and QC says so)."""
    spine = lumbar_spine((("L1", 31), ("L2", 30), ("L3", 29)), arch=False)
    labels, _, grid = build(spine, (1.5, 1.5, 1.5))
    result = measure_label_map(labels, grid.affine, params, scheme="total")
    check_heights(result, spine, grid, params)
    for m, v in zip(result.levels, spine, strict=True):
        assert m.body_isolation == "no_arch_found" and "body_isolation_uncertain" in m.flag_ids
        assert m.body_volume_ml == pytest.approx(v.body_volume_ml, rel=0.08)


def test_paired_body_map_replaces_the_cut(params: MeasurementParams) -> None:
    """A `vertebrae_body` map (1 = bodies) beside a whole-vertebra map gives each level's body."""
    spine = lumbar_spine((("T12", 32), ("L1", 31), ("L2", 30)))
    labels, _, grid = build(spine, (1.2, 1.2, 1.2))
    bodies_only, _ = voxelise([replace(v, arch=False) for v in spine], grid)
    body_map = np.where(bodies_only > 0, 1, 0).astype(np.uint8)
    body_map[(labels > 0) & (body_map == 0)] = 2  # anything else: "discs", ignored
    result = measure_label_map(labels, grid.affine, params, scheme="total", body_map=body_map)
    assert {m.body_isolation for m in result.levels} == {"body_mask"}
    check_heights(result, spine, grid, params)


def test_axial_rotation_is_followed(params: MeasurementParams) -> None:
    """A wedge vertebra turned 20 degrees about its axis: the AP axis follows the arch."""
    spine = lumbar_spine(
        (("T12", 32), ("L1", 31), ("L2", 30)),
        overrides={"L1": {"anterior_mm": 19.0, "posterior_mm": 28.0, "axial_rotation_deg": 20.0}},
    )
    labels, _, grid = build(spine, (0.8, 0.8, 1.0))
    result = measure_label_map(labels, grid.affine, params, scheme="total")
    check_heights(result, spine, grid, params)
    m = result.level("L1")
    turned = spine[1].frame()[1]
    assert float(np.dot(m.anterior_axis, turned)) > math.cos(math.radians(3))
    assert m.ap_depth_mm == pytest.approx(spine[1].depth_mm, abs=1.0)


# --------------------------------------------------------------------------------------------
# Trabecular HU
# --------------------------------------------------------------------------------------------


def test_trabecular_roi_is_200_mm2_inside_the_cortex(params: MeasurementParams) -> None:
    spine = lumbar_spine((("L1", 31), ("L2", 30), ("L3", 29)))
    labels, ct, grid = build(spine, (1.0, 1.0, 1.5), rotation((0.0, 1.0, 0.0), 20.0), with_ct=True)
    result = measure_label_map(labels, grid.affine, params, scheme="total", ct=ct)
    for m in result.levels:
        assert m.roi is not None and not m.roi.reduced
        assert m.roi.area_mm2 == pytest.approx(200.0)
        assert m.roi.mean_hu == pytest.approx(TRABECULAR_HU, abs=0.5)  # the cortex stayed out
        assert np.allclose(m.roi.center_mm, m.body_centroid_mm)


def test_small_bodies_shrink_the_roi_and_say_so(params: MeasurementParams) -> None:
    cervical = [
        Vertebra(level, label, (0.0, 0.0, -18.0 * i), 12.0, 12.0, depth_mm=15.0, width_mm=17.0,
                 arch=False)
        for i, (level, label) in enumerate((("C4", 4), ("C5", 5), ("C6", 6)))
    ]  # fmt: skip
    labels, ct, grid = build(cervical, (0.5, 0.5, 0.5), with_ct=True)
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp", ct=ct)
    m = result.level("C5")
    assert m.roi is not None and m.roi.reduced and "roi_reduced" in m.flag_ids
    # Half the depth (7.5 mm) minus the 3 mm margin leaves a circle of about 4.5 mm radius.
    assert m.roi.radius_mm == pytest.approx(4.5, abs=0.6)
    assert m.roi.mean_hu == pytest.approx(TRABECULAR_HU, abs=0.5)

    tiny = [replace(v, depth_mm=8.0, width_mm=8.0, anterior_mm=8.0, posterior_mm=8.0)
            for v in cervical]  # fmt: skip
    labels, ct, grid = build(tiny, (0.5, 0.5, 0.5), with_ct=True)
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp", ct=ct)
    assert result.level("C5").roi is None and "roi_not_placed" in result.level("C5").flag_ids


# --------------------------------------------------------------------------------------------
# QC
# --------------------------------------------------------------------------------------------


def test_a_level_cut_by_the_field_of_view_is_flagged_and_not_gradable(
    params: MeasurementParams,
) -> None:
    spine = lumbar_spine((("T12", 19), ("L1", 20), ("L2", 21), ("L3", 22)), arch=False)
    labels, _, grid = build(spine, (1.5, 1.5, 1.5))
    top_of_t12 = spine[0].center[2] + 4.0  # the slice plane crosses T12's body
    keep = int((top_of_t12 - grid.affine[2, 3]) / grid.affine[2, 2])
    result = measure_label_map(labels[:, :, :keep], grid.affine, params, scheme="vertebrae_pp")
    t12 = result.level("T12")
    assert "cut_by_field_of_view" in t12.flag_ids and not t12.gradable
    assert t12.anterior_mm is not None  # heights reported, not graded
    assert [m.level for m in result.gradable] == ["L1", "L2", "L3"]
    check_heights(result, spine, grid, params, levels={"L1", "L2", "L3"})


def test_missing_duplicated_and_implausible_levels(params: MeasurementParams) -> None:
    spine = lumbar_spine(
        (("T10", 17), ("T11", 18), ("T12", 19), ("L1", 20), ("L3", 22), ("L4", 23), ("L5", 24)),
        arch=False,
        pitch_mm=34.0,
        overrides={"L4": {"depth_mm": 48.0, "width_mm": 66.0}},  # 2.25 x the volume
    )
    below = spine[-1].center[2] - 34.0
    stray = Vertebra("T12", 19, (0.0, 0.0, below), depth_mm=26.0, width_mm=36.0, arch=False)
    labels, _, grid = build([*spine, stray], (1.5, 1.5, 1.5))
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp")
    flags = {(q.level, q.flag) for q in result.qc}
    assert ("L2", "missing_level") in flags  # between L1 and L3
    assert ("T12", "duplicated_level") in flags  # label 19 again, below L5
    assert ("L4", "size_implausible") in flags
    assert {lv for lv, f in flags if f == "size_implausible"} == {"L4"}
    t12 = result.level("T12")
    assert t12.body_centroid_mm[2] == pytest.approx(spine[2].center[2], abs=2.0)  # the larger part
    assert t12.gradable  # flagged for a reader, still measured and graded


def test_size_check_does_not_flag_a_crushed_vertebra_by_height(params: MeasurementParams) -> None:
    """A severe wedge is what grading is for; only the volume check can flag it."""
    spine = lumbar_spine(
        (("T11", 18), ("T12", 19), ("L1", 20), ("L2", 21), ("L3", 22)),
        arch=False,
        overrides={"L1": {"anterior_mm": 9.0, "posterior_mm": 26.0}},
    )
    labels, _, grid = build(spine, (1.5, 1.5, 1.5))
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp")
    assert "size_implausible" not in result.level("L1").flag_ids
    check_heights(result, spine, grid, params)


# --------------------------------------------------------------------------------------------
# Bad input, memory, serialisation
# --------------------------------------------------------------------------------------------


def test_bad_arrays_are_refused(params: MeasurementParams) -> None:
    affine = np.eye(4)
    with pytest.raises(ImageGeometryError, match="must be integers"):
        label_boxes(np.zeros((4, 4, 4), dtype=np.float32))
    with pytest.raises(ImageGeometryError, match="empty"):
        measure_label_map(np.zeros((4, 4, 4), dtype=np.uint8), affine, params)
    organs = np.zeros((6, 6, 6), dtype=np.uint8)
    organs[1:3, 1:3, 1:3] = 5
    organs[3:5, 3:5, 3:5] = 52
    with pytest.raises(ImageGeometryError, match="no vertebra label"):
        measure_label_map(organs, affine, params, scheme="total")
    body_map = np.zeros((6, 6, 6), dtype=np.uint8)
    body_map[1:3, 1:3, 1:3], body_map[3:5, 3:5, 3:5] = 1, 2
    with pytest.raises(ImageGeometryError, match="nothing to measure.*--body-mask"):
        measure_label_map(body_map, affine, params, scheme="vertebrae_pp")
    organs[0, 0, 0] = 31
    with pytest.raises(ImageGeometryError, match="CT has shape"):
        measure_label_map(organs, affine, params, scheme="total", ct=np.zeros((6, 6, 5)))
    with pytest.raises(ImageGeometryError, match="singular"):
        measure_label_map(organs, np.zeros((4, 4)), params, scheme="total")


def test_boxes_are_the_same_in_c_and_fortran_order() -> None:
    """NIfTI arrays are Fortran-ordered; the one pass reads them in memory order either way."""
    rng = np.random.default_rng(7)
    labels = np.zeros((9, 11, 13), dtype=np.int16)
    for value in (3, 31, 50):
        i, j, k = rng.integers(0, 7, size=3)
        labels[i : i + 3, j : j + 2, k : k + 4] = value
    assert label_boxes(np.asfortranarray(labels)) == label_boxes(labels)
    assert sorted(label_boxes(labels)) == [3, 31, 50]


def test_one_pass_needs_less_memory_than_the_label_map(params: MeasurementParams) -> None:
    """No full-volume mask per label: peak extra memory stays far below the label map's size."""
    spine = lumbar_spine((("T12", 32), ("L1", 31), ("L2", 30), ("L3", 29)))
    grid = grid_around(spine, spacing=(1.0, 1.0, 1.0), margin_mm=60.0)
    labels, _ = voxelise(spine, grid)
    labels[:20, :20, :] = 5  # an organ, as a `total` map has
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    result = measure_label_map(labels, grid.affine, params, scheme="total")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(result.gradable) == 4
    assert peak - before < labels.nbytes / 4, (peak - before, labels.nbytes)


def test_results_serialise_to_json(params: MeasurementParams, kb: KnowledgeBase) -> None:
    spine = lumbar_spine((("L1", 20), ("L2", 21)), arch=False)
    labels, ct, grid = build(spine, (1.5, 1.5, 1.5), with_ct=True)
    result = measure_label_map(labels, grid.affine, params, scheme="vertebrae_pp", ct=ct)
    data = json.loads(json.dumps([m.as_dict() for m in result.levels]))
    assert data[0]["height_lines_mm"]["anterior"]["length_mm"] == pytest.approx(
        data[0]["anterior_mm"], abs=0.06
    )
    assert data[0]["trabecular_roi"]["area_mm2"] == pytest.approx(200.0)
    assert MeasurementParams.from_knowledge(kb).roi_area_mm2 == 200.0
