"""Genant semi-quantitative grade, morphology, QM ratios, wedge angle and the spinal deformity
index from vertebral heights.

The convention is the one `patient-format.md` fixes ("Conventions that decide results"), with
every threshold read from the knowledge base (`genant_sq`, `vertebral_morphometry_conventions`,
`spinal_deformity_index`):

1. Grade every vertebra against its own posterior height (pass 1). Vertebrae of grade 0 in that
   pass are the candidate neighbours.
2. A vertebra's neighbours are the nearest candidate within two levels above and the nearest
   within two levels below. Reference height = max(own posterior height, mean posterior height of
   the neighbours); with no neighbour, the own posterior height, with a warning.
3. Loss = 1 - min(Ha, Hm, Hp) / reference, in percent rounded to 0.1 % (half up), then banded.
4. Morphology: ``normal`` at grade 0; ``crush`` when the posterior height is 20 % or more below the
   neighbours' mean posterior height; else ``wedge`` when the anterior height is the smallest,
   ``biconcave`` when the middle height is.

A normal lordotic vertebra (anterior taller than posterior) therefore has loss 0; an evenly
crushed vertebra is found through its neighbours. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from osteowedge.errors import InputError, KnowledgeError, Problem
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.patient import VERTEBRAL_LEVELS

Morphology = Literal["normal", "wedge", "biconcave", "crush"]
ReaderKind = Literal["human", "automated"]

KNOWLEDGE_IDS: tuple[str, ...] = (
    "genant_sq",
    "vertebral_morphometry_conventions",
    "spinal_deformity_index",
)
_LEVEL_INDEX = {level: i for i, level in enumerate(VERTEBRAL_LEVELS)}
_TRANSITIONAL = frozenset({"T13", "L6"})


@dataclass(frozen=True)
class Heights:
    """One vertebra's heights in millimetres (anterior, middle, posterior) and AP depth."""

    level: str
    anterior_mm: float
    middle_mm: float
    posterior_mm: float
    ap_depth_mm: float | None = None
    reader_grade: float | None = None


@dataclass(frozen=True)
class GenantRules:
    """The thresholds of the grading convention, as the knowledge base states them."""

    bands: tuple[tuple[int, float], ...]
    """(grade, lowest loss in percent that earns it), ascending; lower bounds inclusive."""
    loss_decimals: int
    neighbour_window: int
    crush_posterior_loss_min_pct: float
    sdi_levels: tuple[str, ...]
    counted_min_grade_any_source: float
    grade_1_counts_if_reader: str
    grade_1_counts_if_reader_grade_at_least: float

    @classmethod
    def from_knowledge(cls, kb: KnowledgeBase) -> GenantRules:
        bands_raw = kb.decision_fact("genant_sq", "grade_bands")
        conventions = "vertebral_morphometry_conventions"
        counted = kb.decision_fact(conventions, "counted_fracture_rule")
        try:
            bands = tuple(sorted((int(b["grade"]), float(b["min_loss_pct"])) for b in bands_raw))
            return cls(
                bands=bands,
                loss_decimals=int(kb.decision_fact(conventions, "loss_rounding_decimals")),
                neighbour_window=int(kb.decision_fact(conventions, "neighbour_window_levels")),
                crush_posterior_loss_min_pct=float(
                    kb.decision_fact(conventions, "crush_posterior_loss_min_pct")
                ),
                sdi_levels=tuple(kb.decision_fact("spinal_deformity_index", "levels")),
                counted_min_grade_any_source=float(counted["counts_if_grade_at_least_any_source"]),
                grade_1_counts_if_reader=str(counted["grade_1_counts_if_reader"]),
                grade_1_counts_if_reader_grade_at_least=float(
                    counted["grade_1_counts_if_reader_grade_at_least"]
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"Genant grading facts are malformed: {exc!r}") from exc

    def grade_for(self, loss_pct: float) -> int:
        grade = 0
        for band_grade, lower in self.bands:
            if loss_pct >= lower:
                grade = band_grade
        return grade


@dataclass(frozen=True)
class VertebraGrade:
    """The graded result for one vertebra; `as_dict` gives the assessment's fields."""

    level: str
    genant_grade: int | None
    """None outside the graded levels (T4-L4)."""
    morphology: Morphology | None
    height_loss_pct: float
    reference_height_mm: float
    reference: Literal["own_posterior", "neighbours"]
    neighbours: tuple[str, ...]
    ratios: Mapping[str, float | None]
    wedge_angle_deg: float | None
    counts_as_fracture: bool
    possible_fracture: bool
    in_sdi: bool
    reader_grade: float | None
    qc: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "genant_grade": self.genant_grade,
            "morphology": self.morphology,
            "height_loss_pct": self.height_loss_pct,
            "reference_height_mm": self.reference_height_mm,
            "reference": self.reference,
            "neighbours": list(self.neighbours),
            "ratios": dict(self.ratios),
            "wedge_angle_deg": self.wedge_angle_deg,
            "reader_grade": self.reader_grade,
            "counts_as_fracture": self.counts_as_fracture,
            "possible_fracture": self.possible_fracture,
            "in_sdi": self.in_sdi,
            "qc": list(self.qc),
        }


