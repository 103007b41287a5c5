"""Fragility fractures from the record and the graded vertebrae (shared by densitometry, risk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from osteowedge.model.assessment import GradedVertebra
from osteowedge.model.patient import PatientRecord


@dataclass(frozen=True)
class FractureFindings:
    """What the record shows about fragility fractures (knowledge record ``osteoporosis``).

    ``vertebral_or_hip``: a counted morphometric vertebral fracture (unless the history names
    trauma at that level), or a vertebral or hip fracture with mechanism ``fragility``.
    ``any_site``: a fragility fracture at any site (or the above). ``unknown_mechanism``: sites of
    fractures whose mechanism is ``unknown`` (reported, not counted).
    """

    vertebral_or_hip: tuple[str, ...]
    any_site: tuple[str, ...]
    unknown_mechanism: tuple[str, ...]


def fragility_fractures(
    record: PatientRecord, vertebrae: Sequence[GradedVertebra]
) -> FractureFindings:
    trauma_levels = {
        f.level for f in record.fractures if f.site == "vertebra" and f.mechanism == "trauma"
    }
    vertebral_or_hip: list[str] = []
    any_site: list[str] = []
    unknown: list[str] = []
    for v in vertebrae:
        if v.counts_as_fracture and v.level not in trauma_levels:
            vertebral_or_hip.append(f"vertebra {v.level} (morphometry)")
    for f in record.fractures:
        where = f.site if f.level is None else f"{f.site} {f.level}"
        if f.mechanism == "fragility":
            text = f"{where} (fracture history, fragility)"
            if f.site in ("vertebra", "hip"):
                vertebral_or_hip.append(text)
            else:
                any_site.append(text)
        elif f.mechanism == "unknown":
            unknown.append(where)
    return FractureFindings(
        vertebral_or_hip=tuple(vertebral_or_hip),
        any_site=tuple(vertebral_or_hip + any_site),
        unknown_mechanism=tuple(unknown),
    )
