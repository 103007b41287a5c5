"""Synthetic vertebrae with known heights, voxelised on any grid (oblique, anisotropic).

A vertebra lives in its own frame: ``u`` superior, ``a`` anterior, ``r = a x u`` (patient right),
origin at the centre of the body. The body is a box of AP depth ``depth_mm`` and width
``width_mm`` whose sagittal profile is a trapezoid: height ``anterior_mm`` at the anterior wall,
``posterior_mm`` at the posterior wall, linear in between, minus an optional parabolic central dip
(biconcave). With ``arch`` it gets two pedicles, a lamina and a spinous process around an empty
canal, as a whole-vertebra label (TotalSegmentator `total`, VerSe) has.

World coordinates are RAS+ millimetres; :func:`grid_around` builds a voxel grid (any rotation,
any spacing) that covers the vertebrae, and :func:`voxelise` fills the label map (and a CT).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

SUPERIOR = np.array([0.0, 0.0, 1.0])
ANTERIOR = np.array([0.0, 1.0, 0.0])

TRABECULAR_HU = 150.0
CORTEX_HU = 700.0
ARCH_HU = 400.0
SOFT_TISSUE_HU = 40.0
CORTEX_MM = 1.0


def rotation(axis: Sequence[float], degrees: float) -> NDArray[np.float64]:
    """Rotation matrix about ``axis`` (Rodrigues)."""
    k = np.asarray(axis, dtype=float)
    k = k / np.linalg.norm(k)
    t = math.radians(degrees)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(t) * kx + (1 - math.cos(t)) * (kx @ kx)


@dataclass(frozen=True)
class Vertebra:
    level: str
    label: int
    center: tuple[float, float, float]
    anterior_mm: float = 28.0
    posterior_mm: float = 28.0
    middle_dip_mm: float = 0.0
    depth_mm: float = 32.0
    width_mm: float = 44.0
    u: tuple[float, float, float] = (0.0, 0.0, 1.0)
    axial_rotation_deg: float = 0.0
    arch: bool = True

    def frame(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        u = np.asarray(self.u, dtype=float)
        u = u / np.linalg.norm(u)
        a = ANTERIOR - (ANTERIOR @ u) * u
        a = a / np.linalg.norm(a)
        a = rotation(u, self.axial_rotation_deg) @ a
        return u, a, np.cross(a, u)

    def height_at(self, fraction_from_anterior: float) -> float:
        """The body's height at a fraction of its depth from the anterior wall (mid-sagittal)."""
        f = fraction_from_anterior
        linear = self.anterior_mm + (self.posterior_mm - self.anterior_mm) * f
        return linear - self.middle_dip_mm * (1.0 - (2.0 * f - 1.0) ** 2)

    def expected(self, positions: Sequence[float] = (0.15, 0.5, 0.85)) -> tuple[float, ...]:
        return tuple(self.height_at(f) for f in positions)

    @property
    def body_volume_ml(self) -> float:
        """Exact volume of the body (integral of the sagittal profile times the width)."""
        mean_height = (self.anterior_mm + self.posterior_mm) / 2 - self.middle_dip_mm * 2 / 3
        return mean_height * self.depth_mm * self.width_mm / 1000.0

    def extent_mm(self) -> float:
        return self.depth_mm / 2 + (42.0 if self.arch else 0.0) + max(self.width_mm, 40.0) / 2

    def corners(self) -> NDArray[np.float64]:
        """World corners of a box around the vertebra in its own frame (with a 2 mm margin)."""
        u, a, r = self.frame()
        d2, w2 = self.depth_mm / 2 + 2, self.width_mm / 2 + 2
        h2 = max(self.anterior_mm, self.posterior_mm) / 2 + 2
        back = -d2 - (44.0 if self.arch else 0.0)
        side = w2 + (18.0 if self.arch else 0.0)
        c = np.asarray(self.center)
        return np.array(
            [
                c + s * u + p * a + q * r
                for s in (-h2, h2)
                for p in (back, d2)
                for q in (-side, side)
            ]
        )

    def classify(
        self, world: NDArray[np.float64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.float64]]:
        """(in body, in arch, depth below the body surface in mm) for world points."""
        u, a, r = self.frame()
        rel = world - np.asarray(self.center)
        s, p, q = rel @ u, rel @ a, rel @ r
        d2, w2 = self.depth_mm / 2, self.width_mm / 2
        f = (d2 - p) / self.depth_mm
        h = (
            self.anterior_mm
            + (self.posterior_mm - self.anterior_mm) * f
            - self.middle_dip_mm * (1.0 - (2.0 * f - 1.0) ** 2)
        )
        body = (np.abs(p) <= d2) & (np.abs(q) <= w2) & (np.abs(s) <= h / 2)
        depth = np.minimum(np.minimum(h / 2 - np.abs(s), d2 - np.abs(p)), w2 - np.abs(q))
        arch = np.zeros_like(body)
        if self.arch:
            hp = self.posterior_mm
            pedicle_w = 8.0
            canal_half = w2 - pedicle_w - 2.0  # pedicles sit at the lateral edges
            back = -d2
            upper = (s >= -0.15 * hp) & (s <= 0.45 * hp)
            pedicles = (
                (p < back + 1.0)
                & (p >= back - 14.0)
                & (np.abs(q) >= canal_half)
                & (np.abs(q) <= canal_half + pedicle_w)
                & upper
            )
            lamina = (
                (p < back - 14.0)
                & (p >= back - 20.0)
                & (np.abs(q) <= canal_half + pedicle_w)
                & upper
            )
            spinous = (
                (p < back - 20.0)
                & (p >= back - 42.0)
                & (np.abs(q) <= 4.0)
                & (s >= -0.45 * hp)
                & (s <= 0.35 * hp)
            )
            transverse = (
                (p < back - 10.0)
                & (p >= back - 18.0)
                & (np.abs(q) <= w2 + 18.0)
                & (np.abs(s) <= 4.0)
            )
            arch = (pedicles | lamina | spinous | transverse) & ~body
        return body, arch, depth


