"""Symptom course (contract 2.0 `{id, onset, progressing}`) in triage, through `assess`.

Source article, "When to See a Doctor": "Seek urgent evaluation if you develop sudden back pain
after minimal trauma, noticeable height loss, or progressive spinal curvature." A curvature that
progresses raises the red flag `progressive_spinal_curvature` (soon); a kyphosis recorded as
stable does not; one whose course is not recorded is treated as possibly progressing, with a
warning. True red flags do not depend on the course.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.errors import InputError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment
from tests.conftest import EXAMPLES

CURVATURE = "progressive_spinal_curvature"
UNKNOWN = "symptom_progression_unknown"


def record(symptoms: list[Any]) -> dict[str, Any]:
    """The PPI/SSRI example (routine triage, as_of 2026-11-01) with these symptoms."""
    data: dict[str, Any] = json.loads((EXAMPLES / "ppi_ssri.json").read_text(encoding="utf-8"))
    data["symptoms"] = symptoms
    data["exam"] = {
        **data["exam"],
        "neurological_deficit": False,
        "saddle_anaesthesia": False,
        "bladder_or_bowel_dysfunction": False,
        "fever": False,
    }
    return data


def run(kb: KnowledgeBase, symptoms: list[Any]) -> Assessment:
    return assess(parse_patient(record(symptoms)), kb)


def flag_ids(result: Assessment) -> list[str]:
    return [s.id for s in result.triage.red_flags]


def warnings_of(result: Assessment, code: str) -> list[Any]:
    return [w for w in result.warnings if w.code == code]


def test_the_example_without_kyphosis_is_routine(kb: KnowledgeBase) -> None:
    result = run(kb, ["loss_of_balance"])
    assert result.triage.urgency == "routine"
    assert warnings_of(result, UNKNOWN) == []


def test_progressing_kyphosis_is_the_articles_see_a_doctor_flag(kb: KnowledgeBase) -> None:
    result = run(kb, [{"id": "kyphotic_posture", "onset": "2026-05-01", "progressing": True}])
    assert result.triage.urgency == "soon"
    assert flag_ids(result) == [CURVATURE]
    flag = result.triage.red_flags[0]
    assert "source_article" in flag.citation_ids
    assert CURVATURE in flag.knowledge_ids and "triage_red_flag_logic" in flag.knowledge_ids
    assert (
        flag.reasons[0] == "symptom progressing: Kyphotic posture (progressing, onset 2026-05-01)"
    )
    assert warnings_of(result, UNKNOWN) == []
    # the red flag's workup follows it: spine imaging and bone density
    ordered = {t.id for t in result.workup.recommended_tests}
    assert {"spine_radiograph", "vfa"} <= ordered


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "kyphotic_posture", "progressing": False},
        {"id": "kyphotic_posture", "onset": "2012-03-01", "progressing": False},
    ],
    ids=["stable", "stable-old-onset"],
)
def test_stable_kyphosis_alone_is_routine(kb: KnowledgeBase, entry: dict[str, Any]) -> None:
    result = run(kb, ["loss_of_balance", entry])
    assert result.triage.urgency == "routine"
    assert CURVATURE not in flag_ids(result)
    assert warnings_of(result, UNKNOWN) == []
    trace = next(t for t in result.trace if t.rule_id == f"triage.red_flag.{CURVATURE}")
    assert trace.fired is False
    assert trace.inputs == {"progressing.kyphotic_posture": False}


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ("kyphotic_posture", "/symptoms/1"),
        ({"id": "kyphotic_posture"}, "/symptoms/1/progressing"),
        ({"id": "kyphotic_posture", "progressing": None}, "/symptoms/1/progressing"),
    ],
    ids=["plain-id", "object-without-course", "progressing-null"],
)
def test_unknown_progression_is_cautious_and_warned(
    kb: KnowledgeBase, entry: Any, path: str
) -> None:
    result = run(kb, ["loss_of_balance", entry])
    assert result.triage.urgency == "soon"
    assert flag_ids(result) == [CURVATURE]
    assert (
        result.triage.red_flags[0]
        .reasons[0]
        .startswith("symptom reported, treated as possibly progressing: Kyphotic posture")
    )
    (warning,) = warnings_of(result, UNKNOWN)
    assert warning.path == path
    assert "not recorded" in warning.message and "possibly progressing" in warning.message


def test_an_old_onset_with_unknown_course_stays_cautious(kb: KnowledgeBase) -> None:
    # No cited window tells an old symptom from a new one: the onset cannot make it routine.
    result = run(kb, [{"id": "kyphotic_posture", "onset": "2010-01-01"}])
    assert result.triage.urgency == "soon"
    assert flag_ids(result) == [CURVATURE]
    (warning,) = warnings_of(result, UNKNOWN)
    assert "onset 2010-01-01" in warning.message


def test_one_progressing_entry_outweighs_a_stable_one(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        [
            {"id": "kyphotic_posture", "progressing": False},
            {"id": "kyphotic_posture", "onset": "2026-09-01", "progressing": True},
        ],
    )
    assert flag_ids(result) == [CURVATURE]
    assert result.triage.red_flags[0].reasons[0].startswith("symptom progressing:")
    assert warnings_of(result, UNKNOWN) == []


def test_true_red_flags_do_not_depend_on_the_course(kb: KnowledgeBase) -> None:
    # Sudden back pain stays urgent even when marked not progressing; the stable kyphosis
    # beside it adds nothing.
    result = run(
        kb,
        [
            {"id": "acute_back_pain", "onset": "2026-10-28", "progressing": False},
            {"id": "kyphotic_posture", "progressing": False},
        ],
    )
    assert result.triage.urgency == "urgent"
    assert flag_ids(result) == ["sudden_back_pain_minimal_trauma"]
    assert result.triage.red_flags[0].reasons[0] == (
        "symptom reported: Acute back pain (not progressing, onset 2026-10-28)"
    )


def test_noticeable_height_loss_fires_whatever_its_course(kb: KnowledgeBase) -> None:
    # The article names noticeable height loss without a course: stable still prompts a check.
    result = run(kb, [{"id": "height_loss", "progressing": False}])
    assert result.triage.urgency == "soon"
    assert flag_ids(result) == ["noticeable_height_loss"]
    assert (
        result.triage.red_flags[0].reasons[0] == "symptom reported: Height loss (not progressing)"
    )
    assert warnings_of(result, UNKNOWN) == []


def test_an_onset_after_the_assessment_date_is_rejected(kb: KnowledgeBase) -> None:
    data = record([{"id": "kyphotic_posture", "onset": "2026-11-02", "progressing": True}])
    with pytest.raises(InputError) as raised:
        assess(parse_patient(data), kb)
    assert [p.path for p in raised.value.problems] == ["/symptoms/0/onset"]
