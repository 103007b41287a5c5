"""Glucocorticoid exposure: prednisone-equivalent daily and cumulative dose, dose periods, scope.

Doses are converted with the knowledge record ``glucocorticoid_equivalents``; only the routes the
record ``glucocorticoid_scope`` calls systemic count; overlapping prescriptions add up. Every day
is a calendar day and both ``start`` and ``end`` of a prescription are days of use; an ongoing
prescription (``end: null``) runs through ``as_of``. "The last 12 months" are the days after the
same calendar date one year before ``as_of``, up to and including ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from osteowedge.errors import UnitError
from osteowedge.exposure.medications import Match
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import DaysAtOrAbove, GcPeriod, GlucocorticoidExposure, Warning
from osteowedge.model.patient import CustomFrequency, Medication
from osteowedge.units import convert, dimension_of

EQUIVALENTS = "glucocorticoid_equivalents"
SCOPE = "glucocorticoid_scope"
KANIS = "kanis_2011_frax_gc_adjustment"
ACR = "acr_2022_giop_risk_categories"

# Calendar conversions (not clinical facts): mean days per month and per year.
_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12
DOSES_PER_DAY: dict[str, float] = {
    "daily": 1.0,
    "twice_daily": 2.0,
    "three_times_daily": 3.0,
    "every_other_day": 0.5,
    "weekly": 1 / 7,
    "monthly": 1 / _DAYS_PER_MONTH,
    "every_3_months": 1 / (3 * _DAYS_PER_MONTH),
    "every_6_months": 1 / (6 * _DAYS_PER_MONTH),
    "yearly": 1 / _DAYS_PER_YEAR,
}
_ONE_DAY = dt.timedelta(days=1)


def one_year_before(day: dt.date) -> dt.date:
    """The same calendar date a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Course:
    """One prescription on the timeline: days ``start`` to ``stop`` inclusive."""

    start: dt.date
    stop: dt.date
    mg_per_day: float
    open_ended: bool


@dataclass(frozen=True)
class Segment:
    start: dt.date
    stop: dt.date
    mg_per_day: float
    open_ended: bool


@dataclass
class GcItem:
    """One glucocorticoid medication as the engine read it."""

    index: int
    medication: Medication
    match: Match
    counted: bool | None  # True counted, False listed only, None cannot tell
    mg_per_day: float | None
    reason: str


@dataclass
class GcResult:
    exposure: GlucocorticoidExposure
    scope_met: bool | None
    items: list[GcItem]
    warnings: list[Warning] = field(default_factory=list)
    knowledge_ids: tuple[str, ...] = (EQUIVALENTS, SCOPE, KANIS, ACR)
    thresholds: dict[str, float] = field(default_factory=dict)


def doses_per_day(medication: Medication) -> float | None:
    """Average doses per day from the frequency; a single dose (``once``) is one dose on one day."""
    freq = medication.frequency
    if freq is None:
        return None
    if isinstance(freq, CustomFrequency):
        return freq.count / freq.period_days
    if freq == "once":
        return 1.0
    return DOSES_PER_DAY[freq]


def _dose_mg(medication: Medication) -> float | None:
    if medication.dose_value is None or medication.dose_unit is None:
        return None
    try:
        if dimension_of(medication.dose_unit) != "mass":
            return None
        return convert(medication.dose_value, medication.dose_unit, "mg")
    except UnitError:
        return None


def segments(courses: Sequence[Course]) -> list[Segment]:
    """The summed timeline: maximal runs of days with the same total dose (> 0)."""
    if not courses:
        return []
    points = sorted({c.start for c in courses} | {c.stop + _ONE_DAY for c in courses})
    out: list[Segment] = []
    for left, right in zip(points, points[1:], strict=False):
        stop = right - _ONE_DAY
        active = [c for c in courses if c.start <= left and c.stop >= stop]
        total = sum(c.mg_per_day for c in active)
        if total <= 0:
            continue
        open_ended = any(c.open_ended and c.stop == stop for c in active)
        last = out[-1] if out else None
        if last and last.stop + _ONE_DAY == left and abs(last.mg_per_day - total) < 1e-9:
            out[-1] = Segment(last.start, stop, last.mg_per_day, open_ended)
        else:
            out.append(Segment(left, stop, total, open_ended))
    return out


