"""ICC(2,1) and reader agreement."""

from __future__ import annotations

import pytest

from osteowedge.errors import InputError
from osteowedge.morphometry import ReaderHeights, icc_2_1, reader_agreement

# Shrout & Fleiss 1979, Table 2: 6 targets rated by 4 judges; the paper reports ICC(2,1) = 0.29.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_icc_matches_shrout_and_fleiss() -> None:
    assert icc_2_1(SHROUT_FLEISS) == pytest.approx(0.29, abs=0.005)


def test_icc_is_one_for_identical_readers_and_falls_with_bias() -> None:
    rows = [[10, 10], [20, 20], [30, 30]]
    assert icc_2_1(rows) == pytest.approx(1.0)
    biased = [[10, 13], [20, 23], [30, 33]]  # consistent but not in absolute agreement
    assert icc_2_1(biased) < 1.0


@pytest.mark.parametrize(
    "rows", [[[1, 2]], [[1], [2]], [[1, float("nan")], [2, 3]], [[5, 5], [5, 5]]]
)
def test_icc_refuses_what_it_cannot_compute(rows: list[list[float]]) -> None:
    with pytest.raises(InputError):
        icc_2_1(rows)


def _m(study: str, level: str, reader: str, h: float) -> ReaderHeights:
    return ReaderHeights(study, level, reader, h, h + 1, h + 2)


def test_agreement_pairs_and_blocks() -> None:
    data = [
        _m("s1", "L1", "a", 20),
        _m("s1", "L1", "b", 22),
        _m("s1", "L1", "c", 21),
        _m("s1", "L2", "a", 25),
        _m("s1", "L2", "b", 25),
        _m("s2", "L1", "a", 30),
        _m("s2", "L1", "b", 31),
        _m("s2", "L3", "a", 30),  # one reader only: not compared
    ]
    report = reader_agreement(data)
    assert report.n_vertebrae == 3 and report.n_studies == 2
    anterior = report.heights[0]
    assert anterior.n_pairs == 5  # 3 pairs for s1/L1, 1 each for the others
    assert anterior.mean_abs_diff == pytest.approx((2 + 1 + 1 + 0 + 1) / 5)
    assert [b.readers for b in anterior.icc] == [("a", "b")]  # a,b,c only share 1 vertebra


def test_a_reader_measuring_a_level_twice_is_an_error() -> None:
    with pytest.raises(InputError, match="twice"):
        reader_agreement([_m("s", "L1", "a", 20), _m("s", "L1", "a", 21), _m("s", "L1", "b", 20)])
