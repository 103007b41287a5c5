"""Lab identification: which knowledge test a lab entry is (by LOINC code, then by name)."""

from __future__ import annotations

from collections.abc import Mapping

from osteowedge.codes import code_system
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Test
from osteowedge.model.patient import Lab
from osteowedge.workup.lab_units import EGFR_REPORTED


def loinc_index(kb: KnowledgeBase) -> dict[str, tuple[Test, str | None]]:
    index: dict[str, tuple[Test, str | None]] = {}
    for test in kb.of_kind(Test):
        for code in test.codes:
            if code.system == "LOINC":
                index.setdefault(code.code, (test, code.property))
    return index


def identify(
    lab: Lab, kb: KnowledgeBase, index: Mapping[str, tuple[Test, str | None]]
) -> tuple[Test, str] | None:
    if lab.code and code_system(lab.system) == "LOINC" and lab.code.strip() in index:
        test, prop = index[lab.code.strip()]
        kind = EGFR_REPORTED if prop == "ArVRat" else "measured"
        return test, kind
    if lab.name:
        named = kb.derived("workup.lab_names", name_index).get(lab.name.strip().casefold())
        if named is not None:
            return named, "measured"
    return None


def name_index(kb: KnowledgeBase) -> dict[str, Test]:
    """Laboratory test id, casefolded name or synonym -> test; the first test (in knowledge
    order) wins, as a scan in that order would find it."""
    index: dict[str, Test] = {}
    for test in kb.of_kind(Test):
        if test.category != "laboratory":
            continue
        for name in (test.id, test.name.casefold(), *(s.casefold() for s in test.synonyms)):
            index.setdefault(name, test)
    return index
