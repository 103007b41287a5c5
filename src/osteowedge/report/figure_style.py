"""What the figures share: the palettes, the chart reference values of the knowledge base, the
Genant grade labels and fills, and the plot-area outline.

Genant grades are filled with stops of **viridis** (light to dark, so grades stay in order in
greyscale and for every common colour-vision deficiency), with grade 0 a neutral light grey.
Series colours are Okabe-Ito (each with its own marker shape as well, in `bone_density_chart`).
"""

from __future__ import annotations

from dataclasses import dataclass

from osteowedge.knowledge import KnowledgeBase, load_knowledge_base
from osteowedge.report.svg import tag

GRADE_COLOURS: dict[float, str] = {
    0.0: "#E6E6E6",  # no fracture: neutral grey
    0.5: "#FDE725",  # viridis 1.0 (borderline)
    1.0: "#7AD151",  # viridis 0.8
    2.0: "#2A788E",  # viridis 0.4
    3.0: "#440154",  # viridis 0.0
}
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


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


def plot_frame(left: float, top: float, right: float, bottom: float) -> str:
    """The grey outline of a chart's plot area."""
    return tag(
        "rect", x=left, y=top, width=right - left, height=bottom - top, fill="none", stroke="#999"
    )
