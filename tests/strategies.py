"""Hypothesis strategies for whole patient records, built to reach every safety screen.

Each drawn record comes with the truth it was built from (`Truth`): the calcium, creatinine and
alkaline phosphatase in mass units before they were encoded (mass or SI LOINC code, short or
canonical system, fresh, stale or undated), the conditions by id before they were written as an
id, a SNOMED CT or an ICD-10 code, and the months of parathyroid-hormone analogue already used.
The safety oracle (`tests/safety_oracle.py`) decides from the truth and the label records; it
never calls the engine's screening code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from osteowedge.knowledge import load_knowledge_base
from osteowedge.knowledge.schema import Condition

KB = load_knowledge_base()
AS_OF = dt.date(2026, 11, 1)
JURISDICTIONS = [None, "US", "EU", "UK", "CA", "AU", "JP"]
CONDITIONS = sorted(c.id for c in KB.of_kind(Condition))
LOINC_SYSTEMS = ["LOINC", "http://loinc.org", "loinc"]
SNOMED_SYSTEMS = ["SNOMED", "http://snomed.info/sct", "SNOMED CT"]
ICD_SYSTEMS = [
    "ICD-10",
    "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10-cm",
    "http://hl7.org/fhir/sid/icd-10",
]

# Mass <-> SI, written here independently of osteowedge.units (molar masses: calcium 40.078
# g/mol, IUPAC; creatinine 113.12 g/mol, PubChem CID 588).
CALCIUM_MMOL_PER_MG_DL = 10 / 40.078
CREATININE_UMOL_PER_MG_DL = 10_000 / 113.12


@dataclass
class Truth:
    """What a record was built from, in mass units."""

    calcium_mg_dl: float | None = None
    calcium_date: dt.date | None = None
    creatinine_mg_dl: float | None = None
    creatinine_date: dt.date | None = None
    creatinine_dated: bool = True
    alp_high: bool | None = None
    alp_date: dt.date | None = None
    conditions: dict[str, dt.date | None] = field(default_factory=dict)
    pth_months: dict[str, float] = field(default_factory=dict)
    age: int = 0
    weight_kg: float | None = None


def _day(draw: st.DrawFn, kind: str) -> dt.date | None:
    if kind == "fresh":
        return AS_OF - dt.timedelta(days=draw(st.integers(0, 40)))
    if kind == "stale":
        return AS_OF - dt.timedelta(days=draw(st.integers(200, 900)))
    return None


_FRESHNESS = st.sampled_from(["fresh", "fresh", "stale", "undated"])


def _lab(
    draw: st.DrawFn, value_mg_dl: float, mass: tuple[str, str], si: tuple[str, str, float]
) -> dict[str, Any]:
    if draw(st.booleans()):
        code, unit, value = mass[0], mass[1], value_mg_dl
    else:
        code, unit, factor = si
        value = value_mg_dl * factor
    return {
        "code": code,
        "system": draw(st.sampled_from(LOINC_SYSTEMS)),
        "value": round(value, 3),
        "unit": unit,
    }


def _condition_entry(draw: st.DrawFn, condition_id: str, onset: dt.date | None) -> dict[str, Any]:
    record = KB.typed(condition_id, Condition)
    form = draw(st.sampled_from(["id", "code"]))
    entry: dict[str, Any] = {"onset": onset.isoformat()} if onset else {}
    codes = [c for c in record.codes if c.system in ("SNOMED", "ICD-10", "ICD-10-CM")]
    if form == "id" or not codes:
        return {"id": condition_id, **entry}
    code = draw(st.sampled_from(codes))
    systems = SNOMED_SYSTEMS if code.system == "SNOMED" else ICD_SYSTEMS
    return {"code": code.code, "system": draw(st.sampled_from(systems)), **entry}


@st.composite
def records(draw: st.DrawFn) -> tuple[dict[str, Any], Truth]:
    truth = Truth()
    sex = draw(st.sampled_from(["female", "female", "male"]))
    truth.age = draw(st.integers(min_value=45, max_value=92))
    record: dict[str, Any] = {
        "id": "sweep",
        "as_of": AS_OF.isoformat(),
        "sex": sex,
        "age_years": truth.age,
        "jurisdiction": draw(st.sampled_from(JURISDICTIONS)),
    }
    if record["jurisdiction"] is None:
        del record["jurisdiction"]
    if sex == "female":
        record["menopausal_status"] = draw(
            st.sampled_from(["postmenopausal", "postmenopausal", None])
        )
        record["pregnant"] = draw(st.sampled_from([None, False, False, True]))
    truth.weight_kg = draw(st.one_of(st.none(), st.integers(40, 120).map(float)))
    if truth.weight_kg is not None:
        record["weight_kg"] = truth.weight_kg
    # glucocorticoids: long-term, so that the plan proposes drugs
    start = AS_OF - dt.timedelta(days=draw(st.integers(120, 1500)))
    meds: list[dict[str, Any]] = [
        {
            "name": draw(st.sampled_from(["Prednisone", "prednisolone", "Medrol"])),
            "dose_value": draw(st.sampled_from([5, 7.5, 10, 20, 40])),
            "dose_unit": "mg",
            "frequency": "daily",
            "route": "oral",
            "start": start.isoformat(),
        }
    ]
    # prior parathyroid-hormone analogue courses (months known)
    for drug in draw(
        st.lists(st.sampled_from(["teriparatide", "abaloparatide"]), max_size=2, unique=True)
    ):
        months = draw(st.integers(3, 30))
        end = AS_OF - dt.timedelta(days=draw(st.integers(30, 2000)))
        begin = end - dt.timedelta(days=int(months * 30.44))
        truth.pth_months[drug] = (end - begin).days / (365.25 / 12)
        meds.append(
            {
                "name": drug,
                "dose_value": 20 if drug == "teriparatide" else 80,
                "dose_unit": "ug",
                "frequency": "daily",
                "route": "subcutaneous",
                "start": begin.isoformat(),
                "end": end.isoformat(),
            }
        )
    record["medications"] = meds
    # conditions
    for condition_id in draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True)):
        onset = draw(
            st.one_of(st.none(), st.integers(0, 3000).map(lambda d: AS_OF - dt.timedelta(days=d)))
        )
        truth.conditions[condition_id] = onset
    record["conditions"] = [_condition_entry(draw, c, o) for c, o in truth.conditions.items()]
    if draw(st.booleans()):
        record["conditions"].append({"code": "999999999", "system": "http://snomed.info/sct"})
    # labs
    labs: list[dict[str, Any]] = []
    if draw(st.integers(0, 4)):
        truth.calcium_mg_dl = draw(st.floats(6.5, 11.8))
        kind = draw(_FRESHNESS)
        truth.calcium_date = _day(draw, kind)
        lab = _lab(
            draw,
            truth.calcium_mg_dl,
            ("17861-6", "mg/dL"),
            ("2000-8", "mmol/L", CALCIUM_MMOL_PER_MG_DL),
        )
        labs.append(
            {**lab, **({"date": truth.calcium_date.isoformat()} if truth.calcium_date else {})}
        )
        labs.append(
            {
                "code": "1751-7",
                "value": 4.0,
                "unit": "g/dL",
                "date": (truth.calcium_date or AS_OF).isoformat(),
            }
        )
    if draw(st.integers(0, 4)):
        truth.creatinine_mg_dl = draw(st.floats(0.5, 6.0))
        kind = draw(_FRESHNESS)
        truth.creatinine_date = _day(draw, kind)
        truth.creatinine_dated = kind != "undated"
        lab = _lab(
            draw,
            truth.creatinine_mg_dl,
            ("2160-0", "mg/dL"),
            ("14682-9", "umol/L", CREATININE_UMOL_PER_MG_DL),
        )
        labs.append(
            {
                **lab,
                **({"date": truth.creatinine_date.isoformat()} if truth.creatinine_date else {}),
            }
        )
    if draw(st.booleans()):
        truth.alp_high = draw(st.booleans())
        truth.alp_date = _day(draw, draw(_FRESHNESS))
        labs.append(
            {
                "code": "6768-6",
                "system": draw(st.sampled_from(LOINC_SYSTEMS)),
                "value": 260.0 if truth.alp_high else 80.0,
                "unit": "U/L",
                "reference_low": 40.0,
                "reference_high": 130.0,
                **({"date": truth.alp_date.isoformat()} if truth.alp_date else {}),
            }
        )
    record["labs"] = labs
    # bone density and fracture: reach every risk band
    t_score = draw(st.sampled_from([-3.5, -2.8, -2.0, -1.2]))
    record["dxa"] = [
        {
            "date": "2026-06-01",
            "regions": [
                {"region": "femoral_neck", "t_score": t_score},
                {"region": "L1-L4", "t_score": t_score},
            ],
        }
    ]
    if draw(st.booleans()):
        record["fractures"] = [
            {"site": "vertebra", "level": "L1", "date": "2026-03-01", "mechanism": "fragility"}
        ]
    return record, truth


__all__ = ["AS_OF", "KB", "Truth", "records"]
