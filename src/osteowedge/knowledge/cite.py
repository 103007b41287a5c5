"""Citations for assessment statements: knowledge ids -> reference ids (in order, unique)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.model.assessment import Statement

_MEMO_SIZE = 8192  # distinct knowledge-id tuples the engines cite; bounded, per knowledge base


def reference_link(*, url: str | None, doi: str | None, pmid: str | None) -> str | None:
    """Where a reference is read: its own URL (the page its record names), else its DOI, else
    its PubMed entry; None when it has none of them."""
    if url:
        return url
    if doi:
        return f"https://doi.org/{doi}"
    if pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return None


def citation_ids(kb: KnowledgeBase, knowledge_ids: Iterable[str]) -> list[str]:
    """The references the named records cite for themselves (their ``citations``), first seen
    first. A fact's own citations stay in its record (``osteowedge kb show ID``), which keeps
    each assessment's reference list to what its statements rest on."""
    return list(kb.derived("cite.citation_ids", _citer)(tuple(knowledge_ids)))


def _citer(kb: KnowledgeBase) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """``citation_ids`` for one knowledge base, memoised by id tuple (records never change)."""

    @functools.lru_cache(maxsize=_MEMO_SIZE)
    def cited(knowledge_ids: tuple[str, ...]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for record_id in knowledge_ids:
            seen.update(dict.fromkeys(kb.get(record_id).citations))
        return tuple(seen)

    return cited


def statement(
    kb: KnowledgeBase,
    statement_id: str,
    label: str,
    reasons: Iterable[str] = (),
    knowledge_ids: Iterable[str] = (),
) -> Statement:
    """A Statement whose ``citation_ids`` come from its ``knowledge_ids`` (which must exist).

    Statements are frozen and a function of these arguments alone, so equal ones are built once
    per knowledge base (memoised, bounded) and shared.
    """
    build = kb.derived("cite.statement", _stater)
    return build(statement_id, label, tuple(reasons), tuple(knowledge_ids))


def _stater(kb: KnowledgeBase) -> Callable[[str, str, tuple[str, ...], tuple[str, ...]], Statement]:
    @functools.lru_cache(maxsize=_MEMO_SIZE)
    def build(
        statement_id: str, label: str, reasons: tuple[str, ...], knowledge_ids: tuple[str, ...]
    ) -> Statement:
        ids = list(dict.fromkeys(knowledge_ids))
        return Statement(
            id=statement_id,
            label=label,
            reasons=list(reasons),
            knowledge_ids=ids,
            citation_ids=citation_ids(kb, ids),
        )

    return build
