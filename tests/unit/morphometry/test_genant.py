"""Genant grading from heights: the convention of patient-format.md, case by case."""

from __future__ import annotations

import pytest

from osteowedge.errors import InputError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.morphometry import GenantRules, Heights, grade_spine
from osteowedge.morphometry.genant import level_sequence, round_half_up


@pytest.fixture(scope="module")
def rules(kb: KnowledgeBase) -> GenantRules:
    return GenantRules.from_knowledge(kb)


def normal(level: str, h: float = 30.0) -> Heights:
    return Heights(level, h, h, h)


def by_level(result: object) -> dict[str, object]:
    return {v.level: v for v in result.vertebrae}  # type: ignore[attr-defined]


def test_rules_come_from_the_knowledge_base(rules: GenantRules) -> None:
    assert rules.bands == ((0, 0.0), (1, 20.0), (2, 25.0), (3, 40.0))
    assert rules.sdi_levels[0] == "T4" and rules.sdi_levels[-1] == "L4"
    assert len(rules.sdi_levels) == 13
    assert rules.neighbour_window == 2


@pytest.mark.parametrize(
    ("anterior", "loss", "grade"),
    [
        (24.0, 20.0, 1),  # exactly 20 % is grade 1 (lower bound inclusive)
        (24.03, 19.9, 0),
        (22.5, 25.0, 2),  # exactly 25 % is grade 2
        (22.53, 24.9, 1),
        (18.0, 40.0, 3),  # exactly 40 % is grade 3
        (18.03, 39.9, 2),
        (30.0, 0.0, 0),
    ],
)
def test_band_edges(rules: GenantRules, anterior: float, loss: float, grade: int) -> None:
    spine = [normal("T12"), Heights("L1", anterior, 30.0, 30.0), normal("L2")]
    v = by_level(grade_spine(spine, rules))["L1"]
    assert v.height_loss_pct == loss  # type: ignore[attr-defined]
    assert v.genant_grade == grade  # type: ignore[attr-defined]


def test_loss_is_rounded_half_up_before_grading(rules: GenantRules) -> None:
    # 1 - 80.05/100 = 19.95 % -> 20.0 % -> grade 1
    spine = [normal("T12", 100), Heights("L1", 80.05, 100, 100), normal("L2", 100)]
    v = by_level(grade_spine(spine, rules))["L1"]
    assert v.height_loss_pct == 20.0  # type: ignore[attr-defined]
    assert v.genant_grade == 1  # type: ignore[attr-defined]
    assert round_half_up(19.95, 1) == 20.0
    assert round_half_up(24.94999, 1) == 24.9


def test_anterior_wedge(rules: GenantRules) -> None:
    spine = [normal("T12", 28), Heights("L1", 19.0, 26.0, 29.0, ap_depth_mm=35.0), normal("L2", 30)]
    v = by_level(grade_spine(spine, rules))["L1"]
    # neighbours' mean posterior 29.0 = own posterior 29.0 -> reference 29.0
    assert v.reference_height_mm == 29.0  # type: ignore[attr-defined]
    assert v.height_loss_pct == 34.5  # type: ignore[attr-defined]  # 1 - 19/29
    assert v.genant_grade == 2  # type: ignore[attr-defined]
    assert v.morphology == "wedge"  # type: ignore[attr-defined]
    assert v.ratios["ha_hp"] == round(19 / 29, 3)  # type: ignore[attr-defined]
    assert v.wedge_angle_deg == 15.9  # type: ignore[attr-defined]  # atan(10/35) = 15.95 deg
    assert v.counts_as_fracture is True  # type: ignore[attr-defined]


def test_biconcave(rules: GenantRules) -> None:
    spine = [normal("T8"), Heights("T9", 29.0, 20.0, 30.0), normal("T10")]
    v = by_level(grade_spine(spine, rules))["T9"]
    assert (v.genant_grade, v.morphology) == (2, "biconcave")  # type: ignore[attr-defined]


def test_even_crush_is_found_through_the_neighbours(rules: GenantRules) -> None:
    spine = [normal("L1", 30), normal("L2", 31), Heights("L3", 21, 21, 21), normal("L4", 32)]
    result = by_level(grade_spine(spine, rules))
    v = result["L3"]
    assert v.reference == "neighbours"  # type: ignore[attr-defined]
    assert v.neighbours == ("L2", "L4")  # type: ignore[attr-defined]
    assert v.reference_height_mm == 31.5  # type: ignore[attr-defined]
    assert v.height_loss_pct == 33.3  # type: ignore[attr-defined]  # 1 - 21/31.5
    assert (v.genant_grade, v.morphology) == (2, "crush")  # type: ignore[attr-defined]


def test_crush_needs_neighbours_without_them_it_is_invisible(rules: GenantRules) -> None:
    result = grade_spine([Heights("L3", 21, 21, 21)], rules)
    v = result.vertebrae[0]
    assert v.genant_grade == 0
    assert "no_grade_0_neighbour" in v.qc
    assert any("L3" in w for w in result.warnings)


def test_lordotic_shape_is_normal(rules: GenantRules) -> None:
    # L4: anterior clearly taller than posterior, the normal lordotic shape that a
    # "shortest height 20 % below the tallest" rule over-calls (1 - 26/33 = 21 %)
    spine = [normal("L2", 30), normal("L3", 30), Heights("L4", 33.0, 30.0, 26.0), normal("L5", 27)]
    v = by_level(grade_spine(spine, rules))["L4"]
    assert v.genant_grade == 0  # type: ignore[attr-defined]
    assert v.morphology == "normal"  # type: ignore[attr-defined]
    assert v.height_loss_pct < 20  # type: ignore[attr-defined]


