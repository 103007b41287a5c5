"""What a label-map measurement returns: frozen per-level results and QC findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from osteowedge.morphometry.ct.schemes import LabelScheme

Vector = tuple[float, float, float]
HeightName = Literal["anterior", "middle", "posterior"]
HEIGHT_NAMES: tuple[HeightName, HeightName, HeightName] = ("anterior", "middle", "posterior")


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
