"""Voxel grid geometry: the affine split into its parts, world <-> voxel conversions, the
per-vertebra frame (cranio-caudal, anterior, right) and bounding-box helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from osteowedge.errors import ImageGeometryError

FloatArray = NDArray[np.float64]
PATIENT_SUPERIOR = np.array([0.0, 0.0, 1.0])
PATIENT_ANTERIOR = np.array([0.0, 1.0, 0.0])


@dataclass
class Grid:
    """The affine split into its parts, with the inverse, for world <-> voxel conversions."""

    matrix: FloatArray
    offset: FloatArray
    inverse: FloatArray
    spacing: FloatArray
    shape: tuple[int, int, int]

    @classmethod
    def of(cls, affine: NDArray[Any], shape: tuple[int, ...]) -> Grid:
        a = np.asarray(affine, dtype=np.float64)
        if a.shape != (4, 4) or not np.all(np.isfinite(a)):
            raise ImageGeometryError(f"the affine must be a finite 4x4 matrix; got shape {a.shape}")
        m = a[:3, :3]
        if abs(np.linalg.det(m)) < 1e-9:
            raise ImageGeometryError("the affine is singular (a zero voxel size); fix the header")
        if len(shape) != 3:
            raise ImageGeometryError(f"the label map must be 3-D; got shape {shape}")
        return cls(
            matrix=m,
            offset=a[:3, 3].copy(),
            inverse=np.asarray(np.linalg.inv(m), dtype=np.float64),
            spacing=np.linalg.norm(m, axis=0),
            shape=(int(shape[0]), int(shape[1]), int(shape[2])),
        )

    def to_world(self, ijk: NDArray[Any]) -> FloatArray:
        points = np.asarray(ijk, dtype=np.float64)
        world = np.einsum("nj,ij->ni", points, self.matrix) + self.offset
        return np.asarray(world, dtype=np.float64)

    def to_voxel(self, xyz: FloatArray) -> FloatArray:
        return (xyz - self.offset) @ self.inverse.T

    @property
    def voxel_volume_mm3(self) -> float:
        return float(abs(np.linalg.det(self.matrix)))

    def footprint(self, direction: FloatArray) -> float:
        """Width of one voxel projected on a unit direction (mm)."""
        return float(np.sum(np.abs(direction @ self.matrix)))


def unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def frame(u: FloatArray, anterior: FloatArray = PATIENT_ANTERIOR) -> tuple[FloatArray, ...]:
    """Unit cranio-caudal u (superior), anterior a (orthogonal to u) and right l = a x u."""
    u = unit(u)
    if float(u @ PATIENT_SUPERIOR) < 0:
        u = -u
    a = anterior - float(anterior @ u) * u
    if np.linalg.norm(a) < 1e-6:  # the spine runs antero-posteriorly: fall back to superior
        a = PATIENT_SUPERIOR - float(PATIENT_SUPERIOR @ u) * u
    a = unit(a)
    return u, a, np.cross(a, u)


def padded_box(
    box: tuple[slice, ...], shape: tuple[int, int, int], pad: int
) -> tuple[slice, slice, slice]:
    return (
        slice(max(box[0].start - pad, 0), min(box[0].stop + pad, shape[0])),
        slice(max(box[1].start - pad, 0), min(box[1].stop + pad, shape[1])),
        slice(max(box[2].start - pad, 0), min(box[2].stop + pad, shape[2])),
    )


def touches_border(
    box: tuple[slice, ...], mask: NDArray[np.bool_], shape: tuple[int, int, int]
) -> bool:
    """True when the mask (inside ``box``) reaches the first or last index of any axis."""
    for axis in range(3):
        if box[axis].start == 0 and mask.take(0, axis=axis).any():
            return True
        if box[axis].stop == shape[axis] and mask.take(-1, axis=axis).any():
            return True
    return False
