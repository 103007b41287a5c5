"""Each cause's threshold rule: positive and negative scenarios and boundaries."""

from __future__ import annotations

import pytest

from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids

from .helpers import cause, med, run, warning_codes


def oral(name: str, start: str | None = None, end: str | None = None, **kw: object) -> dict:
    return med(name, route=kw.pop("route", "oral"), start=start, end=end, **kw)


# -- current use ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "meets"),
    [
        (None, True),  # ongoing
        ("2026-11-01", True),  # ends on as_of: still current
        ("2026-10-31", False),  # ended the day before
    ],
)
def test_current_use(kb: KnowledgeBase, end: str | None, meets: bool) -> None:
    result = run(kb, medications=[oral("Zoloft", "2026-01-01", end)])
    assert cause(result, "ssris").meets_threshold is meets


def test_current_use_other_causes(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            oral("Dilantin", "2010-01-01"),
            oral("Arimidex", "2025-01-01"),
            oral("Zoladex", "2025-01-01", route="subcutaneous"),
            oral("Prograf", "2025-01-01"),
        ],
    )
    for cause_id in (
        "anticonvulsants",
        "aromatase_inhibitors",
        "gnrh_agonists",
        "calcineurin_inhibitors",
    ):
        assert cause(result, cause_id).meets_threshold is True


# -- minimum durations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "meets"),
    [
        ("2025-11-02", True),  # 2025-11-02 .. 2026-11-01 = 365 days: at least one year
        ("2025-11-03", False),  # 364 days
    ],
)
def test_ppi_one_year_boundary(kb: KnowledgeBase, start: str, meets: bool) -> None:
    result = run(kb, medications=[oral("Prilosec", start)])
    assert cause(result, "proton_pump_inhibitors").meets_threshold is meets


def test_ppi_courses_join_without_double_counting(kb: KnowledgeBase) -> None:
    # omeprazole 2025-11-02..2026-04-30 = 29 + 31 + 31 + 28 + 31 + 30 = 180 days
    # pantoprazole 2026-05-01..as_of = 31 + 30 + 31 + 31 + 30 + 31 + 1 = 185 days; 365 in all
    joined = run(
        kb,
        medications=[
            oral("omeprazole", "2025-11-02", "2026-04-30"),
            oral("pantoprazole", "2026-05-01"),
        ],
    )
    assert cause(joined, "proton_pump_inhibitors").meets_threshold is True
    # the same 305 days twice (2026-01-01..2026-11-01) is still 305 days
    overlapping = run(
        kb, medications=[oral("omeprazole", "2026-01-01"), oral("pantoprazole", "2026-01-01")]
    )
    assert cause(overlapping, "proton_pump_inhibitors").meets_threshold is False


@pytest.mark.parametrize(
    ("start", "meets"),
    [
        ("2024-11-01", True),  # 365 + 365 + 1 = 731 days > 730
        ("2024-11-02", False),  # 730 days: not more than 2 years
    ],
)
def test_dmpa_more_than_two_years(kb: KnowledgeBase, start: str, meets: bool) -> None:
    result = run(kb, medications=[oral("Depo-Provera", start, route="intramuscular")])
    assert cause(result, "depot_medroxyprogesterone").meets_threshold is meets


def test_dmpa_oral_route_does_not_count(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("medroxyprogesterone acetate", "2015-01-01")])
    assert cause(result, "depot_medroxyprogesterone").meets_threshold is False


def test_dmpa_without_route_is_unknown(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[med("Depo-Provera", start="2015-01-01")])
    assert cause(result, "depot_medroxyprogesterone").meets_threshold is None
    assert ("missing_route", "/medications/0/route") in warning_codes(result)


@pytest.mark.parametrize(
    ("start", "meets"),
    [
        # 2023-11-02..2024-11-01 = 366 days (29 Feb 2024), then 365 + 365: 1096 days > 1095
        ("2023-11-02", True),
        ("2023-11-03", False),  # 1095 days: not more than 3 years
    ],
)
def test_loop_diuretic_more_than_three_years(kb: KnowledgeBase, start: str, meets: bool) -> None:
    result = run(kb, medications=[oral("Lasix", start)])
    assert cause(result, "loop_diuretics").meets_threshold is meets


@pytest.mark.parametrize(("start", "meets"), [("2025-11-02", True), ("2025-11-03", False)])
def test_warfarin_one_year_or_more(kb: KnowledgeBase, start: str, meets: bool) -> None:
    result = run(kb, medications=[oral("Coumadin", start)])
    assert cause(result, "vitamin_k_antagonists").meets_threshold is meets