@dataclass(frozen=True)
class SpineGrading:
    vertebrae: tuple[VertebraGrade, ...]
    spinal_deformity_index: int | None
    sdi_levels: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "vertebrae": [v.as_dict() for v in self.vertebrae],
            "spinal_deformity_index": self.spinal_deformity_index,
            "sdi_levels": list(self.sdi_levels),
            "warnings": list(self.warnings),
            "knowledge_ids": list(KNOWLEDGE_IDS),
        }


def level_sequence(present: Iterable[str]) -> tuple[str, ...]:
    """Cranio-caudal levels for counting distances: T13 and L6 only when the exam has them.

    Two levels away from T12 is L2 in a usual spine, L1 in a spine with a T13.
    """
    found = set(present)
    return tuple(
        level for level in VERTEBRAL_LEVELS if level not in _TRANSITIONAL or level in found
    )


def round_half_up(value: float, decimals: int) -> float:
    """Round as a person would (19.95 -> 20.0), on the shortest decimal form of the float."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _loss_pct(smallest: float, reference: float, decimals: int) -> float:
    loss = round_half_up(100.0 * (1.0 - smallest / reference), decimals)
    return max(loss, 0.0)


def _ratio(numerator: float, denominator: float | None) -> float | None:
    if denominator is None:
        return None
    return round(numerator / denominator, 3)


def _check(vertebrae: Sequence[Heights]) -> None:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, v in enumerate(vertebrae):
        if v.level not in _LEVEL_INDEX:
            problems.append(Problem(f"/vertebrae/{i}/level", "a level from C1 to S1", v.level))
        elif v.level in seen:
            problems.append(Problem(f"/vertebrae/{i}/level", "each level once", v.level))
        seen.add(v.level)
        for name in ("anterior_mm", "middle_mm", "posterior_mm", "ap_depth_mm"):
            value = getattr(v, name)
            if value is None and name == "ap_depth_mm":
                continue
            if value is None or not math.isfinite(value) or value <= 0:
                problems.append(
                    Problem(f"/vertebrae/{i}/{name}", "a positive height in mm", repr(value))
                )
    if problems:
        raise InputError(f"cannot grade vertebrae: {len(problems)} problem(s)", problems)


def grade_spine(
    vertebrae: Sequence[Heights],
    rules: GenantRules,
    *,
    reader: ReaderKind = "automated",
) -> SpineGrading:
    """Grade every vertebra of one exam; levels may come in any order and with gaps."""
    _check(vertebrae)
    sequence = level_sequence(v.level for v in vertebrae)
    position = {level: i for i, level in enumerate(sequence)}
    ordered = sorted(vertebrae, key=lambda v: position[v.level])
    by_index = {position[v.level]: v for v in ordered}

    # Pass 1: against the own posterior height; grade-0 vertebrae may serve as neighbours.
    candidates = {
        idx
        for idx, v in by_index.items()
        if rules.grade_for(
            _loss_pct(
                min(v.anterior_mm, v.middle_mm, v.posterior_mm), v.posterior_mm, rules.loss_decimals
            )
        )
        == 0
    }

    graded: list[VertebraGrade] = []
    warnings: list[str] = []
    for idx, v in by_index.items():
        neighbours: list[int] = []
        for direction in (-1, 1):
            for step in range(1, rules.neighbour_window + 1):
                other = idx + direction * step
                if other in candidates:
                    neighbours.append(other)
                    break
        qc: list[str] = []
        smallest = min(v.anterior_mm, v.middle_mm, v.posterior_mm)
        if neighbours:
            neighbour_hp = sum(by_index[n].posterior_mm for n in neighbours) / len(neighbours)
            reference_height = max(v.posterior_mm, neighbour_hp)
            reference: Literal["own_posterior", "neighbours"] = (
                "neighbours" if neighbour_hp > v.posterior_mm else "own_posterior"
            )
        else:
            neighbour_hp = None
            reference_height = v.posterior_mm
            reference = "own_posterior"
            qc.append("no_grade_0_neighbour")
            warnings.append(
                f"{v.level}: no grade-0 vertebra within {rules.neighbour_window} levels; graded "
                "against its own posterior height, so an even (crush) collapse cannot be seen"
            )
        loss = _loss_pct(smallest, reference_height, rules.loss_decimals)
        grade = rules.grade_for(loss)

        morphology: Morphology = "normal"
        if grade > 0:
            posterior_loss = (
                _loss_pct(v.posterior_mm, neighbour_hp, rules.loss_decimals)
                if neighbour_hp is not None
                else 0.0
            )
            if posterior_loss >= rules.crush_posterior_loss_min_pct:
                morphology = "crush"
            elif v.anterior_mm <= v.middle_mm:
                morphology = "wedge"
            else:
                morphology = "biconcave"

        above = by_index.get(idx - 1)
        below = by_index.get(idx + 1)
        ratios: dict[str, float | None] = {
            "ha_hp": _ratio(v.anterior_mm, v.posterior_mm),
            "hm_hp": _ratio(v.middle_mm, v.posterior_mm),
            "hp_hp_above": _ratio(v.posterior_mm, above.posterior_mm if above else None),
            "hp_hp_below": _ratio(v.posterior_mm, below.posterior_mm if below else None),
            "hp_hp_neighbours": _ratio(v.posterior_mm, neighbour_hp),
        }
        wedge_angle = (
            round(math.degrees(math.atan2(v.posterior_mm - v.anterior_mm, v.ap_depth_mm)), 1)
            if v.ap_depth_mm is not None
            else None
        )

        in_sdi = v.level in rules.sdi_levels
        human_confirmed = reader == rules.grade_1_counts_if_reader or (
            v.reader_grade is not None
            and v.reader_grade >= rules.grade_1_counts_if_reader_grade_at_least
        )
        reported_grade: int | None = grade
        reported_morphology: Morphology | None = morphology
        if in_sdi:
            counts = grade >= rules.counted_min_grade_any_source or (
                (grade >= 1 or (v.reader_grade or 0) >= 1) and human_confirmed
            )
            possible = grade >= 1 and not counts and v.reader_grade is None
        else:
            # Genant grading covers T4-L4 only: measured and reported, not graded. A reader's
            # own grade of 1 or more still counts; a large measured loss is flagged.
            reported_grade, reported_morphology = None, None
            counts = (v.reader_grade or 0) >= rules.grade_1_counts_if_reader_grade_at_least
            possible = False
            qc.append("outside_graded_levels")
            if grade >= 1:
                qc.append("height_loss_in_fracture_range_outside_graded_levels")
                warnings.append(
                    f"{v.level}: height loss {loss:.1f} % would be a grade-{grade} deformity, but "
                    "Genant grading covers T4-L4; a reader should review this level"
                )
        if possible:
            qc.append("automated_grade_1_needs_reader")
        elif in_sdi and v.reader_grade is not None and v.reader_grade < 1 <= grade:
            qc.append("reader_grade_below_measured_grade")
        graded.append(
            VertebraGrade(
                level=v.level,
                genant_grade=reported_grade,
                morphology=reported_morphology,
                height_loss_pct=loss,
                reference_height_mm=round(reference_height, 2),
                reference=reference,
                neighbours=tuple(sequence[n] for n in neighbours),
                ratios=ratios,
                wedge_angle_deg=wedge_angle,
                counts_as_fracture=counts,
                possible_fracture=possible,
                in_sdi=in_sdi,
                reader_grade=v.reader_grade,
                qc=tuple(qc),
            )
        )

    in_index = [g for g in graded if g.in_sdi]
    sdi = sum(g.genant_grade or 0 for g in in_index) if in_index else None
    return SpineGrading(
        vertebrae=tuple(graded),
        spinal_deformity_index=sdi,
        sdi_levels=tuple(g.level for g in in_index),
        warnings=tuple(warnings),
    )
