"""Citations for assessment statements: knowledge ids -> reference ids (in order, unique)."""

from __future__ import annotations

from collections.abc import Iterable

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import Statement


def citation_ids(kb: KnowledgeBase, knowledge_ids: Iterable[str]) -> list[str]:
    """The references the named records cite for themselves (their ``citations``), first seen
    first. A fact's own citations stay in its record (``osteowedge kb show ID``), which keeps
    each assessment's reference list to what its statements rest on."""
    seen: dict[str, None] = {}
    for record_id in knowledge_ids:
        seen.update(dict.fromkeys(kb.get(record_id).citations))
    return list(seen)


def statement(
    kb: KnowledgeBase,
    statement_id: str,
    label: str,
    reasons: Iterable[str] = (),
    knowledge_ids: Iterable[str] = (),
) -> Statement:
    """A Statement whose ``citation_ids`` come from its ``knowledge_ids`` (which must exist)."""
    ids = list(dict.fromkeys(knowledge_ids))
    return Statement(
        id=statement_id,
        label=label,
        reasons=list(reasons),
        knowledge_ids=ids,
        citation_ids=citation_ids(kb, ids),
    )
