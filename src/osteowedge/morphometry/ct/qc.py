"""Quality control: the per-level flags, levels missing between those found, and sizes far from
the neighbours' (mislabelled or merged levels)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from osteowedge.model.patient import VERTEBRAL_LEVELS
from osteowedge.morphometry.ct.grid import FloatArray
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.ct.results import LevelMeasurement, QcFlag, TrabecularRoi
from osteowedge.morphometry.ct.schemes import LEVEL_ORDER

_OPTIONAL_LEVELS = frozenset({"T13", "L6"})


def stacked_parts(
    extra_parts: Sequence[tuple[int, FloatArray]],
    body_world: FloatArray,
    body_centroid: FloatArray,
    u: FloatArray,
) -> int:
    """How many of a label's other large parts lie above or below its body (a second level)."""
    rel_u = (body_world - body_centroid) @ u
    u_extent = float(np.ptp(rel_u)) if rel_u.size else 0.0
    return sum(1 for _, c in extra_parts if abs(float((c - body_centroid) @ u)) > 0.5 * u_extent)


def body_flags(
    level: str,
    label: int,
    *,
    measured: bool,
    cut: bool,
    stacked: int,
    isolation: str,
    scheme_title: str,
) -> list[QcFlag]:
    """The flags a level gets before it is measured: the body itself and how it was found."""
    flags: list[QcFlag] = []
    if not measured:
        flags.append(
            QcFlag(
                level,
                "not_measured",
                f"{level} only sets the spine axis for its "
                "neighbours (no comparable vertebral body)",
            )
        )
    if cut:
        flags.append(
            QcFlag(
                level,
                "cut_by_field_of_view",
                f"{level}: the body reaches the edge of the image volume, so it may be cut "
                "off; its heights are reported but not graded",
            )
        )
    if stacked:
        flags.append(
            QcFlag(
                level,
                "duplicated_level",
                f"{level}: label {label} has {stacked + 1} separate large parts "
                "above one another (mislabelled neighbour?); the largest was measured",
            )
        )
    if isolation == "no_arch_found":
        flags.append(
            QcFlag(
                level,
                "body_isolation_uncertain",
                f"{level}: the {scheme_title} label should hold the whole vertebra, but no "
                "spinal canal or pedicle waist was found; the whole label was measured as the "
                "body (a body-only mask? then use --labels vertebrae_pp)",
            )
        )
    if isolation == "uncertain":
        flags.append(
            QcFlag(
                level,
                "body_isolation_uncertain",
                f"{level}: no spinal canal found in the mid-sagittal slab; the body was cut "
                "at the narrowest point (the pedicles) of the label",
            )
        )
    return flags


def measurement_failed(level: str) -> QcFlag:
    return QcFlag(
        level,
        "measurement_failed",
        f"{level}: the height lines did not cross the body; no heights",
    )


def roi_flags(
    level: str, roi: TrabecularRoi | None, why: str | None, params: MeasurementParams
) -> list[QcFlag]:
    """``roi_not_placed`` (with the reason) or ``roi_reduced``; none for a full-size ROI."""
    if roi is None:
        return [QcFlag(level, "roi_not_placed", f"{level}: {why}")]
    if roi.reduced:
        return [
            QcFlag(
                level,
                "roi_reduced",
                f"{level}: the {params.roi_area_mm2:g} mm2 circle did not fit "
                f"{params.roi_cortex_margin_mm:g} mm inside the body; "
                f"{roi.area_mm2:.0f} mm2 used",
            )
        ]
    return []


def missing_levels(present: Sequence[str]) -> list[QcFlag]:
    """Standard levels absent between the highest and lowest level present (T13, L6 optional)."""
    order = [LEVEL_ORDER[lv] for lv in present]
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


def size_plausibility(
    results: list[LevelMeasurement], params: MeasurementParams
) -> list[LevelMeasurement]:
    """Flag levels whose body volume or tallest height is far from their neighbours' median."""
    usable = {
        LEVEL_ORDER[m.level]: m
        for m in results
        if m.measured and not m.cut_by_field_of_view and m.anterior_mm is not None
    }
    out: list[LevelMeasurement] = []
    for m in results:
        idx = LEVEL_ORDER[m.level]
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


def _heights_of(m: LevelMeasurement) -> tuple[float, float, float]:
    assert m.anterior_mm is not None and m.middle_mm is not None and m.posterior_mm is not None
    return m.anterior_mm, m.middle_mm, m.posterior_mm


def _with_flag(m: LevelMeasurement, flag: QcFlag) -> LevelMeasurement:
    return replace(m, flags=(*m.flags, flag))
