"""Iatrogenic causes: recognised medications and exposures -> one IatrogenicCause per cause.

How each cause's threshold is read is data: the fact ``exposure_rules.cause_rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from osteowedge.codes import code_system
from osteowedge.errors import UnitError
from osteowedge.exposure.glucocorticoids import GcResult
from osteowedge.exposure.medications import Match
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.knowledge.schema import Cause, ExposureKind, Test
from osteowedge.model.assessment import IatrogenicCause, TraceEntry, Warning
from osteowedge.model.patient import Exposure, Lab, Medication, PatientRecord
from osteowedge.units import convert

RULES = "exposure_rules"


@dataclass
class Verdict:
    meets: bool | None
    reason: str
    knowledge_ids: list[str] = field(default_factory=list)
    evidence_match: str | None = None


def combine(values: Sequence[bool | None]) -> bool | None:
    """True if any is true; otherwise unknown if any is unknown; otherwise false."""
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def _label(med: Medication) -> str:
    return med.name or (f"ATC {med.atc}" if med.atc else f"RxNorm {med.rxnorm}")


def _is_current(start: dt.date | None, end: dt.date | None, as_of: dt.date) -> bool:
    return (start is None or start <= as_of) and (end is None or end >= as_of)


def _days_of_use(intervals: Sequence[tuple[dt.date, dt.date]]) -> int:
    """Days covered by the union of inclusive intervals."""
    total = 0
    last: dt.date | None = None
    for first, stop in sorted(intervals):
        if last is not None and first <= last:
            first = last + dt.timedelta(days=1)
        if stop >= first:
            total += (stop - first).days + 1
        last = stop if last is None else max(last, stop)
    return total


def _latest_lab(record: PatientRecord, test: Test, as_of: dt.date) -> tuple[int, Lab] | None:
    codes = {c.code for c in test.codes if c.system == "LOINC"}
    names = {n.casefold() for n in (test.id, test.name, *test.synonyms)}
    found: list[tuple[dt.date, int, Lab]] = []
    for i, lab in enumerate(record.labs):
        by_code = (
            lab.code is not None
            and code_system(lab.system) == "LOINC"
            and lab.code.strip() in codes
        )
        by_name = lab.code is None and lab.name is not None and lab.name.casefold() in names
        if (by_code or by_name) and (lab.date is None or lab.date <= as_of):
            found.append((lab.date or dt.date.min, i, lab))
    if not found:
        return None
    _, i, lab = max(found, key=lambda item: (item[0], item[1]))
    return i, lab


def _bound_below(lab: Lab, value: float, threshold: float) -> bool | None:
    """Whether the true value is below ``threshold``, honouring the comparator."""
    if lab.comparator in (None,):
        return value < threshold
    if lab.comparator == "<":
        return True if value <= threshold else None
    if lab.comparator == "<=":
        return True if value < threshold else None
    # '>' or '>=': a lower bound
    return False if value >= threshold else None


def _bound_above(lab: Lab, value: float, threshold: float) -> bool | None:
    if lab.comparator is None:
        return value > threshold
    if lab.comparator == ">":
        return True if value >= threshold else None
    if lab.comparator == ">=":
        return True if value > threshold else None
    return False if value <= threshold else None


def _lab_verdict(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    test_id: str,
    comparison: str,
    warnings: list[Warning],
    who: str,
) -> Verdict:
    test = kb.typed(test_id, Test)
    found = _latest_lab(record, test, as_of)
    ids = [test_id, RULES]
    if found is None:
        warnings.append(
            Warning(
                code="missing_lab",
                message=f"{who}: no {test.name} result in the labs; whether it counts as a "
                "cause cannot be decided",
                path="/labs",
            )
        )
        return Verdict(None, f"no {test.name} result: cannot tell", ids)
    i, lab = found
    shown = f"{test.name} {lab.comparator or ''}{lab.value} {lab.unit or ''}".strip()
    when = f" on {lab.date}" if lab.date else ""
    if comparison == "below_reference_low":
        if lab.reference_low is not None:
            result = _bound_below(lab, lab.value, lab.reference_low)
            return Verdict(
                result,
                f"{shown}{when} against the laboratory's low limit {lab.reference_low}: "
                + {True: "suppressed", False: "not suppressed", None: "cannot tell"}[result],
                ids,
            )
        # No laboratory range: the cited TSH cut-offs (V) decide; the default range is U.
        value = _in_unit(lab, "m[IU]/L")
        if value is None:
            warnings.append(
                Warning(
                    code="lab_unit_unusable",
                    message=f"{shown}: no reference range and no convertible unit",
                    path=f"/labs/{i}/unit",
                )
            )
            return Verdict(None, f"{shown}{when}: no reference range or usable unit", ids)
        low = float(kb.decision_fact(RULES, "tsh_suppressed_lt_mU_per_L"))
        safe = float(kb.decision_fact(RULES, "tsh_not_risk_min_mU_per_L"))
        if _bound_below(lab, value, low):
            return Verdict(True, f"{shown}{when}: suppressed (below {low} mU/L)", ids)
        not_low = _bound_below(lab, value, safe)
        if not_low is False:
            return Verdict(False, f"{shown}{when}: not suppressed ({safe} mU/L or more)", ids)
        return Verdict(None, f"{shown}{when}: between {low} and {safe} mU/L, cannot tell", ids)
    # above_reference_high (prolactin): the laboratory's own range is required.
    if lab.reference_high is None:
        warnings.append(
            Warning(
                code="missing_reference_range",
                message=f"{shown}: no laboratory reference range; raised or not cannot be told",
                path=f"/labs/{i}/reference_high",
            )
        )
        return Verdict(None, f"{shown}{when}: no reference range, cannot tell", ids)
    result = _bound_above(lab, lab.value, lab.reference_high)
    return Verdict(
        result,
        f"{shown}{when} against the laboratory's high limit {lab.reference_high}: "
        + {True: "raised", False: "not raised", None: "cannot tell"}[result],
        ids,
    )


def _in_unit(lab: Lab, unit: str) -> float | None:
    if lab.unit is None:
        return None
    try:
        return convert(lab.value, lab.unit, unit)
    except (UnitError, KeyError):
        return None


@dataclass
class Evaluation:
    """Everything one cause needs: its medications and exposures."""

    medications: list[tuple[int, Medication, Match]] = field(default_factory=list)
    exposures: list[tuple[int, Exposure, str]] = field(default_factory=list)


def _rule_for(rules: Mapping[str, Any], ingredient: str | None) -> dict[str, Any]:
    rule = dict(rules)
    overrides: Mapping[str, Any] = rules.get("ingredients", {}) or {}
    if ingredient is not None and ingredient in overrides:
        rule.update(overrides[ingredient])
    rule.pop("ingredients", None)
    return rule


def _min_duration(kb: KnowledgeBase, cause: Cause, rule: Mapping[str, Any]) -> int | None:
    named = rule.get("min_duration_fact")
    if named:
        return int(kb.decision_fact(named[0], named[1]))
    fact = cause.min_duration_days
    if fact is None or fact.verification == "U":
        return None
    return int(fact.value)


def evaluate_cause(
    cause: Cause,
    found: Evaluation,
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    gc: GcResult | None,
    warnings: list[Warning],
) -> tuple[IatrogenicCause, TraceEntry]:
    all_rules: Mapping[str, Any] = kb.decision_fact(RULES, "cause_rules")
    rules: Mapping[str, Any] = all_rules.get(cause.id, {"rule": "no_threshold"})
    verdicts: list[Verdict] = []
    knowledge_ids = [cause.id, RULES]

    if rules.get("rule") == "gc_scope" and gc is not None:
        knowledge_ids.extend(gc.knowledge_ids)
        for item in gc.items:
            verdicts.append(Verdict(item.counted, item.reason))
        scope = gc.scope_met
        exp = gc.exposure
        current = exp.current_prednisone_equivalent_mg_per_day
        summary = (
            f"systemic prednisone-equivalent: current {current} mg/day, "
            f"maximum {exp.max_prednisone_equivalent_mg_per_day} mg/day, "
            f"{exp.cumulative_prednisone_equivalent_mg_last_12_months} mg in the last 12 months"
        )
        scope_text = {
            True: f"ACR scope met: systemic >= {gc.thresholds['scope']:g} mg/day for more than "
            f"{gc.thresholds['scope_days']:g} days",
            False: "ACR scope not met",
            None: "ACR scope cannot be decided from the data",
        }[scope]
        meets: bool | None = scope
        reasons = [v.reason for v in verdicts] + [summary, scope_text]
        evidence = _evidence(cause, None)
    else:
        min_days: int | None = None
        intervals: list[tuple[dt.date, dt.date]] = []
        uncertain: list[tuple[dt.date, dt.date]] = []
        duration_unknown = False
        duration_rule = False
        for i, med, match in found.medications:
            rule = _rule_for(rules, match.ingredient)
            kind = rule.get("rule", "no_threshold")
            who = f"{_label(med)}" + (f" ({match.ingredient})" if match.ingredient else "")
            current = _is_current(med.start, med.end, as_of)
            tense = "current" if current else f"ended {med.end}"
            group = f", {rule['group']}" if rule.get("group") else ""
            route_ok = _route_counts(cause, med)
            if route_ok is False:
                verdicts.append(
                    Verdict(False, f"{who}: route {med.route} does not count", [], None)
                )
                continue
            if kind == "not_counted":
                v = Verdict(
                    False, f"{who}{group}: listed, not counted", [], rule.get("evidence_match")
                )
            elif isinstance(med.frequency, str) and med.frequency in rule.get(
                "not_counted_frequencies", []
            ):
                v = Verdict(
                    False,
                    f"{who}{group}: {med.frequency} dosing is listed, not counted",
                    [],
                    rule.get("evidence_match"),
                )
            elif kind == "current_use":
                v = Verdict(current, f"{who}{group}: {tense}", [], rule.get("evidence_match"))
            elif kind == "any_use":
                v = Verdict(True, f"{who}{group}: {tense}", [], rule.get("evidence_match"))
            elif kind == "min_duration":
                duration_rule = True
                min_days = _min_duration(kb, cause, rule)
                if med.start is None:
                    duration_unknown = True
                    warnings.append(
                        Warning(
                            code="missing_start",
                            message=f"{who}: start date missing; duration of use unknown",
                            path=f"/medications/{i}/start",
                        )
                    )
                    v = Verdict(None, f"{who}: {tense}, start date missing", [])
                else:
                    stop = min(med.end or as_of, as_of)
                    if stop >= med.start:
                        (intervals if route_ok else uncertain).append((med.start, stop))
                    v = Verdict(False, f"{who}: {tense}, since {med.start}", [])
                    if route_ok is None:
                        v.reason += "; route not given (only some routes count)"
                        warnings.append(_route_warning(cause, who, i))
            elif kind == "lab":
                v = _lab_verdict(
                    record,
                    kb,
                    as_of,
                    str(rule["lab_test"]),
                    str(rule["comparison"]),
                    warnings,
                    who,
                )
                v.reason = f"{who}{group}: {tense}; {v.reason}"
                if not current and v.meets:
                    v.meets = False
                    v.reason += " (not current)"
            else:  # no_threshold
                v = Verdict(
                    None,
                    f"{who}{group}: {tense}; no cited dose or duration threshold, the clinician "
                    "judges",
                    [],
                    rule.get("evidence_match"),
                )
            if route_ok is None and v.meets is not False:
                v.meets = None
                v.reason += "; route not given (only some routes count)"
                warnings.append(_route_warning(cause, who, i))
            verdicts.append(v)
        if duration_rule:
            used = _days_of_use(intervals)
            possible = _days_of_use(intervals + uncertain)
            comparison = rules.get("comparison", "at_least")
            if min_days is None:
                verdicts.append(
                    Verdict(None, f"{used} days of use; no verified minimum duration", [])
                )
            else:

                def enough(days: int, limit: int = min_days) -> bool:
                    return days > limit if comparison == "greater_than" else days >= limit

                word = "more than" if comparison == "greater_than" else "at least"
                result: bool | None = True if enough(used) else False
                if result is False and (duration_unknown or enough(possible)):
                    result = None
                shown = f"{used} days" if used == possible else f"{used} to {possible} days"
                verdicts.append(
                    Verdict(
                        result,
                        f"{shown} of use up to {as_of}; threshold {word} {min_days} days",
                        [],
                    )
                )
        for _i, exposure, kind_id in found.exposures:
            rule = _rule_for(rules, None)
            kind = rule.get("rule", "no_threshold")
            span = f"{exposure.start or 'start unknown'} to {exposure.end or 'ongoing'}"
            detail = f" ({exposure.details})" if exposure.details else ""
            text = f"{kind_id.replace('_', ' ')} {span}{detail}"
            if kind_id != cause.id:
                knowledge_ids.append(kind_id)
            if kind == "any_use":
                verdicts.append(Verdict(True, text))
            elif kind == "current_use":
                verdicts.append(Verdict(_is_current(exposure.start, exposure.end, as_of), text))
            else:
                verdicts.append(Verdict(None, f"{text}; no cited threshold, the clinician judges"))
        # Per-medication verdicts of min_duration causes are placeholders; the union decides.
        meets = combine([v.meets for v in verdicts])
        reasons = [v.reason for v in verdicts]
        matches = {v.evidence_match for v in verdicts if v.evidence_match}
        evidence = _evidence(cause, next(iter(sorted(matches))) if len(matches) == 1 else None)
        if len(matches) > 1:
            evidence = " | ".join(_evidence(cause, m) for m in sorted(matches))
        for v in verdicts:
            knowledge_ids.extend(v.knowledge_ids)

    knowledge_ids = list(dict.fromkeys(knowledge_ids))
    cause_out = IatrogenicCause(
        id=cause.id,
        label=cause.name,
        reasons=reasons,
        knowledge_ids=knowledge_ids,
        citation_ids=citation_ids(kb, knowledge_ids),
        medications=list(dict.fromkeys(_label(m) for _, m, _ in found.medications)),
        exposures=[kind for _, _, kind in found.exposures],
        meets_threshold=meets,
        evidence=evidence,
    )
    trace = TraceEntry(
        rule_id=f"exposure.cause.{cause.id}",
        fired=meets is True,
        knowledge_ids=knowledge_ids,
        inputs={
            "medications": len(found.medications),
            "exposures": len(found.exposures),
            "meets_threshold": meets,
            "rule": str(rules.get("rule")),
        },
    )
    return cause_out, trace


def _route_warning(cause: Cause, who: str, i: int) -> Warning:
    return Warning(
        code="missing_route",
        message=f"{who}: route not given; {cause.name} counts only by "
        f"{', '.join(cause.routes_that_count)}",
        path=f"/medications/{i}/route",
    )


def _route_counts(cause: Cause, med: Medication) -> bool | None:
    """False when the route is one that does not count, None when unknown and it matters."""
    if med.route is None:
        return None if cause.routes_that_do_not_count else True
    if med.route in cause.routes_that_do_not_count:
        return False
    if cause.routes_that_count and med.route not in cause.routes_that_count:
        return False
    return True


def _evidence(cause: Cause, match: str | None) -> str:
    sizes = [e for e in cause.effect_sizes if match is None or match in e.measure]
    level = cause.evidence.level.replace("_", " ")
    parts = [f"{level[:1].upper()}{level[1:]} evidence"]
    for e in sizes[:2]:
        ci = f" (CI {e.ci_low}-{e.ci_high})" if e.ci_low is not None else ""
        who = f" [{e.population}]" if e.population else ""
        parts.append(f"{e.measure[:1].upper()}{e.measure[1:]}: {e.value}{ci}{who}")
    return ". ".join(parts)


def exposure_cause_id(kb: KnowledgeBase, kind: str) -> str | None:
    """The cause a record's ``exposures[].kind`` counts as."""
    if kind in kb:
        record = kb.get(kind)
        if isinstance(record, Cause):
            return record.id
        if isinstance(record, ExposureKind):
            return record.counts_as_cause
    return None
