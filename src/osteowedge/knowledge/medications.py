"""Which knowledge drug or cause records a record medication is: by name or brand (whole words
or a multi-word name inside the text), ATC code prefix, or RxNorm ingredient code; its `product`
field, where it names a product, decides; and a product record (`Drug.product_of`) is told from
its substance's record by its dose (denosumab 120 mg is the oncology product, not Prolia) (pure).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from osteowedge.errors import OsteowedgeError
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Cause, Drug
from osteowedge.model.patient import Medication
from osteowedge.units import convert

_MATCH_MEMO_SIZE = 4096  # distinct (name, ATC) pairs remembered per knowledge base


MATCHER_KEY = "knowledge.medication_matcher"
_Matcher = Callable[[str | None, str | None, str | None], frozenset[str]]


def medication_matcher(kb: KnowledgeBase) -> _Matcher:
    """A memoised function from a medication's (name, ATC, RxNorm) to the ids of every
    knowledge record `medication_matches` finds it to be (it reads nothing else)."""
    targets = tuple((r.id, terms) for r in kb.records.values() if any(terms := _terms(r)))

    @functools.lru_cache(maxsize=_MATCH_MEMO_SIZE)
    def matched(name: str | None, atc: str | None, rxnorm: str | None = None) -> frozenset[str]:
        return frozenset(
            record_id for record_id, terms in targets if _matches(name, atc, rxnorm, terms)
        )

    return matched


_Terms = tuple[frozenset[str], tuple[str, ...], frozenset[str]]


def _terms(target: object) -> _Terms:
    """The names, ATC codes and RxNorm ingredient codes a drug or cause record is known by."""
    ingredients = getattr(target, "ingredients", ()) or ()
    atc_codes: list[str] = list(getattr(target, "atc_codes", ()) or ())
    names: set[str] = set()
    rxnorm: set[str] = set()
    for ing in ingredients:
        names.add(ing.name.casefold())
        names.update(b.casefold() for b in ing.brands)
        if ing.atc:
            atc_codes.append(ing.atc)
        if ing.rxnorm:
            rxnorm.add(ing.rxnorm)
    if isinstance(target, Drug | Cause):
        names.add(target.name.casefold())
        names.add(target.id.replace("_", " "))
        names.update(s.casefold() for s in target.synonyms)
    names.discard("")
    return frozenset(names), tuple(code.upper() for code in atc_codes if code), frozenset(rxnorm)


@functools.lru_cache(maxsize=4096)
def _text_and_words(name: str) -> tuple[str, frozenset[str]]:
    text = " ".join(name.casefold().replace("-", " ").split())
    return text, frozenset(text.split())


def medication_matches(med: Medication, target: object) -> bool:
    """Whether a record medication is the given drug or cause record (names, brands, ATC,
    RxNorm ingredient)."""
    return _matches(med.name, med.atc, med.rxnorm, _terms(target))


def _matches(
    med_name: str | None, med_atc: str | None, med_rxnorm: str | None, terms: _Terms
) -> bool:
    names, atc_codes, rxnorm = terms
    if med_name:
        text, words = _text_and_words(med_name)
        if text in names or not names.isdisjoint(words):
            return True
        if any(" " in name and name in text for name in names):
            return True
    if med_atc:
        atc = med_atc.strip().upper()
        if any(atc.startswith(code) for code in atc_codes):
            return True
    return bool(med_rxnorm and med_rxnorm.strip() in rxnorm)


def identify(med: Medication, kb: KnowledgeBase) -> frozenset[str]:
    """The knowledge records a record medication is (see the module docstring)."""
    matcher = kb.derived(MATCHER_KEY, medication_matcher)
    found = matcher(med.name, med.atc, med.rxnorm)
    if med.product:
        named = matcher(med.product, None, None)
        if named:
            found = named
    if med.dose_value is None or med.dose_unit is None:
        return found
    for product, substance in kb.derived("plan.products", _products):
        if substance.id in found and _same_dose(med, product) and not _same_dose(med, substance):
            found = (found - {substance.id}) | {product.id}
    return found


def _products(kb: KnowledgeBase) -> tuple[tuple[Drug, Drug], ...]:
    return tuple(
        (d, kb.typed(d.product_of, Drug)) for d in kb.of_kind(Drug) if d.product_of is not None
    )


def _same_dose(med: Medication, drug: Drug) -> bool:
    if drug.dose.value is None or med.dose_value is None or med.dose_unit is None:
        return False
    try:
        value = convert(med.dose_value, med.dose_unit, drug.dose.unit)
    except (OsteowedgeError, KeyError):
        return False
    return abs(value - drug.dose.value) <= 1e-6 * max(1.0, drug.dose.value)


__all__ = ["MATCHER_KEY", "identify", "medication_matcher", "medication_matches"]
