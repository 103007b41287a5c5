"""Values the engines pass to each other inside one `assess()` call (not part of the output).

Every engine is a pure function ``(record, kb, as_of, upstream results) -> its result``; its
result carries its part of the assessment plus ``warnings`` and ``trace``. These dataclasses are
the hand-offs between engines that are not themselves output fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from osteowedge.model.assessment import TraceEntry, Warning


@dataclass(frozen=True)
class EngineNotes:
    """What every engine adds beside its result: warnings and the rule trace."""

    warnings: tuple[Warning, ...] = ()
    trace: tuple[TraceEntry, ...] = ()


@dataclass(frozen=True)
class StaleResult:
    """The latest result of a test that is too old, or undated, to clear anything.

    It cannot permit a drug, but it restricts exactly as a fresh one would: a stale low calcium
    still shows hypocalcaemia ("unverified facts restrict, never permit").
    """

    value: float | None  # in the unit LabContext.values uses for the test; None: not convertible
    status: str
    date: dt.date | None
    shown: str  # the result as given, e.g. "4.2 mg/dL on 2026-08-01"
    window_days: int | None  # the test's freshness window


@dataclass(frozen=True)
class LabContext:
    """Interpreted labs for the plan's screening; ``None`` = missing or stale (with a warning);
    what a stale result showed is kept apart in ``stale``.

    Units are fixed by the field name. ``status`` maps a knowledge test id (e.g.
    ``serum_calcium``, ``vitamin_d_25oh``, ``tsh``) to ``low``, ``normal``, ``high`` or
    ``unknown``; ``values`` maps the same ids to the value in the unit the knowledge base states
    for that test.
    """

    egfr_ml_min_1_73m2: float | None = None
    creatinine_clearance_ml_min: float | None = None
    corrected_calcium_mg_dl: float | None = None
    vitamin_d_25oh_ng_ml: float | None = None
    status: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)
    dates: Mapping[str, dt.date] = field(default_factory=dict)
    stale: Mapping[str, StaleResult] = field(default_factory=dict)
    """Tests with no fresh result: their latest stale or undated one."""
    stale_egfr_ml_min_1_73m2: float | None = None
    stale_creatinine_clearance_ml_min: float | None = None
    """Renal function from the latest creatinine when it is stale or undated (restricts only)."""
