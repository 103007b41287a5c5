"""Lab status: low / normal / high / unknown against the laboratory's own reference range,
else the knowledge default range (an unverified default decides nothing)."""

from __future__ import annotations

from typing import Literal

from osteowedge.knowledge.schema import ReferenceRange
from osteowedge.model.patient import Lab
from osteowedge.units import normalize_unit
from osteowedge.workup.lab_units import convertible

Status = Literal["low", "normal", "high", "unknown"]


def reference_status(
    lab: Lab, unit: str, ranges: list[ReferenceRange], test_id: str, reasons: list[str]
) -> Status:
    if lab.reference_low is not None or lab.reference_high is not None:
        low, high = lab.reference_low, lab.reference_high
        reasons.append(f"laboratory's own reference range {range_text(low, high, unit)}")
        return classify(lab.value, lab.comparator, low, high)
    chosen = default_range(unit, ranges, test_id)
    if chosen is None:
        reasons.append("no reference range (none given by the laboratory or the knowledge base)")
        return "unknown"
    rng, low, high = chosen
    if rng.verification == "U":
        reasons.append(
            f"knowledge default range {range_text(low, high, unit)} is unverified (U) and "
            "decides nothing: give the laboratory's own range"
        )
        return "unknown"
    reasons.append(f"knowledge default range {range_text(low, high, unit)}")
    return classify(lab.value, lab.comparator, low, high)


def default_range(
    unit: str, ranges: list[ReferenceRange], test_id: str
) -> tuple[ReferenceRange, float | None, float | None] | None:
    """The knowledge default range, converted to the lab's unit. The first range of the test
    decides (the others state it in other units for the reader): a value has the same status
    whichever unit it is sent in, since conversions use the analyte's molar mass, whereas the
    published ranges in two units are rounded differently (8.8-10.4 mg/dL is 2.20-2.59 mmol/L,
    not 2.2-2.6)."""
    for rng in ranges:
        if rng.population is not None:
            continue
        src = normalize_unit(rng.unit)
        low = None if rng.low is None else convertible(rng.low, src, unit, test_id)
        high = None if rng.high is None else convertible(rng.high, src, unit, test_id)
        if (rng.low is None or low is not None) and (rng.high is None or high is not None):
            return rng, low, high
    return None


def classify(value: float, comparator: str | None, low: float | None, high: float | None) -> Status:
    """low / normal / high against an inclusive range; ``unknown`` when a ``<``/``>`` value
    could fall on either side of a bound."""
    # The true value lies in [lo, hi]; open ends for strict comparators.
    lo, hi = value, value
    lo_open = hi_open = False
    if comparator in ("<", "<="):
        lo, hi, hi_open = float("-inf"), value, comparator == "<"
    elif comparator in (">", ">="):
        lo, hi, lo_open = value, float("inf"), comparator == ">"
    if low is not None and (hi < low or (hi == low and hi_open)):
        return "low"
    if high is not None and (lo > high or (lo == high and lo_open)):
        return "high"
    within_low = low is None or lo >= low
    within_high = high is None or hi <= high
    if within_low and within_high:
        return "normal"
    return "unknown"


def range_text(low: float | None, high: float | None, unit: str) -> str:
    lo = "" if low is None else f"{low:.4g}"
    hi = "" if high is None else f"{high:.4g}"
    return f"{lo}-{hi} {unit}"
