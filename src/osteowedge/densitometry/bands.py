"""Band matching for knowledge tables: ``{min, min_exclusive, max, max_exclusive}`` keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def in_band(value: float, band: Mapping[str, Any], prefix: str = "") -> bool:
    """Whether ``value`` lies in ``band``; absent or null edges are unbounded.

    Keys (with an optional prefix such as ``t_`` or ``hu_``): ``min`` (inclusive),
    ``min_exclusive``, ``max`` (inclusive), ``max_exclusive``.
    """
    low = band.get(f"{prefix}min")
    low_ex = band.get(f"{prefix}min_exclusive")
    high = band.get(f"{prefix}max")
    high_ex = band.get(f"{prefix}max_exclusive")
    if low is not None and value < low:
        return False
    if low_ex is not None and value <= low_ex:
        return False
    if high is not None and value > high:
        return False
    return not (high_ex is not None and value >= high_ex)


def first_band(
    value: float, bands: Iterable[Mapping[str, Any]], key: str, prefix: str = ""
) -> str | None:
    """The ``key`` of the first band that holds ``value``, or None."""
    for band in bands:
        if in_band(value, band, prefix):
            return str(band[key])
    return None
