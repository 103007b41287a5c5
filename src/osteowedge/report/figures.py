"""The report's figures, written by hand as SVG (so each mark can carry data attributes) and
rasterised to PNG with CairoSVG.

- ``spine``: T4 to L5 as vertebral bodies in a lateral view (anterior on the left), each shaped by
  its morphology (wedge: anterior shorter; biconcave: waist; crush: all heights shorter, by the
  measured height loss), filled by Genant grade and labelled with it; the height loss beside it.
  Palette: stops of **viridis** (light to dark, so grades stay in order in greyscale and for every
  common colour-vision deficiency), with grade 0 a neutral light grey. An automated grade 1 (a
  possible fracture for a reader) has a dashed outline and the label ``1?``; a level not measured
  is a dashed outline only; a measured level outside T4-L4 (Genant grading does not cover it) is
  white and labelled ``n/g``.
- ``bone_density``: T-score per region of the latest DXA exam against the WHO bands, and BMD
  (g/cm²) over the exams with the least-significant-change band around the previous value.
- ``glucocorticoid_timeline``: prednisone-equivalent mg/day over time (overlapping periods add up;
  systemic and non-systemic apart) with lines at 2.5, 7.5 and 30 mg/day.

Series colours are Okabe-Ito, each with its own marker shape as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osteowedge.knowledge import KnowledgeBase, load_knowledge_base
from osteowedge.model.assessment import Assessment, ExamSummary, GradedVertebra
from osteowedge.report.pdf import ReportRenderError
from osteowedge.report.svg import attr, document, tag, text

SPINE_LEVELS: tuple[str, ...] = (
    *(f"T{i}" for i in range(4, 13)),
    *(f"L{i}" for i in range(1, 6)),
)
GRADE_COLOURS: dict[float, str] = {
    0.0: "#E6E6E6",  # no fracture: neutral grey
    0.5: "#FDE725",  # viridis 1.0 (borderline)
    1.0: "#7AD151",  # viridis 0.8
    2.0: "#2A788E",  # viridis 0.4
    3.0: "#440154",  # viridis 0.0
}
_DARK_FILLS = frozenset({"#2A788E", "#440154"})
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "circle", "square")


@dataclass(frozen=True)
class ChartLines:
    """The reference values the charts draw, read from the knowledge base (drawing only: the
    categories and counts themselves come from the assessment)."""

    who_normal_min_t: float
    """WHO 1994: normal at this T-score or above (``who_t_score_categories.normal_min_t``)."""
    who_osteoporosis_max_t: float
    """WHO 1994: osteoporosis at this T-score or below."""
    gc_mg_per_day: tuple[float, ...]
    """Prednisone-equivalent dose steps, ascending: the ACR 2022 scope, the Kanis 2011 high dose
    and the ACR 2022 very high dose."""

    @classmethod
    def from_knowledge(cls, kb: KnowledgeBase) -> ChartLines:
        who = "who_t_score_categories"
        return cls(
            who_normal_min_t=float(kb.decision_fact(who, "normal_min_t")),
            who_osteoporosis_max_t=float(kb.decision_fact(who, "osteoporosis_max_t")),
            gc_mg_per_day=tuple(
                sorted(
                    float(kb.decision_fact(record, fact))
                    for record, fact in (
                        ("glucocorticoid_scope", "min_dose_mg_per_day"),
                        ("kanis_2011_frax_gc_adjustment", "high_dose_min_mg_per_day"),
                        ("acr_2022_giop_risk_categories", "very_high_gc_mg_per_day"),
                    )
                )
            ),
        )

    def gc_text(self) -> str:
        """'2.5, 7.5 and 30 mg/day'."""
        *first, last = (f"{v:g}" for v in self.gc_mg_per_day)
        return f"{', '.join(first)} and {last} mg/day"


def chart_lines() -> ChartLines:
    """The chart reference values of the packaged knowledge base (loaded once per process)."""
    return load_knowledge_base().derived("report.chart_lines", ChartLines.from_knowledge)


_DOSE_MAX_FLOOR_MG = 35.0
_SUMMARY_REGIONS = ("L1-L4", "femoral_neck", "total_hip", "radius_33")


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def grade_label(grade: float | None) -> str:
    """'2' for 2 or 2.0, '0.5' for 0.5, 'none' for no grade."""
    if grade is None:
        return "none"
    return f"{grade:g}"


def grade_colour(grade: float | None) -> str:
    """The fill of a Genant grade (white when there is none)."""
    if grade is None:
        return "#FFFFFF"
    return GRADE_COLOURS.get(float(grade), GRADE_COLOURS[3.0] if grade > 3 else "#FFFFFF")


# --- spine -------------------------------------------------------------------------------------


def _nominal_height(level: str) -> float:
    if level.startswith("T"):
        return 17.0 + (int(level[1:]) - 4) * 1.2
    return 28.0 + (int(level[1:]) - 1) * 0.5


def _nominal_width(level: str) -> float:
    if level.startswith("T"):
        return 40.0 + (int(level[1:]) - 4) * 1.6
    return 56.0 + (int(level[1:]) - 1) * 1.0


def _body_path(
    cx: float, cy: float, width: float, height: float, fractions: tuple[float, float, float]
) -> str:
    """A lateral vertebral body: anterior (left), middle and posterior heights as fractions of
    the nominal height; edges are quadratic curves through the middle height."""
    fa, fm, fp = fractions
    x0, xm, x1 = cx - width / 2, cx, cx + width / 2
    top_a, top_m, top_p = cy - fa * height / 2, cy - fm * height / 2, cy - fp * height / 2
    bot_a, bot_m, bot_p = cy + fa * height / 2, cy + fm * height / 2, cy + fp * height / 2
    ctrl_top = 2 * top_m - (top_a + top_p) / 2
    ctrl_bot = 2 * bot_m - (bot_a + bot_p) / 2
    a = attr
    return (
        f"M{a(x0)} {a(top_a)} Q{a(xm)} {a(ctrl_top)} {a(x1)} {a(top_p)} "
        f"L{a(x1)} {a(bot_p)} Q{a(xm)} {a(ctrl_bot)} {a(x0)} {a(bot_a)} Z"
    )


def _fractions(v: GradedVertebra | None) -> tuple[float, float, float]:
    if v is None or v.morphology in (None, "normal") or v.height_loss_pct is None:
        return (1.0, 1.0, 1.0)
    loss = min(max(v.height_loss_pct / 100.0, 0.0), 0.6)
    if v.morphology == "wedge":
        return (1 - loss, 1 - loss / 2, 1.0)
    if v.morphology == "biconcave":
        return (1.0, 1 - loss, 1.0)
    return (1 - loss, 1 - loss, 1 - loss)  # crush


def _vertebra_note(v: GradedVertebra | None, level: str) -> tuple[str, str]:
    """Label inside the body and the note beside it."""
    if v is None:
        return "", "not measured"
    loss = "" if v.height_loss_pct is None else f"{_fmt(v.height_loss_pct)} %"
    if v.genant_grade is None:
        return "n/g", f"{loss} not graded (outside T4-L4)".strip()
    if v.possible_fracture:
        return "1?", f"{loss} possible fracture: needs a reader".strip()
    label = grade_label(v.genant_grade)
    if v.genant_grade and v.morphology not in (None, "normal"):
        angle = "" if v.wedge_angle_deg is None else f", {_fmt(v.wedge_angle_deg)}°"
        return label, f"{loss} {v.morphology}{angle}"
    del level
    return label, loss


def spine_svg(assessment: Assessment) -> str:
    """The spine diagram, T4 to L5 (see the module docstring)."""
    by_level = {v.level: v for v in assessment.vertebrae}
    width, cx, top, gap = 340.0, 110.0, 46.0, 5.0
    body: list[str] = [
        text(cx - 44, 20, "anterior", font_size=10, fill="#444", text_anchor="middle"),
        text(cx + 44, 20, "posterior", font_size=10, fill="#444", text_anchor="middle"),
        text(cx + 60, 36, "height loss", font_size=10, fill="#444"),
    ]
    y = top
    descriptions: list[str] = []
    for level in SPINE_LEVELS:
        v = by_level.get(level)
        h, w = _nominal_height(level), _nominal_width(level)
        cy = y + h / 2
        label, note = _vertebra_note(v, level)
        measured = v is not None
        grade = None if v is None else v.genant_grade
        fill = grade_colour(grade) if measured else "none"
        dashed = (not measured) or (v is not None and v.possible_fracture)
        stroke = "#000" if v is not None and v.possible_fracture else "#555"
        shape = tag(
            "path",
            d=_body_path(cx, cy, w, h, _fractions(v)),
            fill=fill,
            stroke=stroke,
            stroke_width=2.0 if dashed and measured else 1.0,
            stroke_dasharray="4 3" if dashed else None,
        )
        ink = "#FFF" if fill in _DARK_FILLS else "#000"
        parts = [
            shape,
            text(cx - w / 2 - 10, cy + 4, level, font_size=11, text_anchor="end", fill="#000"),
            text(
                cx, cy + 4, label, font_size=11, font_weight="bold", text_anchor="middle", fill=ink
            ),
            text(cx + 60, cy + 4, note, font_size=10, fill="#000" if grade else "#555"),
        ]
        body.append(
            tag(
                "g",
                "".join(parts),
                class_="vertebra",
                data_level=level,
                data_grade=grade_label(grade),
                data_morphology=(v.morphology or "none") if v is not None else "none",
                data_height_loss_pct=(
                    "none" if v is None or v.height_loss_pct is None else v.height_loss_pct
                ),
                data_measured="true" if measured else "false",
                data_possible_fracture="true" if v is not None and v.possible_fracture else "false",
            )
        )
        if v is None:
            descriptions.append(f"{level} not measured")
        elif v.genant_grade is None:
            descriptions.append(f"{level} not graded")
        else:
            morph = v.morphology or "unknown shape"
            possible = " (possible fracture, automated)" if v.possible_fracture else ""
            descriptions.append(f"{level} grade {grade_label(v.genant_grade)} {morph}{possible}")
        y += h + gap
    legend_y = y + 14
    body.append(text(10, legend_y, "Genant grade (viridis; grey = 0):", font_size=10))
    items: list[tuple[str, str, str | None]] = [
        (grade_label(g), c, None) for g, c in GRADE_COLOURS.items()
    ]
    items += [("1?", "#FFFFFF", "4 3"), ("not measured", "none", "4 3")]
    lx = 10.0
    for i, (name, colour, dash) in enumerate(items):
        ly = legend_y + 10 + (i // 4) * 20
        lx = 10.0 + (i % 4) * 82
        body.append(
            tag(
                "rect",
                x=lx,
                y=ly,
                width=18,
                height=12,
                fill=colour,
                stroke="#555",
                stroke_dasharray=dash,
            )
        )
        body.append(text(lx + 22, ly + 10, name, font_size=10))
    height = legend_y + 10 + ((len(items) + 3) // 4) * 20 + 4
    others = sorted({v.level for v in assessment.vertebrae} - set(SPINE_LEVELS))
    drawn = [v for v in assessment.vertebrae if v.level in SPINE_LEVELS]
    fractured = [
        f"{v.level} grade {grade_label(v.genant_grade)} {v.morphology}"
        for v in drawn
        if v.counts_as_fracture
    ]
    possible_levels = [v.level for v in drawn if v.possible_fracture]
    summary = "Fractured: " + ", ".join(fractured) + ". " if fractured else "No fracture. "
    if possible_levels:
        summary += f"Possible fracture for a reader to confirm: {', '.join(possible_levels)}. "
    extra = f" Also measured, not drawn: {', '.join(others)}." if others else ""
    return document(
        width,
        height,
        "Spine T4-L5: Genant grade by vertebra",
        summary + "; ".join(descriptions) + "." + extra,
        body,
        "fig-spine",
    )


# --- bone density ----------------------------------------------------------------------------


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


def _plot_frame(left: float, top: float, right: float, bottom: float) -> str:
    """The grey outline of a chart's plot area."""
    return tag(
        "rect", x=left, y=top, width=right - left, height=bottom - top, fill="none", stroke="#999"
    )


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

    out.append(_plot_frame(left, top, right, bottom))
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


