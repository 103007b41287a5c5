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

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from osteowedge.errors import ImageGeometryError, KnowledgeError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.patient import VERTEBRAL_LEVELS

FloatArray = NDArray[np.float64]
Vector = tuple[float, float, float]
HeightName = Literal["anterior", "middle", "posterior"]
HEIGHT_NAMES: tuple[HeightName, HeightName, HeightName] = ("anterior", "middle", "posterior")

KNOWLEDGE_IDS: tuple[str, ...] = ("ct_label_map_measurement", "ct_trabecular_roi")

_ORDER = {level: i for i, level in enumerate(VERTEBRAL_LEVELS)}
_OPTIONAL_LEVELS = frozenset({"T13", "L6"})
_PATIENT_SUPERIOR = np.array([0.0, 0.0, 1.0])
_PATIENT_ANTERIOR = np.array([0.0, 1.0, 0.0])
_FULL_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)
_MM3_PER_ML = 1000.0
_ROTATION_ITERATIONS = 3
_WAIST_FRACTION = 0.5
"""A pedicle waist holds at most half the body's cross-section per AP bin."""
_EMPTY_POINTS = np.empty((0, 3), dtype=np.float64)
_EMPTY_INDEX = np.empty((0, 3), dtype=np.int16)


# --------------------------------------------------------------------------------------------
# Label schemes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelScheme:
    """How a label map numbers the vertebrae."""

    name: str
    title: str
    levels: Mapping[int, str]
    """Label value -> vertebral level (only the vertebra labels; other labels are ignored)."""
    whole_vertebra: bool
    """True when a label holds the posterior elements too (the body must be isolated)."""
    max_label: int
    """The largest value the scheme defines; larger values mean a different scheme."""
    verified_ids: frozenset[int]
    """Ids checked against real data in ``shared/data`` (the rest from the published list)."""
    note: str

    def level_of(self, label: int) -> str | None:
        return self.levels.get(label)


def _total_levels() -> dict[int, str]:
    levels = {26: "S1"}
    levels.update({27 + i: f"L{5 - i}" for i in range(5)})  # 27 L5 ... 31 L1
    levels.update({32 + i: f"T{12 - i}" for i in range(12)})  # 32 T12 ... 43 T1
    levels.update({44 + i: f"C{7 - i}" for i in range(7)})  # 44 C7 ... 50 C1
    return levels


def _from_c1_levels(*, lumbar: int) -> dict[int, str]:
    levels = {i: f"C{i}" for i in range(1, 8)}
    levels.update({7 + i: f"T{i}" for i in range(1, 13)})  # 8 T1 ... 19 T12
    levels.update({19 + i: f"L{i}" for i in range(1, lumbar + 1)})  # 20 L1 ...
    return levels


TOTAL = LabelScheme(
    name="total",
    title="TotalSegmentator task `total` (v2)",
    levels=_total_levels(),
    whole_vertebra=True,
    max_label=117,
    # shared/data/totalsegmentator README: 26 S1, 27 L5, 28 L4, 29 L3, 30 L2, 31 L1, 32 T12, 33 T11.
    verified_ids=frozenset(range(26, 34)),
    note="Ids 1-25 and 51-117 are organs, muscles, ribs and the sacrum (ignored). 26-33 verified "
    "on the shared example; 34-50 from TotalSegmentator's published class map (map_to_binary.py).",
)
VERTEBRAE_PP = LabelScheme(
    name="vertebrae_pp",
    title="TotalSegmentator tasks `vertebrae_pp` / `vertebrae_pp_refined` (vertebral bodies)",
    levels=_from_c1_levels(lumbar=5),
    whole_vertebra=False,
    max_label=24,
    # shared/data/totalsegmentator README: 19 T12, 20 L1, 21 L2, 22 L3, 23 L4, 24 L5.
    verified_ids=frozenset(range(19, 25)),
    note="Numbered from C1 = 1 to L5 = 24; 19-24 verified on the shared example, 1-18 from "
    "TotalSegmentator's published label list (secondary source).",
)
VERSE = LabelScheme(
    name="verse",
    title="VerSe (1-7 C1-C7, 8-19 T1-T12, 20-25 L1-L6, 28 T13)",
    levels={**_from_c1_levels(lumbar=6), 28: "T13"},
    whole_vertebra=True,
    max_label=28,
    # shared/data/verse README and sub-verse004: labels 16-24 are T9-L5.
    verified_ids=frozenset(range(16, 25)),
    note="Whole vertebrae; labels 16-24 verified on the shared VerSe sample.",
)
SCHEMES: Mapping[str, LabelScheme] = {s.name: s for s in (TOTAL, VERTEBRAE_PP, VERSE)}
SCHEME_ALIASES: Mapping[str, str] = {
    "totalsegmentator": "total",
    "vertebrae_pp_refined": "vertebrae_pp",
}
SCHEME_CHOICES: tuple[str, ...] = ("auto", *SCHEMES, *SCHEME_ALIASES)
VERTEBRAE_BODY_LABEL = 1
"""In TotalSegmentator's `vertebrae_body` task, 1 = vertebral bodies (all levels), 2 = discs."""

