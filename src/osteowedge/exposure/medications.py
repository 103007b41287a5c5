"""Medication recognition: free-text names (generic or brand, any case), ATC codes -> records.

Every term comes from the knowledge base: the ingredients and brands of ``cause`` and ``drug``
records, the names and synonyms of drug and supplement records. A name is matched on whole words:
the longest known term found in the name wins (``Lupron Depot 22.5 mg`` -> leuprorelin), so
``heparin`` never matches inside ``enoxaparin``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Cause, Drug, Ingredient, RecordBase, Therapy
from osteowedge.model.patient import Medication

_NON_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=4096)
def word_pattern(term: str) -> re.Pattern[str]:
    """A compiled whole-word pattern for ``term`` casefolded, to search casefolded text
    (memoised: a pure function of the term)."""
    return re.compile(rf"\b{re.escape(term.casefold())}\b")


def fold(text: str) -> str:
    """Case- and punctuation-insensitive form of a name: words separated by single spaces."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


@dataclass(frozen=True)
class Match:
    """What a medication was recognised as."""

    record_id: str
    is_cause: bool
    ingredient: str | None
    """Generic ingredient name (lower case) when known; ``None`` for a class-level match."""
    ingredient_atc: str | None
    matched_on: str
    """How it was recognised, e.g. ``name 'Deltasone'`` or ``ATC H02AB07``."""


@dataclass(frozen=True)
class MedicationIndex:
    """Lookup tables built from one knowledge base."""

    by_term: dict[str, tuple[Match, ...]]
    by_atc: dict[str, tuple[Match, ...]]
    by_rxnorm: dict[str, tuple[Match, ...]]
    atc_classes: tuple[tuple[str, Match], ...]
    max_words: int


def _priority(match: Match) -> tuple[int, int]:
    """Causes before other records; ingredient-level before class-level matches."""
    return (0 if match.is_cause else 1, 0 if match.ingredient is not None else 1)


def build_index(kb: KnowledgeBase) -> MedicationIndex:
    terms: dict[str, list[Match]] = {}
    atcs: dict[str, list[Match]] = {}
    rxnorms: dict[str, list[Match]] = {}
    classes: list[tuple[str, Match]] = []

    def add(term: str, match: Match) -> None:
        key = fold(term)
        if key and match not in terms.setdefault(key, []):
            terms[key].append(match)

    def add_ingredient(record: RecordBase, is_cause: bool, ingredient: Ingredient) -> None:
        base = Match(record.id, is_cause, ingredient.name.casefold(), ingredient.atc, "")
        add(ingredient.name, base)
        for brand in ingredient.brands:
            add(brand, base)
        if ingredient.atc:
            atcs.setdefault(ingredient.atc.upper(), []).append(base)
        if ingredient.rxnorm:
            rxnorms.setdefault(ingredient.rxnorm, []).append(base)

    for cause in kb.of_kind(Cause):
        if cause.exposure_kind:
            continue
        for ingredient in cause.ingredients:
            add_ingredient(cause, True, ingredient)
        for atc in cause.atc_codes:
            classes.append((atc.upper(), Match(cause.id, True, None, None, "")))
        for synonym in (cause.name, *cause.synonyms):
            add(synonym, Match(cause.id, True, None, None, ""))
    for drug in kb.of_kind(Drug):
        for ingredient in drug.ingredients:
            add_ingredient(drug, False, ingredient)
        for term in (drug.id.replace("_", " "), drug.name, *drug.synonyms):
            add(term, Match(drug.id, False, None, None, ""))
        for atc in drug.atc_codes:
            atcs.setdefault(atc.upper(), []).append(Match(drug.id, False, None, atc, ""))
    for therapy in kb.of_kind(Therapy):
        if "dietary_supplements" not in therapy.sections:
            continue
        for term in (therapy.id.replace("_", " "), therapy.name, *therapy.synonyms):
            add(term, Match(therapy.id, False, None, None, ""))

    by_term = {k: tuple(sorted(v, key=_priority)) for k, v in terms.items()}
    by_atc = {k: tuple(sorted(v, key=_priority)) for k, v in atcs.items()}
    # Longest ATC class first so that the most specific class wins.
    classes.sort(key=lambda item: -len(item[0]))
    return MedicationIndex(
        by_term=by_term,
        by_atc=by_atc,
        by_rxnorm={k: tuple(sorted(v, key=_priority)) for k, v in rxnorms.items()},
        atc_classes=tuple(classes),
        max_words=max((len(k.split()) for k in by_term), default=1),
    )


def index_for(kb: KnowledgeBase) -> MedicationIndex:
    """The index of ``kb``, built once per knowledge base (see `KnowledgeBase.derived`)."""
    return kb.derived("exposure.medication_index", build_index)


def _by_name(index: MedicationIndex, name: str) -> Match | None:
    words = fold(name).split()
    # Longest run of words that is a known term; the earliest one on ties.
    for size in range(min(index.max_words, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            key = " ".join(words[start : start + size])
            found = index.by_term.get(key)
            if found:
                best = found[0]
                return Match(
                    best.record_id,
                    best.is_cause,
                    best.ingredient,
                    best.ingredient_atc,
                    f"name {name!r}",
                )
    return None


def _by_atc(index: MedicationIndex, atc: str) -> Match | None:
    code = atc.strip().upper()
    found = index.by_atc.get(code)
    if found:
        best = found[0]
        return Match(best.record_id, best.is_cause, best.ingredient, code, f"ATC {code}")
    for prefix, match in index.atc_classes:
        if code.startswith(prefix):
            return Match(match.record_id, True, None, code, f"ATC {code} (class {prefix})")
    return None


def recognise(index: MedicationIndex, medication: Medication) -> Match | None:
    """The record a medication is, from its name first, then its ATC code, then its RxNorm
    ingredient code; ``None`` if unknown (the caller warns). An RxNorm code of a clinical drug
    or brand (not the ingredient) is not mapped: the name or ATC code must say it."""
    if medication.name:
        match = _by_name(index, medication.name)
        if match is not None:
            if match.ingredient is None and medication.atc:
                # A class word ("steroids") with an ATC code: the code may name the ingredient.
                by_code = _by_atc(index, medication.atc)
                if by_code is not None and by_code.record_id == match.record_id:
                    return by_code
            return match
    if medication.atc:
        match = _by_atc(index, medication.atc)
        if match is not None:
            return match
    if medication.rxnorm:
        code = medication.rxnorm.strip()
        found = index.by_rxnorm.get(code)
        if found:
            best = found[0]
            return Match(
                best.record_id,
                best.is_cause,
                best.ingredient,
                best.ingredient_atc,
                f"RxNorm {code}",
            )
    return None
