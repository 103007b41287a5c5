"""The measurement conventions, read from the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge import KnowledgeBase

KNOWLEDGE_IDS: tuple[str, ...] = ("ct_label_map_measurement", "ct_trabecular_roi")


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


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
