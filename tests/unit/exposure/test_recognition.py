"""Medication recognition: generic and brand names in any case, ATC codes, non-causes."""

from __future__ import annotations

import pytest

from osteowedge.exposure.medications import build_index, fold, recognise
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.patient import Medication

from .helpers import cause, run, warning_codes


@pytest.mark.parametrize(
    ("name", "cause_id", "ingredient"),
    [
        ("Prednisone", "glucocorticoids", "prednisone"),
        ("DELTASONE", "glucocorticoids", "prednisone"),
        ("medrol", "glucocorticoids", "methylprednisolone"),
        ("Decadron", "glucocorticoids", "dexamethasone"),
        ("Dilantin", "anticonvulsants", "phenytoin"),
        ("Tegretol", "anticonvulsants", "carbamazepine"),
        ("Prilosec", "proton_pump_inhibitors", "omeprazole"),
        ("Nexium", "proton_pump_inhibitors", "esomeprazole"),
        ("Zoloft", "ssris", "sertraline"),
        ("Prozac", "ssris", "fluoxetine"),
        ("Actos", "thiazolidinediones", "pioglitazone"),
        ("Arimidex", "aromatase_inhibitors", "anastrozole"),
        ("Femara", "aromatase_inhibitors", "letrozole"),
        ("Lupron Depot", "gnrh_agonists", "leuprorelin"),
        ("Zoladex", "gnrh_agonists", "goserelin"),
        ("Depo-Provera", "depot_medroxyprogesterone", "medroxyprogesterone acetate"),
        ("Prograf", "calcineurin_inhibitors", "tacrolimus"),
        ("Neoral", "calcineurin_inhibitors", "ciclosporin"),
        ("Lasix", "loop_diuretics", "furosemide"),
        ("Invokana", "sglt2_inhibitors", "canagliflozin"),
        ("Synthroid", "thyroxine_over_replacement", "levothyroxine"),
        ("Haldol Decanoate", "depot_antipsychotics", "haloperidol decanoate"),
        ("Invega Sustenna", "depot_antipsychotics", "paliperidone palmitate"),
        ("Coumadin", "vitamin_k_antagonists", "warfarin"),
        ("Lovenox", "heparin", "enoxaparin"),
        ("Cytoxan", "chemotherapy", "cyclophosphamide"),
        # free text around the name, other punctuation
        ("Lupron Depot 22.5 mg (3-month)", "gnrh_agonists", "leuprorelin"),
        ("predniSONE 5mg tablet", "glucocorticoids", "prednisone"),
        ("Depo Provera", "depot_medroxyprogesterone", "medroxyprogesterone acetate"),
    ],
)
def test_names_and_brands_in_any_case(
    kb: KnowledgeBase, name: str, cause_id: str, ingredient: str
) -> None:
    match = recognise(build_index(kb), Medication(name=name))
    assert match is not None
    assert (match.record_id, match.is_cause, match.ingredient) == (cause_id, True, ingredient)


def test_heparin_does_not_match_inside_enoxaparin(kb: KnowledgeBase) -> None:
    index = build_index(kb)
    enox = recognise(index, Medication(name="enoxaparin"))
    ufh = recognise(index, Medication(name="heparin sodium"))
    assert enox is not None and enox.ingredient == "enoxaparin"
    assert ufh is not None and ufh.ingredient == "heparin"


def test_longest_term_wins(kb: KnowledgeBase) -> None:
    # "Kisqali Femara Co-Pack" and "Femara" are both letrozole brands; "Tegretol XR" is longer
    # than "Tegretol": either way the ingredient is the same.
    index = build_index(kb)
    match = recognise(index, Medication(name="Tegretol XR 200"))
    assert match is not None and match.ingredient == "carbamazepine"


@pytest.mark.parametrize(
    ("atc", "cause_id", "ingredient"),
    [
        ("H02AB07", "glucocorticoids", "prednisone"),
        ("h02ab04", "glucocorticoids", "methylprednisolone"),
        ("A02BC05", "proton_pump_inhibitors", "esomeprazole"),
        ("L02BG03", "aromatase_inhibitors", "anastrozole"),
        # class-level: any N03A code is an antiepileptic even when the substance is not listed
        ("N03AX99", "anticonvulsants", None),
    ],
)
def test_atc_codes(kb: KnowledgeBase, atc: str, cause_id: str, ingredient: str | None) -> None:
    match = recognise(build_index(kb), Medication(atc=atc))
    assert match is not None
    assert (match.record_id, match.ingredient) == (cause_id, ingredient)


@pytest.mark.parametrize(
    ("name", "record_id"),
    [
        ("alendronate", "alendronate"),
        ("Fosamax", "alendronate"),
        ("Prolia", "denosumab"),
        ("calcium carbonate", "calcium_carbonate"),
        ("Vitamin D3", "cholecalciferol"),
        ("calcium", "calcium"),
    ],
)
def test_non_causes_are_recognised_and_not_warned(
    kb: KnowledgeBase, name: str, record_id: str
) -> None:
    match = recognise(build_index(kb), Medication(name=name))
    assert match is not None and match.record_id == record_id and not match.is_cause
    result = run(kb, medications=[{"name": name}])
    assert result.causes == ()
    assert warning_codes(result) == []


def test_unrecognised_medication_is_warned_with_its_path(kb: KnowledgeBase) -> None:
    result = run(
        kb, medications=[{"name": "Nexium"}, {"name": "atorvastatin"}, {"rxnorm": "83367"}]
    )
    assert ("unrecognised_medication", "/medications/1") in warning_codes(result)
    assert ("unrecognised_medication", "/medications/2") in warning_codes(result)
    assert ("unrecognised_medication", "/medications/0") not in warning_codes(result)
    assert cause(result, "proton_pump_inhibitors").medications == ["Nexium"]


def test_fold() -> None:
    assert fold("  Depo-Provera®  CI ") == "depo provera ci"
