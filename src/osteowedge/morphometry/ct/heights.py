"""Heights and AP depth: lines through the body mask, sampled trilinearly with sub-voxel
crossings, each measure the median extent across the mid-sagittal slab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from osteowedge.morphometry.ct.grid import FloatArray, Grid
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.ct.results import HEIGHT_NAMES, HeightLine


def _line_extents(
    volume: NDArray[np.float32],
    grid: Grid,
    origin: NDArray[np.int64],
    starts: FloatArray,
    direction: FloatArray,
    half_length: float,
    step: float,
) -> list[tuple[float, float] | None]:
    """For each line (start + t * direction), the first and last t where the mask is >= 0.5.

    The mask is sampled trilinearly; crossings are interpolated between samples.
    """
    ts = np.arange(-half_length, half_length + step, step)
    pts = starts[:, None, :] + ts[None, :, None] * direction[None, None, :]
    local = grid.to_voxel(pts.reshape(-1, 3)) - origin
    values = ndimage.map_coordinates(volume, local.T, order=1, mode="constant", cval=0.0)
    values = values.reshape(len(starts), ts.size)
    out: list[tuple[float, float] | None] = []
    for row in values:
        inside = row >= 0.5
        if not inside.any():
            out.append(None)
            continue
        first = int(np.argmax(inside))
        last = int(ts.size - 1 - np.argmax(inside[::-1]))
        t0 = float(ts[first])
        if first > 0:
            v0, v1 = float(row[first - 1]), float(row[first])
            t0 = float(ts[first - 1]) + step * (0.5 - v0) / (v1 - v0)
        t1 = float(ts[last])
        if last < ts.size - 1:
            v0, v1 = float(row[last]), float(row[last + 1])
            t1 = float(ts[last]) + step * (v0 - 0.5) / (v0 - v1)
        out.append((t0, t1))
    return out


def _median_extent(
    extents: Sequence[tuple[float, float] | None],
) -> tuple[float, float] | None:
    found = [e for e in extents if e is not None and e[1] > e[0]]
    if len(found) * 2 < len(extents):  # fewer than half the lines hit the body
        return None
    return float(np.median([e[0] for e in found])), float(np.median([e[1] for e in found]))


@dataclass
class Heights:
    anterior: float | None = None
    middle: float | None = None
    posterior: float | None = None
    depth: float | None = None
    lines: tuple[HeightLine, ...] = ()


def measure_heights(
    body: NDArray[np.bool_],
    body_world: FloatArray,
    origin: NDArray[np.int64],
    centroid: FloatArray,
    u: FloatArray,
    a: FloatArray,
    grid: Grid,
    params: MeasurementParams,
) -> Heights:
    right = np.cross(a, u)
    rel = body_world - centroid
    s = rel @ u
    q = rel @ right
    q0 = float(np.median(q))
    s_mid = 0.5 * (float(s.min()) + float(s.max()))
    s_half = 0.5 * (float(s.max()) - float(s.min()))
    half_length = float(np.sqrt((rel**2).sum(axis=1)).max()) + 2.0 * float(grid.spacing.max())
    step = float(grid.spacing.min()) / 8.0
    volume = body.astype(np.float32)
    w = 0.5 * params.midsagittal_half_width_mm
    base = centroid + q0 * right

    # AP depth: lines along a at mid-height, across the mid-sagittal slab.
    starts = np.array(
        [
            base + (s_mid + ds) * u + dq * right
            for ds in (-s_half / 3, 0.0, s_half / 3)
            for dq in (-w, 0.0, w)
        ]
    )
    depth_ext = _median_extent(_line_extents(volume, grid, origin, starts, a, half_length, step))
    if depth_ext is None:
        return Heights()
    p_post, p_ant = depth_ext  # along a, from the mid-sagittal axis through the centroid
    depth = p_ant - p_post

    out = Heights(depth=depth)
    lines: list[HeightLine] = []
    values: list[float] = []
    for name, fraction in zip(HEIGHT_NAMES, params.height_positions, strict=True):
        p_line = p_ant - fraction * depth
        starts = np.array([base + p_line * a + s_mid * u + dq * right for dq in (-w, 0.0, w)])
        ext = _median_extent(_line_extents(volume, grid, origin, starts, u, half_length, step))
        if ext is None:
            return Heights(depth=depth)
        centre = base + p_line * a + s_mid * u
        lines.append(
            HeightLine(
                name=name,
                superior_mm=tuple(float(x) for x in centre + ext[1] * u),  # type: ignore[arg-type]
                inferior_mm=tuple(float(x) for x in centre + ext[0] * u),  # type: ignore[arg-type]
                length_mm=ext[1] - ext[0],
            )
        )
        values.append(ext[1] - ext[0])
    out.anterior, out.middle, out.posterior = values
    out.lines = tuple(lines)
    return out
