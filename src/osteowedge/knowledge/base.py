"""The immutable, indexed knowledge base built from validated records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge.schema import (
    SECTIONS,
    Fact,
    Record,
    RecordBase,
    Reference,
)

R = TypeVar("R", bound=RecordBase)
T = TypeVar("T")


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("/", " ").split())


@dataclass(frozen=True)
class KnowledgeBase:
    """Every knowledge record, indexed by id, section and name; read-only after construction."""

    knowledge_version: str
    records: Mapping[str, RecordBase]
    references: Mapping[str, Reference]
    _by_section: Mapping[str, tuple[str, ...]] = field(repr=False)
    _search_index: tuple[tuple[str, str], ...] = field(repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _decisions: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    """Memo of `decision_fact` values that were allowed to decide (facts never change)."""

    @classmethod
    def build(
        cls,
        records: Iterable[Record],
        references: Iterable[Reference],
        knowledge_version: str,
    ) -> KnowledgeBase:
        by_id: dict[str, RecordBase] = {}
        screen_ids: set[str] = set()
        for new in records:
            if new.id in by_id:
                raise KnowledgeError(f"duplicate knowledge id {new.id!r}")
            by_id[new.id] = new
            labels = getattr(new, "labels", ())
            for ci in (
                *getattr(new, "contraindications", ()),
                *(c for label in labels for c in label.contraindications),
            ):
                if ci.id in screen_ids:  # the plan's screening remembers answers by this id
                    raise KnowledgeError(f"duplicate contraindication id {ci.id!r} in {new.id}")
                screen_ids.add(ci.id)
        refs: dict[str, Reference] = {}
        for ref in references:
            previous = refs.get(ref.id)
            if previous is not None and previous != ref:
                raise KnowledgeError(
                    f"reference {ref.id!r} is defined twice with different content; "
                    "keep one definition"
                )
            refs[ref.id] = ref
        by_section: dict[str, list[str]] = {name: [] for name in SECTIONS}
        for record in by_id.values():
            for section in record.sections:
                by_section[section].append(record.id)
        index: list[tuple[str, str]] = []
        for record in by_id.values():
            for term in (record.id.replace("_", " "), record.name, *record.synonyms):
                index.append((_fold(term), record.id))
            if record.source_label:
                index.append((_fold(record.source_label), record.id))
            for ingredient in getattr(record, "ingredients", ()):  # drugs and causes
                for term in (ingredient.name, *ingredient.brands):
                    index.append((_fold(term), record.id))
        kb = cls(
            knowledge_version=knowledge_version,
            records=MappingProxyType(by_id),
            references=MappingProxyType(refs),
            _by_section=MappingProxyType({k: tuple(v) for k, v in by_section.items()}),
            _search_index=tuple(index),
        )
        kb._check_references()
        return kb

    # -- integrity -------------------------------------------------------------------------

    def _check_references(self) -> None:
        problems: list[str] = []
        for record in self.records.values():
            for ref_id in _citation_ids(record):
                if ref_id not in self.references:
                    problems.append(f"{record.id}: cites unknown reference {ref_id!r}")
            for other in _record_links(record):
                if other not in self.records:
                    problems.append(f"{record.id}: refers to unknown record {other!r}")
        if problems:
            raise KnowledgeError(
                "knowledge base has dangling ids:\n  " + "\n  ".join(sorted(problems))
            )

    # -- access ----------------------------------------------------------------------------

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, record_id: str) -> RecordBase:
        try:
            return self.records[record_id]
        except KeyError:
            raise KnowledgeError(
                f"no knowledge record {record_id!r}; `osteowedge kb search` finds ids"
            ) from None

    def typed(self, record_id: str, kind: type[R]) -> R:
        record = self.get(record_id)
        if not isinstance(record, kind):
            raise KnowledgeError(
                f"knowledge record {record_id!r} is a {type(record).__name__}, "
                f"expected {kind.__name__}"
            )
        return record

    def section(self, name: str) -> tuple[RecordBase, ...]:
        if name not in self._by_section:
            raise KnowledgeError(
                f"unknown section {name!r}; known sections: {', '.join(sorted(SECTIONS))}"
            )
        return tuple(self.records[i] for i in self._by_section[name])

    def of_kind(self, kind: type[R]) -> tuple[R, ...]:
        return self.derived(
            f"of_kind:{kind.__module__}.{kind.__qualname__}",
            lambda kb: tuple(r for r in kb.records.values() if isinstance(r, kind)),
        )

    def derived(self, key: str, build: Callable[[KnowledgeBase], T]) -> T:
        """A value computed from this knowledge base once (an index, a lookup table).

        ``build`` must be a pure function of the knowledge base; ``key`` names it uniquely.
        """
        if key not in self._derived:
            self._derived[key] = build(self)
        value: T = self._derived[key]
        return value

    def search(self, text: str) -> tuple[RecordBase, ...]:
        """Records whose id, name, synonyms, source label, ingredient or brand names contain
        ``text`` (case-insensitive).

        Exact matches come first, then matches at a word start, then any substring.
        """
        query = _fold(text)
        if not query:
            return ()
        ranked: dict[str, int] = {}
        for term, record_id in self._search_index:
            if term == query:
                rank = 0
            elif term.startswith(query) or f" {query}" in f" {term}":
                rank = 1
            elif query in term:
                rank = 2
            else:
                continue
            ranked[record_id] = min(rank, ranked.get(record_id, rank))
        return tuple(self.records[i] for i in sorted(ranked, key=lambda i: (ranked[i], i)))

    def fact(self, record_id: str, name: str) -> Fact:
        record = self.get(record_id)
        facts: Mapping[str, Fact] | None = getattr(record, "facts", None)
        if facts is None or name not in facts:
            raise KnowledgeError(f"knowledge record {record_id!r} has no fact {name!r}")
        return facts[name]

    def decision_fact(self, record_id: str, name: str) -> Any:
        """The value of a fact that may decide something: refuses unverified (U) facts."""
        key = (record_id, name)
        if key in self._decisions:
            return self._decisions[key]
        fact = self.fact(record_id, name)
        if fact.verification == "U":
            raise KnowledgeError(
                f"fact {record_id}.{name} is unverified (U) and may not decide anything; "
                "verify it against a source and update its record"
            )
        self._decisions[key] = fact.value
        return fact.value

    def cited_references(self, record_ids: Iterable[str]) -> tuple[Reference, ...]:
        seen: dict[str, Reference] = {}
        for record_id in record_ids:
            for ref_id in _citation_ids(self.get(record_id)):
                seen.setdefault(ref_id, self.references[ref_id])
        return tuple(seen.values())


def _citation_ids(record: RecordBase) -> list[str]:
    """Every reference id a record cites, in order, including nested facts and notes."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                item = getattr(value, name)
                if name == "citations" and isinstance(item, list):
                    found.extend(c for c in item if c not in found)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(record)
    return found


_LINK_FIELDS = ("related", "follow_on", "workup", "applies_to")


def _record_links(record: RecordBase) -> list[str]:
    links: list[str] = []
    for name in _LINK_FIELDS:
        links.extend(getattr(record, name, []) or [])
    counts_as = getattr(record, "counts_as_cause", None)
    if counts_as:
        links.append(counts_as)
    for ci in getattr(record, "contraindications", []) or []:
        if ci.condition:
            links.append(ci.condition)
        if ci.medication:
            links.append(ci.medication)
        if ci.lab:
            links.append(ci.lab.test)
    lab = getattr(record, "requires_lab", None)
    if lab is not None:
        links.append(lab.test)
    return links