def _overlap_days(seg: Segment, first: dt.date, last: dt.date) -> int:
    lo, hi = max(seg.start, first), min(seg.stop, last)
    return (hi - lo).days + 1 if hi >= lo else 0


_THRESHOLD_SOURCES = {"scope": SCOPE, "high": KANIS, "very_high": ACR}


def assess_glucocorticoids(
    items: Sequence[tuple[int, Medication, Match]], kb: KnowledgeBase, as_of: dt.date
) -> GcResult:
    """Prednisone-equivalent figures for the glucocorticoid medications of a record."""
    systemic = set(kb.decision_fact(SCOPE, "systemic_routes"))
    reference_mg = float(kb.decision_fact(EQUIVALENTS, "reference_prednisone_dose_mg"))
    min_dose = float(kb.decision_fact(SCOPE, "min_dose_mg_per_day"))
    min_days = int(kb.decision_fact(SCOPE, "min_duration_days"))
    strictly_longer = kb.decision_fact(SCOPE, "duration_comparison") == "greater_than"
    planned_end_counts = bool(kb.decision_fact(SCOPE, "planned_end_counts"))
    high = float(kb.decision_fact(KANIS, "high_dose_min_mg_per_day"))
    very_high = float(kb.decision_fact(ACR, "very_high_gc_mg_per_day"))
    thresholds = {"scope": min_dose, "high": high, "very_high": very_high}
    day_thresholds = dict(thresholds)

    window_first = one_year_before(as_of) + _ONE_DAY
    warnings: list[Warning] = []
    read: list[GcItem] = []
    courses: list[Course] = []
    projected: list[Course] = []
    listed_periods: list[GcPeriod] = []
    unknown_current = unknown_window = unknown_max = False

    for i, med, match in items:
        label = med.name or med.atc or med.rxnorm or "glucocorticoid"
        path = f"/medications/{i}"
        equiv: float | None = None
        if match.ingredient is not None:
            name = f"{match.ingredient.replace(' ', '_')}_mg_equivalent_to_5_mg_prednisone"
            facts = getattr(kb.get(EQUIVALENTS), "facts", {})
            if name in facts:
                equiv = float(kb.decision_fact(EQUIVALENTS, name))
        per_day = doses_per_day(med)
        dose = _dose_mg(med)
        mg_day = None
        if equiv is not None and per_day is not None and dose is not None:
            mg_day = dose * per_day * reference_mg / equiv
        route = med.route
        if route is not None and route not in systemic:
            read.append(
                GcItem(
                    i,
                    med,
                    match,
                    False,
                    mg_day,
                    f"{label} ({route}): listed, not counted toward the systemic threshold",
                )
            )
            if mg_day is not None and med.start is not None:
                listed_periods.append(
                    GcPeriod(
                        start=med.start,
                        end=med.start if med.frequency == "once" else med.end,
                        prednisone_equivalent_mg_per_day=round(mg_day, 3),
                        systemic=False,
                    )
                )
            continue
        if match.ingredient is not None and equiv is None:
            read.append(
                GcItem(
                    i,
                    med,
                    match,
                    False,
                    None,
                    f"{label} ({match.ingredient}, {route or 'route not given'}): listed; no "
                    "prednisone equivalent in the knowledge base, not counted",
                )
            )
            continue
        # Systemic or possibly systemic from here on.
        is_current = (med.start is None or med.start <= as_of) and (
            med.end is None or med.end >= as_of
        )
        in_window = (med.start is None or med.start <= as_of) and (
            med.end is None or med.end >= window_first
        )
        problems: list[str] = []
        if route is None:
            problems.append("route not given (systemic or not cannot be told)")
            warnings.append(
                Warning(
                    code="missing_route",
                    message=f"{label}: route not given; glucocorticoid counted only when systemic",
                    path=f"{path}/route",
                )
            )
        if match.ingredient is None:
            problems.append("ingredient not known (no prednisone equivalent)")
            warnings.append(
                Warning(
                    code="unknown_glucocorticoid_ingredient",
                    message=f"{label}: which glucocorticoid is not known; name the ingredient "
                    "(e.g. prednisone) or give its ATC code for a prednisone-equivalent dose",
                    path=f"{path}/name" if med.name else f"{path}/atc",
                )
            )
        if mg_day is None and match.ingredient is not None:
            problems.append("dose, unit or frequency missing or not a mass")
            warnings.append(
                Warning(
                    code="missing_dose",
                    message=f"{label}: dose_value in a mass unit and frequency are needed for "
                    "the prednisone-equivalent dose",
                    path=f"{path}/dose_value" if med.dose_value is None else f"{path}/frequency",
                )
            )
        if med.start is None:
            problems.append("start date missing")
            warnings.append(
                Warning(
                    code="missing_start",
                    message=f"{label}: start date missing; glucocorticoid duration and "
                    "cumulative dose cannot be computed",
                    path=f"{path}/start",
                )
            )
        if problems:
            if is_current and (mg_day is None or route is None):
                unknown_current = True
            if in_window:
                unknown_window = True
            if med.start is None or med.start <= as_of:
                unknown_max = True
            read.append(
                GcItem(
                    i,
                    med,
                    match,
                    None,
                    mg_day,
                    f"{label}: cannot be counted: {'; '.join(problems)}",
                )
            )
            continue
        assert med.start is not None and mg_day is not None
        if med.frequency == "once":
            stop = med.start
            open_ended = False
        elif med.end is None:
            stop, open_ended = max(as_of, med.start), True
        else:
            stop, open_ended = med.end, False
        course = Course(med.start, stop, mg_day, open_ended)
        courses.append(course)
        if planned_end_counts and open_ended and med.planned_end and med.planned_end > stop:
            projected.append(Course(med.start, med.planned_end, mg_day, False))
        else:
            projected.append(course)
        when = f"from {med.start} to {med.end or 'ongoing'}"
        read.append(
            GcItem(
                i,
                med,
                match,
                True,
                mg_day,
                f"{label} ({match.ingredient}, {route}) {when}: "
                f"{round(mg_day, 3)} mg/day prednisone-equivalent, counted",
            )
        )

    timeline = segments(courses)
    past = [s for s in timeline if s.start <= as_of]
    current = sum(c.mg_per_day for c in courses if c.start <= as_of <= c.stop)
    maximum = max((s.mg_per_day for s in past), default=0.0)
    cumulative = 0.0
    days = {"scope": 0, "high": 0, "very_high": 0}
    for seg in past:
        n = _overlap_days(seg, window_first, as_of)
        cumulative += seg.mg_per_day * n
        for key, thr in day_thresholds.items():
            if seg.mg_per_day >= thr:
                days[key] += n

    scope_known = _scope_met(segments(projected), as_of, min_dose, min_days, strictly_longer)
    scope: bool | None = scope_known
    if not scope_known and (unknown_window or unknown_current):
        scope = None

    periods = [
        GcPeriod(
            start=s.start,
            end=None if s.open_ended else s.stop,
            prednisone_equivalent_mg_per_day=round(s.mg_per_day, 3),
            systemic=True,
        )
        for s in timeline
    ]
    periods.extend(listed_periods)
    periods.sort(key=lambda p: (p.start, not p.systemic))
    exposure = GlucocorticoidExposure(
        current_prednisone_equivalent_mg_per_day=None if unknown_current else round(current, 3),
        max_prednisone_equivalent_mg_per_day=None if unknown_max else round(maximum, 3),
        cumulative_prednisone_equivalent_mg_last_12_months=(
            None if unknown_window else round(cumulative, 3)
        ),
        days_at_or_above=[
            DaysAtOrAbove(
                threshold_mg_per_day=day_thresholds[key],
                days=None if unknown_window else days[key],
                knowledge_id=_THRESHOLD_SOURCES[key],
            )
            for key in ("scope", "high", "very_high")
        ],
        periods=periods,
    )
    return GcResult(
        exposure=exposure,
        scope_met=scope,
        items=read,
        warnings=warnings,
        thresholds={**thresholds, "scope_days": float(min_days)},
    )


def _scope_met(
    timeline: Sequence[Segment],
    as_of: dt.date,
    min_dose: float,
    min_days: int,
    strictly_longer: bool,
) -> bool:
    """Whether a run of days at ``min_dose`` or more that includes ``as_of`` is long enough."""
    runs: list[tuple[dt.date, dt.date]] = []
    for seg in timeline:
        if seg.mg_per_day < min_dose:
            continue
        if runs and runs[-1][1] + _ONE_DAY == seg.start:
            runs[-1] = (runs[-1][0], seg.stop)
        else:
            runs.append((seg.start, seg.stop))
    for first, last in runs:
        if first <= as_of <= last:
            length = (last - first).days + 1
            return length > min_days if strictly_longer else length >= min_days
    return False
