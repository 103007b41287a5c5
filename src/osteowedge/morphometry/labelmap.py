"""CT label maps -> per-level vertebral-body heights, AP depth, body volume and trabecular HU.

Pure: arrays with their affine in, frozen dataclasses out; no file I/O, no printing (nibabel lives
in :mod:`osteowedge.io.nifti`). ``docs/spine-measure.md`` describes the method for readers.

Geometry. Arrays are used as stored ([i, j, k] in nibabel's order); the 4x4 ``affine`` maps a
voxel index to RAS+ world millimetres (x towards the patient's right, y anterior, z superior).
Nothing is resampled or reoriented: every position goes through the affine, so RAS, LPS, PIR or
oblique grids with anisotropic voxels are all measured the same way.

Method, per vertebra label (all levels in one pass over the volume):

1. ``scipy.ndimage.find_objects`` reads the label volume once and gives every label's bounding
   box; all later work happens inside those boxes (no full-volume mask per label).
2. The largest connected part of the label is the vertebra; a second large part above or below it
   is a ``duplicated_level``.
3. Frame: the cranio-caudal axis ``u`` follows the spine curve through the centroids of the
   neighbouring levels; the AP axis ``a`` is the patient's anterior direction (from the affine)
   made orthogonal to ``u``; ``l = a x u`` points to the patient's right.
4. Body isolation (whole-vertebra labels: TotalSegmentator ``total``, VerSe): in a mid-sagittal
   slab the vertebra, read from front to back, is body, then the empty spinal canal, then lamina
   and spinous process. The body is everything in front of the first empty AP bin behind the
   anterior run (the posterior wall in the midline). Body-only labels (``vertebrae_pp``) and a
   paired ``vertebrae_body`` mask skip this step.
5. The frame is refined on the body: ``u`` again from the body centroids of the neighbours, and
   ``a`` turned to the body's own shortest in-plane axis when the body is clearly wider than deep
   (axial rotation), within a limit.
6. Heights: lines parallel to ``u`` sample the body mask (trilinear, inside where >= 0.5) at 15 %,
   50 % and 85 % of the AP depth from the anterior wall, across the mid-sagittal slab; each height
   is the median extent. The AP depth is the median extent of lines parallel to ``a`` at
   mid-height. Sub-voxel crossings make an axis-aligned box of n voxels measure n x spacing.
7. Trabecular HU: a 200 mm2 circle at the body centroid in the body's axial plane (the plane
   through the centroid perpendicular to ``u``), every point at least the cortex margin inside the
   body (3-D distance); the circle shrinks to fit and the level is flagged when it must.
8. QC: ``cut_by_field_of_view`` (the body touches the volume's border), ``missing_level``,
   ``duplicated_level``, ``size_implausible`` (volume or tallest height against the neighbours'
   median), ``body_isolation_uncertain``, ``roi_reduced``, ``roi_not_placed``,
   ``measurement_failed``, ``not_measured`` (C1, C2, S1 set the axis only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from osteowedge.errors import ImageGeometryError
from osteowedge.morphometry.ct.body import isolate_bodies, prepare, refine_anterior, spine_axes
from osteowedge.morphometry.ct.grid import Grid, frame, touches_border
from osteowedge.morphometry.ct.heights import Heights, measure_heights
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.ct.qc import (
    body_flags,
    measurement_failed,
    missing_levels,
    roi_flags,
    size_plausibility,
    stacked_parts,
)
from osteowedge.morphometry.ct.results import (
    LabelMapMeasurement,
    LevelMeasurement,
    TrabecularRoi,
    Vector,
)
from osteowedge.morphometry.ct.roi import trabecular_roi
from osteowedge.morphometry.ct.schemes import (
    LEVEL_ORDER,
    VERTEBRAE_BODY_LABEL,
    LabelScheme,
    resolve_scheme,
    value_ranges,
)

__all__ = ["LabelMapMeasurement", "label_boxes", "measure_label_map"]
"""The entry point; the result type is re-exported for the callers that only read results."""

_MM3_PER_ML = 1000.0


def label_boxes(labels: NDArray[Any]) -> dict[int, tuple[slice, ...]]:
    """Bounding box of every label value present, from one pass over the volume."""
    if not np.issubdtype(labels.dtype, np.integer):
        raise ImageGeometryError(
            f"label values must be integers; got an array of {labels.dtype} (convert whole-number "
            "floats to integers first, as osteowedge.io.nifti.load_label_map does)"
        )
    if labels.flags.f_contiguous and not labels.flags.c_contiguous:
        # NIfTI volumes come in Fortran order: scan the transposed (C-ordered) view, which reads
        # memory in sequence (about 4x faster), and turn each box back.
        found = [None if box is None else box[::-1] for box in ndimage.find_objects(labels.T)]
    else:
        found = ndimage.find_objects(labels)
    return {value: box for value, box in enumerate(found, start=1) if box is not None}


def measure_label_map(
    labels: NDArray[Any],
    affine: NDArray[Any],
    params: MeasurementParams,
    *,
    scheme: str | LabelScheme = "auto",
    ct: NDArray[Any] | None = None,
    body_map: NDArray[Any] | None = None,
    body_label: int = VERTEBRAE_BODY_LABEL,
) -> LabelMapMeasurement:
    """Measure every vertebra of a label map: heights, AP depth, volume, trabecular HU, QC.

    ``labels`` is a 3-D integer array; ``affine`` its 4x4 voxel-to-world (RAS+ mm) matrix.
    ``ct`` (same grid, HU) adds the trabecular ROI. ``body_map`` (same grid) is a map whose value
    ``body_label`` marks vertebral bodies (TotalSegmentator `vertebrae_body`): the body of each
    level is then the part of its label inside that map, and no isolation is needed.
    """
    grid = Grid.of(affine, labels.shape)
    for name, other in (("CT", ct), ("body map", body_map)):
        if other is not None and other.shape != labels.shape:
            raise ImageGeometryError(
                f"the {name} has shape {other.shape} but the label map has {labels.shape}; "
                "both must be on the same voxel grid"
            )
    boxes = label_boxes(labels)
    resolved = scheme if isinstance(scheme, LabelScheme) else resolve_scheme(scheme, boxes)
    vertebrae = sorted(
        (v for v in boxes if resolved.level_of(v) is not None),
        key=lambda v: LEVEL_ORDER[resolved.levels[v]],
    )
    ignored = tuple(sorted(v for v in boxes if resolved.level_of(v) is None))
    if not vertebrae:
        raise ImageGeometryError(
            f"the label map holds no vertebra label of the {resolved.title} scheme (values "
            f"{value_ranges(boxes) if boxes else 'none'}); check --labels"
        )

    if all(resolved.levels[v] in params.not_measured_levels for v in vertebrae):
        found = ", ".join(resolved.levels[v] for v in vertebrae)
        hint = (
            " Is this a TotalSegmentator `vertebrae_body` map (1 = bodies, 2 = discs)? Pass it "
            "with --body-mask next to a level-labelled --mask."
            if set(vertebrae) <= {1, 2}
            else ""
        )
        raise ImageGeometryError(
            f"nothing to measure: the label map holds only {found} in the {resolved.title} "
            f"scheme, levels that only set the spine axis.{hint}"
        )
    works = [prepare(v, resolved.levels[v], boxes[v], labels, grid, params) for v in vertebrae]
    valid = [not w.touches_border for w in works]
    axes0 = spine_axes(works, [w.centroid for w in works], valid)

    isolate_bodies(
        works,
        axes0,
        grid,
        params,
        whole_vertebra=resolved.whole_vertebra,
        body_map=body_map,
        body_label=body_label,
    )
    axes = spine_axes(works, [w.body_centroid for w in works if w.body_centroid is not None], valid)

    results: list[LevelMeasurement] = []
    voxel_ml = grid.voxel_volume_mm3 / _MM3_PER_ML
    for w, u in zip(works, axes, strict=True):
        assert w.body is not None and w.body_world is not None and w.body_centroid is not None
        measured = w.level not in params.not_measured_levels
        if w.anterior is not None:
            u, a, _ = frame(u, w.anterior)
        else:
            u, a, _ = frame(u, refine_anterior(w.body_world, w.body_centroid, u, params))
        body_voxels = int(w.body.sum())
        flags = body_flags(
            w.level,
            w.label,
            measured=measured,
            cut=touches_border(w.box, w.body, grid.shape),
            stacked=stacked_parts(w.extra_parts, w.body_world, w.body_centroid, u),
            isolation=w.isolation,
            scheme_title=resolved.title,
        )
        heights = Heights()
        roi: TrabecularRoi | None = None
        if measured:
            heights = measure_heights(
                w.body, w.body_world, w.origin, w.body_centroid, u, a, grid, params
            )
            if heights.anterior is None:
                flags.append(measurement_failed(w.level))
            if ct is not None:
                roi, why = trabecular_roi(
                    w.body, w.origin, ct[w.box], w.body_centroid, u, a, grid, params
                )
                flags.extend(roi_flags(w.level, roi, why, params))
        centroid_voxel = grid.to_voxel(w.body_centroid[None, :])[0]
        results.append(
            LevelMeasurement(
                level=w.level,
                label=w.label,
                measured=measured,
                anterior_mm=heights.anterior,
                middle_mm=heights.middle,
                posterior_mm=heights.posterior,
                ap_depth_mm=heights.depth,
                body_volume_ml=body_voxels * voxel_ml,
                vertebra_volume_ml=int(w.mask.sum()) * voxel_ml,
                body_centroid_mm=_vec(w.body_centroid),
                body_centroid_voxel=_vec(centroid_voxel),
                cranio_caudal_axis=_vec(u),
                anterior_axis=_vec(a),
                body_isolation=w.isolation,  # type: ignore[arg-type]
                height_lines=heights.lines,
                roi=roi,
                flags=tuple(flags),
            )
        )

    results = size_plausibility(results, params)
    missing = missing_levels([m.level for m in results])
    qc = [f for m in results for f in m.flags] + missing
    return LabelMapMeasurement(
        scheme=resolved, levels=tuple(results), qc=tuple(qc), ignored_labels=ignored
    )


def _vec(v: NDArray[Any]) -> Vector:
    return (float(v[0]), float(v[1]), float(v[2]))