# --- glucocorticoids -------------------------------------------------------------------------


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
        _plot_frame(left, top, right, bottom),
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


# --- all -------------------------------------------------------------------------------------


def figure_svgs(assessment: Assessment) -> dict[str, str]:
    """Every figure as SVG text, by name."""
    return {
        "spine": spine_svg(assessment),
        "bone_density": bone_density_svg(assessment),
        "glucocorticoid_timeline": glucocorticoid_svg(assessment),
    }


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Rasterise an SVG with CairoSVG (``scale`` 2 gives a sharp picture on screens and paper)."""
    try:
        import cairosvg  # imported here: it loads libcairo
    except (ImportError, OSError) as exc:  # OSError: the Cairo library is missing
        raise ReportRenderError(
            f"PNG figures need CairoSVG and the Cairo library ({exc}); install them "
            "(Debian: apt-get install libcairo2) or use the SVG"
        ) from exc

    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    if not isinstance(png, bytes):  # pragma: no cover - svg2png returns bytes without write_to
        raise TypeError("cairosvg returned no PNG bytes")
    return png


def figures(assessment: Assessment) -> dict[str, tuple[str, bytes]]:
    """Every figure as ``name -> (SVG text, PNG bytes)``: ``spine``, ``bone_density``,
    ``glucocorticoid_timeline``."""
    return {name: (svg, svg_to_png(svg)) for name, svg in figure_svgs(assessment).items()}
