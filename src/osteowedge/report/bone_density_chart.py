"""The bone-density chart: T-score per region of the latest DXA exam against the WHO bands, and
BMD (g/cm²) over the exams with the least-significant-change band around the previous value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osteowedge.model.assessment import Assessment, ExamSummary
from osteowedge.report.figure_style import OKABE_ITO, chart_lines, plot_frame
from osteowedge.report.svg import attr, document, tag, text

_MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "circle", "square")
_SUMMARY_REGIONS = ("L1-L4", "femoral_neck", "total_hip", "radius_33")


def _region_key(region: str, side: str | None) -> str:
    return f"{region} ({side})" if side else region


@dataclass(frozen=True)
class _Series:
    key: str
    points: list[tuple[dt.date, float]]


def _bmd_series(exams: list[ExamSummary]) -> list[_Series]:
    found: dict[str, list[tuple[dt.date, float]]] = {}
    for exam in exams:
        for r in exam.regions:
            if r.region in _SUMMARY_REGIONS and r.bmd_g_cm2 is not None:
                found.setdefault(_region_key(r.region, r.side), []).append((exam.date, r.bmd_g_cm2))
    order = {name: i for i, name in enumerate(_SUMMARY_REGIONS)}
    keys = sorted(found, key=lambda k: (order.get(k.split(" ")[0], 9), k))
    return [_Series(k, sorted(found[k])) for k in keys][: len(OKABE_ITO)]


def _marker(kind: str, x: float, y: float, colour: str, filled: bool = True) -> str:
    fill = colour if filled else "#FFFFFF"
    if kind == "square":
        return tag("rect", x=x - 4, y=y - 4, width=8, height=8, fill=fill, stroke=colour)
    if kind == "triangle":
        pts = f"{attr(x)},{attr(y - 5)} {attr(x + 5)},{attr(y + 4)} {attr(x - 5)},{attr(y + 4)}"
        return tag("polygon", points=pts, fill=fill, stroke=colour)
    if kind == "diamond":
        pts = f"{attr(x)},{attr(y - 5)} {attr(x + 5)},{attr(y)} {attr(x)},{attr(y + 5)} " + (
            f"{attr(x - 5)},{attr(y)}"
        )
        return tag("polygon", points=pts, fill=fill, stroke=colour)
    return tag("circle", cx=x, cy=y, r=4.5, fill=fill, stroke=colour)


def _t_score_panel(assessment: Assessment, x0: float, y0: float, w: float) -> tuple[list[str], str]:
    bd = assessment.bone_density
    latest = bd.exams[-1]
    rows = [r for r in latest.regions if r.t_score is not None]
    excluded = {e.level for e in bd.excluded_vertebrae}
    t_values = [r.t_score for r in rows if r.t_score is not None]
    lo = min([-4.0, *(t - 0.5 for t in t_values)])
    hi = max([1.0, *(t + 0.5 for t in t_values)])
    label_w = 112.0
    px0, px1 = x0 + label_w, x0 + w - 8

    def sx(t: float) -> float:
        return px0 + (t - lo) / (hi - lo) * (px1 - px0)

    row_h = 17.0
    top = y0 + 24
    plot_h = max(row_h * len(rows), row_h)
    out = [
        text(
            x0,
            y0 + 10,
            f"T-score by region, DXA {latest.date.isoformat()}",
            font_size=11,
            font_weight="bold",
        )
    ]
    lines = chart_lines()
    bands = [
        (lo, lines.who_osteoporosis_max_t, "#F4D6CC", "osteoporosis"),
        (lines.who_osteoporosis_max_t, lines.who_normal_min_t, "#FBEFD5", "osteopenia"),
        (lines.who_normal_min_t, hi, "#E3F1EA", "normal"),
    ]
    for b_lo, b_hi, colour, name in bands:
        out.append(
            tag(
                "rect",
                x=sx(b_lo),
                y=top,
                width=sx(b_hi) - sx(b_lo),
                height=plot_h,
                fill=colour,
                class_="who-band",
                data_band=name,
            )
        )
        out.append(
            text(
                (sx(b_lo) + sx(b_hi)) / 2,
                top + plot_h + 24,
                name,
                font_size=9,
                text_anchor="middle",
                fill="#333",
            )
        )
    for t in range(int(lo), int(hi) + 1):
        out.append(text(sx(t), top + plot_h + 12, f"{t}", font_size=9, text_anchor="middle"))
        out.append(
            tag(
                "line", x1=sx(t), x2=sx(t), y1=top, y2=top + plot_h, stroke="#FFF", stroke_width=0.8
            )
        )
    for cut in (lines.who_normal_min_t, lines.who_osteoporosis_max_t):
        out.append(
            tag(
                "line",
                x1=sx(cut),
                x2=sx(cut),
                y1=top,
                y2=top + plot_h,
                stroke="#555",
                stroke_dasharray="3 2",
            )
        )
    described: list[str] = []
    for i, r in enumerate(rows):
        assert r.t_score is not None
        cy = top + row_h * i + row_h / 2
        is_excluded = r.region in excluded
        name = _region_key(r.region, r.side) + (" excl." if is_excluded else "")
        out.append(text(x0, cy + 4, name, font_size=10, fill="#555" if is_excluded else "#000"))
        out.append(
            tag(
                "line", x1=sx(0.0), x2=sx(r.t_score), y1=cy, y2=cy, stroke="#0072B2", stroke_width=2
            )
        )
        out.append(
            tag(
                "g",
                _marker("circle", sx(r.t_score), cy, "#0072B2", filled=not is_excluded)
                + text(
                    sx(r.t_score) + (8 if r.t_score >= lo + 0.6 else 8),
                    cy - 5,
                    f"{r.t_score:+.1f}",
                    font_size=9,
                ),
                class_="t-score",
                data_region=_region_key(r.region, r.side),
                data_t_score=r.t_score,
                data_excluded="true" if is_excluded else "false",
            )
        )
        described.append(
            f"{_region_key(r.region, r.side)} {r.t_score:+.1f}"
            + (" (excluded)" if is_excluded else "")
        )
    out.append(text(px1, top + plot_h + 36, "T-score", font_size=9, text_anchor="end"))
    return out, "; ".join(described)


def _trend_panel(
    assessment: Assessment, x0: float, y0: float, w: float, h: float
) -> tuple[list[str], str]:
    bd = assessment.bone_density
    series = _bmd_series(bd.exams)
    out = [text(x0, y0 + 10, "BMD (g/cm²) by exam; band: LSC", font_size=11, font_weight="bold")]
    if not series:
        out.append(text(x0, y0 + 40, "No hip or total-spine BMD to plot.", font_size=10))
        return out, "no BMD trend"
    changes = {c.region: c for c in bd.change_since_previous}
    dates = sorted({d for s in series for d, _ in s.points})
    values = [v for s in series for _, v in s.points]
    bands: list[tuple[_Series, float, float, dt.date, dt.date]] = []
    for s in series:
        change = changes.get(s.key)
        if change and change.least_significant_change_g_cm2 is not None and len(s.points) >= 2:
            prev_date, prev = s.points[-2]
            lsc = change.least_significant_change_g_cm2
            bands.append((s, prev - lsc, prev + lsc, prev_date, s.points[-1][0]))
            values += [prev - lsc, prev + lsc]
    vlo, vhi = min(values) - 0.03, max(values) + 0.03
    left, right = x0 + 40, x0 + w - 12
    top, bottom = y0 + 24, y0 + h - 20 - 12 * len(series)
    d0, d1 = dates[0].toordinal(), dates[-1].toordinal()
    span = max(d1 - d0, 1)

    def sx(d: dt.date) -> float:
        if d0 == d1:
            return (left + right) / 2
        return left + (d.toordinal() - d0) / span * (right - left)

    def sy(v: float) -> float:
        return bottom - (v - vlo) / (vhi - vlo) * (bottom - top)

    out.append(plot_frame(left, top, right, bottom))
    steps = 4
    for i in range(steps + 1):
        v = vlo + (vhi - vlo) * i / steps
        out.append(text(left - 4, sy(v) + 3, f"{v:.2f}", font_size=9, text_anchor="end"))
    for d in dates:
        anchor = "start" if d == dates[0] and len(dates) > 1 else "middle"
        anchor = "end" if d == dates[-1] and len(dates) > 1 else anchor
        out.append(text(sx(d), bottom + 12, d.isoformat(), font_size=9, text_anchor=anchor))
    for i, s in enumerate(series):
        colour = OKABE_ITO[i]
        for band_series, b_lo, b_hi, bd0, bd1 in bands:
            if band_series is s:
                out.append(
                    tag(
                        "rect",
                        x=sx(bd0),
                        y=sy(b_hi),
                        width=max(sx(bd1) - sx(bd0), 4),
                        height=sy(b_lo) - sy(b_hi),
                        fill=colour,
                        fill_opacity=0.15,
                        class_="lsc-band",
                        data_region=s.key,
                    )
                )
        if len(s.points) > 1:
            pts = " ".join(f"{attr(sx(d))},{attr(sy(v))}" for d, v in s.points)
            out.append(tag("polyline", points=pts, fill="none", stroke=colour, stroke_width=1.8))
        for d, v in s.points:
            out.append(_marker(_MARKERS[i], sx(d), sy(v), colour))
    legend: list[str] = []
    for i, s in enumerate(series):
        change = changes.get(s.key)
        if change is None:
            note = ""
        elif change.least_significant_change_g_cm2 is None:
            note = f" {change.change_pct:+.1f} % (LSC unknown)"
        else:
            verdict = "significant" if change.significant else "within LSC"
            note = f" {change.change_pct:+.1f} % ({verdict})"
        legend.append(f"{s.key}{note}")
        lx = x0
        ly = bottom + 26 + i * 12
        out.append(_marker(_MARKERS[i], lx + 4, ly - 3, OKABE_ITO[i]))
        out.append(text(lx + 12, ly, f"{s.key}{note}", font_size=9))
    if len(dates) == 1:
        out.append(text(left + 6, top + 14, "One exam: no trend yet.", font_size=10))
    return out, "; ".join(legend)


def bone_density_svg(assessment: Assessment) -> str:
    """T-scores against the WHO bands and the BMD trend with its LSC band."""
    bd = assessment.bone_density
    width, height = 660.0, 250.0
    title = "Bone density: T-scores against WHO bands and BMD trend"
    if not bd.exams:
        body = [text(10, 30, "No DXA exam in the record: no bone density to chart.", font_size=11)]
        return document(width, 60, title, "No DXA exam in the record.", body, "fig-bone-density")
    left, desc_left = _t_score_panel(assessment, 6, 6, 356)
    right, desc_right = _trend_panel(assessment, 372, 6, 284, height - 6)
    rows = len([r for r in bd.exams[-1].regions if r.t_score is not None])
    height = max(height, 6 + 24 + 17 * rows + 44)
    who = bd.who_category.replace("_", " ")
    lowest = (
        f" Lowest T-score {bd.lowest_t_score:+.1f} ({bd.lowest_t_score_region})."
        if bd.lowest_t_score is not None
        else ""
    )
    desc = (
        f"WHO category {who}.{lowest} Latest T-scores: {desc_left}. "
        f"BMD across {len(bd.exams)} exam(s): {desc_right}."
    )
    return document(width, height, title, desc, left + right, "fig-bone-density")