@dataclass
class Grid:
    affine: NDArray[np.float64]
    shape: tuple[int, int, int]
    spacing: tuple[float, float, float] = field(default=(1.0, 1.0, 1.0))

    def world(self, index: NDArray[np.float64]) -> NDArray[np.float64]:
        return index @ self.affine[:3, :3].T + self.affine[:3, 3]


def grid_around(
    vertebrae: Sequence[Vertebra],
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    axes: NDArray[np.float64] | None = None,
    margin_mm: float = 6.0,
) -> Grid:
    """A voxel grid whose axes are the columns of ``axes`` (a rotation; identity = RAS) with the
    given spacing, covering every vertebra plus a margin."""
    rot = np.eye(3) if axes is None else np.asarray(axes, dtype=float)
    centers = np.array([v.center for v in vertebrae])
    reach = max(v.extent_mm() for v in vertebrae) + margin_mm
    lo = centers.min(axis=0) - reach
    hi = centers.max(axis=0) + reach
    corners = np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    local = corners @ rot  # coordinates along the grid axes
    sp = np.asarray(spacing, dtype=float)
    # An odd phase keeps voxel centres off the faces of the boxes (no ties at the boundary).
    start, stop = local.min(axis=0) - np.array([0.31, 0.43, 0.37]) * sp, local.max(axis=0)
    shape = tuple(int(math.ceil((stop[i] - start[i]) / sp[i])) + 1 for i in range(3))
    affine = np.eye(4)
    affine[:3, :3] = rot * sp[None, :]
    affine[:3, 3] = rot @ start
    return Grid(affine=affine, shape=(shape[0], shape[1], shape[2]), spacing=(sp[0], sp[1], sp[2]))


def voxelise(
    vertebrae: Sequence[Vertebra],
    grid: Grid,
    *,
    dtype: type = np.int16,
    with_ct: bool = False,
) -> tuple[NDArray[np.integer], NDArray[np.int16] | None]:
    """The label map (and optionally a CT in HU) of the vertebrae on ``grid``."""
    labels = np.zeros(grid.shape, dtype=dtype)
    ct = np.full(grid.shape, SOFT_TISSUE_HU, dtype=np.int16) if with_ct else None
    inverse = np.linalg.inv(grid.affine)
    for v in vertebrae:
        idx = v.corners() @ inverse[:3, :3].T + inverse[:3, 3]
        lo = np.maximum(np.floor(idx.min(axis=0)).astype(int), 0)
        hi = np.minimum(np.ceil(idx.max(axis=0)).astype(int) + 1, grid.shape)
        if np.any(hi <= lo):
            continue
        ii, jj, kk = np.meshgrid(*(np.arange(lo[d], hi[d]) for d in range(3)), indexing="ij")
        index = np.stack([ii, jj, kk], axis=-1).reshape(-1, 3).astype(float)
        world = grid.world(index)
        body, arch, depth = v.classify(world)
        box = labels[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        flat = box.reshape(-1)
        flat[body | arch] = v.label
        labels[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]] = flat.reshape(box.shape)
        if ct is not None:
            cbox = ct[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]].reshape(-1)
            cbox[arch] = ARCH_HU
            cbox[body] = np.where(depth[body] < CORTEX_MM, CORTEX_HU, TRABECULAR_HU)
            ct[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]] = cbox.reshape(box.shape)
    return labels, ct


def lumbar_spine(
    levels: Sequence[tuple[str, int]] = (
        ("T12", 32),
        ("L1", 31),
        ("L2", 30),
        ("L3", 29),
        ("L4", 28),
    ),
    *,
    pitch_mm: float = 36.0,
    tilt_deg: float = 0.0,
    overrides: dict[str, dict[str, object]] | None = None,
    arch: bool = True,
) -> list[Vertebra]:
    """Vertebrae stacked along a straight axis tilted ``tilt_deg`` in the sagittal plane."""
    axis = rotation((1.0, 0.0, 0.0), tilt_deg) @ SUPERIOR
    out: list[Vertebra] = []
    for i, (level, label) in enumerate(levels):
        center = -i * pitch_mm * axis
        kwargs: dict[str, object] = {"u": tuple(axis), "arch": arch}
        kwargs.update((overrides or {}).get(level, {}))
        out.append(
            Vertebra(level, label, (float(center[0]), float(center[1]), float(center[2])), **kwargs)
        )  # type: ignore[arg-type]
    return out
