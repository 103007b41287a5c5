"""Corrections to the knowledge base, each checked against its primary source (issue: ten known
errors). Every test here fails on the data before the correction."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from osteowedge.assess import assess
from osteowedge.errors import KnowledgeError
from osteowedge.exposure.medications import index_for, recognise
from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.match import entry_conditions
from osteowedge.knowledge.schema import Cause, Contraindication, Drug, Guideline
from osteowedge.model import parse_patient
from osteowedge.model.assessment import BoneDensity, GlucocorticoidExposure
from osteowedge.model.patient import ConditionEntry, Medication
from osteowedge.risk import assess_risk

ACR = "acr_2022_giop_risk_categories"


def _cis(drug: Drug) -> list[Contraindication]:
    return [*drug.contraindications, *(c for lb in drug.labels for c in lb.contraindications)]


# -- 1. ACR 2022: no "high" category under 40 ------------------------------------------------


def test_acr_2022_has_three_categories_under_40(kb: KnowledgeBase) -> None:
    assert kb.decision_fact(ACR, "under_40_categories") == ["very_high", "moderate", "low"]
    rules = kb.decision_fact(ACR, "category_rules")
    under_40 = {r["category"] for r in rules if r["age"].startswith("<")}
    assert under_40 == {"very_high", "moderate", "low"}
    assert "acr-2022-giop.R-under40-high" not in kb.typed(ACR, Guideline).rule_ids


class _WithRules:
    """The knowledge base with the ACR category rules replaced (to test the engine's guard)."""

    def __init__(self, kb: KnowledgeBase, rules: list[dict[str, Any]]) -> None:
        self._kb, self._rules = kb, rules

    def decision_fact(self, record_id: str, name: str) -> Any:
        if (record_id, name) == (ACR, "category_rules"):
            return self._rules
        return self._kb.decision_fact(record_id, name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


def test_the_risk_engine_refuses_a_high_rule_under_40(kb: KnowledgeBase) -> None:
    stray = {
        "rule_id": "x.R-under40-high",
        "category": "high",
        "age": "< 40",
        "any_of": [{"input": "lowest_t_score", "op": "<=", "value": -2.5}],
    }
    rules = [stray, *kb.decision_fact(ACR, "category_rules")]
    record = parse_patient(
        {
            "id": "y",
            "as_of": "2026-06-01",
            "sex": "female",
            "age_years": 35,
            "menopausal_status": "premenopausal",
        }
    )
    exposure = GlucocorticoidExposure(
        current_prednisone_equivalent_mg_per_day=5.0,
        max_prednisone_equivalent_mg_per_day=5.0,
        cumulative_prednisone_equivalent_mg_last_12_months=1825.0,
        days_at_or_above=[],
    )
    density = BoneDensity(who_category="normal", lowest_t_score=-2.6, lowest_z_score=-1.0)
    with pytest.raises(KnowledgeError, match="under 40"):
        assess_risk(
            record,
            cast(KnowledgeBase, _WithRules(kb, rules)),
            dt.date(2026, 6, 1),
            glucocorticoids=exposure,
            systemic_gc_scope_met=True,
            bone_density=density,
            vertebrae=[],
        )


# -- 2. ibandronate: postmenopausal women only, no GIOP ----------------------------------------


def test_ibandronate_label_population_is_postmenopausal_women(kb: KnowledgeBase) -> None:
    drug = kb.typed("ibandronate", Drug)
    population = [c for c in _cis(drug) if c.outside_population is not None]
    assert any(
        c.outside_population is not None
        and c.outside_population.sex == "female"
        and c.outside_population.menopausal_status == ["postmenopausal"]
        and c.severity in ("contraindicated", "not_recommended")
        and {"fda_ibandronate_openfda", "ec_bonviva_smpc"} <= set(c.citations)
        for c in population
    )
    giop = [c for c in drug.contraindications if c.medication == "glucocorticoids"]
    assert giop and giop[0].severity == "not_recommended"


def _record(**extra: Any) -> Any:
    data: dict[str, Any] = {
        "id": "m1",
        "as_of": "2026-11-01",
        "sex": "male",
        "age_years": 67,
        "weight_kg": 75,
        "labs": [
            {"code": "2160-0", "value": 0.9, "unit": "mg/dL", "date": "2026-10-20"},
            {"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-10-20"},
            {"code": "62292-8", "value": 35, "unit": "ng/mL", "date": "2026-10-20"},
        ],
        "dxa": [{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -2.9}]}],
    }
    data.update(extra)
    return parse_patient(data)