def test_duration_without_start_is_unknown(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Nexium")])
    assert cause(result, "proton_pump_inhibitors").meets_threshold is None
    assert ("missing_start", "/medications/0/start") in warning_codes(result)


def test_evidence_reads_as_sentences_with_interval_and_population(kb: KnowledgeBase) -> None:
    c = cause(run(kb, medications=[oral("Nexium", "2024-01-01")]), "proton_pump_inhibitors")
    level, first = c.evidence.split(". ")[:2]
    assert level.endswith(" evidence") and level[0].isupper()
    measure = first.split(":")[0]
    assert measure[0].isupper() and "(CI " in first and first.endswith("]")


# -- heparin: UFH vs LMWH ------------------------------------------------------------------


def test_unfractionated_heparin(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("heparin", "2026-01-01", route="subcutaneous")])
    c = cause(result, "heparin")
    assert c.meets_threshold is None  # long-term UFH, no cited threshold: clinician judges
    assert "UFH" in c.evidence and "LMWH" not in c.evidence.split(".")[1]
    assert any("unfractionated" in r for r in c.reasons)


def test_low_molecular_weight_heparin(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Lovenox", "2026-01-01", route="subcutaneous")])
    c = cause(result, "heparin")
    assert c.meets_threshold is False
    assert "LMWH" in c.evidence
    assert any("low-molecular-weight" in r for r in c.reasons)


# -- antipsychotics -------------------------------------------------------------------------


PROLACTIN = "2842-3"


def test_prolactin_raising_depot_counts(kb: KnowledgeBase) -> None:
    for name in ("Haldol Decanoate", "Invega Sustenna"):
        result = run(kb, medications=[oral(name, "2026-01-01", route="intramuscular")])
        assert cause(result, "depot_antipsychotics").meets_threshold is True


def test_aripiprazole_depot_does_not_count(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Abilify Maintena", "2026-01-01", route="intramuscular")])
    assert cause(result, "depot_antipsychotics").meets_threshold is False


@pytest.mark.parametrize(("value", "meets"), [(40.0, True), (25.0, False), (20.0, False)])
def test_olanzapine_depot_needs_raised_prolactin(
    kb: KnowledgeBase, value: float, meets: bool
) -> None:
    # laboratory range 4-25 ng/mL: 25 is the upper limit (not raised), 40 is raised
    labs = [
        {
            "code": PROLACTIN,
            "value": value,
            "unit": "ng/mL",
            "date": "2026-10-01",
            "reference_low": 4,
            "reference_high": 25,
        }
    ]
    result = run(
        kb, medications=[oral("Zyprexa Relprevv", "2026-01-01", route="intramuscular")], labs=labs
    )
    assert cause(result, "depot_antipsychotics").meets_threshold is meets


def test_olanzapine_depot_without_prolactin_is_unknown(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Zyprexa Relprevv", "2026-01-01", route="intramuscular")])
    assert cause(result, "depot_antipsychotics").meets_threshold is None
    assert ("missing_lab", "/labs") in warning_codes(result)


@pytest.mark.parametrize(
    ("name", "route", "meets"),
    [
        ("Risperdal", "oral", False),  # oral: listed, not counted under this item
        ("risperidone", "intramuscular", True),  # injected long-acting risperidone
        ("Haldol", "oral", False),
        ("Abilify", "intramuscular", False),  # not prolactin-raising
    ],
)
def test_antipsychotic_generic_names(kb: KnowledgeBase, name: str, route: str, meets: bool) -> None:
    result = run(kb, medications=[oral(name, "2026-01-01", route=route)])
    assert cause(result, "depot_antipsychotics").meets_threshold is meets
    assert ("unrecognised_medication", "/medications/0") not in warning_codes(result)


def test_oral_antipsychotic_depot_ingredient_does_not_count(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("paliperidone palmitate", "2026-01-01")])
    assert cause(result, "depot_antipsychotics").meets_threshold is False


# -- levothyroxine ------------------------------------------------------------------------


TSH = "3016-3"


def tsh(value: float, comparator: str | None = None, ref: bool = True, **kw: object) -> dict:
    lab: dict = {"code": TSH, "value": value, "unit": "mIU/L", "date": "2026-10-01"}
    if comparator:
        lab["comparator"] = comparator
    if ref:
        lab.update(reference_low=0.4, reference_high=4.0)
    lab.update(kw)
    return lab


@pytest.mark.parametrize(
    ("lab", "meets"),
    [
        (tsh(0.01), True),  # below the laboratory's 0.4
        (tsh(0.39), True),
        (tsh(0.4), False),  # at the low limit: not below it
        (tsh(1.2), False),
        (tsh(0.01, "<"), True),  # "< 0.01" is below 0.4
        # no laboratory range: the cited cut-offs decide (suppressed < 0.03; >= 0.04 not a risk)
        (tsh(0.02, ref=False), True),
        (tsh(0.03, ref=False), None),  # 0.03 is not below 0.03, and below 0.04: cannot tell
        (tsh(0.04, ref=False), False),
        (tsh(0.03, "<", ref=False), True),  # "< 0.03": below 0.03
        (tsh(0.5, ">", ref=False), False),
    ],
)
def test_levothyroxine_counts_only_with_suppressed_tsh(
    kb: KnowledgeBase, lab: dict, meets: bool | None
) -> None:
    result = run(kb, medications=[oral("Synthroid", "2020-01-01")], labs=[lab])
    assert cause(result, "thyroxine_over_replacement").meets_threshold is meets


def test_levothyroxine_without_tsh(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("levothyroxine", "2020-01-01")])
    c = cause(result, "thyroxine_over_replacement")
    assert c.meets_threshold is None
    assert ("missing_lab", "/labs") in warning_codes(result)
    assert "tsh" in c.knowledge_ids


def test_latest_tsh_wins(kb: KnowledgeBase) -> None:
    labs = [
        tsh(0.01, date="2025-01-01"),
        tsh(1.5, date="2026-09-01"),
        tsh(0.01, date="2026-12-01"),
    ]  # after as_of: ignored
    result = run(kb, medications=[oral("Synthroid", "2020-01-01")], labs=labs)
    assert cause(result, "thyroxine_over_replacement").meets_threshold is False


# -- other per-ingredient rules -----------------------------------------------------------


def test_sglt2_only_canagliflozin_counts(kb: KnowledgeBase) -> None:
    assert (
        cause(
            run(kb, medications=[oral("Invokana", "2026-01-01")]), "sglt2_inhibitors"
        ).meets_threshold
        is True
    )
    assert (
        cause(
            run(kb, medications=[oral("Jardiance", "2026-01-01")]), "sglt2_inhibitors"
        ).meets_threshold
        is False
    )


def test_methotrexate_weekly_is_listed_not_counted(kb: KnowledgeBase) -> None:
    weekly = run(
        kb,
        medications=[
            oral("methotrexate", "2021-01-01", frequency="weekly", dose_value=15, dose_unit="mg")
        ],
    )
    assert cause(weekly, "chemotherapy").meets_threshold is False
    iv = run(kb, medications=[oral("methotrexate", "2026-01-01", route="intravenous")])
    assert cause(iv, "chemotherapy").meets_threshold is None


def test_chemotherapy_any_course(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Cytoxan", "2024-01-01", "2024-06-01", route="intravenous")])
    assert cause(result, "chemotherapy").meets_threshold is True


def test_thiazolidinedione_has_no_threshold(kb: KnowledgeBase) -> None:
    result = run(kb, medications=[oral("Actos", "2020-01-01")])
    assert cause(result, "thiazolidinediones").meets_threshold is None


# -- non-drug exposures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cause_id", "meets"),
    [
        ("pelvic_radiation", "pelvic_radiation", True),
        ("organ_transplantation", "organ_transplantation", True),
        ("parenteral_nutrition", "parenteral_nutrition", None),
        ("immobilization", "immobilization", None),
        ("spinal_surgery", "immobilization", None),
    ],
)
def test_exposures(kb: KnowledgeBase, kind: str, cause_id: str, meets: bool | None) -> None:
    result = run(kb, exposures=[{"kind": kind, "start": "2025-01-01"}])
    c = cause(result, cause_id)
    assert c.meets_threshold is meets
    assert c.exposures == [kind]


def test_no_medications_no_causes(kb: KnowledgeBase) -> None:
    result = run(kb)
    assert result.causes == () and result.glucocorticoids is None
    assert result.notes.warnings == ()


def test_every_cause_is_cited(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        medications=[
            oral("Prednisone", "2026-01-01", dose_value=5, dose_unit="mg", frequency="daily"),
            oral("Nexium", "2020-01-01"),
            oral("Lovenox", "2026-01-01", route="subcutaneous"),
        ],
        exposures=[{"kind": "pelvic_radiation"}],
    )
    assert len(result.causes) == 4
    for c in result.causes:
        assert c.id in c.knowledge_ids and "exposure_rules" in c.knowledge_ids
        assert c.citation_ids and c.citation_ids == citation_ids(kb, c.knowledge_ids)
    rules = {t.rule_id for t in result.notes.trace}
    assert "exposure.cause.heparin" in rules and "glucocorticoid_scope.R-in-scope" in rules
