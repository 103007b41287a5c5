"""The glucocorticoid chart: prednisone-equivalent mg/day over time (overlapping periods add up;
systemic and non-systemic apart) with lines at the dose steps of `ChartLines` (2.5, 7.5 and
30 mg/day)."""

from __future__ import annotations

import datetime as dt

from osteowedge.model.assessment import Assessment
from osteowedge.report.figure_style import chart_lines, plot_frame
from osteowedge.report.svg import attr, document, tag, text

_DOSE_MAX_FLOOR_MG = 35.0


def _dose_steps(assessment: Assessment, systemic: bool) -> list[tuple[dt.date, float]]:
    """(day, total mg/day from that day) at every change; periods add up."""
    gc = assessment.glucocorticoid_exposure
    if gc is None:
        return []
    deltas: dict[dt.date, float] = {}
    for p in gc.periods:
        if p.systemic != systemic:
            continue
        end = min(p.end or assessment.as_of, assessment.as_of) + dt.timedelta(days=1)
        if end <= p.start:
            continue
        deltas[p.start] = deltas.get(p.start, 0.0) + p.prednisone_equivalent_mg_per_day
        deltas[end] = deltas.get(end, 0.0) - p.prednisone_equivalent_mg_per_day
    steps: list[tuple[dt.date, float]] = []
    total = 0.0
    for day in sorted(deltas):
        total += deltas[day]
        steps.append((day, max(round(total, 6), 0.0)))
    return steps


def _month_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    """First-of-month ticks: quarterly up to 30 months, yearly up to 10 years, else every 2."""
    months = (end.year - start.year) * 12 + end.month - start.month
    every = 3 if months <= 30 else 12 if months <= 120 else 24
    ticks = []
    y, m = start.year, start.month
    while dt.date(y, m, 1) <= end:
        index = y * 12 + m - 1
        if index % every == 0:
            ticks.append(dt.date(y, m, 1))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return ticks


def glucocorticoid_svg(assessment: Assessment) -> str:
    """Prednisone-equivalent dose over time with the dose-step lines of `ChartLines`."""
    width, height = 660.0, 180.0
    title = "Glucocorticoid dose over time (prednisone-equivalent mg/day)"
    gc = assessment.glucocorticoid_exposure
    if gc is None or not gc.periods:
        body = [text(10, 30, "No glucocorticoid exposure in the record.", font_size=11)]
        return document(
            width,
            60,
            title,
            "No glucocorticoid exposure in the record.",
            body,
            "fig-glucocorticoid-timeline",
        )
    systemic = _dose_steps(assessment, systemic=True)
    other = _dose_steps(assessment, systemic=False)
    as_of = assessment.as_of
    window_start = as_of - dt.timedelta(days=365)
    start = min([window_start, *(p.start for p in gc.periods)])
    start = dt.date(start.year, start.month, 1)
    peak = max([0.0, *(v for _, v in systemic + other)])
    vmax = max(_DOSE_MAX_FLOOR_MG, peak * 1.1)
    left, right, top, bottom = 52.0, width - 70, 24.0, height - 40

    def sx(d: dt.date) -> float:
        return left + (d.toordinal() - start.toordinal()) / max(
            as_of.toordinal() + 1 - start.toordinal(), 1
        ) * (right - left)

    def sy(v: float) -> float:
        return bottom - v / vmax * (bottom - top)

    body = [
        tag(
            "rect",
            x=sx(window_start),
            y=top,
            width=sx(as_of) - sx(window_start),
            height=bottom - top,
            fill="#F0F0F0",
        ),
        text(sx(window_start) + 4, top + 11, "last 12 months", font_size=9, fill="#555"),
        plot_frame(left, top, right, bottom),
    ]
    for v in range(0, int(vmax) + 1, 10):
        body.append(text(left - 4, sy(v) + 3, str(v), font_size=9, text_anchor="end"))
    for d in _month_ticks(start, as_of):
        body.append(tag("line", x1=sx(d), x2=sx(d), y1=bottom, y2=bottom + 4, stroke="#555"))
        body.append(
            text(sx(d), bottom + 14, d.strftime("%Y-%m"), font_size=9, text_anchor="middle")
        )
    end = as_of + dt.timedelta(days=1)
    for steps, colour, dash, name in (
        (systemic, "#0072B2", None, "systemic"),
        (other, "#D55E00", "5 3", "non-systemic"),
    ):
        if not steps:
            continue
        pts: list[str] = [f"{attr(sx(steps[0][0]))},{attr(sy(0))}"]
        for i, (day, value) in enumerate(steps):
            nxt = steps[i + 1][0] if i + 1 < len(steps) else end
            pts.append(f"{attr(sx(day))},{attr(sy(value))}")
            pts.append(f"{attr(sx(nxt))},{attr(sy(value))}")
        pts.append(f"{attr(sx(end))},{attr(sy(0))}")
        body.append(
            tag(
                "polygon" if dash is None else "polyline",
                points=" ".join(pts),
                fill=colour if dash is None else "none",
                fill_opacity=0.25 if dash is None else None,
                stroke=colour,
                stroke_width=1.8,
                stroke_dasharray=dash,
                class_="dose",
                data_route=name,
            )
        )
    lines = chart_lines()
    for ref in lines.gc_mg_per_day:
        body.append(
            tag(
                "line",
                x1=left,
                x2=right,
                y1=sy(ref),
                y2=sy(ref),
                stroke="#000",
                stroke_dasharray="2 3",
                stroke_width=0.9,
                class_="dose-threshold",
                data_mg_per_day=ref,
            )
        )
        body.append(
            text(
                right + 4,
                sy(ref) + (6 if ref == lines.gc_mg_per_day[0] else 3),
                f"{ref:g} mg/day",
                font_size=9,
            )
        )
    body.append(text(10, 14, "mg/day", font_size=9))
    body.append(
        tag(
            "rect",
            x=left,
            y=height - 16,
            width=14,
            height=8,
            fill="#0072B2",
            fill_opacity=0.25,
            stroke="#0072B2",
        )
    )
    body.append(text(left + 18, height - 8, "systemic", font_size=9))
    if other:
        body.append(
            tag(
                "line",
                x1=left + 90,
                x2=left + 106,
                y1=height - 12,
                y2=height - 12,
                stroke="#D55E00",
                stroke_dasharray="5 3",
                stroke_width=1.8,
            )
        )
        body.append(text(left + 110, height - 8, "non-systemic (not in the totals)", font_size=9))
    periods = "; ".join(
        f"{p.start.isoformat()} to {p.end.isoformat() if p.end else 'ongoing'}: "
        f"{p.prednisone_equivalent_mg_per_day:g} mg/day{'' if p.systemic else ' (non-systemic)'}"
        for p in gc.periods
    )
    current = gc.current_prednisone_equivalent_mg_per_day
    desc = (
        f"Periods: {periods}. Current {'unknown' if current is None else f'{current:g}'} mg/day; "
        + "; ".join(
            f"{d.days} days at or above {d.threshold_mg_per_day:g} mg/day"
            for d in gc.days_at_or_above
        )
        + f" in the last 12 months. Reference lines at {lines.gc_text()}."
    )
    return document(width, height, title, desc, body, "fig-glucocorticoid-timeline")
