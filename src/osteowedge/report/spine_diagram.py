"""The spine diagram: T4 to L5 as vertebral bodies in a lateral view (anterior on the left), each
shaped by its morphology (wedge: anterior shorter; biconcave: waist; crush: all heights shorter,
by the measured height loss), filled by Genant grade (the viridis stops of `figure_style`) and
labelled with it; the height loss beside it. An automated grade 1 (a possible fracture for a
reader) has a dashed outline and the label ``1?``; a level not measured is a dashed outline only;
a measured level outside T4-L4 (Genant grading does not cover it) is white and labelled ``n/g``.
"""

from __future__ import annotations

from osteowedge.model.assessment import Assessment, GradedVertebra
from osteowedge.report.figure_style import GRADE_COLOURS, grade_colour, grade_label
from osteowedge.report.svg import attr, document, tag, text

SPINE_LEVELS: tuple[str, ...] = (
    *(f"T{i}" for i in range(4, 13)),
    *(f"L{i}" for i in range(1, 6)),
)
_DARK_FILLS = frozenset({"#2A788E", "#440154"})


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


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
