"""Unit table and conversions, checked against independently derived values."""

from __future__ import annotations

import pytest

from osteowedge.errors import UnitError
from osteowedge.units import accepted_units, convert, dimension_of, normalize_unit


@pytest.mark.parametrize(
    ("alias", "ucum"),
    [
        ("mcg", "ug"),
        ("µg", "ug"),
        ("IU", "[iU]"),
        ("mIU/L", "m[IU]/L"),
        ("mg/dl", "mg/dL"),
        ("µmol/L", "umol/L"),
        ("mm/hr", "mm/h"),
        ("mg/dL", "mg/dL"),
        ("[iU]", "[iU]"),
    ],
)
def test_aliases_normalise_to_ucum(alias: str, ucum: str) -> None:
    assert normalize_unit(alias) == ucum


@pytest.mark.parametrize("unit", ["mgs", "mg/decilitre", "", "IU/ml", "ng"])
def test_unknown_units_are_rejected_with_the_path(unit: str) -> None:
    with pytest.raises(UnitError) as info:
        normalize_unit(unit, path="/labs/0/unit")
    assert info.value.problems[0].path == "/labs/0/unit"
    assert repr(unit) in str(info.value)


@pytest.mark.parametrize(
    ("value", "src", "dst", "analyte", "expected"),
    [
        # Calcium 40.078 g/mol: 10 mg/dL = 100 mg/L / 40.078 = 2.4951 mmol/L
        (10.0, "mg/dL", "mmol/L", "calcium", 2.4951),
        (2.5, "mmol/L", "mg/dL", "calcium", 10.0195),
        # Creatinine 113.12 g/mol: 1 mg/dL = 88.40 umol/L (clinical-facts 7.3 uses 88.4)
        (1.0, "mg/dL", "umol/L", "creatinine", 88.40),
        # 25-OH vitamin D3 400.64 g/mol: 1 ng/mL = 2.496 nmol/L (clinical-facts 7.2)
        (1.0, "ng/mL", "nmol/L", "vitamin_d_25_hydroxy", 2.496),
        (50.0, "nmol/L", "ng/mL", "vitamin_d_25_hydroxy", 20.032),
        (1.0, "g", "mg", None, 1000.0),
        (500.0, "ug", "mg", None, 0.5),
        (4.0, "g/dL", "g/L", None, 40.0),
        (1.5, "mIU/L", "uIU/mL", None, 1.5),
    ],
)
def test_conversions(
    value: float, src: str, dst: str, analyte: str | None, expected: float
) -> None:
    assert convert(value, src, dst, analyte) == pytest.approx(expected, rel=1e-3)


def test_round_trip_is_identity() -> None:
    for analyte in ("calcium", "creatinine", "vitamin_d_25_hydroxy", "phosphate"):
        there = convert(7.3, "mg/dL", "mmol/L", analyte)
        assert convert(there, "mmol/L", "mg/dL", analyte) == pytest.approx(7.3)


def test_mass_to_substance_needs_a_known_analyte() -> None:
    with pytest.raises(UnitError, match="known analyte"):
        convert(1.0, "mg/dL", "mmol/L")
    with pytest.raises(UnitError, match="known analyte"):
        convert(1.0, "mg/dL", "mmol/L", "unobtainium")


def test_incompatible_dimensions_are_refused() -> None:
    with pytest.raises(UnitError, match="cannot convert"):
        convert(1.0, "mg", "mL")


def test_published_table_covers_every_ucum_code() -> None:
    table = accepted_units()
    assert {"mg/dL", "mmol/L", "ng/mL", "nmol/L", "pg/mL", "m[IU]/L", "ug", "[iU]"} <= set(table)
    for spelling, code in table.items():
        assert normalize_unit(spelling) == code
        assert dimension_of(code)


@pytest.mark.parametrize(
    ("analyte", "mass", "mass_unit", "si", "si_unit"),
    [
        # independent figures: 1 mg/dL creatinine = 88.4 umol/L; calcium 10 mg/dL = 2.495 mmol/L;
        # 25-OH D 20 ng/mL = 49.9 nmol/L; testosterone 288.4 ng/dL = 10 nmol/L
        ("creatinine", 1.0, "mg/dL", 88.40, "umol/L"),
        ("calcium", 10.0, "mg/dL", 2.495, "mmol/L"),
        ("vitamin_d_25_hydroxy", 20.0, "ng/mL", 49.92, "nmol/L"),
        ("testosterone", 288.42, "ng/dL", 10.0, "nmol/L"),
    ],
)
def test_mass_and_substance_convert_both_ways(
    analyte: str, mass: float, mass_unit: str, si: float, si_unit: str
) -> None:
    assert convert(mass, mass_unit, si_unit, analyte) == pytest.approx(si, rel=1e-3)
    assert convert(si, si_unit, mass_unit, analyte) == pytest.approx(mass, rel=1e-3)
