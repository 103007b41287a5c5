"""Diagnoses from the engines' results, by the criteria of the `diagnosis` knowledge records.

``iatrogenic_osteopenia``, ``osteoporosis``, ``vertebral_fracture`` and
``iatrogenic_osteopenia_associated_vertebral_wedging``; each statement says its basis. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.cite import statement
from osteowedge.model.assessment import (
    BoneDensity,
    GradedVertebra,
    IatrogenicCause,
    Statement,
)
from osteowedge.model.patient import PatientRecord

_OSTEOPOROTIC = {"osteoporosis", "severe_osteoporosis"}
_FRAGILITY_SITES = {"vertebra", "hip"}
_CT_LOW = {"osteoporosis_likely"}


def _label(kb: KnowledgeBase, record_id: str) -> str:
    return kb.get(record_id).name


def _fracture_reason(v: GradedVertebra) -> str:
    if v.genant_grade is None:  # outside T4-L4: counted on a reader's own grade
        return f"{v.level}: fracture graded {v.reader_grade} by a reader"
    return (
        f"{v.level}: Genant grade {v.genant_grade} {v.morphology} deformity, "
        f"height loss {v.height_loss_pct:.1f} %"
    )


def make_diagnoses(
    record: PatientRecord,
    kb: KnowledgeBase,
    *,
    causes: Sequence[IatrogenicCause],
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
) -> list[Statement]:
    """The diagnoses the record supports, in a fixed order, each with its reasons."""
    out: list[Statement] = []
    met = [c for c in causes if c.meets_threshold is True]
    cause_ids = [c.id for c in met]
    cause_names = ", ".join(c.label for c in met)

    # --- vertebral fracture -------------------------------------------------------------
    traumatic_levels = {
        f.level
        for f in record.fractures
        if f.site == "vertebra" and f.mechanism == "trauma" and f.level
    }
    counted = [v for v in vertebrae if v.counts_as_fracture]
    history = [f for f in record.fractures if f.site == "vertebra"]
    if counted or history:
        reasons = [_fracture_reason(v) for v in counted]
        reasons += [
            f"vertebral fracture in the history"
            f"{' at ' + f.level if f.level else ''} ({f.mechanism}"
            f"{', ' + f.date.isoformat() if f.date else ''})"
            for f in history
        ]
        out.append(
            statement(
                kb,
                "vertebral_fracture",
                _label(kb, "vertebral_fracture"),
                reasons,
                ["vertebral_fracture", "genant_sq", "vertebral_morphometry_conventions"],
            )
        )

    # --- osteoporosis ----------------------------------------------------------------------
    osteoporosis_reasons: list[str] = []
    if bone_density.who_category in _OSTEOPOROTIC:
        where = (
            f" ({bone_density.lowest_t_score_region})" if bone_density.lowest_t_score_region else ""
        )
        osteoporosis_reasons.append(
            f"WHO category {bone_density.who_category.replace('_', ' ')}: lowest T-score "
            f"{bone_density.lowest_t_score}{where}"
        )
    fragility_vertebrae = [v.level for v in counted if v.level not in traumatic_levels]
    if fragility_vertebrae:
        osteoporosis_reasons.append(
            "fragility vertebral fracture at "
            + ", ".join(fragility_vertebrae)
            + " (osteoporosis whatever the T-score)"
        )
    for f in record.fractures:
        if f.site == "vertebra" and f.level in fragility_vertebrae:
            continue  # already counted by morphometry
        if f.site in _FRAGILITY_SITES and f.mechanism == "fragility":
            osteoporosis_reasons.append(
                f"fragility {f.site} fracture in the history (osteoporosis whatever the T-score)"
            )
    if osteoporosis_reasons:
        if met:
            osteoporosis_reasons.append(f"iatrogenic cause(s): {cause_names}")
        out.append(
            statement(
                kb,
                "osteoporosis",
                _label(kb, "osteoporosis"),
                osteoporosis_reasons,
                ["osteoporosis", "who_t_score_categories", *cause_ids],
            )
        )

    # --- iatrogenic osteopenia (only when osteoporosis is not diagnosed) ---------------------
    if not osteoporosis_reasons:
        low_mass: list[str] = []
        basis = ["iatrogenic_osteopenia"]
        if bone_density.who_category == "osteopenia":
            low_mass.append(
                f"low bone mass (osteopenia): lowest T-score {bone_density.lowest_t_score}"
                + (
                    f" ({bone_density.lowest_t_score_region})"
                    if bone_density.lowest_t_score_region
                    else ""
                )
            )
            basis.append("who_t_score_categories")
        elif bone_density.z_score_interpretation == "below_expected_range":
            low_mass.append("bone density below the expected range for age (Z-score)")
            basis.append("iscd_z_score_rules")
        elif (
            bone_density.who_category == "unknown"
            and bone_density.ct is not None
            and bone_density.ct.interpretation in _CT_LOW
        ):
            low_mass.append(
                f"CT attenuation {bone_density.ct.l1_hu} HU at {bone_density.ct.level_used}: "
                "low bone density likely on CT, to be confirmed by DXA"
            )
            basis.append("pickhardt_ct_thresholds")
        if low_mass and met:
            out.append(
                statement(
                    kb,
                    "iatrogenic_osteopenia",
                    _label(kb, "iatrogenic_osteopenia"),
                    [
                        *low_mass,
                        f"iatrogenic cause(s) at a dose/duration that matters: {cause_names}",
                    ],
                    [*basis, *cause_ids],
                )
            )

    # --- the composite the source article names --------------------------------------------
    wedges = [v for v in counted if v.morphology == "wedge" and v.level not in traumatic_levels]
    if wedges and met:
        out.append(
            statement(
                kb,
                "iatrogenic_osteopenia_associated_vertebral_wedging",
                _label(kb, "iatrogenic_osteopenia_associated_vertebral_wedging"),
                [
                    "wedge fracture at " + ", ".join(v.level for v in wedges),
                    f"iatrogenic cause(s): {cause_names}",
                    *(
                        []
                        if bone_density.who_category not in {"unknown"}
                        else ["no DXA in the record: bone density not measured"]
                    ),
                ],
                [
                    "iatrogenic_osteopenia_associated_vertebral_wedging",
                    "vertebral_fracture",
                    *cause_ids,
                ],
            )
        )
    return out
