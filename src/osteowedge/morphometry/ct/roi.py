"""The trabecular ROI: a circle at the body centroid in its axial plane, kept off the cortex."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from osteowedge.morphometry.ct.grid import FloatArray, Grid
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.ct.results import TrabecularRoi


def trabecular_roi(
    body: NDArray[np.bool_],
    origin: NDArray[np.int64],
    ct_box: NDArray[Any],
    centroid: FloatArray,
    u: FloatArray,
    a: FloatArray,
    grid: Grid,
    params: MeasurementParams,
) -> tuple[TrabecularRoi | None, str | None]:
    """The circular ROI at the body centroid in the body's axial plane, kept off the cortex."""
    right = np.cross(a, u)
    radius = math.sqrt(params.roi_area_mm2 / math.pi)
    step = min(0.5, float(grid.spacing.min()) / 2.0)
    ticks = np.arange(-radius, radius + step / 2, step)
    da, dr = np.meshgrid(ticks, ticks, indexing="ij")
    rho = np.hypot(da, dr).ravel()
    inside = rho <= radius
    rho = rho[inside]
    pts = centroid + da.ravel()[inside, None] * a + dr.ravel()[inside, None] * right
    local = grid.to_voxel(pts) - origin  # voxel coordinates inside the body's box

    # Distance to the body surface, in a sub-box around the circle widened by the margin: any
    # surface closer than the margin to a circle point lies inside it, so the test is exact.
    margin_vox = np.ceil(params.roi_cortex_margin_mm / grid.spacing).astype(np.int64) + 2
    lo = np.maximum(np.floor(local.min(axis=0)).astype(np.int64) - margin_vox, 0)
    hi = np.minimum(np.ceil(local.max(axis=0)).astype(np.int64) + margin_vox + 1, body.shape)
    sub = body[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    if sub.size == 0 or not sub.any():
        return None, "the body centroid plane holds no body voxels"
    if sub.all():
        distance = np.full(rho.shape, np.inf)
    else:
        edt = ndimage.distance_transform_edt(sub, sampling=grid.spacing)
        distance = ndimage.map_coordinates(edt, (local - lo).T, order=1, mode="constant", cval=0.0)
    too_close = distance < params.roi_cortex_margin_mm
    reduced = bool(too_close.any())
    fit_radius = float(rho[too_close].min()) if reduced else radius
    keep = rho < fit_radius if reduced else np.ones(rho.shape, dtype=bool)
    area = math.pi * fit_radius**2
    if area < params.roi_min_area_mm2 or keep.sum() < 3:
        return None, (
            f"a circle {params.roi_cortex_margin_mm:g} mm inside the body holds only "
            f"{area:.0f} mm2 (less than {params.roi_min_area_mm2:g} mm2); no HU reported"
        )
    values = ndimage.map_coordinates(
        np.asarray(ct_box, dtype=np.float32), local[keep].T, order=1, mode="nearest"
    )
    return (
        TrabecularRoi(
            mean_hu=float(values.mean()),
            sd_hu=float(values.std()),
            area_mm2=area,
            radius_mm=fit_radius,
            center_mm=tuple(float(x) for x in centroid),  # type: ignore[arg-type]
            samples=int(keep.sum()),
            reduced=reduced,
        ),
        None,
    )
