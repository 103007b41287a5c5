"""End-to-end goldens: for each case, the reviewed projection of its assessment.

A case is a bundled example (examples/*.json, named `example_<name>`) or a hand-written record of
tests/golden/cases; its expected projection is tests/golden/expected/<case>.json (see
tests/golden/projection.py for what is projected and docs/dev/goldens.md for what each case
checks). On a deliberate change, regenerate with `uv run python scripts/update_goldens.py` and
review the diff like code: a changed golden is a changed recommendation.

The safety invariants below hold whatever the goldens say, so that a regenerated golden cannot
quietly accept, say, zoledronic acid after a creatinine of 4.2 mg/dL.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from typing import Any

import pytest

from osteowedge.knowledge import KnowledgeBase
from tests.golden.projection import (
    EXPECTED,
    REGENERATE,
    assess_case,
    case_inputs,
    dumps,
    project,
)

CASES = case_inputs()
BISPHOSPHONATES = {"alendronate", "risedronate", "ibandronate", "zoledronic_acid"}
ANTIRESORPTIVES_AND_ROMOSOZUMAB = BISPHOSPHONATES | {"denosumab", "romosozumab"}
ANABOLICS = {"teriparatide", "abaloparatide", "romosozumab"}

_cache: dict[str, dict[str, Any]] = {}


def projected(name: str, kb: KnowledgeBase) -> dict[str, Any]:
    if name not in _cache:
        _cache[name] = project(assess_case(CASES[name], kb))
    return _cache[name]


def test_every_case_has_an_expected_file_and_every_file_a_case() -> None:
    expected = {p.stem for p in EXPECTED.glob("*.json")}
    assert expected == set(CASES), (
        f"missing: {sorted(set(CASES) - expected)}, orphaned: {sorted(expected - set(CASES))}; "
        f"run `{REGENERATE}`"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_assessment_matches_its_golden(name: str, kb: KnowledgeBase) -> None:
    path = EXPECTED / f"{name}.json"
    if not path.exists():
        pytest.fail(f"no golden for case {name!r}: run `{REGENERATE} {name}` and review it")
    want = path.read_text(encoding="utf-8")
    got = dumps(projected(name, kb))
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                got.splitlines(keepends=True),
                fromfile=f"tests/golden/expected/{name}.json (reviewed)",
                tofile=f"{name}: what the pipeline says now",
            )
        )
        pytest.fail(
            f"the assessment of {name!r} differs from its golden:\n{diff}\n"
            f"If the change is intended, regenerate with `{REGENERATE} {name}`, review the diff "
            "for clinical sense and commit it with the change that caused it.",
            pytrace=False,
        )


# -- safety invariants ------------------------------------------------------------------------


def _drugs(p: dict[str, Any]) -> list[str]:
    return [d["drug"] for d in p["plan"]["pharmacological"]]


def _avoided(p: dict[str, Any]) -> set[str]:
    return {d["drug"] for d in p["plan"]["avoid"]}


def _stale_creatinine(p: dict[str, Any]) -> None:
    # last creatinine 4.2 mg/dL four months ago: no current value may clear a bisphosphonate
    assert not BISPHOSPHONATES & set(_drugs(p))
    assert BISPHOSPHONATES <= _avoided(p)
    assert "creatinine_egfr" in p["workup"]["recommended_tests"]


def _si_units(p: dict[str, Any]) -> None:
    # 150 umol/L is 1.70 mg/dL: eGFR about 32, creatinine clearance about 29 (not 1000-fold off)
    assert 25 < p["workup"]["egfr_ml_min_1_73m2"] < 40
    assert 25 < p["workup"]["creatinine_clearance_ml_min"] < 35
    # 2.35 mmol/L is 9.4 mg/dL: normal, not read as 2.35 mg/dL
    assert p["workup"]["lab_status"]["serum_calcium"] == "normal"
    assert "zoledronic_acid" in _avoided(p)


def _prior_onj_or_aff(p: dict[str, Any]) -> None:
    assert ANTIRESORPTIVES_AND_ROMOSOZUMAB <= _avoided(p)
    assert not ANTIRESORPTIVES_AND_ROMOSOZUMAB & set(_drugs(p))


def _labels_only(jurisdiction: str) -> Callable[[dict[str, Any]], None]:
    other = {"eu": "us", "us": "eu"}[jurisdiction]

    def check(p: dict[str, Any]) -> None:
        for d in p["plan"]["pharmacological"]:
            # a drug without a label record of the jurisdiction falls back to all (and warns)
            assert jurisdiction in d["labels"] or "jurisdiction_union" in p["warnings"], d
            if jurisdiction in d["labels"]:
                assert other not in d["labels"], d
        assert p["risk"]["giop_category"] == "very_high"
        assert _drugs(p)[0] in ANABOLICS

    return check


def _very_high_eu(p: dict[str, Any]) -> None:
    _labels_only("eu")(p)
    # EU SmPC: romosozumab is contraindicated after a stroke at any time (stroke in 2023)
    assert "romosozumab" in _avoided(p)
    assert "romosozumab" not in _drugs(p)


def _very_high_us(p: dict[str, Any]) -> None:
    _labels_only("us")(p)
    # US label: not within a year of a stroke; this one was in 2023
    assert "romosozumab" not in _avoided(p)


def _very_high_no_jurisdiction(p: dict[str, Any]) -> None:
    assert "jurisdiction_union" in p["warnings"]
    # the strictest reading of every label: the EU contraindication applies
    assert "romosozumab" in _avoided(p)


def _denosumab_overdue(p: dict[str, Any]) -> None:
    assert "denosumab_overdue" in p["warnings"]
    assert _drugs(p) and _drugs(p)[0] in BISPHOSPHONATES


def _pregnancy_planned(p: dict[str, Any]) -> None:
    assert _drugs(p) == []
    assert {"alendronate", "zoledronic_acid", "denosumab", "teriparatide"} <= _avoided(p)


def _allergy(p: dict[str, Any]) -> None:
    assert "alendronate" in _avoided(p)
    assert "alendronate" not in _drugs(p)


INVARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "stale_abnormal_creatinine": _stale_creatinine,
    "si_units_creatinine_calcium": _si_units,
    "onj_icd10cm": _prior_onj_or_aff,
    "aff_icd10cm": _prior_onj_or_aff,
    "very_high_risk_eu": _very_high_eu,
    "very_high_risk_us": _very_high_us,
    "very_high_risk_no_jurisdiction": _very_high_no_jurisdiction,
    "denosumab_overdue": _denosumab_overdue,
    "pregnancy_planned": _pregnancy_planned,
    "allergy_alendronate": _allergy,
}


@pytest.mark.parametrize("name", sorted(INVARIANTS))
def test_safety_invariant(name: str, kb: KnowledgeBase) -> None:
    INVARIANTS[name](projected(name, kb))


def test_onj_recorded_under_snomed_by_name_stops_antiresorptives(kb: KnowledgeBase) -> None:
    _prior_onj_or_aff(projected("onj_snomed_by_name", kb))


def test_golden_files_are_in_their_own_format() -> None:
    for path in sorted(EXPECTED.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert dumps(json.loads(text)) == text, f"{path.name}: run `{REGENERATE}`"
