"""One vertebra label's voxels, the spine axis through the levels, and body isolation (cutting
the posterior elements off a whole-vertebra label at the spinal canal)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from osteowedge.morphometry.ct.grid import (
    PATIENT_ANTERIOR,
    PATIENT_SUPERIOR,
    FloatArray,
    Grid,
    frame,
    padded_box,
    touches_border,
    unit,
)
from osteowedge.morphometry.ct.params import MeasurementParams

_FULL_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)
_ROTATION_ITERATIONS = 3
_WAIST_FRACTION = 0.5
"""A pedicle waist holds at most half the body's cross-section per AP bin."""
_EMPTY_POINTS = np.empty((0, 3), dtype=np.float64)
_EMPTY_INDEX = np.empty((0, 3), dtype=np.int16)


@dataclass
class Work:
    """Working data of one vertebra label."""

    label: int
    level: str
    box: tuple[slice, slice, slice]
    origin: NDArray[np.int64]
    mask: NDArray[np.bool_]
    idx: NDArray[np.integer[Any]]
    """Box-local indices of the mask's voxels (``np.argwhere`` order); ``world`` follows it."""
    world: FloatArray
    centroid: FloatArray
    touches_border: bool
    extra_parts: list[tuple[int, FloatArray]]
    body: NDArray[np.bool_] | None = None
    body_world: FloatArray | None = None
    body_centroid: FloatArray | None = None
    isolation: str = "body_label"
    anterior: FloatArray | None = None
    """The vertebra's own anterior direction (from its arch), when it differs from the patient's."""


def _coords(mask: NDArray[np.bool_], origin: NDArray[np.int64], grid: Grid) -> FloatArray:
    return grid.to_world(np.argwhere(mask) + origin)


def prepare(
    label: int,
    level: str,
    box: tuple[slice, ...],
    labels: NDArray[np.integer[Any]],
    grid: Grid,
    params: MeasurementParams,
) -> Work:
    padded = padded_box(box, grid.shape, 1)
    sub = labels[padded] == label
    parts, count = ndimage.label(sub, structure=_FULL_CONNECTIVITY)
    extra: list[tuple[int, FloatArray]] = []
    origin = np.array([s.start for s in padded], dtype=np.int64)
    if count > 1:
        sizes = np.bincount(parts.ravel())[1:]
        keep = int(np.argmax(sizes)) + 1
        largest = int(sizes[keep - 1])
        for part_id, size in enumerate(sizes, start=1):
            if part_id != keep and size >= params.duplicate_min_fraction * largest:
                pts = _coords(parts == part_id, origin, grid)
                extra.append((int(size), pts.mean(axis=0)))
        sub = parts == keep
    # Box-local indices in the smallest integer type: they are held for every level until the
    # bodies are isolated, the world coordinates only while one level is being worked on.
    small = max(sub.shape) < 2**15
    idx: NDArray[np.integer[Any]] = np.argwhere(sub).astype(np.int16 if small else np.int32)
    return Work(
        label=label,
        level=level,
        box=padded,
        origin=origin,
        mask=sub,
        idx=idx,
        world=_EMPTY_POINTS,
        centroid=grid.to_world(idx.mean(axis=0)[None, :] + origin)[0],
        touches_border=touches_border(padded, sub, grid.shape),
        extra_parts=extra,
    )


def spine_axes(
    works: Sequence[Work], centroids: Sequence[FloatArray], valid: Sequence[bool]
) -> list[FloatArray]:
    """Cranio-caudal unit vector per level from the neighbouring levels' centroids.

    ``works`` are in cranio-caudal order. Levels cut by the field of view do not steer the axis;
    with valid neighbours on both sides the axis is (cranial - caudal); on one side only, the
    level's own centroid (when valid) or the next two valid levels on that side; with no
    neighbour at all, the patient's superior direction.
    """
    good = [i for i, ok in enumerate(valid) if ok]
    axes: list[FloatArray] = []
    for i in range(len(works)):
        vec: FloatArray | None
        above = [j for j in good if j < i]
        below = [j for j in good if j > i]
        if above and below:
            vec = centroids[above[-1]] - centroids[below[0]]
        elif below:
            vec = (
                centroids[i] - centroids[below[0]]
                if valid[i]
                else (centroids[below[0]] - centroids[below[1]] if len(below) > 1 else None)
            )
        elif above:
            vec = (
                centroids[above[-1]] - centroids[i]
                if valid[i]
                else (centroids[above[-2]] - centroids[above[-1]] if len(above) > 1 else None)
            )
        else:
            vec = None
        if vec is None or float(np.linalg.norm(vec)) < 1e-6:
            vec = PATIENT_SUPERIOR.copy()
        axes.append(frame(vec)[0])
    return axes