def test_ibandronate_is_not_proposed_for_a_man(kb: KnowledgeBase) -> None:
    a = assess(_record(), kb)
    assert "ibandronate" not in {d.drug for d in a.plan.pharmacological}
    assert "ibandronate" in {d.drug for d in a.plan.avoid}


# -- 3. alendronate: the FDA label's GIOP doses ------------------------------------------------


def test_alendronate_carries_the_labelled_giop_doses(kb: KnowledgeBase) -> None:
    doses = kb.typed("alendronate", Drug).alternative_doses
    giop = [d for d in doses if "glucocorticoid" in (d.text or "")]
    assert {(d.value, d.unit) for d in giop} == {(5, "mg"), (10, "mg")}
    assert any("oestrogen" in (d.text or "") and d.value == 10 for d in giop)


# -- 4. hydrochlorothiazide: anuria and sulfonamide allergy ------------------------------------


def test_hydrochlorothiazide_label_contraindications(kb: KnowledgeBase) -> None:
    cis = {c.condition: c for c in kb.typed("hydrochlorothiazide", Drug).contraindications}
    for condition in ("anuria", "sulfonamide_allergy"):
        assert cis[condition].severity == "contraindicated"
        assert "fda_microzide_label" in cis[condition].citations


@pytest.mark.parametrize(
    ("code", "system", "condition"),
    [("Z88.2", "ICD-10-CM", "sulfonamide_allergy"), ("R34", "ICD-10", "anuria")],
)
def test_the_new_conditions_resolve_from_their_codes(
    kb: KnowledgeBase, code: str, system: str, condition: str
) -> None:
    assert condition in entry_conditions(ConditionEntry(code=code, system=system), kb)


# -- 5. calcitonin: EMA 2012 referral, 4 weeks at most for immobilisation bone loss ------------


def test_calcitonin_duration_follows_the_ema_referral(kb: KnowledgeBase) -> None:
    drug = kb.typed("calcitonin", Drug)
    limit = drug.max_duration_months
    assert limit is not None and float(limit.value) < 1.0
    assert "ema_2012_calcitonin_referral" in limit.citations
    ref = kb.references["ema_2012_calcitonin_referral"]
    assert ref.url == "https://www.ema.europa.eu/en/medicines/human/referrals/calcitonin"


# -- 6. oncology products apart from the osteoporosis products ---------------------------------


def test_no_brand_is_claimed_by_two_records(kb: KnowledgeBase) -> None:
    owner: dict[str, str] = {}
    for record in [*kb.of_kind(Drug), *kb.of_kind(Cause)]:
        for ingredient in record.ingredients:
            for brand in ingredient.brands:
                key = brand.casefold()
                assert owner.setdefault(key, record.id) == record.id, (brand, owner[key], record.id)


@pytest.mark.parametrize(
    ("name", "record_id"),
    [
        ("Zometa 4 mg", "zoledronic_acid_oncology"),
        ("Xgeva 120 mg", "denosumab_oncology"),
        ("Wyost", "denosumab_oncology"),
        ("Reclast", "zoledronic_acid"),
        ("Aclasta", "zoledronic_acid"),
        ("Prolia", "denosumab"),
        ("Jubbonti", "denosumab"),
        ("denosumab 60 mg", "denosumab"),
        ("zoledronic acid", "zoledronic_acid"),
    ],
)
def test_products_are_recognised_as_the_right_record(
    kb: KnowledgeBase, name: str, record_id: str
) -> None:
    match = recognise(index_for(kb), Medication(name=name))
    assert match is not None and match.record_id == record_id


