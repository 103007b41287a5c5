"""An avoided drug cites what it is avoided for: its own record and labels and the source of the
contraindication that fired, never another drug's label or the guidelines that proposed it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.schema import Drug
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment, AvoidedDrug
from tests.unit.plan.records import AS_OF, GOOD_LABS, PREDNISONE


def _assess(kb: KnowledgeBase, **extra: Any) -> Assessment:
    record: dict[str, Any] = {
        "id": "c1",
        "as_of": AS_OF,
        "sex": "female",
        "age_years": 68,
        "menopausal_status": "postmenopausal",
        "pregnant": False,
        "weight_kg": 62,
        "medications": [PREDNISONE],
        "labs": GOOD_LABS,
        "dxa": [{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": -2.9}]}],
        "dental": {"last_exam_date": "2026-09-01"},
        "jurisdiction": "US",
    }
    record.update(extra)
    return assess(parse_patient(record), kb)


def _sources(drug: Drug) -> set[str]:
    """What a drug's own record and every one of its labels cite (read from the data)."""
    return {*drug.citations, *(c for lb in drug.labels for c in lb.citations)}


def _foreign(kb: KnowledgeBase, drug_id: str) -> set[str]:
    """References cited by some other drug's record or label and never by this drug's."""
    drugs = {d.id: d for d in kb.of_kind(Drug)}
    others = set().union(*(_sources(d) for i, d in drugs.items() if i != drug_id))
    return others - _sources(drugs[drug_id])


REGULATORS = {
    "dailymed.nlm.nih.gov",
    "api.fda.gov",
    "www.accessdata.fda.gov",
    "www.fda.gov",
    "www.ema.europa.eu",
    "ec.europa.eu",
}


def _labels(kb: KnowledgeBase) -> set[str]:
    """References published by a drug regulator (FDA, DailyMed, EMA, the EC register)."""
    return {
        r.id for r in kb.references.values() if r.url and urlparse(r.url).hostname in REGULATORS
    }


def _avoid(a: Assessment, drug_id: str) -> AvoidedDrug:
    return next(d for d in a.plan.avoid if d.drug == drug_id)


@pytest.mark.parametrize("kind", ["skeletal_radiation", "pelvic_radiation"])
def test_radiation_avoid_cites_the_contraindication_and_no_other_label(
    kb: KnowledgeBase, kind: str
) -> None:
    a = _assess(kb, exposures=[{"kind": kind, "start": "2015-01-01", "end": "2015-03-01"}])
    teriparatide = next(d for d in kb.of_kind(Drug) if d.id == "teriparatide")
    radiation = [
        ci
        for ci in [*teriparatide.contraindications, *teriparatide.labels[0].contraindications]
        if ci.population is not None and "radiation" in ci.reason.lower()
    ] or [ci for ci in teriparatide.contraindications if "radiation" in ci.reason.lower()]
    assert radiation, "the knowledge base lost teriparatide's radiation contraindication"
    item = _avoid(a, "teriparatide")
    cited = set(item.citation_ids)
    assert any(set(ci.citations) <= cited for ci in radiation), (radiation, cited)
    assert not cited & _foreign(kb, "teriparatide"), cited & _foreign(kb, "teriparatide")
    assert set(cited) <= {r.id for r in a.references}


@pytest.mark.parametrize("drug_id", ["alendronate", "zoledronic_acid", "denosumab", "romosozumab"])
def test_deferred_for_breastfeeding_cites_no_other_drugs_label(
    kb: KnowledgeBase, drug_id: str
) -> None:
    a = _assess(kb, menopausal_status="premenopausal", breastfeeding=True)
    item = _avoid(a, drug_id)
    assert any("Breastfeeding" in r for r in item.reasons)
    cited = set(item.citation_ids)
    assert cited and not cited & _foreign(kb, drug_id), cited & _foreign(kb, drug_id)


@pytest.mark.parametrize("dental", [None, {"last_exam_date": "2026-09-01"}])
def test_a_recommendation_cites_no_other_drugs_label(
    kb: KnowledgeBase, dental: dict[str, str] | None
) -> None:
    a = _assess(kb, dental=dental)  # without an examination the dental rule fires and is cited
    assert a.plan.pharmacological
    labels = _labels(kb)
    for rec in a.plan.pharmacological:
        wrong = set(rec.citation_ids) & _foreign(kb, rec.drug) & labels
        assert not wrong, (rec.drug, wrong)
        assert set(rec.citation_ids) & labels, f"{rec.drug} cites none of its labels"