def _isolate_body(
    work: Work, u: FloatArray, anterior: FloatArray, grid: Grid, params: MeasurementParams
) -> tuple[NDArray[np.bool_], str]:
    """Cut the posterior elements off a whole-vertebra label at the spinal canal.

    Returns which of the label's voxels (``work.idx`` order) are body, and how that was decided.
    In a slab around the mid-sagittal plane the vertebra reads, front to back: body, empty canal,
    lamina and spinous process. AP bins one projected voxel wide are counted in the slab; the body
    is the run of occupied bins from the front, and the cut lies at the first empty bin behind it.
    Without such a gap (no canal in the slab) the cut falls at a waist of the whole label's AP
    profile in its middle half (the pedicles), ``uncertain``; without a waist nothing is cut,
    ``no_arch_found``. Both are flagged.
    """
    u, a, right = frame(u, anterior)
    rel = work.world - work.centroid
    p = rel @ a
    q = rel @ right
    p_max = float(p.max())
    width = grid.footprint(a)
    # 0 = the most anterior bin; rounding (not flooring) keeps a lattice of voxel centres that
    # projects exactly one bin apart from splitting into empty bins on float noise.
    bins = np.rint((p_max - p) / width).astype(np.int64)
    # The mid-sagittal plane from the front quarter (the body), which transverse processes and
    # an asymmetric arch do not pull aside.
    front = bins <= max(1, int(bins.max()) // 4)
    q0 = float(np.median(q[front]))
    half = max(params.midsagittal_half_width_mm, float(np.max(grid.spacing)))
    band = np.abs(q - q0) <= half
    counts = np.bincount(bins[band], minlength=int(bins.max()) + 1)
    occupied = np.flatnonzero(counts)
    if occupied.size:
        gap = int(occupied[0])
        while gap < counts.size and counts[gap] > 0:
            gap += 1
        if gap < counts.size and counts[gap:].any():
            return bins < gap, "posterior_elements_removed"
    # No canal in the slab: cut at a waist of the full-width profile (the pedicles) in the middle
    # half, if there is one; a label without a waist has no arch to cut (a body, or a fragment).
    all_counts = np.bincount(bins)
    n = all_counts.size
    lo, hi = n // 4, max(n // 4 + 1, (3 * n) // 4)
    cut = lo + int(np.argmin(all_counts[lo:hi]))
    if cut > 0 and all_counts[cut] <= _WAIST_FRACTION * float(all_counts[:cut].max()):
        return bins < cut, "uncertain"
    return np.ones(bins.shape, dtype=bool), "no_arch_found"


def _selected(work: Work, keep: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The part of ``work.mask`` whose voxels ``keep`` selects, as a mask of the box."""
    mask = np.zeros_like(work.mask)
    mask[tuple(work.idx[keep].T)] = True
    return mask


def _arch_anterior(
    work: Work, keep: NDArray[np.bool_], u: FloatArray, params: MeasurementParams
) -> FloatArray | None:
    """The vertebra's own AP direction: from the centroid of its posterior elements to that of
    its body, square to ``u``. The arch is symmetric about the mid-sagittal plane, so this follows
    an axial rotation whatever the body's shape. None when there is no arch to speak of, when the
    turn is under a degree, or when it exceeds the allowed rotation (a segmentation problem)."""
    n_body = int(keep.sum())
    if keep.size - n_body < 0.05 * keep.size or n_body == 0:
        return None
    c_body = work.world[keep].mean(axis=0)
    c_arch = work.world[~keep].mean(axis=0)
    u_hat, a0, _ = frame(u)
    direction = c_body - c_arch
    direction = direction - float(direction @ u_hat) * u_hat
    if float(np.linalg.norm(direction)) < 1e-6:
        return None
    direction = unit(direction)
    angle = math.degrees(math.acos(max(-1.0, min(1.0, float(direction @ a0)))))
    if angle > params.rotation_max_deg:
        return None
    if work.anterior is not None and float(direction @ work.anterior) > math.cos(math.radians(0.5)):
        return None  # converged
    if work.anterior is None and angle < 1.0:
        return None  # not rotated
    return direction


def _largest_part(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    parts, count = ndimage.label(mask, structure=_FULL_CONNECTIVITY)
    if count <= 1:
        return mask
    sizes = np.bincount(parts.ravel())[1:]
    return np.asarray(parts == int(np.argmax(sizes)) + 1)


def refine_anterior(
    body_world: FloatArray, centroid: FloatArray, u: FloatArray, params: MeasurementParams
) -> FloatArray:
    """Turn the AP axis to the body's shortest in-plane principal axis (axial rotation)."""
    _, a, right = frame(u)
    rel = body_world - centroid
    pa, pr = rel @ a, rel @ right
    if pa.size < 10:
        return a
    cov = np.cov(np.vstack([pa, pr]))
    evals, evecs = np.linalg.eigh(cov)
    if evals[0] <= 0 or evals[1] / evals[0] < params.rotation_min_anisotropy**2:
        return a
    minor = evecs[:, 0]
    candidate = unit(minor[0] * a + minor[1] * right)
    if float(candidate @ a) < 0:
        candidate = -candidate
    angle = math.degrees(math.acos(min(1.0, float(candidate @ a))))
    return candidate if angle <= params.rotation_max_deg else a


def isolate_bodies(
    works: Sequence[Work],
    axes: Sequence[FloatArray],
    grid: Grid,
    params: MeasurementParams,
    *,
    whole_vertebra: bool,
    body_map: NDArray[Any] | None,
    body_label: int,
) -> None:
    """Set each level's body (mask, world coordinates, centroid) and how it was isolated.

    ``axes`` give the first frame, from the whole-label centroids. ``body_map`` (same grid), where
    it marks at least a tenth of a label with ``body_label``, gives the body directly; otherwise a
    whole-vertebra label is cut at the spinal canal, and a body label is the body.
    """
    for w, u in zip(works, axes, strict=True):
        w.world = grid.to_world(w.idx.astype(np.int64) + w.origin)
        keep: NDArray[np.bool_] | None = None
        if body_map is not None:
            keep = np.asarray(body_map[w.box])[tuple(w.idx.T)] == body_label
            if keep.sum() >= 0.1 * keep.size:
                w.isolation = "body_mask"
            else:
                keep = None
        if keep is None and whole_vertebra:
            keep, w.isolation = _isolate_body(w, u, PATIENT_ANTERIOR, grid, params)
            # Axial rotation: cut again square to the vertebra's own AP direction, a few times
            # (each cut square to a better direction gives a more symmetric arch).
            for _ in range(_ROTATION_ITERATIONS):
                anterior = _arch_anterior(w, keep, u, params)
                if anterior is None:
                    break
                w.anterior = anterior
                keep, w.isolation = _isolate_body(w, u, anterior, grid, params)
        if keep is None:  # a body label: the label is the body
            w.isolation = "body_label"
            w.body, w.body_world = w.mask, w.world
        else:
            if not keep.any():
                keep, w.isolation = np.ones(keep.shape, dtype=bool), "uncertain"
            body = _selected(w, keep)
            if w.isolation != "posterior_elements_removed":  # a clean cut leaves one part
                body = _largest_part(body)
                keep = body[tuple(w.idx.T)]
            w.body, w.body_world = body, w.world[keep]
        w.body_centroid = w.body_world.mean(axis=0)
        # The whole label's coordinates are not needed any more: free them, so the memory held
        # across levels is the bodies' (the peak stays far below the label map's size).
        w.world, w.idx = _EMPTY_POINTS, _EMPTY_INDEX
