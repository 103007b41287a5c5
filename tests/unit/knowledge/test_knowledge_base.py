"""The knowledge base: every record valid, cited, linked, and the whole source article present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge import KnowledgeBase, loader
from osteowedge.knowledge.match import entry_conditions, name_key
from osteowedge.knowledge.schema import (
    SECTIONS,
    Cause,
    Condition,
    Drug,
    Faq,
    Guideline,
    RecordBase,
    Therapy,
)
from osteowedge.model.patient import ConditionEntry
from tests.unit.knowledge.source_article_items import ARTICLE_ITEMS, SEARCH_SYNONYMS

CONTRACT_IDS = {
    "causes": [
        "glucocorticoids",
        "anticonvulsants",
        "proton_pump_inhibitors",
        "ssris",
        "thiazolidinediones",
        "heparin",
        "vitamin_k_antagonists",
        "aromatase_inhibitors",
        "gnrh_agonists",
        "chemotherapy",
        "depot_medroxyprogesterone",
        "calcineurin_inhibitors",
        "loop_diuretics",
        "sglt2_inhibitors",
        "thyroxine_over_replacement",
        "depot_antipsychotics",
        "pelvic_radiation",
        "parenteral_nutrition",
        "immobilization",
        "organ_transplantation",
    ],
    "pharmacological": [
        "alendronate",
        "risedronate",
        "ibandronate",
        "zoledronic_acid",
        "denosumab",
        "teriparatide",
        "abaloparatide",
        "romosozumab",
        "raloxifene",
        "bazedoxifene",
        "calcitonin",
        "hormone_replacement_therapy",
        "strontium_ranelate",
        "sodium_fluoride",
        "calcium_carbonate",
        "calcium_citrate",
        "cholecalciferol",
        "ergocalciferol",
        "hydrochlorothiazide",
        "menatetrenone",
    ],
    "diagnoses": [
        "iatrogenic_osteopenia",
        "osteoporosis",
        "vertebral_fracture",
        "iatrogenic_osteopenia_associated_vertebral_wedging",
    ],
    "laboratory_tests": ["serum_calcium", "vitamin_d_25_hydroxy", "creatinine_egfr", "tsh"],
    "imaging_tests": ["dxa", "vfa", "spine_radiograph", "mri_spine"],
    "exposure_kinds": [
        "pelvic_radiation",
        "parenteral_nutrition",
        "immobilization",
        "organ_transplantation",
        "spinal_surgery",
    ],
    "conditions": [
        "chronic_kidney_disease",
        "hypocalcemia",
        "esophageal_disorder",
        "myocardial_infarction",
        "stroke",
        "venous_thromboembolism",
        "rheumatoid_arthritis",
        "hyperthyroidism",
        "breast_cancer",
        "prostate_cancer",
        "malignancy",
        "epilepsy",
        "diabetes_type_2",
    ],
}

ARTICLE_CASES = [
    pytest.param(section, name, record_id, id=f"{section}:{record_id}:{name}")
    for section, items in ARTICLE_ITEMS.items()
    for name, record_id in items
]


def test_loads_with_a_version(kb: KnowledgeBase) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", kb.knowledge_version)
    assert len(kb) > 200


def test_version_hash_follows_content(tmp_path: Path) -> None:
    for path in loader.data_dir().glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    first = loader.load_from(tmp_path).knowledge_version
    target = tmp_path / "references_core.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert loader.load_from(tmp_path).knowledge_version != first


@pytest.mark.parametrize(("section", "name", "record_id"), ARTICLE_CASES)
def test_every_article_item_is_a_cited_record(
    kb: KnowledgeBase, section: str, name: str, record_id: str
) -> None:
    record = kb.get(record_id)
    assert section in record.sections
    assert record.citations, "at least one citation"
    assert "source_article" in record.citations
    assert record.source_label, "the article's words for the item"
    assert record_id in [r.id for r in kb.search(name)], f"kb search {name!r}"


def test_section_sizes_match_the_article(kb: KnowledgeBase) -> None:
    for section, items in ARTICLE_ITEMS.items():
        ids = {record_id for _, record_id in items}
        in_section = {r.id for r in kb.section(section)}
        assert ids <= in_section, section
    assert len(kb.section("causes")) == 20
    assert len(kb.section("symptoms")) == 20
    assert len(kb.section("pharmacological")) == 20
    assert len(kb.section("dietary_supplements")) == 10
    assert len(kb.section("regenerative_cellular_therapies")) == 10
    assert len(kb.section("surgical_procedures")) == 10
    assert len(kb.section("prevention_strategies")) == 10
    assert len(kb.section("physiotherapy_electrotherapy")) == 15
    assert len(kb.section("faqs")) == 15


@pytest.mark.parametrize(
    ("section", "record_id"),
    [(s, i) for s, ids in CONTRACT_IDS.items() for i in ids],
)
def test_contract_ids_exist(kb: KnowledgeBase, section: str, record_id: str) -> None:
    assert section in kb.get(record_id).sections


@pytest.mark.parametrize(("term", "record_id"), sorted(SEARCH_SYNONYMS.items()))
def test_search_finds_common_synonyms(kb: KnowledgeBase, term: str, record_id: str) -> None:
    assert record_id in [r.id for r in kb.search(term)]
    assert record_id in [r.id for r in kb.search(term.lower())]


def test_search_ranks_exact_matches_first(kb: KnowledgeBase) -> None:
    assert kb.search("alendronate")[0].id == "alendronate"
    assert kb.search("") == ()
    assert kb.search("no such thing in bone medicine") == ()


def test_every_record_cites_known_references(kb: KnowledgeBase) -> None:
    for record in kb.records.values():
        assert record.citations
        for ref_id in record.citations:
            assert ref_id in kb.references


def test_every_reference_has_a_locator_and_is_cited(kb: KnowledgeBase) -> None:
    cited = {ref.id for ref in kb.cited_references(kb.records)}
    for ref in kb.references.values():
        assert ref.url or ref.doi or ref.pmid
    assert "source_article" in cited


def test_dangling_ids_are_refused() -> None:
    from osteowedge.knowledge.schema import Evidence, Symptom

    record = Symptom(
        kind="symptom",
        id="x_symptom",
        sections=["symptoms"],
        name="X",
        summary="A made-up symptom for the test.",
        citations=["missing_ref"],
        evidence=Evidence(level="expert_opinion"),
        description="none",
        related=["missing_record"],
    )
    with pytest.raises(KnowledgeError, match="missing_ref") as info:
        KnowledgeBase.build([record], [], "t")
    assert "missing_record" in str(info.value)


def test_duplicate_ids_are_refused(kb: KnowledgeBase) -> None:
    record = kb.get("alendronate")
    with pytest.raises(KnowledgeError, match="duplicate knowledge id 'alendronate'"):
        KnowledgeBase.build([record, record], list(kb.references.values()), "t")  # type: ignore[list-item]


def test_invalid_yaml_names_file_and_path(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "records:\n  - kind: symptom\n    id: Not-Snake\n    sections: [symptoms]\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        loader.load_from(tmp_path)
    message = str(info.value)
    assert "bad.yaml" in message
    assert "/records/0/symptom/id" in message


def test_sections_are_all_known(kb: KnowledgeBase) -> None:
    for record in kb.records.values():
        assert set(record.sections) <= set(SECTIONS)


def test_unverified_facts_never_decide(kb: KnowledgeBase) -> None:
    unverified = [
        (g.id, name)
        for g in kb.of_kind(Guideline)
        for name, f in g.facts.items()
        if f.verification == "U"
    ]
    assert unverified, "the knowledge base records at least one unverified fact"
    record_id, name = unverified[0]
    with pytest.raises(KnowledgeError, match="unverified"):
        kb.decision_fact(record_id, name)


def test_decision_facts_needed_later_are_verified(kb: KnowledgeBase) -> None:
    for guideline in kb.of_kind(Guideline):
        for name, fact in guideline.facts.items():
            if fact.verification != "U":
                assert kb.decision_fact(guideline.id, name) == fact.value


def test_the_two_listed_drugs_are_one_record(kb: KnowledgeBase) -> None:
    for drug_id in ("alendronate", "zoledronic_acid", "teriparatide", "abaloparatide"):
        record = kb.typed(drug_id, Drug)
        assert {"pharmacological", "regenerative_cellular_therapies"} <= set(record.sections)
    assert "dietary_supplements" in kb.get("cholecalciferol").sections
    assert "dietary_supplements" in kb.get("menatetrenone").sections


def _notes(record: RecordBase) -> set[str]:
    return {note.kind for note in record.safety_notes}


def test_outdated_and_unsafe_claims_are_flagged(kb: KnowledgeBase) -> None:
    teriparatide = kb.typed("teriparatide", Drug)
    assert "outdated" in _notes(teriparatide)
    assert teriparatide.max_duration_months is None or (
        teriparatide.max_duration_months.verification != "U"
    )
    assert kb.typed("strontium_ranelate", Drug).status == "withdrawn_or_restricted"
    assert kb.typed("calcitonin", Drug).status == "withdrawn_or_restricted"
    assert kb.typed("sodium_fluoride", Drug).status == "not_recommended"
    hctz = kb.typed("hydrochlorothiazide", Drug)
    assert not hctz.is_osteoporosis_therapy
    assert "outdated" in _notes(kb.typed("faq_teriparatide_long_term", Faq))


@pytest.mark.parametrize(
    "record_id",
    [
        "mesenchymal_stem_cell_therapy",
        "adipose_derived_stem_cells",
        "platelet_rich_plasma",
        "bmp_2",
        "hydroxyapatite_nanoparticles",
        "hyaluronic_acid_injection",
        "magnetic_field_therapy",
    ],
)
def test_investigational_therapies_are_never_standard(kb: KnowledgeBase, record_id: str) -> None:
    record = kb.typed(record_id, Therapy)
    assert record.status == "investigational"
    assert "investigational" in _notes(record)


@pytest.mark.parametrize("record_id", ["high_impact_drills", "traction_therapy"])
def test_unsafe_after_vertebral_fracture(kb: KnowledgeBase, record_id: str) -> None:
    record = kb.typed(record_id, Therapy)
    assert any(
        ci.vertebral_fracture and ci.severity == "contraindicated"
        for ci in record.contraindications
    )
    assert "unsafe" in _notes(record)


def test_loaded_spinal_flexion_is_flagged(kb: KnowledgeBase) -> None:
    record = kb.typed("resistance_training", Therapy)
    assert "unsafe" in _notes(record)
    assert any(ci.vertebral_fracture for ci in record.contraindications)


@pytest.mark.parametrize("record_id", ["menatetrenone", "coenzyme_q10"])
def test_warfarin_interactions_are_structured(kb: KnowledgeBase, record_id: str) -> None:
    record = kb.get(record_id)
    contraindications = getattr(record, "contraindications", [])
    assert any(ci.medication == "vitamin_k_antagonists" for ci in contraindications)


def test_renal_cutoffs_say_crcl_or_egfr(kb: KnowledgeBase) -> None:
    alendronate = kb.typed("alendronate", Drug)
    assert alendronate.renal_cutoff is not None
    assert alendronate.renal_cutoff.measure == "crcl"
    assert alendronate.renal_cutoff.below_ml_min == 35
    zoledronic = kb.typed("zoledronic_acid", Drug)
    assert zoledronic.renal_cutoff is not None and zoledronic.renal_cutoff.below_ml_min == 35


def test_romosozumab_labels_differ_on_cardiovascular_history(kb: KnowledgeBase) -> None:
    romosozumab = kb.typed("romosozumab", Drug)
    by_label = {
        lb.jurisdiction: {
            ci.condition: ci.within_months
            for ci in lb.contraindications
            if ci.severity == "contraindicated"
        }
        for lb in romosozumab.labels
    }
    # US boxed warning: not within the preceding year; EU SmPC: any history
    assert by_label["US"] == {"myocardial_infarction": 12, "stroke": 12}
    assert by_label["EU"] == {"myocardial_infarction": None, "stroke": None}
    us = next(lb for lb in romosozumab.labels if lb.jurisdiction == "US")
    # older history: the US boxed warning's risk-benefit caution
    cautions = {ci.condition for ci in us.contraindications if ci.severity == "caution"}
    assert cautions == {"myocardial_infarction", "stroke"}


def test_serms_are_for_postmenopausal_women_only(kb: KnowledgeBase) -> None:
    for drug_id in ("raloxifene", "bazedoxifene", "hormone_replacement_therapy"):
        drug = kb.typed(drug_id, Drug)
        labels = [ci.outside_population for ci in drug.contraindications if ci.outside_population]
        assert any(
            p.sex == "female" and p.menopausal_status == ["postmenopausal"] for p in labels
        ), drug_id
        assert any(ci.condition == "venous_thromboembolism" for ci in drug.contraindications)


def test_causes_carry_structured_recognition_data(kb: KnowledgeBase) -> None:
    for cause in kb.of_kind(Cause):
        assert cause.mechanism
        assert cause.threshold
        if cause.category == "drug":
            assert cause.ingredients, cause.id
    gc = kb.typed("glucocorticoids", Cause)
    assert {"oral", "intravenous"} <= set(gc.routes_that_count)
    assert {"inhaled", "topical", "intra_articular"} <= set(gc.routes_that_do_not_count)
    brands = {b.lower() for i in gc.ingredients for b in i.brands}
    assert {"deltasone", "medrol", "decadron"} <= brands
    thyroxine = kb.typed("thyroxine_over_replacement", Cause)
    assert thyroxine.requires_lab is not None and thyroxine.requires_lab.test == "tsh"


def test_guideline_logic_is_present(kb: KnowledgeBase) -> None:
    for guideline_id in (
        "genant_sq",
        "who_t_score_categories",
        "iscd_lumbar_spine_rules",
        "pickhardt_ct_thresholds",
        "acr_2022_giop_risk_categories",
        "kanis_2011_frax_gc_adjustment",
        "glucocorticoid_equivalents",
        "ckd_epi_2021",
        "least_significant_change",
    ):
        assert kb.typed(guideline_id, Guideline).facts


def test_reference_link_prefers_the_records_own_url_then_doi_then_pubmed() -> None:
    from osteowedge.knowledge.cite import reference_link

    assert reference_link(url="https://x.org/a", doi="10.1/b", pmid="1") == "https://x.org/a"
    assert reference_link(url=None, doi="10.1/b", pmid="1") == "https://doi.org/10.1/b"
    assert reference_link(url="", doi=None, pmid="12") == "https://pubmed.ncbi.nlm.nih.gov/12/"
    assert reference_link(url=None, doi=None, pmid=None) is None


def test_patient_urgent_signs_each_word_an_urgent_red_flag(kb: KnowledgeBase) -> None:
    from osteowedge.knowledge.schema import RedFlag, Vocabulary

    signs = kb.typed("patient_urgent_care_signs", Vocabulary).values
    assert signs
    for sign in signs:
        assert kb.typed(sign.id, RedFlag).urgency == "urgent", sign.id


def test_condition_names_are_compared_loosely_and_shared_names_mean_all(kb: KnowledgeBase) -> None:
    assert name_key("Osteonecrosis of jaw (disorder)") == name_key("osteonecrosis of the jaw")
    assert name_key("Atypical femoral-fracture") == name_key("atypical femoral fracture")
    owners: dict[str, set[str]] = {}
    for condition in kb.of_kind(Condition):
        for name in (condition.name, *condition.synonyms):
            owners.setdefault(name_key(name), set()).add(condition.id)
    # a name several conditions share means all of them (the stricter reading)
    for name, ids in owners.items():
        assert set(entry_conditions(ConditionEntry(name=name), kb)) == ids, name
    assert {"ckd_stage_5", "chronic_kidney_disease"} <= set(
        entry_conditions(ConditionEntry(name="ESRD"), kb)
    )
    entry = ConditionEntry(system="SNOMED", name="Osteonecrosis of jaw (disorder)")
    assert entry_conditions(entry, kb) == ("osteonecrosis_of_the_jaw",)
    assert entry_conditions(ConditionEntry(name="osteonecrosis of the hip"), kb) == ()
