"""Which knowledge condition a record's condition entry is: by id, by code, or by name.

One resolver for every engine (triage, plan screening, risk), so a SNOMED CT or ICD-10 code
sent under any spelling of its system (``http://snomed.info/sct``, ``SNOMED CT``, ``ICD-10-CM``)
means the same condition everywhere. An entry that resolves to nothing is reported, never
dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from osteowedge.codes import System, code_matches, code_system, normal_code
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Condition
from osteowedge.model.assessment import Warning
from osteowedge.model.patient import ConditionEntry, PatientRecord

_SEMANTIC_TAG = re.compile(r"\s*\((disorder|finding|morphologic abnormality|situation)\)\s*$")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_ARTICLES = frozenset({"the", "a", "an"})


def name_key(name: str) -> str:
    """A condition name as it is compared: case, punctuation, articles and a SNOMED CT semantic
    tag do not count ("Osteonecrosis of jaw (disorder)" is "osteonecrosis of the jaw")."""
    text = _SEMANTIC_TAG.sub("", name.casefold())
    return " ".join(w for w in _NOT_WORD.split(text) if w and w not in _ARTICLES)


@dataclass(frozen=True)
class _Index:
    ids: frozenset[str]
    exact: dict[tuple[System, str], tuple[str, ...]]
    icd10: tuple[tuple[str, str], ...]  # (code without dot, condition id), longest first
    names: dict[str, tuple[str, ...]]


def _index(kb: KnowledgeBase) -> _Index:
    exact: dict[tuple[System, str], list[str]] = {}
    icd10: list[tuple[str, str]] = []
    names: dict[str, list[str]] = {}
    conditions = kb.of_kind(Condition)
    for condition in conditions:
        for code in condition.codes:
            system = code_system(code.system)
            if system is None:
                continue
            if system == "ICD-10":
                icd10.append((normal_code(code.code).replace(".", ""), condition.id))
            else:
                exact.setdefault((system, normal_code(code.code)), []).append(condition.id)
        for name in (condition.name, *condition.synonyms):
            names.setdefault(name_key(name), []).append(condition.id)
    icd10.sort(key=lambda item: -len(item[0]))
    return _Index(
        ids=frozenset(c.id for c in conditions),
        exact={key: tuple(dict.fromkeys(v)) for key, v in exact.items()},
        icd10=tuple(icd10),
        names={key: tuple(dict.fromkeys(v)) for key, v in names.items()},
    )


def entry_conditions(entry: ConditionEntry, kb: KnowledgeBase) -> tuple[str, ...]:
    """Every knowledge condition id the entry is (an ICD-10 code may fall under several: its
    own category and a broader grouping)."""
    index = kb.derived("knowledge.match.conditions", _index)
    if entry.id is not None and entry.id in index.ids:
        return (entry.id,)
    if entry.code and entry.system:
        system = code_system(entry.system)
        if system == "ICD-10":
            found = tuple(
                dict.fromkeys(
                    cid for known, cid in index.icd10 if code_matches("ICD-10", entry.code, known)
                )
            )
            if found:
                return found
        elif system is not None:
            found = index.exact.get((system, normal_code(entry.code)), ())
            if found:
                return found
    if entry.name:
        named = index.names.get(name_key(entry.name), ())
        if named:
            return named
    return ()


def resolve_conditions(record: PatientRecord, kb: KnowledgeBase) -> list[str]:
    """Knowledge condition ids of the record's conditions, in record order, each once."""
    found: list[str] = []
    for entry in record.conditions:
        found.extend(entry_conditions(entry, kb))
    return list(dict.fromkeys(found))


def unknown_conditions(record: PatientRecord, kb: KnowledgeBase) -> Sequence[Warning]:
    """A warning for each condition entry the knowledge base does not know: it is kept, but no
    rule can use it."""
    warnings: list[Warning] = []
    for i, entry in enumerate(record.conditions):
        if entry_conditions(entry, kb):
            continue
        shown = " ".join(
            part
            for part in (
                f"id {entry.id!r}" if entry.id else "",
                f"code {entry.code!r} ({entry.system})" if entry.code else "",
                f"name {entry.name!r}" if entry.name else "",
            )
            if part
        )
        known = "" if code_system(entry.system) or not entry.system else " (unknown code system)"
        warnings.append(
            Warning(
                code="condition_unrecognised",
                message=f"condition {shown}{known} is not one the knowledge base knows; it is "
                "kept but no rule uses it (`osteowedge kb list conditions` lists the ids; "
                "SNOMED CT and ICD-10 codes are mapped there)",
                path=f"/conditions/{i}",
            )
        )
    return warnings


__all__ = ["entry_conditions", "resolve_conditions", "unknown_conditions"]
