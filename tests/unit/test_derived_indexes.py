"""The per-knowledge-base lookup tables the engines use give what a plain scan would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase, medications, schema
from osteowedge.knowledge.cite import citation_ids, statement
from osteowedge.knowledge.schema import Cause, Drug
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Statement
from osteowedge.model.patient import Medication
from osteowedge.triage import engine as triage
from osteowedge.workup import lab_identify
from tests.conftest import example_paths


def _medications(kb: KnowledgeBase) -> list[Medication]:
    names: set[str] = {"", "aspirin", "vitamin c", "prednisolone eye drops", "Fosamax 70 mg"}
    atcs: set[str] = {"", "A", "H02", "M05BA04", "Z99"}
    for record in kb.records.values():
        names.add(record.name)
        names.update(record.synonyms)
        for ingredient in getattr(record, "ingredients", ()):
            names.add(ingredient.name.upper())
            names.update(f"{b} tablets" for b in ingredient.brands)
            if ingredient.atc:
                atcs.add(ingredient.atc)
        atcs.update(getattr(record, "atc_codes", ()))
    meds = [Medication(name=n or None, atc="M05BA04") for n in sorted(names)]
    meds += [Medication(name="unknown", atc=a or None) for a in sorted(atcs)]
    meds += [
        Medication(name=n, route=r)
        for n in ("prednisone", "budesonide")
        for r in ("oral", "inhaled")
    ]
    return meds


def test_plan_medication_matcher_is_medication_matches(kb: KnowledgeBase) -> None:
    matcher = kb.derived(medications.MATCHER_KEY, medications.medication_matcher)
    for med in _medications(kb):
        expected = {r.id for r in kb.records.values() if medications.medication_matches(med, r)}
        assert matcher(med.name, med.atc, med.rxnorm) == expected, med


def test_triage_cause_matcher_is_medication_matches(kb: KnowledgeBase) -> None:
    causes, matcher = kb.derived(
        "triage.immunosuppression_causes", triage._immunosuppression_causes
    )
    assert causes
    for med in _medications(kb):
        for cause in kb.of_kind(Cause):
            if cause in causes:
                fast = cause.id in matcher(med.route, med.atc, med.name)
                assert fast == triage.medication_matches(med, cause), (med, cause.id)


def test_lab_name_index_is_a_scan_in_knowledge_order(kb: KnowledgeBase) -> None:
    index = kb.derived("workup.lab_names", lab_identify.name_index)
    tests = [t for t in kb.of_kind(schema.Test) if t.category == "laboratory"]
    names = {n for t in kb.of_kind(schema.Test) for n in (t.id, t.name.casefold(), *t.synonyms)}
    for name in names:
        key = name.strip().casefold()
        expected = next(
            (
                t
                for t in tests
                if key in {t.id, t.name.casefold(), *(s.casefold() for s in t.synonyms)}
            ),
            None,
        )
        assert index.get(key) is expected, name


def test_memoised_citations_and_statements_equal_fresh_ones(kb: KnowledgeBase) -> None:
    ids = [d.id for d in kb.of_kind(Drug)][:3]
    first = citation_ids(kb, ids)
    first.append("changed by a caller")
    assert citation_ids(kb, ids) == citation_ids(kb, iter(ids)) != first
    made = statement(kb, "s", "label", ["a", "b"], [*ids, ids[0]])
    assert made == Statement(
        id="s",
        label="label",
        reasons=["a", "b"],
        knowledge_ids=ids,
        citation_ids=citation_ids(kb, ids),
    )
    assert statement(kb, "s", "label", iter(["a", "b"]), iter([*ids, ids[0]])) == made


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_assessing_again_gives_the_same_output(kb: KnowledgeBase, path: Path) -> None:
    record = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    when = record.as_of or dt.date(2026, 11, 1)
    first = assess(record, kb, as_of=when).model_dump_json()
    for other in example_paths():  # warm every table with other records in between
        data = parse_patient(json.loads(other.read_text(encoding="utf-8")))
        assess(data, kb, as_of=data.as_of or when)
    assert assess(record, kb, as_of=when).model_dump_json() == first
