"""Units: the published table of accepted units (UCUM codes plus common aliases) and conversions.

Every unit that enters osteowedge is first normalised to its UCUM code with :func:`normalize_unit`
(an unknown unit raises :class:`~osteowedge.errors.UnitError`; nothing is guessed). Conversions
between mass and substance concentration need the analyte's molar mass, which lives in
:data:`MOLAR_MASS_G_PER_MOL` (IUPAC standard atomic weights; these are unit-conversion constants,
not clinical facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic.config import JsonDict

from osteowedge.errors import Problem, UnitError

Dimension = Literal[
    "mass",
    "volume",
    "international_units",
    "mass_concentration",
    "substance_concentration",
    "catalytic_concentration",
    "iu_concentration",
    "rate_mm_per_h",
    "cell_count",
    "ratio",
    "flow",
    "flow_per_area",
]


@dataclass(frozen=True)
class UnitDef:
    """One UCUM unit: its dimension and its factor to the dimension's base unit."""

    ucum: str
    dimension: Dimension
    to_base: float
    display: str


# Base units: mass mg; volume mL; mass concentration mg/dL; substance concentration mmol/L;
# catalytic U/L; IU concentration [iU]/L; flow mL/min.
UNITS: dict[str, UnitDef] = {
    u.ucum: u
    for u in (
        UnitDef("g", "mass", 1000.0, "g"),
        UnitDef("mg", "mass", 1.0, "mg"),
        UnitDef("ug", "mass", 1e-3, "µg"),
        UnitDef("mL", "volume", 1.0, "mL"),
        UnitDef("[iU]", "international_units", 1.0, "IU"),
        UnitDef("g/dL", "mass_concentration", 1000.0, "g/dL"),
        UnitDef("g/L", "mass_concentration", 100.0, "g/L"),
        UnitDef("mg/dL", "mass_concentration", 1.0, "mg/dL"),
        UnitDef("mg/L", "mass_concentration", 0.1, "mg/L"),
        UnitDef("ug/dL", "mass_concentration", 1e-3, "µg/dL"),
        UnitDef("ug/L", "mass_concentration", 1e-4, "µg/L"),
        UnitDef("ng/mL", "mass_concentration", 1e-4, "ng/mL"),
        UnitDef("ng/dL", "mass_concentration", 1e-6, "ng/dL"),
        UnitDef("pg/mL", "mass_concentration", 1e-7, "pg/mL"),
        UnitDef("ng/L", "mass_concentration", 1e-7, "ng/L"),
        UnitDef("mmol/L", "substance_concentration", 1.0, "mmol/L"),
        UnitDef("umol/L", "substance_concentration", 1e-3, "µmol/L"),
        UnitDef("nmol/L", "substance_concentration", 1e-6, "nmol/L"),
        UnitDef("pmol/L", "substance_concentration", 1e-9, "pmol/L"),
        UnitDef("U/L", "catalytic_concentration", 1.0, "U/L"),
        UnitDef("[iU]/L", "iu_concentration", 1.0, "IU/L"),
        UnitDef("m[IU]/L", "iu_concentration", 1e-3, "mIU/L"),
        UnitDef("u[IU]/mL", "iu_concentration", 1e-3, "µIU/mL"),
        UnitDef("mm/h", "rate_mm_per_h", 1.0, "mm/h"),
        UnitDef("10*9/L", "cell_count", 1.0, "10⁹/L"),
        UnitDef("10*3/uL", "cell_count", 1.0, "10³/µL"),
        UnitDef("%", "ratio", 1.0, "%"),
        UnitDef("mL/min", "flow", 1.0, "mL/min"),
        UnitDef("mL/min/{1.73_m2}", "flow_per_area", 1.0, "mL/min/1.73 m²"),
    )
}

