"""A drug's labels as screening reads them: which labels apply under a jurisdiction, what they
contraindicate and cite, and indexes over every drug's labels (pure, memoised per knowledge
base)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import Contraindication, Drug, DrugLabel, RenalCutoff


def label_id(drug: Drug, label: DrugLabel) -> str:
    return f"{drug.id}.label.{label.jurisdiction.lower()}"


def applicable_labels(drug: Drug, jurisdiction: str | None) -> tuple[tuple[DrugLabel, ...], bool]:
    """The labels to screen and whether that is every label for want of the record's own."""
    own = tuple(label for label in drug.labels if label.jurisdiction == jurisdiction)
    if own:
        return own, False
    return tuple(drug.labels), bool(drug.labels)


@dataclass(frozen=True)
class LabelSet:
    """What screening a drug reads under one jurisdiction, gathered once per knowledge base."""

    labels: tuple[DrugLabel, ...]
    every_label: bool
    contraindications: tuple[Contraindication, ...]
    """The drug record's own, then each applicable label's."""
    cutoffs: tuple[RenalCutoff, ...]
    label_ids: tuple[str, ...]
    label_citations: tuple[str, ...]


def label_set(kb: KnowledgeBase, drug: Drug, jurisdiction: str | None) -> LabelSet:
    """The drug's :class:`LabelSet` for the jurisdiction (memoised per knowledge base)."""
    return kb.derived("plan.label_sets", _label_sets)(drug.id, jurisdiction)


def _label_sets(kb: KnowledgeBase) -> Callable[[str, str | None], LabelSet]:
    @functools.lru_cache(maxsize=256)  # drugs x jurisdictions the records name
    def build(drug_id: str, jurisdiction: str | None) -> LabelSet:
        drug = kb.get(drug_id)
        assert isinstance(drug, Drug)
        labels, union = applicable_labels(drug, jurisdiction)
        cutoffs = (drug.renal_cutoff, *(lb.renal_cutoff for lb in labels))
        return LabelSet(
            labels=labels,
            every_label=union,
            contraindications=(
                *drug.contraindications,
                *(ci for lb in labels for ci in lb.contraindications),
            ),
            cutoffs=tuple(c for c in cutoffs if c is not None),
            label_ids=tuple(label_id(drug, lb) for lb in labels),
            label_citations=tuple(dict.fromkeys(c for lb in labels for c in lb.citations)),
        )

    return build


def _drug_sources(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Drug id -> the references its record and labels cite; "" -> those of every drug."""
    sources = {
        d.id: frozenset([*d.citations, *(c for lb in d.labels for c in lb.citations)])
        for d in kb.of_kind(Drug)
    }
    return {**sources, "": frozenset().union(*sources.values())}


def _lifetime_groups(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Lifetime group -> the drugs whose labels count towards it."""
    groups: dict[str, list[str]] = {}
    for drug in kb.of_kind(Drug):
        for group in dict.fromkeys(lb.lifetime_group for lb in drug.labels if lb.lifetime_group):
            assert group is not None
            groups.setdefault(group, []).append(drug.id)
    return {g: tuple(ids) for g, ids in groups.items()}


def drug_sources(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Drug id -> the references its record and labels cite; "" -> those of every drug."""
    return kb.derived("plan.drug_sources", _drug_sources)


def lifetime_groups(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Lifetime group -> the drugs whose labels count towards it."""
    return kb.derived("plan.lifetime_groups", _lifetime_groups)


__all__ = [
    "LabelSet",
    "applicable_labels",
    "drug_sources",
    "label_id",
    "label_set",
    "lifetime_groups",
]
