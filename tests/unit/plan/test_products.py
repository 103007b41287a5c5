"""A product is told from its substance: denosumab 120 mg (Xgeva-type, oncology) or zoledronic
acid 4 mg (Zometa) is not read as the osteoporosis regimen, whether the record names the brand,
gives it as `product`, or gives only the substance with the product's dose."""

from __future__ import annotations

from typing import Any

import pytest

from osteowedge.knowledge import KnowledgeBase
from tests.unit.plan.records import PREDNISONE
from tests.unit.plan.records import avoided as _avoided
from tests.unit.plan.test_history_rules import _assess


def _med(name: str, dose: float | None = None, product: str | None = None) -> dict[str, Any]:
    med: dict[str, Any] = {"name": name, "start": "2026-01-01"}
    if dose is not None:
        med.update(dose_value=dose, dose_unit="mg")
    if product is not None:
        med["product"] = product
    return med


@pytest.mark.parametrize(
    ("med", "drug"),
    [
        (_med("denosumab", 120), "denosumab"),
        (_med("denosumab", product="Xgeva"), "denosumab"),
        (_med("Xgeva"), "denosumab"),
        (_med("zoledronic acid", 4), "zoledronic_acid"),
        (_med("zoledronic acid", product="Zometa"), "zoledronic_acid"),
    ],
)
def test_the_oncology_product_is_not_continued_as_the_osteoporosis_drug(
    kb: KnowledgeBase, med: dict[str, Any], drug: str
) -> None:
    a = _assess(kb, medications=[PREDNISONE, med], jurisdiction="US")
    offered = [d.drug for d in a.plan.pharmacological]
    assert drug not in offered
    assert drug in _avoided(a)  # not added on top of the oncology product
    assert not any("Currently taking" in r for d in a.plan.pharmacological for r in d.reasons)


@pytest.mark.parametrize(
    ("med", "drug"),
    [
        (_med("denosumab", 60), "denosumab"),
        (_med("denosumab", product="Prolia"), "denosumab"),
        (_med("zoledronic acid", 5), "zoledronic_acid"),
        (_med("denosumab"), "denosumab"),  # no dose, no product: the substance's own record
    ],
)
def test_the_osteoporosis_product_is_continued(
    kb: KnowledgeBase, med: dict[str, Any], drug: str
) -> None:
    a = _assess(kb, medications=[PREDNISONE, med], jurisdiction="US")
    first = a.plan.pharmacological[0]
    assert first.drug == drug and any("Currently taking" in r for r in first.reasons)