ALIASES: dict[str, str] = {
    "mcg": "ug",
    "µg": "ug",
    "μg": "ug",
    "microgram": "ug",
    "micrograms": "ug",
    "milligram": "mg",
    "milligrams": "mg",
    "gram": "g",
    "grams": "g",
    "ml": "mL",
    "iu": "[iU]",
    "IU": "[iU]",
    "unit": "[iU]",
    "units": "[iU]",
    "U": "[iU]",
    "mg/dl": "mg/dL",
    "g/dl": "g/dL",
    "g/l": "g/L",
    "mg/l": "mg/L",
    "ng/ml": "ng/mL",
    "ng/dl": "ng/dL",
    "pg/ml": "pg/mL",
    "mcg/L": "ug/L",
    "µg/L": "ug/L",
    "mcg/dL": "ug/dL",
    "µg/dL": "ug/dL",
    "mmol/l": "mmol/L",
    "umol/l": "umol/L",
    "µmol/L": "umol/L",
    "μmol/L": "umol/L",
    "micromol/L": "umol/L",
    "nmol/l": "nmol/L",
    "pmol/l": "pmol/L",
    "IU/L": "[iU]/L",
    "U/l": "U/L",
    "u/L": "U/L",
    "mIU/L": "m[IU]/L",
    "mIU/l": "m[IU]/L",
    "mU/L": "m[IU]/L",
    "uIU/mL": "u[IU]/mL",
    "µIU/mL": "u[IU]/mL",
    "μIU/mL": "u[IU]/mL",
    "mm/hr": "mm/h",
    "x10^9/L": "10*9/L",
    "10^9/L": "10*9/L",
    "x10^3/uL": "10*3/uL",
    "10^3/uL": "10*3/uL",
    "K/uL": "10*3/uL",
    "ml/min": "mL/min",
    "mL/min/1.73m2": "mL/min/{1.73_m2}",
    "mL/min/1.73 m2": "mL/min/{1.73_m2}",
    "ml/min/1.73m2": "mL/min/{1.73_m2}",
}

# Molar masses (g/mol) from IUPAC standard atomic weights; used only to convert mass to
# substance concentration for the named analyte.
MOLAR_MASS_G_PER_MOL: dict[str, float] = {
    # element: CIAAW standard atomic weights (https://www.ciaaw.org); also the weight the LOINC
    # group file gives for Calcium|Pt|Ser/Plas (17861-6 / 2000-8)
    "calcium": 40.078,
    "phosphate": 30.974,  # reported as elemental phosphorus (CIAAW)
    "magnesium": 24.305,  # CIAAW
    "creatinine": 113.12,  # C4H7N3O, PubChem CID 588
    "vitamin_d_25_hydroxy": 400.64,  # calcifediol C27H44O2, HMDB0003550 (400.6371)
    "testosterone": 288.42,  # C19H28O2, PubChem CID 6013 (288.4244)
    "albumin": 66_500.0,  # human serum albumin, about 66.5 kDa (approximate)
}

DL_PER_L = 10.0


def accepted_units() -> dict[str, str]:
    """Every accepted spelling mapped to its UCUM code (the published, tested table)."""
    table = {code: code for code in UNITS}
    table.update(ALIASES)
    return dict(sorted(table.items(), key=lambda kv: kv[0].casefold()))


def units_listed() -> JsonDict:
    """JSON Schema `examples` for a unit field: every accepted spelling (the published table)."""
    return {"examples": list(accepted_units())}


def normalize_unit(unit: str, path: str = "") -> str:
    """The UCUM code for ``unit``; raises :class:`UnitError` naming ``path`` when unknown."""
    text = unit.strip()
    if text in UNITS:
        return text
    if text in ALIASES:
        return ALIASES[text]
    raise UnitError(
        f"unknown unit {unit!r}",
        [
            Problem(
                path=path,
                expected="a UCUM unit such as mg/dL, mmol/L, ng/mL, nmol/L, pg/mL, m[IU]/L, "
                "ug, [iU] or a listed alias (`osteowedge units` lists them all)",
                got=repr(unit),
            )
        ],
    )


def convert(value: float, from_unit: str, to_unit: str, analyte: str | None = None) -> float:
    """Convert ``value`` between two accepted units.

    Mass and substance concentrations convert only when ``analyte`` has a molar mass.
    """
    src = UNITS[normalize_unit(from_unit)]
    dst = UNITS[normalize_unit(to_unit)]
    if src.dimension == dst.dimension:
        return value * src.to_base / dst.to_base
    pair = {src.dimension, dst.dimension}
    if pair == {"mass_concentration", "substance_concentration"}:
        if analyte is None or analyte not in MOLAR_MASS_G_PER_MOL:
            raise UnitError(
                f"cannot convert {from_unit} to {to_unit} without a known analyte "
                f"(known: {', '.join(sorted(MOLAR_MASS_G_PER_MOL))})"
            )
        molar_mass = MOLAR_MASS_G_PER_MOL[analyte]
        if src.dimension == "mass_concentration":
            mg_per_l = value * src.to_base * DL_PER_L
            return mg_per_l / molar_mass / dst.to_base  # g/mol == mg/mmol
        mg_per_l = value * src.to_base * molar_mass
        return mg_per_l / DL_PER_L / dst.to_base
    raise UnitError(
        f"cannot convert {from_unit} ({src.dimension}) to {to_unit} ({dst.dimension})",
        [Problem(path="", expected=f"a unit of dimension {dst.dimension}", got=from_unit)],
    )


def dimension_of(unit: str) -> Dimension:
    return UNITS[normalize_unit(unit)].dimension
