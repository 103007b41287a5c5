"""RxNorm ingredient (TTY IN) codes of the drug and cause records: well formed, one code per
ingredient name, a spot list checked against two public OMOP vocabulary sources, agreement with
the shared OMOP concept sets, and recognition of a record medication given only by its code."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.exposure.medications import build_index, recognise
from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.medications import medication_matcher
from osteowedge.knowledge.schema import Cause, Drug, Ingredient
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment, DrugRecommendation
from osteowedge.model.patient import Medication
from tests.conftest import shared_path

# Each code seen as vocabulary_id RxNorm, concept_class_id Ingredient in at least two OMOP
# sources (OHDSI PhenotypeLibrary cohorts, the Eunomia GiBleed vocabulary, OHDSI study cohorts).
VERIFIED = {
    "prednisone": "8640",
    "prednisolone": "8638",
    "methylprednisolone": "6902",
    "dexamethasone": "3264",
    "hydrocortisone": "5492",
    "alendronate sodium": "46041",  # IN alendronate
    "zoledronic acid": "77655",
    "denosumab": "993449",
    "warfarin": "11289",
    "levothyroxine": "10582",
    "omeprazole": "7646",
    "carbamazepine": "2002",
    "methotrexate": "6851",
    "canagliflozin": "1373458",
    "furosemide": "4603",
}
AS_OF = "2026-11-01"
GOOD_LABS = [
    {"code": "2160-0", "value": 0.8, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "17861-6", "value": 9.4, "unit": "mg/dL", "date": "2026-10-20"},
    {"code": "1751-7", "value": 4.2, "unit": "g/dL", "date": "2026-10-20"},
    {"code": "62292-8", "value": 35, "unit": "ng/mL", "date": "2026-10-20"},
]


def _coded(kb: KnowledgeBase) -> list[tuple[str, Ingredient]]:
    """(record id, ingredient) for every ingredient of a drug or cause record with a code."""
    out: list[tuple[str, Ingredient]] = []
    for kind in (Cause, Drug):
        for record in kb.of_kind(kind):
            out.extend((record.id, i) for i in record.ingredients if i.rxnorm is not None)
    return out


def test_codes_are_digits(kb: KnowledgeBase) -> None:
    coded = _coded(kb)
    assert len(coded) >= 100
    bad = [(rid, i.name, i.rxnorm) for rid, i in coded if not (i.rxnorm or "").isdigit()]
    assert bad == []


def test_no_two_ingredient_names_share_a_code(kb: KnowledgeBase) -> None:
    names: dict[str, set[str]] = {}
    for _, ingredient in _coded(kb):
        assert ingredient.rxnorm is not None
        names.setdefault(ingredient.rxnorm, set()).add(ingredient.name)
    shared = {code: sorted(n) for code, n in names.items() if len(n) > 1}
    assert shared == {}


def test_every_code_says_where_it_was_seen(kb: KnowledgeBase) -> None:
    for rid, ingredient in _coded(kb):
        assert f"RxNorm {ingredient.rxnorm} (IN" in (ingredient.note or ""), (rid, ingredient)


@pytest.mark.parametrize(("name", "code"), sorted(VERIFIED.items()))
def test_spot_list_of_codes_verified_in_two_sources(
    kb: KnowledgeBase, name: str, code: str
) -> None:
    assert [i.rxnorm for _, i in _coded(kb) if i.name == name] == [code]


def _shared_ingredients() -> dict[str, str]:
    """name -> code of the RxNorm Ingredient concepts in the shared OMOP files."""
    found: dict[str, str] = {}
    items = shared_path("data", "omop_concept_sets", "phenotype_library", "concept_set_items.csv")
    concepts = shared_path("data", "eunomia", "synthea27nj_csv", "CONCEPT.csv")
    for path in (items, concepts):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["vocabulary_id"] == "RxNorm" and row["concept_class_id"] == "Ingredient":
                    found[row["concept_name"].casefold()] = row["concept_code"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("VOCABULARY_ID") == "RxNorm"
                and node.get("CONCEPT_CLASS_ID") == "Ingredient"
            ):
                found[str(node["CONCEPT_NAME"]).casefold()] = str(node["CONCEPT_CODE"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(items.parent.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_codes_agree_with_the_shared_omop_concept_sets(kb: KnowledgeBase) -> None:
    shared = _shared_ingredients()
    compared = {i.name: (i.rxnorm, shared[i.name]) for _, i in _coded(kb) if i.name in shared}
    assert len(compared) >= 8, compared
    assert {n: pair for n, pair in compared.items() if pair[0] != pair[1]} == {}


def test_every_code_is_recognised_as_its_ingredient(kb: KnowledgeBase) -> None:
    index = build_index(kb)
    matcher = medication_matcher(kb)
    for rid, ingredient in _coded(kb):
        match = recognise(index, Medication(name="med A", rxnorm=ingredient.rxnorm))
        assert match is not None, ingredient
        assert (match.record_id, match.ingredient) == (rid, ingredient.name.casefold())
        assert match.matched_on == f"RxNorm {ingredient.rxnorm}"
        assert rid in matcher(None, None, ingredient.rxnorm)


def _assess(kb: KnowledgeBase, medications: list[dict[str, Any]]) -> Assessment:
    return assess(
        parse_patient(
            {
                "id": "rx1",
                "as_of": AS_OF,
                "sex": "female",
                "age_years": 68,
                "menopausal_status": "postmenopausal",
                "pregnant": False,
                "weight_kg": 62,
                "medications": medications,
                "labs": GOOD_LABS,
                "dxa": [
                    {"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -2.9}]}
                ],
                "fractures": [
                    {
                        "site": "vertebra",
                        "level": "L1",
                        "date": "2026-03-01",
                        "mechanism": "fragility",
                    }
                ],
                "dental": {"last_exam_date": "2026-09-01"},
            }
        ),
        kb,
    )


def _drug(a: Assessment, drug_id: str) -> DrugRecommendation | None:
    return next((d for d in a.plan.pharmacological if d.drug == drug_id), None)


@pytest.mark.parametrize("name", [None, "med A"])
def test_a_glucocorticoid_by_rxnorm_code_counts_as_glucocorticoid_exposure(
    kb: KnowledgeBase, name: str | None
) -> None:
    prednisolone: dict[str, Any] = {
        "rxnorm": "8638",
        "dose_value": 10,
        "dose_unit": "mg",
        "frequency": "daily",
        "route": "oral",
        "start": "2025-06-01",
    }
    if name is not None:
        prednisolone["name"] = name
    a = _assess(kb, [prednisolone])
    gc = [c for c in a.iatrogenic_causes if c.id == "glucocorticoids"]
    assert gc and gc[0].meets_threshold is True, a.iatrogenic_causes
    exposure = a.glucocorticoid_exposure
    assert exposure is not None
    assert exposure.current_prednisone_equivalent_mg_per_day == pytest.approx(10)


@pytest.mark.parametrize("name", [None, "med A"])
def test_alendronate_by_rxnorm_code_is_currently_taking_in_the_plan(
    kb: KnowledgeBase, name: str | None
) -> None:
    alendronate: dict[str, Any] = {
        "rxnorm": "46041",
        "dose_value": 70,
        "dose_unit": "mg",
        "frequency": "weekly",
        "route": "oral",
        "start": "2026-01-01",
    }
    if name is not None:
        alendronate["name"] = name
    drug = _drug(_assess(kb, [alendronate]), "alendronate")
    assert drug is not None
    assert any(r.startswith("Currently taking") for r in drug.reasons), drug.reasons


def test_alendronate_stopped_for_a_reaction_by_rxnorm_code_is_avoided(kb: KnowledgeBase) -> None:
    stopped = {
        "rxnorm": "46041",
        "route": "oral",
        "start": "2023-01-01",
        "end": "2023-06-01",
        "stop_reason": "adverse_reaction",
    }
    a = _assess(kb, [stopped])
    assert _drug(a, "alendronate") is None
    avoided = {d.drug: d.reasons for d in a.plan.avoid}
    assert any("adverse reaction" in r for r in avoided["alendronate"])