def test_levels_outside_t4_l4_are_measured_not_graded(rules: GenantRules) -> None:
    spine = [normal("L3", 30), normal("L4", 30), Heights("L5", 18.0, 30.0, 30.0)]
    result = grade_spine(spine, rules)
    v = by_level(result)["L5"]
    assert v.genant_grade is None and v.morphology is None  # type: ignore[attr-defined]
    assert v.height_loss_pct == 40.0  # type: ignore[attr-defined]  # 1 - 18/30
    assert v.counts_as_fracture is False  # type: ignore[attr-defined]
    assert "outside_graded_levels" in v.qc  # type: ignore[attr-defined]
    assert "height_loss_in_fracture_range_outside_graded_levels" in v.qc  # type: ignore[attr-defined]
    assert any(w.startswith("L5:") for w in result.warnings)


def test_fractured_vertebra_is_not_a_neighbour(rules: GenantRules) -> None:
    spine = [
        normal("T11", 40),
        Heights("T12", 20, 30, 30),
        Heights("L1", 22, 28, 28),
        normal("L2", 28),
    ]
    result = by_level(grade_spine(spine, rules))
    # T12 (grade 3 against its own Hp) cannot serve L1; L1's neighbours are T11 (2 above) and L2
    assert result["L1"].neighbours == ("T11", "L2")  # type: ignore[attr-defined]
    assert result["L1"].reference_height_mm == 34.0  # type: ignore[attr-defined]


def test_neighbours_only_within_two_levels(rules: GenantRules) -> None:
    spine = [normal("T9"), Heights("T12", 20, 30, 30)]
    v = grade_spine(spine, rules).vertebrae[1]
    assert v.neighbours == ()
    assert "no_grade_0_neighbour" in v.qc


def test_transitional_t13_counts_as_a_level() -> None:
    assert level_sequence(["T12", "L1"])[18:20] == ("T12", "L1")
    assert "T13" in level_sequence(["T12", "T13", "L1"])
    assert "L6" not in level_sequence(["L5", "S1"])


def test_sdi_sums_t4_to_l4_only(rules: GenantRules) -> None:
    spine = [
        normal("T3"),
        Heights("T4", 17, 30, 30),
        normal("T5"),
        normal("T6"),
        normal("L3"),
        normal("L4"),
        Heights("L5", 17, 30, 30),
        normal("S1"),
    ]
    result = grade_spine(spine, rules)
    grades = {v.level: v.genant_grade for v in result.vertebrae}
    assert grades["T4"] == 3 and grades["L5"] is None and grades["T3"] is None
    assert result.spinal_deformity_index == 3
    assert result.sdi_levels == ("T4", "T5", "T6", "L3", "L4")


def test_sdi_is_none_without_a_graded_level(rules: GenantRules) -> None:
    result = grade_spine([normal("L5"), normal("S1")], rules)
    assert result.spinal_deformity_index is None
    assert result.sdi_levels == ()


@pytest.mark.parametrize(
    ("reader", "reader_grade", "counts", "possible"),
    [
        ("automated", None, False, True),
        ("human", None, True, False),
        ("automated", 1.0, True, False),
        ("automated", 0.5, False, False),
    ],
)
def test_grade_1_counts_only_with_a_reader(
    rules: GenantRules, reader: str, reader_grade: float | None, counts: bool, possible: bool
) -> None:
    spine = [normal("T12"), Heights("L1", 23.0, 30, 30, reader_grade=reader_grade), normal("L2")]
    v = by_level(grade_spine(spine, rules, reader=reader))["L1"]  # type: ignore[arg-type]
    assert v.genant_grade == 1  # type: ignore[attr-defined]
    assert v.counts_as_fracture is counts  # type: ignore[attr-defined]
    assert v.possible_fracture is possible  # type: ignore[attr-defined]


def test_automated_grade_2_counts(rules: GenantRules) -> None:
    spine = [normal("T12"), Heights("L1", 21.0, 30, 30), normal("L2")]
    v = by_level(grade_spine(spine, rules))["L1"]
    assert v.counts_as_fracture is True  # type: ignore[attr-defined]


def test_reader_grade_of_a_normal_vertebra_counts(rules: GenantRules) -> None:
    spine = [normal("T12"), Heights("L1", 29, 30, 30, reader_grade=2), normal("L2")]
    v = by_level(grade_spine(spine, rules))["L1"]
    assert v.genant_grade == 0  # type: ignore[attr-defined]
    assert v.counts_as_fracture is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("heights", "path"),
    [
        (Heights("L1", 0.0, 30, 30), "/vertebrae/1/anterior_mm"),
        (Heights("L1", 30, -2, 30), "/vertebrae/1/middle_mm"),
        (Heights("L1", 30, 30, float("nan")), "/vertebrae/1/posterior_mm"),
        (Heights("X1", 30, 30, 30), "/vertebrae/1/level"),
        (Heights("T12", 30, 30, 30), "/vertebrae/1/level"),
    ],
)
def test_bad_heights_are_rejected_with_their_path(
    rules: GenantRules, heights: Heights, path: str
) -> None:
    with pytest.raises(InputError) as err:
        grade_spine([normal("T12"), heights], rules)
    assert path in [p.path for p in err.value.problems]


def test_output_validates_against_the_assessment_model(rules: GenantRules) -> None:
    from osteowedge.model.assessment import GradedVertebra

    spine = [normal("T12"), Heights("L1", 19, 26, 29, ap_depth_mm=35), normal("L2")]
    for v in grade_spine(spine, rules).vertebrae:
        model = GradedVertebra.model_validate(v.as_dict())
        assert model.level == v.level