def test_oncology_products_are_not_osteoporosis_regimens(kb: KnowledgeBase) -> None:
    for record_id, dose in (("zoledronic_acid_oncology", 4), ("denosumab_oncology", 120)):
        drug = kb.typed(record_id, Drug)
        assert not drug.is_osteoporosis_therapy
        assert drug.dose.value == dose
        assert "pharmacological" not in drug.sections
    # a patient on an oncology product is not given a second bone drug on top of it
    for drug_id in ("zoledronic_acid", "denosumab", "alendronate", "teriparatide"):
        meds = {c.medication for c in kb.typed(drug_id, Drug).contraindications}
        assert {"zoledronic_acid_oncology", "denosumab_oncology"} <= meds, drug_id


def test_a_patient_on_xgeva_is_not_offered_denosumab_60_mg(kb: KnowledgeBase) -> None:
    xgeva = {"name": "Xgeva", "product": "Xgeva", "start": "2026-01-01", "route": "subcutaneous"}
    a = assess(_record(medications=[xgeva]), kb)
    recommended = {d.drug for d in a.plan.pharmacological}
    assert "denosumab" not in recommended
    assert "denosumab_oncology" not in recommended


# -- 7. budesonide ATC codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("med", "atc"),
    [
        (Medication(atc="A07EA06"), "A07EA06"),
        (Medication(name="Entocort EC 3 mg"), "A07EA06"),
        (Medication(name="Pulmicort Turbohaler"), "R03BA02"),
    ],
)
def test_budesonide_products_carry_their_own_atc(
    kb: KnowledgeBase, med: Medication, atc: str
) -> None:
    match = recognise(index_for(kb), med)
    assert match is not None and match.record_id == "glucocorticoids"
    assert match.ingredient == "budesonide" and match.ingredient_atc == atc


# -- 8. interactions and combinations ----------------------------------------------------------


def test_serms_and_oestrogen_are_not_combined_with_aromatase_inhibitors(kb: KnowledgeBase) -> None:
    for drug_id in ("raloxifene", "bazedoxifene", "hormone_replacement_therapy"):
        cis = kb.typed(drug_id, Drug).contraindications
        assert any(
            c.medication == "aromatase_inhibitors" and c.severity != "caution" for c in cis
        ), drug_id


def test_raloxifene_label_interactions(kb: KnowledgeBase) -> None:
    drug = kb.typed("raloxifene", Drug)
    assert any(c.medication == "vitamin_k_antagonists" for c in drug.contraindications)
    text = " ".join(drug.interactions).casefold()
    assert "cholestyramine" in text and "warfarin" in text


def test_strontium_and_zoledronic_acid_interactions(kb: KnowledgeBase) -> None:
    strontium = " ".join(kb.typed("strontium_ranelate", Drug).interactions).casefold()
    assert "tetracycline" in strontium and "quinolone" in strontium
    zoledronic = " ".join(kb.typed("zoledronic_acid", Drug).interactions).casefold()
    assert "aminoglycoside" in zoledronic and "hypocalcaemia" in zoledronic


# -- 9. strontium inflates DXA BMD -------------------------------------------------------------


def test_strontium_dxa_artefact_is_a_cited_fact(kb: KnowledgeBase) -> None:
    fact = kb.fact("strontium_dxa_artefact", "share_of_bmd_gain_from_strontium_pct")
    assert fact.value == 50 and fact.verification == "V2" and fact.citations
    assert "strontium_dxa_artefact" in kb.typed("strontium_ranelate", Drug).related


# -- 10. guideline references ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref_id", "doi"),
    [
        ("gregson_2022_nogg", "10.1007/s11657-022-01061-5"),
        ("eastell_2019_endocrine_society", "10.1210/jc.2019-00221"),
        ("kdigo_2017_ckd_mbd", "10.1016/j.kisu.2017.04.001"),
        ("camacho_2020_aace_postmenopausal", None),
        ("shoback_2020_endocrine_society_update", None),
    ],
)
def test_guideline_references_are_present(kb: KnowledgeBase, ref_id: str, doi: str | None) -> None:
    ref = kb.references[ref_id]
    assert ref.doi == doi
    assert any(f'"{ref_id}"' in r.model_dump_json() for r in kb.records.values()), "cited"
