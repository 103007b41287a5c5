"""Record builders for the exposure tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osteowedge.exposure import ExposureResult, assess_exposure
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import IatrogenicCause

AS_OF = dt.date(2026, 11, 1)


def record(
    medications: list[dict[str, Any]] | None = None,
    exposures: list[dict[str, Any]] | None = None,
    labs: list[dict[str, Any]] | None = None,
) -> Any:
    return parse_patient(
        {
            "id": "t",
            "as_of": AS_OF.isoformat(),
            "sex": "female",
            "age_years": 60,
            "medications": medications or [],
            "exposures": exposures or [],
            "labs": labs or [],
        }
    )


def med(name: str | None = None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name} if name is not None else {}
    out.update(fields)
    return out


def run(kb: KnowledgeBase, **kwargs: Any) -> ExposureResult:
    return assess_exposure(record(**kwargs), kb, AS_OF)


def cause(result: ExposureResult, cause_id: str) -> IatrogenicCause:
    found = [c for c in result.causes if c.id == cause_id]
    assert found, f"{cause_id} not found in {[c.id for c in result.causes]}"
    return found[0]


def warning_codes(result: ExposureResult) -> list[tuple[str, str | None]]:
    return [(w.code, w.path) for w in result.notes.warnings]
