"""Properties of the whole pipeline over random valid patient records.

- nothing raises on a valid record, and every assessment validates against the assessment schema;
- no drug whose contraindication the record shows (a contraindicating condition, a label
  population the patient is outside, pregnancy) is ever in ``plan.pharmacological``;
- a higher glucocorticoid dose never lowers the ACR risk category.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from osteowedge.assess import assess
from osteowedge.errors import InputError
from osteowedge.interfaces.cli.schema import json_schema
from osteowedge.knowledge import load_knowledge_base
from osteowedge.knowledge.schema import Drug
from osteowedge.model import PatientRecord, parse_patient
from osteowedge.model.assessment import Assessment

KB = load_knowledge_base()
AS_OF = dt.date(2026, 11, 1)
ASSESSMENT_SCHEMA = json_schema("assessment")
SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(ASSESSMENT_SCHEMA)
CONDITIONS = sorted(r.id for r in KB.section("conditions"))
SYMPTOMS = sorted(r.id for r in KB.section("symptoms"))
ORDER = {"low": 0, "moderate": 1, "high": 2, "very_high": 3}

MEDICATIONS: list[dict[str, Any]] = [
    {
        "name": "Prednisone",
        "dose_value": 10,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "oral",
    },
    {"name": "Medrol", "dose_value": 4, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {"name": "Decadron", "dose_value": 4, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {
        "name": "fluticasone",
        "dose_value": 250,
        "dose_unit": "ug",
        "frequency": "twice_daily",
        "route": "inhaled",
    },
    {
        "name": "Dilantin",
        "dose_value": 300,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "oral",
    },
    {"name": "Nexium", "dose_value": 40, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {"name": "Zoloft", "dose_value": 50, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {"name": "Arimidex", "dose_value": 1, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {
        "name": "Lupron Depot",
        "dose_value": 22.5,
        "dose_unit": "mg",
        "frequency": "every_3_months",
        "route": "intramuscular",
    },
    {"name": "warfarin", "dose_value": 5, "dose_unit": "mg", "frequency": "daily", "route": "oral"},
    {
        "name": "enoxaparin",
        "dose_value": 40,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "subcutaneous",
    },
    {
        "name": "Synthroid",
        "dose_value": 150,
        "dose_unit": "ug",
        "frequency": "daily",
        "route": "oral",
    },
    {
        "name": "Prograf",
        "dose_value": 2,
        "dose_unit": "mg",
        "frequency": "twice_daily",
        "route": "oral",
    },
    {
        "name": "alendronate",
        "dose_value": 70,
        "dose_unit": "mg",
        "frequency": "weekly",
        "route": "oral",
    },
    {
        "name": "Prolia",
        "dose_value": 60,
        "dose_unit": "mg",
        "frequency": "every_6_months",
        "route": "subcutaneous",
    },
    {
        "name": "unknownium",
        "dose_value": 1,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "oral",
    },
]
LABS: list[tuple[str, str, float, float]] = [
    ("17861-6", "mg/dL", 7.0, 11.5),  # calcium
    ("1751-7", "g/dL", 2.5, 5.0),  # albumin
    ("2160-0", "mg/dL", 0.5, 4.0),  # creatinine
    ("1989-3", "ng/mL", 5.0, 60.0),  # 25-OH vitamin D
    ("3016-3", "m[IU]/L", 0.01, 8.0),  # TSH
]


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    sex = draw(st.sampled_from(["female", "male"]))
    age = draw(st.integers(min_value=18, max_value=95))
    record: dict[str, Any] = {
        "id": "prop",
        "as_of": AS_OF.isoformat(),
        "sex": sex,
        "age_years": age,
    }
    if sex == "female":
        record["menopausal_status"] = draw(
            st.sampled_from(["premenopausal", "perimenopausal", "postmenopausal", None])
        )
        record["pregnant"] = draw(st.sampled_from([None, False, True]))
    record["weight_kg"] = draw(st.one_of(st.none(), st.floats(min_value=35, max_value=140)))
    meds = draw(st.lists(st.sampled_from(MEDICATIONS), max_size=4, unique_by=lambda m: m["name"]))
    record["medications"] = [
        {**m, "start": (AS_OF - dt.timedelta(days=draw(st.integers(0, 2000)))).isoformat()}
        for m in meds
    ]
    record["conditions"] = [
        {"id": c, "onset": (AS_OF - dt.timedelta(days=draw(st.integers(0, 1500)))).isoformat()}
        for c in draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True))
    ]
    record["symptoms"] = draw(st.lists(st.sampled_from(SYMPTOMS), max_size=3, unique=True))
    labs = draw(st.lists(st.sampled_from(LABS), max_size=5, unique_by=lambda lab: lab[0]))
    record["labs"] = [
        {
            "code": code,
            "unit": unit,
            "value": draw(st.floats(min_value=low, max_value=high)),
            "date": (AS_OF - dt.timedelta(days=draw(st.integers(0, 60)))).isoformat(),
        }
        for code, unit, low, high in labs
    ]
    if draw(st.booleans()):
        t = draw(st.floats(min_value=-4.5, max_value=1.5))
        record["dxa"] = [
            {
                "date": "2026-09-01",
                "regions": [
                    {"region": "L1-L4", "t_score": round(t, 1), "z_score": round(t + 0.5, 1)},
                    {
                        "region": "femoral_neck",
                        "t_score": round(t + 0.3, 1),
                        "z_score": round(t + 0.8, 1),
                    },
                ],
            }
        ]
    if draw(st.booleans()):
        loss = draw(st.floats(min_value=0.0, max_value=0.5))
        record["vertebral_morphometry"] = [
            {
                "date": "2026-09-01",
                "source": "radiograph",
                "reader": draw(st.sampled_from(["human", "automated"])),
                "vertebrae": [
                    {"level": "T12", "anterior_mm": 27, "middle_mm": 26, "posterior_mm": 28},
                    {
                        "level": "L1",
                        "anterior_mm": round(29 * (1 - loss), 1),
                        "middle_mm": 27,
                        "posterior_mm": 29,
                    },
                    {"level": "L2", "anterior_mm": 29, "middle_mm": 28, "posterior_mm": 30},
                ],
            }
        ]
    return record


def _parse(data: dict[str, Any]) -> PatientRecord:
    try:
        return parse_patient(data)
    except InputError:
        assume(False)
        raise


def _in_population(record: PatientRecord, population: Any) -> bool:
    if population is None:
        return True
    if population.sex and record.sex != population.sex:
        return False
    if (
        population.menopausal_status
        and record.menopausal_status not in population.menopausal_status
    ):
        return False
    if population.pregnant is not None and bool(record.pregnant) != population.pregnant:
        return False
    age = record.age_years
    if population.min_age_years is not None and (age is None or age < population.min_age_years):
        return False
    return not (
        population.max_age_years is not None and (age is None or age > population.max_age_years)
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=records())
def test_valid_records_assess_and_validate_against_the_schema(data: dict[str, Any]) -> None:
    record = _parse(data)
    result = assess(record, KB)
    dumped = result.model_dump(mode="json")
    SCHEMA_VALIDATOR.validate(dumped)
    assert Assessment.model_validate(dumped) == result
    cited = {ref.id for ref in result.references}
    for cause in result.iatrogenic_causes:
        assert set(cause.citation_ids) <= cited


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=records())
def test_no_contraindicated_drug_is_recommended(data: dict[str, Any]) -> None:
    record = _parse(data)
    result = assess(record, KB)
    condition_ids = {c.id for c in record.conditions}
    for recommendation in result.plan.pharmacological:
        drug = KB.get(recommendation.drug)
        if not isinstance(drug, Drug):
            continue
        if record.pregnant:
            raise AssertionError(f"{drug.id} recommended in pregnancy")
        for ci in drug.contraindications:
            if ci.severity != "contraindicated":
                continue
            if ci.condition and ci.within_months is None and not (ci.lab or ci.medication):
                assert ci.condition not in condition_ids, (drug.id, ci.id)
            if ci.outside_population is not None:
                assert _in_population(record, ci.outside_population), (drug.id, ci.id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=records(), low=st.floats(2.5, 40), factor=st.floats(1.0, 4.0))
def test_a_higher_glucocorticoid_dose_never_lowers_the_risk_category(
    data: dict[str, Any], low: float, factor: float
) -> None:
    def with_dose(dose: float) -> str:
        changed = {
            **data,
            "medications": [
                *data["medications"],
                {
                    "name": "prednisone",
                    "dose_value": round(dose, 2),
                    "dose_unit": "mg",
                    "frequency": "daily",
                    "route": "oral",
                    "start": "2025-01-01",
                },
            ],
        }
        return assess(_parse(changed), KB).risk.giop_category

    lower, higher = with_dose(low), with_dose(low * factor)
    if lower in ORDER and higher in ORDER:
        assert ORDER[higher] >= ORDER[lower], (lower, higher)
    if lower in ORDER:
        assert higher not in {"not_applicable"}
