"""The patient-facing part of the assessment: a plain-language summary, the FAQs that apply and
the disclaimer. Short sentences and everyday words; the facts come from the other engines. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.schema import Disclaimer, Faq, Vocabulary
from osteowedge.model.assessment import (
    BoneDensity,
    Education,
    FaqItem,
    GradedVertebra,
    IatrogenicCause,
    Plan,
    Risk,
    Statement,
    Triage,
)

DISCLAIMER_ID = "disclaimer_general"
PHRASES_ID = "patient_summary_phrases"


def applicable_faqs(kb: KnowledgeBase, present_ids: Iterable[str]) -> list[FaqItem]:
    """FAQs whose ``applies_to`` names anything the assessment contains, in knowledge order."""
    present = set(present_ids)
    return [
        FaqItem(id=faq.id, question=faq.question, answer=faq.answer)
        for faq in kb.of_kind(Faq)
        if present.intersection(faq.applies_to)
    ]


def make_education(
    kb: KnowledgeBase,
    *,
    causes: Sequence[IatrogenicCause],
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
    diagnoses: Sequence[Statement],
    triage: Triage,
    risk: Risk,
    plan: Plan,
    workup_ids: Iterable[str],
) -> Education:
    phrases = {v.id: v.name for v in kb.typed(PHRASES_ID, Vocabulary).values}

    def say(key: str, items: Iterable[str] = ()) -> None:
        sentences.append(phrases[key].replace("{items}", ", ".join(items)))

    sentences: list[str] = []
    if triage.urgency in {"urgent", "soon"}:
        say(triage.urgency)
    medicines = [c.label.lower() for c in causes if c.meets_threshold is not False]
    if medicines:
        say("causes", medicines)
    who_key = f"who_{bone_density.who_category}"
    if who_key in phrases:
        say(who_key)
    elif bone_density.z_score_interpretation == "below_expected_range":
        say("z_below")
    broken = [v.level for v in vertebrae if v.counts_as_fracture]
    if broken:
        say("fracture", broken)
    possible = [v.level for v in vertebrae if v.possible_fracture]
    if possible:
        say("possible_fracture", possible)
    if risk.giop_category in {"high", "very_high"}:
        say("risk_high")
    elif risk.giop_category == "moderate":
        say("risk_moderate")
    if plan.pharmacological:
        say("drug", [plan.pharmacological[0].label.lower()])
    if plan.avoid_activities:
        say("avoid_activities")
    if not sentences:
        say("nothing")
    say("closing")

    present = {
        *(c.id for c in causes),
        *(d.id for d in diagnoses),
        *(d.drug for d in plan.pharmacological),
        *(s.id for s in plan.referrals),
        *(s.id for s in plan.supplements),
        *workup_ids,
    }
    if broken:
        present.update({"vertebral_fracture", "wedge_fracture"})
    disclaimer = kb.typed(DISCLAIMER_ID, Disclaimer)
    return Education(
        summary=" ".join(sentences),
        faqs=applicable_faqs(kb, present),
        disclaimer=disclaimer.text,
    )