_LABELS_HINT = (
    "name the scheme with --labels total (TotalSegmentator `total`), --labels vertebrae_pp "
    "(TotalSegmentator `vertebrae_pp`/`vertebrae_pp_refined`) or --labels verse (VerSe)"
)


def _ranges(values: Iterable[int]) -> str:
    ordered = sorted(values)
    parts: list[str] = []
    start = prev = ordered[0]
    for v in [*ordered[1:], None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(parts)


def _label_values(present: Collection[int]) -> set[int]:
    """The non-zero label values; an error when there is none."""
    values = {int(v) for v in present if v > 0}
    if not values:
        raise ImageGeometryError(
            "the label map is empty (every voxel is 0); expected vertebra labels"
        )
    return values


def detect_scheme(present: Collection[int]) -> LabelScheme:
    """The scheme the label values leave no doubt about, or an error asking for ``--labels``.

    Only TotalSegmentator ``total`` can be told from its values alone: a label from 29 to 50 is a
    vertebra there and exists in no other scheme. Maps whose values all lie in 1-28 fit VerSe,
    ``vertebrae_pp`` (which number vertebrae from C1 = 1) and ``total`` (where 1-25 are organs)
    alike, so they need ``--labels``.
    """
    values = _label_values(present)
    if max(values) > TOTAL.max_label:
        raise ImageGeometryError(
            f"unknown label scheme: values {_ranges(values)} go beyond every known scheme "
            f"(total: 1-117, VerSe: 1-25 and 28, vertebrae_pp: 1-24); {_LABELS_HINT}, or relabel "
            "the mask to one of them"
        )
    if values & set(range(29, 51)):
        return TOTAL
    raise ImageGeometryError(
        f"cannot tell the label scheme from the values {_ranges(values)}: VerSe and "
        "TotalSegmentator vertebrae_pp number vertebrae from C1 = 1, while TotalSegmentator "
        f"`total` uses 1-25 for organs and the sacrum; {_LABELS_HINT}"
    )


def resolve_scheme(name: str, present: Collection[int]) -> LabelScheme:
    """The scheme named on the command line (``auto`` detects it), checked against the values."""
    key = SCHEME_ALIASES.get(name, name)
    if key == "auto":
        return detect_scheme(present)
    if key == "vertebrae_body":
        raise ImageGeometryError(
            "a TotalSegmentator `vertebrae_body` map has no level identity (1 = all bodies, "
            "2 = discs); pass it with --body-mask beside a level-labelled --mask (for example "
            "the `total` map of the same CT)"
        )
    if key not in SCHEMES:
        raise ImageGeometryError(
            f"unknown label scheme {name!r}; expected one of {', '.join(SCHEME_CHOICES)}"
        )
    scheme = SCHEMES[key]
    values = _label_values(present)
    foreign = sorted(
        v
        for v in values
        if v > scheme.max_label or (scheme is not TOTAL and v not in scheme.levels)
    )
    if foreign:
        raise ImageGeometryError(
            f"label value(s) {_ranges(foreign)} are not part of the {scheme.title} scheme; "
            f"check --labels ({_LABELS_HINT})"
        )
    return scheme


# --------------------------------------------------------------------------------------------
# Parameters (from the knowledge base)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementParams:
    """The measurement conventions; :meth:`from_knowledge` reads them from the knowledge base."""

    height_positions: tuple[float, float, float]
    """Anterior, middle, posterior line: distance from the anterior wall / AP depth."""
    midsagittal_half_width_mm: float
    roi_area_mm2: float
    roi_cortex_margin_mm: float
    roi_min_area_mm2: float
    size_window_levels: int
    volume_ratio_limits: tuple[float, float]
    height_ratio_limits: tuple[float | None, float | None]
    duplicate_min_fraction: float
    rotation_min_anisotropy: float
    rotation_max_deg: float
    not_measured_levels: frozenset[str]

    @classmethod
    def from_knowledge(cls, kb: KnowledgeBase) -> MeasurementParams:
        m, roi = KNOWLEDGE_IDS
        try:
            positions = kb.decision_fact(m, "height_positions_fraction_of_depth")
            volume = kb.decision_fact(m, "size_implausible_volume_ratio")
            height = kb.decision_fact(m, "size_implausible_height_ratio")
            return cls(
                height_positions=(
                    float(positions["anterior"]),
                    float(positions["middle"]),
                    float(positions["posterior"]),
                ),
                midsagittal_half_width_mm=float(kb.decision_fact(m, "midsagittal_half_width_mm")),
                roi_area_mm2=float(kb.decision_fact(roi, "roi_area_mm2")),
                roi_cortex_margin_mm=float(kb.decision_fact(roi, "cortex_margin_mm")),
                roi_min_area_mm2=float(kb.decision_fact(roi, "min_roi_area_mm2")),
                size_window_levels=int(kb.decision_fact(m, "size_neighbour_window_levels")),
                volume_ratio_limits=(float(volume["low"]), float(volume["high"])),
                height_ratio_limits=(
                    _optional_float(height["low"]),
                    _optional_float(height["high"]),
                ),
                duplicate_min_fraction=float(
                    kb.decision_fact(m, "duplicate_component_min_fraction")
                ),
                rotation_min_anisotropy=float(kb.decision_fact(m, "axial_rotation_min_anisotropy")),
                rotation_max_deg=float(kb.decision_fact(m, "axial_rotation_max_deg")),
                not_measured_levels=frozenset(kb.decision_fact(m, "not_measured_levels")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"CT label-map measurement facts are malformed: {exc!r}") from exc


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QcFlag:
    """One quality-control finding; ``level`` is None for the whole map."""

    level: str | None
    flag: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "flag": self.flag, "message": self.message}


@dataclass(frozen=True)
class HeightLine:
    """One measured height: its end points in world millimetres (RAS+) and its length."""

    name: HeightName
    superior_mm: Vector
    inferior_mm: Vector
    length_mm: float


@dataclass(frozen=True)
class TrabecularRoi:
    """The circular trabecular ROI and the CT values inside it."""

    mean_hu: float
    sd_hu: float
    area_mm2: float
    radius_mm: float
    center_mm: Vector
    samples: int
    reduced: bool


@dataclass(frozen=True)
class LevelMeasurement:
    """Everything measured for one vertebra label."""

    level: str
    label: int
    measured: bool
    """False for levels that only set the axis (C1, C2, S1)."""
    anterior_mm: float | None
    middle_mm: float | None
    posterior_mm: float | None
    ap_depth_mm: float | None
    body_volume_ml: float
    vertebra_volume_ml: float
    body_centroid_mm: Vector
    body_centroid_voxel: Vector
    cranio_caudal_axis: Vector
    anterior_axis: Vector
    body_isolation: Literal[
        "posterior_elements_removed", "body_label", "body_mask", "uncertain", "no_arch_found"
    ]
    height_lines: tuple[HeightLine, ...]
    roi: TrabecularRoi | None
    flags: tuple[QcFlag, ...] = field(default=())

    @property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(f.flag for f in self.flags)

    @property
    def cut_by_field_of_view(self) -> bool:
        return "cut_by_field_of_view" in self.flag_ids

    @property
    def gradable(self) -> bool:
        """Heights may be graded: measured, complete, and not cut by the field of view."""
        return (
            self.measured
            and self.anterior_mm is not None
            and self.middle_mm is not None
            and self.posterior_mm is not None
            and not self.cut_by_field_of_view
        )

    def as_dict(self) -> dict[str, Any]:
        def r(value: float | None, nd: int = 1) -> float | None:
            return None if value is None else round(value, nd)

        def v(vec: Vector, nd: int = 1) -> list[float]:
            return [round(x, nd) for x in vec]

        return {
            "level": self.level,
            "label": self.label,
            "measured": self.measured,
            "gradable": self.gradable,
            "anterior_mm": r(self.anterior_mm),
            "middle_mm": r(self.middle_mm),
            "posterior_mm": r(self.posterior_mm),
            "ap_depth_mm": r(self.ap_depth_mm),
            "body_volume_ml": round(self.body_volume_ml, 2),
            "vertebra_volume_ml": round(self.vertebra_volume_ml, 2),
            "body_centroid_mm": v(self.body_centroid_mm),
            "body_centroid_voxel": v(self.body_centroid_voxel),
            "cranio_caudal_axis": v(self.cranio_caudal_axis, 3),
            "anterior_axis": v(self.anterior_axis, 3),
            "body_isolation": self.body_isolation,
            "height_lines_mm": {
                line.name: {
                    "superior": v(line.superior_mm),
                    "inferior": v(line.inferior_mm),
                    "length_mm": round(line.length_mm, 1),
                }
                for line in self.height_lines
            },
            "trabecular_roi": None
            if self.roi is None
            else {
                "mean_hu": round(self.roi.mean_hu, 1),
                "sd_hu": round(self.roi.sd_hu, 1),
                "area_mm2": round(self.roi.area_mm2, 1),
                "radius_mm": round(self.roi.radius_mm, 2),
                "center_mm": v(self.roi.center_mm),
                "samples": self.roi.samples,
                "reduced": self.roi.reduced,
            },
            "qc": list(self.flag_ids),
        }


@dataclass(frozen=True)
class LabelMapMeasurement:
    """All levels of one label map, cranio-caudal, with the map-wide QC findings."""

    scheme: LabelScheme
    levels: tuple[LevelMeasurement, ...]
    qc: tuple[QcFlag, ...]
    """Every finding: the per-level flags and the map-wide ones (missing levels)."""
    ignored_labels: tuple[int, ...]
    """Label values present that are not vertebrae in the scheme (organs, sacrum...)."""

    @property
    def gradable(self) -> tuple[LevelMeasurement, ...]:
        return tuple(m for m in self.levels if m.gradable)

    def level(self, name: str) -> LevelMeasurement:
        for m in self.levels:
            if m.level == name:
                return m
        raise KeyError(name)


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    """The affine split into its parts, with the inverse, for world <-> voxel conversions."""

    matrix: FloatArray
    offset: FloatArray
    inverse: FloatArray
    spacing: FloatArray
    shape: tuple[int, int, int]

    @classmethod
    def of(cls, affine: NDArray[Any], shape: tuple[int, ...]) -> _Grid:
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


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _frame(u: FloatArray, anterior: FloatArray = _PATIENT_ANTERIOR) -> tuple[FloatArray, ...]:
    """Unit cranio-caudal u (superior), anterior a (orthogonal to u) and right l = a x u."""
    u = _unit(u)
    if float(u @ _PATIENT_SUPERIOR) < 0:
        u = -u
    a = anterior - float(anterior @ u) * u
    if np.linalg.norm(a) < 1e-6:  # the spine runs antero-posteriorly: fall back to superior
        a = _PATIENT_SUPERIOR - float(_PATIENT_SUPERIOR @ u) * u
    a = _unit(a)
    return u, a, np.cross(a, u)


@dataclass
class _Work:
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


def _padded_box(
    box: tuple[slice, ...], shape: tuple[int, int, int], pad: int
) -> tuple[slice, slice, slice]:
    return (
        slice(max(box[0].start - pad, 0), min(box[0].stop + pad, shape[0])),
        slice(max(box[1].start - pad, 0), min(box[1].stop + pad, shape[1])),
        slice(max(box[2].start - pad, 0), min(box[2].stop + pad, shape[2])),
    )


def _touches_border(
    box: tuple[slice, ...], mask: NDArray[np.bool_], shape: tuple[int, int, int]
) -> bool:
    """True when the mask (inside ``box``) reaches the first or last index of any axis."""
    for axis in range(3):
        if box[axis].start == 0 and mask.take(0, axis=axis).any():
            return True
        if box[axis].stop == shape[axis] and mask.take(-1, axis=axis).any():
            return True
    return False


def _coords(mask: NDArray[np.bool_], origin: NDArray[np.int64], grid: _Grid) -> FloatArray:
    return grid.to_world(np.argwhere(mask) + origin)


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def _prepare(
    label: int,
    level: str,
    box: tuple[slice, ...],
    labels: NDArray[np.integer[Any]],
    grid: _Grid,
    params: MeasurementParams,
) -> _Work:
    padded = _padded_box(box, grid.shape, 1)
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
    return _Work(
        label=label,
        level=level,
        box=padded,
        origin=origin,
        mask=sub,
        idx=idx,
        world=_EMPTY_POINTS,
        centroid=grid.to_world(idx.mean(axis=0)[None, :] + origin)[0],
        touches_border=_touches_border(padded, sub, grid.shape),
        extra_parts=extra,
    )


def _axes(
    works: Sequence[_Work], centroids: Sequence[FloatArray], valid: Sequence[bool]
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
            vec = _PATIENT_SUPERIOR.copy()
        axes.append(_frame(vec)[0])
    return axes


def _isolate_body(
    work: _Work, u: FloatArray, anterior: FloatArray, grid: _Grid, params: MeasurementParams
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
    u, a, right = _frame(u, anterior)
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


def _selected(work: _Work, keep: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The part of ``work.mask`` whose voxels ``keep`` selects, as a mask of the box."""
    mask = np.zeros_like(work.mask)
    mask[tuple(work.idx[keep].T)] = True
    return mask


def _arch_anterior(
    work: _Work, keep: NDArray[np.bool_], u: FloatArray, params: MeasurementParams
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
    u_hat, a0, _ = _frame(u)
    direction = c_body - c_arch
    direction = direction - float(direction @ u_hat) * u_hat
    if float(np.linalg.norm(direction)) < 1e-6:
        return None
    direction = _unit(direction)
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


def _refine_anterior(
    body_world: FloatArray, centroid: FloatArray, u: FloatArray, params: MeasurementParams
) -> FloatArray:
    """Turn the AP axis to the body's shortest in-plane principal axis (axial rotation)."""
    _, a, right = _frame(u)
    rel = body_world - centroid
    pa, pr = rel @ a, rel @ right
    if pa.size < 10:
        return a
    cov = np.cov(np.vstack([pa, pr]))
    evals, evecs = np.linalg.eigh(cov)
    if evals[0] <= 0 or evals[1] / evals[0] < params.rotation_min_anisotropy**2:
        return a
    minor = evecs[:, 0]
    candidate = _unit(minor[0] * a + minor[1] * right)
    if float(candidate @ a) < 0:
        candidate = -candidate
    angle = math.degrees(math.acos(min(1.0, float(candidate @ a))))
    return candidate if angle <= params.rotation_max_deg else a


def _line_extents(
    volume: NDArray[np.float32],
    grid: _Grid,
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
class _Heights:
    anterior: float | None = None
    middle: float | None = None
    posterior: float | None = None
    depth: float | None = None
    lines: tuple[HeightLine, ...] = ()


def _heights(
    body: NDArray[np.bool_],
    body_world: FloatArray,
    origin: NDArray[np.int64],
    centroid: FloatArray,
    u: FloatArray,
    a: FloatArray,
    grid: _Grid,
    params: MeasurementParams,
) -> _Heights:
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
        return _Heights()
    p_post, p_ant = depth_ext  # along a, from the mid-sagittal axis through the centroid
    depth = p_ant - p_post

    out = _Heights(depth=depth)
    lines: list[HeightLine] = []
    values: list[float] = []
    for name, fraction in zip(HEIGHT_NAMES, params.height_positions, strict=True):
        p_line = p_ant - fraction * depth
        starts = np.array([base + p_line * a + s_mid * u + dq * right for dq in (-w, 0.0, w)])
        ext = _median_extent(_line_extents(volume, grid, origin, starts, u, half_length, step))
        if ext is None:
            return _Heights(depth=depth)
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


def _roi(
    body: NDArray[np.bool_],
    origin: NDArray[np.int64],
    ct_box: NDArray[Any],
    centroid: FloatArray,
    u: FloatArray,
    a: FloatArray,
    grid: _Grid,
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


# --------------------------------------------------------------------------------------------
# The measurement
# --------------------------------------------------------------------------------------------


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
    grid = _Grid.of(affine, labels.shape)
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
        key=lambda v: _ORDER[resolved.levels[v]],
    )
    ignored = tuple(sorted(v for v in boxes if resolved.level_of(v) is None))
    if not vertebrae:
        raise ImageGeometryError(
            f"the label map holds no vertebra label of the {resolved.title} scheme (values "
            f"{_ranges(boxes) if boxes else 'none'}); check --labels"
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
    works = [_prepare(v, resolved.levels[v], boxes[v], labels, grid, params) for v in vertebrae]
    valid = [not w.touches_border for w in works]
    axes0 = _axes(works, [w.centroid for w in works], valid)

    # Isolate each body (first frame from the whole-label centroids).
    for w, u in zip(works, axes0, strict=True):
        w.world = grid.to_world(w.idx.astype(np.int64) + w.origin)
        keep: NDArray[np.bool_] | None = None
        if body_map is not None:
            keep = np.asarray(body_map[w.box])[tuple(w.idx.T)] == body_label
            if keep.sum() >= 0.1 * keep.size:
                w.isolation = "body_mask"
            else:
                keep = None
        if keep is None and resolved.whole_vertebra:
            keep, w.isolation = _isolate_body(w, u, _PATIENT_ANTERIOR, grid, params)
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

    axes = _axes(works, [w.body_centroid for w in works if w.body_centroid is not None], valid)

    results: list[LevelMeasurement] = []
    voxel_ml = grid.voxel_volume_mm3 / _MM3_PER_ML
    for w, u in zip(works, axes, strict=True):
        assert w.body is not None and w.body_world is not None and w.body_centroid is not None
        flags: list[QcFlag] = []
        measured = w.level not in params.not_measured_levels
        if w.anterior is not None:
            u, a, _ = _frame(u, w.anterior)
        else:
            u, a, _ = _frame(u, _refine_anterior(w.body_world, w.body_centroid, u, params))
        body_voxels = int(w.body.sum())
        cut = _touches_border(w.box, w.body, grid.shape)
        if not measured:
            flags.append(
                QcFlag(
                    w.level,
                    "not_measured",
                    f"{w.level} only sets the spine axis for its "
                    "neighbours (no comparable vertebral body)",
                )
            )
        if cut:
            flags.append(
                QcFlag(
                    w.level,
                    "cut_by_field_of_view",
                    f"{w.level}: the body reaches the edge of the image volume, so it may be cut "
                    "off; its heights are reported but not graded",
                )
            )
        rel_u = (w.body_world - w.body_centroid) @ u
        u_extent = float(np.ptp(rel_u)) if rel_u.size else 0.0
        stacked = [
            size
            for size, c in w.extra_parts
            if abs(float((c - w.body_centroid) @ u)) > 0.5 * u_extent
        ]
        if stacked:
            flags.append(
                QcFlag(
                    w.level,
                    "duplicated_level",
                    f"{w.level}: label {w.label} has {len(stacked) + 1} separate large parts "
                    "above one another (mislabelled neighbour?); the largest was measured",
                )
            )
        if w.isolation == "no_arch_found":
            flags.append(
                QcFlag(
                    w.level,
                    "body_isolation_uncertain",
                    f"{w.level}: the {resolved.title} label should hold the whole vertebra, but no "
                    "spinal canal or pedicle waist was found; the whole label was measured as the "
                    "body (a body-only mask? then use --labels vertebrae_pp)",
                )
            )
        if w.isolation == "uncertain":
            flags.append(
                QcFlag(
                    w.level,
                    "body_isolation_uncertain",
                    f"{w.level}: no spinal canal found in the mid-sagittal slab; the body was cut "
                    "at the narrowest point (the pedicles) of the label",
                )
            )
        heights = _Heights()
        roi: TrabecularRoi | None = None
        if measured:
            heights = _heights(w.body, w.body_world, w.origin, w.body_centroid, u, a, grid, params)
            if heights.anterior is None:
                flags.append(
                    QcFlag(
                        w.level,
                        "measurement_failed",
                        f"{w.level}: the height lines did not cross the body; no heights",
                    )
                )
            if ct is not None:
                roi, why = _roi(w.body, w.origin, ct[w.box], w.body_centroid, u, a, grid, params)
                if roi is None:
                    flags.append(QcFlag(w.level, "roi_not_placed", f"{w.level}: {why}"))
                elif roi.reduced:
                    flags.append(
                        QcFlag(
                            w.level,
                            "roi_reduced",
                            f"{w.level}: the {params.roi_area_mm2:g} mm2 circle did not fit "
                            f"{params.roi_cortex_margin_mm:g} mm inside the body; "
                            f"{roi.area_mm2:.0f} mm2 used",
                        )
                    )
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

    results = _size_plausibility(results, params)
    missing = _missing_levels([m.level for m in results])
    qc = [f for m in results for f in m.flags] + missing
    return LabelMapMeasurement(
        scheme=resolved, levels=tuple(results), qc=tuple(qc), ignored_labels=ignored
    )


def _vec(v: NDArray[Any]) -> Vector:
    return (float(v[0]), float(v[1]), float(v[2]))


def _missing_levels(present: Sequence[str]) -> list[QcFlag]:
    """Standard levels absent between the highest and lowest level present (T13, L6 optional)."""
    order = [_ORDER[lv] for lv in present]
    if not order:
        return []
    lo, hi = min(order), max(order)
    have = set(present)
    return [
        QcFlag(
            level,
            "missing_level",
            f"{level} lies between the levels found but has no label (missing or mislabelled)",
        )
        for level in VERTEBRAL_LEVELS[lo : hi + 1]
        if level not in have and level not in _OPTIONAL_LEVELS
    ]


def _size_plausibility(
    results: list[LevelMeasurement], params: MeasurementParams
) -> list[LevelMeasurement]:
    """Flag levels whose body volume or tallest height is far from their neighbours' median."""
    usable = {
        _ORDER[m.level]: m
        for m in results
        if m.measured and not m.cut_by_field_of_view and m.anterior_mm is not None
    }
    out: list[LevelMeasurement] = []
    for m in results:
        idx = _ORDER[m.level]
        if idx not in usable:
            out.append(m)
            continue
        neighbours = [
            usable[j]
            for j in range(idx - params.size_window_levels, idx + params.size_window_levels + 1)
            if j != idx and j in usable
        ]
        if len(neighbours) < 2:
            out.append(m)
            continue
        reasons: list[str] = []
        volume_ratio = m.body_volume_ml / float(np.median([n.body_volume_ml for n in neighbours]))
        lo, hi = params.volume_ratio_limits
        if not lo <= volume_ratio <= hi:
            reasons.append(f"body volume {volume_ratio:.2f} x the neighbours' median")
        tallest = max(_heights_of(m))
        tallest_ratio = tallest / float(np.median([max(_heights_of(n)) for n in neighbours]))
        h_lo, h_hi = params.height_ratio_limits
        if (h_lo is not None and tallest_ratio < h_lo) or (
            h_hi is not None and tallest_ratio > h_hi
        ):
            reasons.append(f"tallest height {tallest_ratio:.2f} x the neighbours' median")
        if not reasons:
            out.append(m)
            continue
        flag = QcFlag(
            m.level,
            "size_implausible",
            f"{m.level}: {'; '.join(reasons)} ({', '.join(n.level for n in neighbours)}): "
            "mislabelled or merged levels, or a severe collapse; check the labels",
        )
        out.append(_with_flag(m, flag))
    return out


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _heights_of(m: LevelMeasurement) -> tuple[float, float, float]:
    assert m.anterior_mm is not None and m.middle_mm is not None and m.posterior_mm is not None
    return m.anterior_mm, m.middle_mm, m.posterior_mm


def _with_flag(m: LevelMeasurement, flag: QcFlag) -> LevelMeasurement:
    return replace(m, flags=(*m.flags, flag))
