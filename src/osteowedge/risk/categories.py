"""The ACR 2022 category rules that apply at an age, checked against the categories ACR 2022
defines at that age (pure): under 40 there is no "high" category."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge.base import KnowledgeBase

ACR = "acr_2022_giop_risk_categories"

OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def age_rules(kb: KnowledgeBase, age: float) -> list[Mapping[str, Any]]:
    """The category rules for this age, in knowledge-base order. A rule that would give an adult
    under 40 a category outside ``under_40_categories`` is a knowledge-base error."""
    rules: list[Mapping[str, Any]] = [
        rule for rule in kb.decision_fact(ACR, "category_rules") if _age_matches(rule["age"], age)
    ]
    if age < float(kb.decision_fact(ACR, "age_split_years")):
        allowed = set(kb.decision_fact(ACR, "under_40_categories"))
        stray = sorted(str(r["rule_id"]) for r in rules if r["category"] not in allowed)
        if stray:
            raise KnowledgeError(
                f"{ACR}: rule(s) {', '.join(stray)} give adults under 40 a category outside "
                f"under_40_categories ({', '.join(sorted(allowed))})"
            )
    return rules


def _age_matches(condition: str, age: float) -> bool:
    op, number = condition.split()
    return OPS[op](age, float(number))


__all__ = ["ACR", "OPS", "age_rules"]
