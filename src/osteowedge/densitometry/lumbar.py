"""ISCD lumbar spine rules: which vertebrae a spine BMD value may come from."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from osteowedge.model.assessment import ExcludedVertebra
from osteowedge.model.patient import DxaExam, DxaRegion

_RANGE = re.compile(r"^L([1-9])-L([1-9])$")
_DIFF_DECIMALS = 6  # compare T-score differences after rounding away binary noise


@functools.lru_cache(maxsize=1024)
def region_levels(region: str) -> tuple[str, ...] | None:
    """The vertebrae a lumbar region covers (``L1-L4``, ``L2``, ``L1,L3``); None for hip/radius.

    Memoised: a pure function of the region name, and the result is immutable."""
    match = _RANGE.match(region)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        return tuple(f"L{i}" for i in range(first, last + 1))
    parts = region.split(",")
    if all(re.fullmatch(r"L[1-9]", p) for p in parts):
        return tuple(parts)
    return None


@dataclass(frozen=True)
class LumbarResult:
    region: DxaRegion | None
    levels_used: tuple[str, ...]
    excluded: tuple[ExcludedVertebra, ...]
    problems: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(warning code, message) pairs."""


def select_lumbar_region(
    exam: DxaExam,
    *,
    spine_levels: Sequence[str],
    fractured: Mapping[str, str],
    possible: Collection[str],
    difference_gt: float,
    min_vertebrae: int,
) -> LumbarResult:
    """Apply the ISCD exclusions to one exam's lumbar regions.

    ``fractured`` maps a level to why it counts as fractured; ``possible`` names levels with an
    automated possible fracture (kept, with a warning). Returns the reported region whose
    vertebrae are exactly those left (never a single vertebra), or None with the reason.
    """
    singles: dict[str, DxaRegion] = {}
    combined: list[tuple[tuple[str, ...], DxaRegion]] = []
    for r in exam.regions:
        levels = region_levels(r.region)
        if levels is None:
            continue
        levels = tuple(lv for lv in levels if lv in spine_levels)
        if len(levels) == 1:
            singles.setdefault(levels[0], r)
        elif levels:
            combined.append((levels, r))
    if not singles and not combined:
        return LumbarResult(None, (), ())

    if singles:
        present = [lv for lv in spine_levels if lv in singles]
    else:
        covered = {lv for levels, _ in combined for lv in levels}
        present = [lv for lv in spine_levels if lv in covered]

    reasons: dict[str, list[str]] = {lv: [] for lv in present}
    problems: list[tuple[str, str]] = []
    for lv in present:
        if lv in fractured:
            reasons[lv].append(f"fractured vertebra ({fractured[lv]}): structural change")
        elif lv in possible:
            problems.append(
                (
                    "lumbar_possible_fracture",
                    f"{lv} shows a possible (automated grade 1) fracture that a reader should "
                    "confirm; it was kept in the spine BMD",
                )
            )

    evaluable = [
        lv
        for lv in present
        if not reasons[lv] and lv in singles and singles[lv].t_score is not None
    ]
    unevaluable = [
        lv for lv in present if not reasons[lv] and lv in singles and lv not in evaluable
    ]
    if unevaluable:
        problems.append(
            (
                "lumbar_vertebra_t_score_missing",
                f"no T-score for {', '.join(unevaluable)}: the 1.0 T-score difference rule could "
                "not be checked for it",
            )
        )
    for i, lv in enumerate(evaluable):
        neighbours = [evaluable[j] for j in (i - 1, i + 1) if 0 <= j < len(evaluable)]
        t = singles[lv].t_score
        assert t is not None
        diffs = []
        for nb in neighbours:
            t_nb = singles[nb].t_score
            assert t_nb is not None
            diffs.append((nb, round(abs(t - t_nb), _DIFF_DECIMALS)))
        if diffs and all(d > difference_gt for _, d in diffs):
            text = ", ".join(f"{nb} by {d:g}" for nb, d in diffs)
            reasons[lv].append(
                f"T-score differs from its neighbouring vertebra ({text}) by more than "
                f"{difference_gt:g}"
            )

    excluded = tuple(
        ExcludedVertebra(level=lv, reasons=reasons[lv]) for lv in present if reasons[lv]
    )
    remaining = tuple(lv for lv in present if not reasons[lv])
    if len(remaining) < min_vertebrae:
        problems.append(
            (
                "lumbar_spine_not_reported",
                f"only {len(remaining)} lumbar vertebra(e) left after exclusion "
                f"({', '.join(remaining) or 'none'}); spine BMD needs at least {min_vertebrae} "
                "and is never reported from a single vertebra",
            )
        )
        return LumbarResult(None, (), excluded, tuple(problems))
    for levels, region in combined:
        if set(levels) == set(remaining):
            return LumbarResult(region, remaining, excluded, tuple(problems))
    problems.append(
        (
            "lumbar_spine_subset_not_reported",
            f"the exam reports no value for exactly the vertebrae left ({', '.join(remaining)}); "
            "single-vertebra T-scores are never averaged, so the spine does not enter the "
            "lowest T-score",
        )
    )
    return LumbarResult(None, (), excluded, tuple(problems))
