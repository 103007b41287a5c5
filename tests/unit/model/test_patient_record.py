"""The patient record contract: examples valid, invalid input rejected with RFC 6901 paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.schema import json_schema
from osteowedge.model import PatientRecord, parse_patient
from osteowedge.model.validate import json_pointer
from tests.conftest import example_paths

MINIMAL: dict[str, Any] = {"id": "p1", "sex": "female", "age_years": 60}


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_are_valid(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    record = parse_patient(data)
    assert record.id == data["id"]
    jsonschema.validate(data, json_schema("patient"))


def test_there_are_at_least_six_examples_covering_the_issue() -> None:
    names = {p.stem for p in example_paths()}
    assert len(names) >= 6
    assert {
        "gc_wedge_fracture",
        "aromatase_inhibitor",
        "androgen_deprivation",
        "ppi_ssri",
        "anticonvulsant",
        "dmpa_premenopausal",
    } <= names


def test_minimal_record() -> None:
    record = parse_patient(MINIMAL)
    assert record.as_of is None and record.medications == []


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as info:
        parse_patient(data)
    return {p.path: p.expected for p in info.value.problems}


@pytest.mark.parametrize(
    ("patch", "path", "expected_fragment"),
    [
        ({"sex": "F"}, "/sex", "'female' or 'male'"),
        ({"age_years": None}, "", "birth_date or age_years"),
        (
            {"medications": [{"name": "Prednisone", "dose_value": 5, "dose_unit": "mgs"}]},
            "/medications/0/dose_unit",
            "UCUM",
        ),
        (
            {"medications": [{"name": "Prednisone", "dose_value": 5}]},
            "/medications/0",
            "dose_unit is required",
        ),
        (
            {"medications": [{"dose_value": 5, "dose_unit": "mg"}]},
            "/medications/0",
            "name, rxnorm or atc",
        ),
        (
            {"medications": [{"name": "x", "frequency": "hourly"}]},
            "/medications/0/frequency",
            "'daily'",
        ),
        ({"medications": [{"name": "x", "route": "by mouth"}]}, "/medications/0/route", "'oral'"),
        (
            {"labs": [{"code": "17861-6", "value": 9.1, "unit": "mg/decilitre"}]},
            "/labs/0/unit",
            "UCUM",
        ),
        ({"labs": [{"value": 9.1, "unit": "mg/dL"}]}, "/labs/0", "LOINC"),
        (
            {"dxa": [{"date": "2024-02-30", "regions": [{"region": "L1-L4", "t_score": -2}]}]},
            "/dxa/0/date",
            "date",
        ),
        (
            {"dxa": [{"date": "2024-02-03", "regions": [{"region": "hip"}]}]},
            "/dxa/0/regions/0/region",
            "DXA region",
        ),
        (
            {
                "vertebral_morphometry": [
                    {
                        "source": "ct",
                        "reader": "human",
                        "vertebrae": [
                            {"level": "L1", "anterior_mm": 0, "middle_mm": 20, "posterior_mm": 25}
                        ],
                    }
                ]
            },
            "/vertebral_morphometry/0/vertebrae/0/anterior_mm",
            "greater than 0",
        ),
        (
            {
                "vertebral_morphometry": [
                    {
                        "source": "ct",
                        "reader": "human",
                        "vertebrae": [
                            {
                                "level": "L1",
                                "landmarks": [[1, 2], [3, 4]],
                                "pixel_spacing_mm": [1, 1],
                            }
                        ],
                    }
                ]
            },
            "/vertebral_morphometry/0/vertebrae/0/landmarks",
            "exactly 6",
        ),
        (
            {
                "vertebral_morphometry": [
                    {
                        "source": "ct",
                        "reader": "human",
                        "vertebrae": [
                            {"level": "L9", "anterior_mm": 20, "middle_mm": 20, "posterior_mm": 25}
                        ],
                    }
                ]
            },
            "/vertebral_morphometry/0/vertebrae/0/level",
            "vertebral level",
        ),
        ({"exposures": [{"kind": "chemo"}]}, "/exposures/0/kind", "'pelvic_radiation'"),
        ({"frax": {"hip_pct": 130}}, "/frax/hip_pct", "less than or equal to 100"),
        ({"dose_unit": "mg"}, "/dose_unit", "no such field"),
    ],
)
def test_invalid_values_are_rejected_with_their_path(
    patch: dict[str, Any], path: str, expected_fragment: str
) -> None:
    data = copy.deepcopy(MINIMAL)
    data.update(patch)
    if patch.get("age_years", 0) is None:
        del data["age_years"]
    problems = _problems(data)
    assert path in problems, problems
    assert expected_fragment in problems[path]


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "id": "p2",
        "sex": "female",
        "age_years": 70,
        "medications": [{"name": "x", "dose_value": 1, "dose_unit": "??"}],
        "labs": [{"code": "1", "value": 1, "unit": "??"}],
        "ct_attenuation": [{"level": "L1", "mean_hu": 5000}],
    }
    problems = _problems(data)
    assert {"/medications/0/dose_unit", "/labs/0/unit", "/ct_attenuation/0/mean_hu"} <= set(
        problems
    )


def test_not_an_object_is_rejected() -> None:
    with pytest.raises(InputError, match="JSON object"):
        parse_patient([1, 2])


def test_men_have_no_menopausal_status() -> None:
    assert "" in _problems({"id": "m", "sex": "male", "age_years": 60, "pregnant": True})


def test_json_pointer_escapes() -> None:
    assert json_pointer(("a/b", 0, "c~d")) == "/a~1b/0/c~0d"
    assert json_pointer(()) == ""


def test_schema_matches_the_model() -> None:
    schema = json_schema("patient")
    assert schema["properties"].keys() == PatientRecord.model_json_schema()["properties"].keys()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in ("id", "sex"):
        assert name in schema["required"]


def test_schema_lists_the_accepted_units() -> None:
    from osteowedge.units import accepted_units

    defs = json_schema("patient")["$defs"]
    for model, field in (("Lab", "unit"), ("Medication", "dose_unit")):
        listed = defs[model]["properties"][field]["examples"]
        assert listed == list(accepted_units()), (model, field)
        assert {"mg/dL", "umol/L", "mg", "[iU]"} <= set(listed)
