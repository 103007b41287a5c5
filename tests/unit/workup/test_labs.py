"""Lab interpretation: units, reference ranges, freshness and the renal/calcium equations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from osteowedge.errors import InputError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Triage
from osteowedge.workup import WorkupResult, assess_workup
from osteowedge.workup.labs import ckd_epi_2021, classify, cockcroft_gault, corrected_calcium

AS_OF = dt.date(2026, 6, 1)
RECENT = "2026-05-01"
CALCIUM = "17861-6"
ALBUMIN = "1751-7"
CREATININE = "2160-0"
VITAMIN_D_MASS = "62292-8"
VITAMIN_D_MOLES = "14635-7"
TSH = "3016-3"


def lab(code: str, value: float, unit: str | None, date: str | None = RECENT, **kw: Any) -> dict:
    return {"code": code, "value": value, "unit": unit, "date": date, **kw}


def run(kb: KnowledgeBase, labs: list[dict], **fields: Any) -> WorkupResult:
    data: dict[str, Any] = {"id": "w", "sex": "male", "age_years": 55, "labs": labs, **fields}
    return assess_workup(
        parse_patient(data),
        kb,
        AS_OF,
        causes=[],
        triage=Triage(urgency="routine"),
        on_systemic_glucocorticoids=False,
    )


def finding(result: WorkupResult, test_id: str) -> Any:
    return next(f for f in result.workup.lab_findings if f.id == test_id)


def codes(result: WorkupResult) -> list[str]:
    return [w.code for w in result.notes.warnings]


# ------------------------------------------------------------------------------- CKD-EPI 2021


@pytest.mark.parametrize(
    ("sex", "age", "scr", "expected"),
    [
        # clinical-facts §8.1 P1 / §8.2: male 55, Scr 1.2: 142 x (1.2/0.9)^-1.200 x 0.9938^55
        # = 142 x 0.7081 x 0.7104 = 71.42 (kidney.org calculator: 71)
        ("male", 55, 1.2, 71.42),
        # female 60, Scr 0.7 = kappa: 142 x 1 x 1 x 0.9938^60 x 1.012 = 142 x 0.6888 x 1.012 = 98.95
        ("female", 60, 0.7, 98.95),
        ("female", 70, 1.0, 60.61),
        ("male", 40, 0.9, 110.73),
        ("male", 65, 2.0, 36.36),
        ("female", 30, 0.5, 129.32),
        ("female", 80, 1.5, 35.01),
        ("male", 75, 3.0, 21.00),
    ],
)
def test_ckd_epi_2021_vectors(
    kb: KnowledgeBase, sex: str, age: float, scr: float, expected: float
) -> None:
    assert ckd_epi_2021(kb, scr, age, sex) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("sex", "age", "weight", "scr", "expected"),
    [
        # (140 - 80) x 60 / (72 x 1.5) x 0.85 = 3600 / 108 x 0.85 = 28.33
        ("female", 80, 60.0, 1.5, 28.33),
        # (140 - 40) x 70 / (72 x 1.0) = 7000 / 72 = 97.22
        ("male", 40, 70.0, 1.0, 97.22),
    ],
)
def test_cockcroft_gault(
    kb: KnowledgeBase, sex: str, age: float, weight: float, scr: float, expected: float
) -> None:
    assert cockcroft_gault(kb, scr, age, weight, sex) == pytest.approx(expected, abs=0.01)


def test_corrected_calcium_formula(kb: KnowledgeBase) -> None:
    # 8.0 + 0.8 x (4.0 - 2.5) = 8.0 + 1.2 = 9.2 mg/dL
    assert corrected_calcium(kb, 8.0, 2.5) == pytest.approx(9.2)


# ------------------------------------------------------------------- renal function in context


def test_creatinine_in_umol_is_converted_for_egfr_and_crcl(kb: KnowledgeBase) -> None:
    # 106.08 umol/L / 88.4 = 1.2 mg/dL -> male 55: eGFR 71.42 (vector above)
    # CrCl = (140 - 55) x 80 / (72 x 1.2) = 6800 / 86.4 = 78.70 mL/min
    result = run(kb, [lab(CREATININE, 106.08, "umol/L")], weight_kg=80)
    assert result.labs.values["creatinine_egfr"] == pytest.approx(1.2, abs=1e-3)
    assert result.labs.egfr_ml_min_1_73m2 == pytest.approx(71.42, abs=0.02)
    assert result.labs.creatinine_clearance_ml_min == pytest.approx(78.70, abs=0.02)
    assert result.workup.egfr_ml_min_1_73m2 == pytest.approx(71.4)
    assert result.workup.creatinine_clearance_ml_min == pytest.approx(78.7)


def test_missing_weight_gives_egfr_but_no_crcl(kb: KnowledgeBase) -> None:
    result = run(kb, [lab(CREATININE, 1.2, "mg/dL")])
    assert result.labs.egfr_ml_min_1_73m2 is not None
    assert result.labs.creatinine_clearance_ml_min is None
    warning = next(w for w in result.notes.warnings if w.code == "weight_missing")
    assert warning.path == "/weight_kg"


def test_missing_creatinine_is_warned(kb: KnowledgeBase) -> None:
    result = run(kb, [])
    assert result.labs.egfr_ml_min_1_73m2 is None
    assert "creatinine_missing" in codes(result)


def test_age_from_birth_date_in_completed_years(kb: KnowledgeBase) -> None:
    # born 1971-06-02, as_of 2026-06-01: 54 completed years (birthday tomorrow)
    # 142 x (1.2/0.9)^-1.2 x 0.9938^54 = 71.42 / 0.9938 = 71.87
    data = {
        "id": "b",
        "sex": "male",
        "birth_date": "1971-06-02",
        "labs": [lab(CREATININE, 1.2, "mg/dL")],
    }
    result = assess_workup(
        parse_patient(data),
        kb,
        AS_OF,
        causes=[],
        triage=Triage(urgency="routine"),
        on_systemic_glucocorticoids=False,
    )
    assert result.labs.egfr_ml_min_1_73m2 == pytest.approx(71.87, abs=0.02)


# ------------------------------------------------------------------------- freshness window


@pytest.mark.parametrize(("days_old", "usable"), [(90, True), (91, False)])
def test_creatinine_freshness_window_is_90_days(
    kb: KnowledgeBase, days_old: int, usable: bool
) -> None:
    date = (AS_OF - dt.timedelta(days=days_old)).isoformat()
    result = run(kb, [lab(CREATININE, 1.2, "mg/dL", date=date)])
    assert (result.labs.egfr_ml_min_1_73m2 is not None) is usable
    assert ("lab_stale" in codes(result)) is not usable


def test_undated_lab_counts_as_missing(kb: KnowledgeBase) -> None:
    result = run(kb, [lab(CALCIUM, 9.5, "mg/dL", date=None)])
    assert "serum_calcium" not in result.labs.status
    warning = next(w for w in result.notes.warnings if w.code == "lab_undated")
    assert warning.path == "/labs/0/date"
    assert finding(result, "serum_calcium").status == "normal"


def test_latest_usable_result_wins(kb: KnowledgeBase) -> None:
    labs = [lab(CALCIUM, 8.0, "mg/dL", date="2026-04-01"), lab(CALCIUM, 9.5, "mg/dL")]
    result = run(kb, labs)
    assert result.labs.values["serum_calcium"] == pytest.approx(9.5)
    assert result.labs.dates["serum_calcium"] == dt.date(2026, 5, 1)


# ------------------------------------------------------------------ units and reference ranges


def test_calcium_in_mmol_is_judged_in_mmol_and_stored_in_mg_dl(kb: KnowledgeBase) -> None:
    # 2.0 mmol/L < 2.2 (knowledge mmol/L range): low; 2.0 x 40.078 / 10 = 8.0156 mg/dL
    result = run(kb, [lab(CALCIUM, 2.0, "mmol/L")])
    assert result.labs.status["serum_calcium"] == "low"
    assert result.labs.values["serum_calcium"] == pytest.approx(8.0156, abs=1e-4)


@pytest.mark.parametrize(
    ("value", "status"), [(8.79, "low"), (8.8, "normal"), (10.4, "normal"), (10.41, "high")]
)
def test_calcium_default_range_boundaries(kb: KnowledgeBase, value: float, status: str) -> None:
    # knowledge default 8.8-10.4 mg/dL, bounds inclusive
    assert run(kb, [lab(CALCIUM, value, "mg/dL")]).labs.status["serum_calcium"] == status


def test_laboratory_range_wins_over_default(kb: KnowledgeBase) -> None:
    # 8.7 is below the default 8.8 but within the laboratory's own 8.6-10.3
    own = lab(CALCIUM, 8.7, "mg/dL", reference_low=8.6, reference_high=10.3)
    assert run(kb, [own]).labs.status["serum_calcium"] == "normal"
    assert run(kb, [lab(CALCIUM, 8.7, "mg/dL")]).labs.status["serum_calcium"] == "low"


def test_unverified_default_range_decides_nothing(kb: KnowledgeBase) -> None:
    # the knowledge TSH range is U: without the lab's range the status is unknown
    assert run(kb, [lab(TSH, 0.01, "mIU/L")]).labs.status["tsh"] == "unknown"
    own = lab(TSH, 0.01, "mIU/L", comparator="<", reference_low=0.4, reference_high=4.0)
    assert run(kb, [own]).labs.status["tsh"] == "low"


def test_vitamin_d_in_nmol_is_converted_to_ng_ml(kb: KnowledgeBase) -> None:
    # 50 nmol/L x 400.64 g/mol = 20.03 ug/L = 20.03 ng/mL; 50 is the bottom of 50-200: normal
    result = run(kb, [lab(VITAMIN_D_MOLES, 50.0, "nmol/L")])
    assert result.labs.vitamin_d_25oh_ng_ml == pytest.approx(20.03, abs=0.01)
    assert result.labs.status["vitamin_d_25_hydroxy"] == "normal"


def test_wrong_dimension_unit_rejects_the_record_with_its_path(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError) as caught:
        run(kb, [lab(CALCIUM, 9.5, "U/L")])
    assert [p.path for p in caught.value.problems] == ["/labs/0/unit"]
    assert "mg/dL" in caught.value.problems[0].expected


def test_missing_unit_is_warned(kb: KnowledgeBase) -> None:
    result = run(kb, [lab(CALCIUM, 9.5, None)])
    assert "lab_unit_missing" in codes(result)
    assert "serum_calcium" not in result.labs.status


def test_unrecognised_lab_is_warned(kb: KnowledgeBase) -> None:
    result = run(kb, [lab("99999-9", 1.0, "mg/dL")])
    warning = next(w for w in result.notes.warnings if w.code == "lab_unrecognised")
    assert warning.path == "/labs/0"


def test_lab_found_by_name(kb: KnowledgeBase) -> None:
    result = run(kb, [{"name": "calcium", "value": 9.0, "unit": "mg/dL", "date": RECENT}])
    assert result.labs.status["serum_calcium"] == "normal"


# ------------------------------------------------------------------------- corrected calcium


def test_corrected_calcium_in_context(kb: KnowledgeBase) -> None:
    # measured 8.0 mg/dL (low), albumin 2.5 g/dL: 8.0 + 0.8 x 1.5 = 9.2 mg/dL -> normal
    result = run(kb, [lab(CALCIUM, 8.0, "mg/dL"), lab(ALBUMIN, 2.5, "g/dL")])
    assert result.labs.corrected_calcium_mg_dl == pytest.approx(9.2)
    assert result.labs.status["serum_calcium"] == "low"
    assert result.labs.status["albumin_corrected_calcium"] == "normal"
    assert finding(result, "albumin_corrected_calcium").value == pytest.approx(9.2)


def test_corrected_calcium_with_normal_albumin_stays_low(kb: KnowledgeBase) -> None:
    # albumin 4.0 = normal albumin: 8.0 + 0.8 x 0 = 8.0 -> low
    result = run(kb, [lab(CALCIUM, 8.0, "mg/dL"), lab(ALBUMIN, 4.0, "g/dL")])
    assert result.labs.status["albumin_corrected_calcium"] == "low"


def test_calcium_without_albumin_warns(kb: KnowledgeBase) -> None:
    result = run(kb, [lab(CALCIUM, 9.0, "mg/dL")])
    assert result.labs.corrected_calcium_mg_dl is None
    assert "albumin_missing" in codes(result)


# ------------------------------------------------------------------------------ comparators


@pytest.mark.parametrize(
    ("value", "comparator", "status"),
    [
        (0.4, "<", "low"),  # true value < 0.4 = below the low bound
        (0.4, "<=", "unknown"),  # could equal 0.4 (normal) or be below
        (0.5, "<", "unknown"),  # could be 0.45 (normal) or 0.1 (low)
        (4.0, ">", "high"),
        (4.0, ">=", "unknown"),
        (2.0, None, "normal"),
        (0.4, None, "normal"),
        (4.0, None, "normal"),
    ],
)
def test_classify_with_comparators(value: float, comparator: str | None, status: str) -> None:
    assert classify(value, comparator, 0.4, 4.0) == status


def test_classify_one_sided_range() -> None:
    assert classify(0.3, None, None, 0.5) == "normal"
    assert classify(0.6, None, None, 0.5) == "high"


def test_reported_egfr_is_used_when_no_creatinine(kb: KnowledgeBase) -> None:
    result = run(kb, [lab("98979-8", 48.0, "mL/min/1.73m2")])
    assert result.labs.egfr_ml_min_1_73m2 == pytest.approx(48.0)
    assert result.labs.creatinine_clearance_ml_min is None
    warning = next(w for w in result.notes.warnings if w.code == "creatinine_missing")
    assert "reported eGFR is used" in warning.message


def test_pth_in_pmol_is_judged_against_the_pmol_range(kb: KnowledgeBase) -> None:
    # 8.0 pmol/L > 6.9 (knowledge pmol/L range): high; no molar mass, so no pg/mL value is stored
    result = run(kb, [lab("2731-8", 8.0, "pmol/L")])
    assert result.labs.status["parathyroid_hormone"] == "high"
    assert "parathyroid_hormone" not in result.labs.values
