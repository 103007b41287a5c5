"""Red flags -> urgency (``routine``, ``soon``, ``urgent``).

Which triggers a red flag has and how urgent it is come from the ``red_flag`` records; how the
triggers combine, the height-loss threshold, which history counts as cancer or
immunosuppression and how an unrecorded symptom course counts come from the guideline record
``triage_red_flag_logic``. A symptom's course (``progressing.<symptom>`` triggers) is read in
``course.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

from osteowedge.errors import KnowledgeError
from osteowedge.exposure.medications import word_pattern
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import statement
from osteowedge.knowledge.match import resolve_conditions, unknown_conditions
from osteowedge.knowledge.medications import identify
from osteowedge.knowledge.schema import Cause, RedFlag, Symptom
from osteowedge.model.assessment import Statement, TraceEntry, Triage, Urgency, Warning
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import Exam, Medication, PatientRecord, symptom_ids
from osteowedge.triage import course as symptom_course
from osteowedge.triage.course import Course

LOGIC = "triage_red_flag_logic"
_PRECISION_DIGITS = 6  # float noise in height differences (cm), not a clinical number


@dataclass(frozen=True)
class TriageResult:
    triage: Triage
    notes: EngineNotes


@dataclass(frozen=True)
class _Trigger:
    fired: bool
    reason: str | None = None


@dataclass
class _Facts:
    """What the record shows, gathered once."""

    symptoms: set[str]
    courses: dict[str, Course]
    exam: Exam | None
    height_loss_cm: float | None
    height_loss_basis: str | None
    malignancy: list[str] = field(default_factory=list)
    immunosuppression: list[str] = field(default_factory=list)
    fragility_fractures: list[str] = field(default_factory=list)
    antiresorptives: list[str] = field(default_factory=list)


def assess_triage(record: PatientRecord, kb: KnowledgeBase, as_of: dt.date) -> TriageResult:
    """Urgency and the red flags that fired, with warnings for what could not be judged."""
    warnings: list[Warning] = []
    trace: list[TraceEntry] = []
    facts = _gather(record, kb, as_of, warnings)
    flags = kb.derived("triage.flag_rules", _flag_rules)
    order = cast(list[str], kb.decision_fact(LOGIC, "urgency_order"))
    threshold = float(kb.decision_fact(LOGIC, "measured_height_loss_min_cm"))
    unknown_counts = symptom_course.unknown_counts_as_progressing(
        kb.decision_fact(LOGIC, symptom_course.UNKNOWN_FACT)
    )

    fired: list[tuple[RedFlag, Statement]] = []
    evaluated: dict[str, _Trigger] = {}  # a trigger's result is the same for every flag
    for _, _, names, _ in flags:
        for name in names:
            if name not in evaluated:
                evaluated[name] = _evaluate(name, facts, kb, threshold, unknown_counts)
    shown = frozenset(name for name, result in evaluated.items() if result.fired)
    for flag, groups, names, in_groups in flags:
        fires = all(not shown.isdisjoint(group) for group in groups)
        trace.append(
            TraceEntry(
                rule_id=f"triage.red_flag.{flag.id}",
                fired=fires,
                knowledge_ids=[flag.id, LOGIC],
                inputs={name: name in shown for name in names},
            )
        )
        if not fires:
            continue
        results = [(t, evaluated[t]) for t in names]
        reasons = [r.reason for t, r in results if t in in_groups and r.fired and r.reason]
        reasons += [
            f"also: {r.reason}" for t, r in results if t not in in_groups and r.fired and r.reason
        ]
        reasons.append(f"{flag.urgency}: {flag.summary.strip()}")
        fired.append((flag, statement(kb, flag.id, flag.name, reasons, [flag.id, LOGIC])))

    urgency_name = "routine"
    for flag, _ in fired:
        if order.index(flag.urgency) > order.index(urgency_name):
            urgency_name = flag.urgency
    urgency = cast(Urgency, urgency_name)
    fired.sort(key=lambda item: -order.index(item[0].urgency))
    trace.append(
        TraceEntry(
            rule_id="triage.R-urgency",
            fired=bool(fired),
            knowledge_ids=[LOGIC],
            inputs={"urgency": urgency, "red_flags": len(fired)},
        )
    )
    _warn_missing(record, kb, facts, warnings)
    read = kb.derived("triage.course_readers", _course_readers)
    labels = {sid: kb.get(sid).name for sid in read}
    warnings.extend(symptom_course.course_warnings(read, facts.courses, labels, unknown_counts))
    triage = Triage(urgency=urgency, red_flags=[s for _, s in fired])
    return TriageResult(triage=triage, notes=EngineNotes(tuple(warnings), tuple(trace)))


_FlagRule = tuple[RedFlag, tuple[frozenset[str], ...], tuple[str, ...], frozenset[str]]


def _flag_rules(kb: KnowledgeBase) -> tuple[_FlagRule, ...]:
    """Each red flag with its trigger groups, every trigger it names (first named first) and
    the triggers inside its groups, from ``triage_red_flag_logic.criteria`` (pure)."""
    criteria = cast(Mapping[str, list[list[str]]], kb.decision_fact(LOGIC, "criteria"))
    rules: list[_FlagRule] = []
    for flag in kb.of_kind(RedFlag):
        groups = criteria.get(flag.id) or [list(flag.triggers)]
        names = tuple(dict.fromkeys([*flag.triggers, *(t for g in groups for t in g)]))
        rules.append(
            (
                flag,
                tuple(frozenset(g) for g in groups),
                names,
                frozenset(t for g in groups for t in g),
            )
        )
    return tuple(rules)


def _course_readers(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Each symptom whose course a trigger reads, with the red flags that read it (pure)."""
    return symptom_course.readers((flag.name, names) for flag, _, names, _ in _flag_rules(kb))


# ---------------------------------------------------------------------------------- triggers


def _evaluate(
    name: str, facts: _Facts, kb: KnowledgeBase, threshold: float, unknown_counts: bool
) -> _Trigger:
    prefix, _, item = name.partition(".")
    if not item:
        if name in facts.symptoms:
            label = kb.get(name).name if name in kb else name
            course = facts.courses.get(name)
            given = course is not None and (
                course.progressing is not None or course.onset is not None
            )
            shown = f" ({course.describe()})" if course is not None and given else ""
            return _Trigger(True, f"symptom reported: {label}{shown}")
        return _Trigger(False)
    if prefix == symptom_course.PREFIX:
        if item not in kb or not isinstance(kb.get(item), Symptom):
            raise KnowledgeError(f"red-flag trigger {name!r} names no symptom")
        fired, reason = symptom_course.progressing_trigger(
            facts.courses.get(item), kb.get(item).name, unknown_counts
        )
        return _Trigger(fired, reason)
    exam = facts.exam
    if prefix == "exam":
        if item not in Exam.model_fields:
            raise KnowledgeError(f"red-flag trigger {name!r} names no exam field")
        value = None if exam is None else getattr(exam, item)
        if item == "height_loss_cm":
            if value is not None and round(float(value), _PRECISION_DIGITS) >= threshold:
                return _Trigger(True, f"height loss on examination {value:g} cm (>= {threshold:g})")
            return _Trigger(False)
        if value is True:
            return _Trigger(True, f"examination: {item.replace('_', ' ')}")
        return _Trigger(False)
    if prefix == "unexamined":
        if item not in Exam.model_fields:
            raise KnowledgeError(f"red-flag trigger {name!r} names no exam field")
        if exam is None or getattr(exam, item) is None:
            return _Trigger(True, f"not examined: {item.replace('_', ' ')}")
        return _Trigger(False)
    if prefix == "history":
        return _history(item, facts, threshold)
    raise KnowledgeError(
        f"unknown red-flag trigger {name!r} (symptom id, progressing.*, exam.*, history.*)"
    )


def _history(item: str, facts: _Facts, threshold: float) -> _Trigger:
    if item == "height_loss":
        loss = facts.height_loss_cm
        if loss is not None and round(loss, _PRECISION_DIGITS) >= threshold:
            return _Trigger(True, f"measured height loss {loss:.1f} cm ({facts.height_loss_basis})")
        return _Trigger(False)
    if item == "malignancy":
        if facts.malignancy:
            return _Trigger(True, "history of cancer: " + ", ".join(facts.malignancy))
        return _Trigger(False)
    if item == "immunosuppression":
        if facts.immunosuppression:
            return _Trigger(True, "immunosuppressed: " + ", ".join(facts.immunosuppression))
        return _Trigger(False)
    if item == "minimal_trauma":
        if facts.fragility_fractures:
            return _Trigger(True, "fragility fracture: " + ", ".join(facts.fragility_fractures))
        return _Trigger(False)
    if item == "antiresorptive":
        if facts.antiresorptives:
            return _Trigger(True, "on an antiresorptive: " + ", ".join(facts.antiresorptives))
        return _Trigger(False)
    raise KnowledgeError(f"unknown red-flag trigger 'history.{item}'")


# ------------------------------------------------------------------------------- gathering


def _gather(
    record: PatientRecord, kb: KnowledgeBase, as_of: dt.date, warnings: list[Warning]
) -> _Facts:
    known_symptoms = {s.id for s in kb.of_kind(Symptom)}
    for i, sid in enumerate(symptom_ids(record)):
        if sid not in known_symptoms:
            warnings.append(
                Warning(
                    code="symptom_unknown",
                    message=f"symptom {sid!r} is not a knowledge-base symptom id; no rule uses "
                    "it (`osteowedge kb list symptoms`)",
                    path=f"/symptoms/{i}",
                )
            )
    loss, basis = height_loss(record, as_of)
    facts = _Facts(
        symptoms=set(symptom_ids(record)),
        courses=symptom_course.courses(record),
        exam=record.exam,
        height_loss_cm=loss,
        height_loss_basis=basis,
    )
    warnings.extend(unknown_conditions(record, kb))
    conditions = resolve_conditions(record, kb)
    malignancy = set(_str_list(kb.decision_fact(LOGIC, "malignancy_conditions")))
    facts.malignancy = [kb.get(c).name for c in conditions if c in malignancy]
    immuno_conditions = set(_str_list(kb.decision_fact(LOGIC, "immunosuppression_conditions")))
    facts.immunosuppression = [kb.get(c).name for c in conditions if c in immuno_conditions]
    immuno_exposures = set(_str_list(kb.decision_fact(LOGIC, "immunosuppression_exposures")))
    facts.immunosuppression += [
        e.kind.replace("_", " ") for e in record.exposures if e.kind in immuno_exposures
    ]
    causes, matcher = kb.derived("triage.immunosuppression_causes", _immunosuppression_causes)
    current = [(med, matcher(med.route, med.atc, med.name)) for med in record.medications]
    for cause in causes:
        for med, matched in current:
            if cause.id in matched and _active(med, as_of):
                facts.immunosuppression.append(f"{med.name or med.atc or med.rxnorm} (current)")
    facts.immunosuppression = list(dict.fromkeys(facts.immunosuppression))
    facts.fragility_fractures = [
        f"{f.site}{' ' + f.level if f.level else ''}{' on ' + str(f.date) if f.date else ''}"
        for f in record.fractures
        if f.mechanism == "fragility"
    ]
    antiresorptives = set(_str_list(kb.decision_fact(LOGIC, "antiresorptive_drugs")))
    facts.antiresorptives = list(
        dict.fromkeys(
            kb.get(d).name
            for med in record.medications
            if _active(med, as_of)
            for d in sorted(identify(med, kb) & antiresorptives)
        )
    )
    return facts


def height_loss(record: PatientRecord, as_of: dt.date) -> tuple[float | None, str | None]:
    """Tallest earlier measured height minus the current height (cm), with how it was found.

    The current height is ``height_cm``, else the latest ``height_history`` entry up to
    ``as_of``. ``None`` when there is no earlier measurement to compare with.
    """
    history = sorted((h for h in record.height_history if h.date <= as_of), key=lambda h: h.date)
    if record.height_cm is not None:
        current, current_label, earlier = record.height_cm, "current height", history
    elif history:
        latest = history[-1]
        current, current_label = latest.height_cm, f"height on {latest.date}"
        earlier = history[:-1]
    else:
        return None, None
    if not earlier:
        return None, None
    tallest = max(earlier, key=lambda h: h.height_cm)
    loss = tallest.height_cm - current
    basis = f"{tallest.height_cm:g} cm on {tallest.date} -> {current:g} cm ({current_label})"
    return loss, basis


_CauseMatcher = Callable[[str | None, str | None, str | None], frozenset[str]]


def _immunosuppression_causes(kb: KnowledgeBase) -> tuple[tuple[Cause, ...], _CauseMatcher]:
    """The causes that count as immunosuppression, and a memoised function from a medication's
    (route, ATC, name) to the ids of those causes it matches (see `medication_matches`)."""
    causes = tuple(
        kb.typed(cause_id, Cause)
        for cause_id in _str_list(kb.decision_fact(LOGIC, "immunosuppression_causes"))
    )

    @functools.lru_cache(maxsize=4096)
    def matched(route: str | None, atc: str | None, name: str | None) -> frozenset[str]:
        return frozenset(c.id for c in causes if _matches(route, atc, name, c))

    return causes, matched


def medication_matches(med: Medication, cause: Cause) -> bool:
    """Whether a medication is one of the cause's ingredients (name, brand or ATC), systemically."""
    return _matches(med.route, med.atc, med.name, cause)


def _matches(route: str | None, med_atc: str | None, name: str | None, cause: Cause) -> bool:
    if route is not None:
        if route in cause.routes_that_do_not_count:
            return False
        if cause.routes_that_count and route not in cause.routes_that_count:
            return False
    if med_atc:
        atc = med_atc.strip().upper()
        codes = [*cause.atc_codes, *(i.atc for i in cause.ingredients if i.atc)]
        if any(atc.startswith(code.upper()) for code in codes):
            return True
    if name:
        text = name.casefold()
        terms = [t for i in cause.ingredients for t in (i.name, *i.brands)]
        return any(word_pattern(t).search(text) for t in terms)
    return False


def _active(med: Medication, as_of: dt.date) -> bool:
    started = med.start is None or med.start <= as_of
    ongoing = med.end is None or med.end >= as_of
    return started and ongoing


def _str_list(value: object) -> list[str]:
    if not isinstance(value, list):
        raise KnowledgeError(f"expected a list of ids in {LOGIC}, got {value!r}")
    return [str(v) for v in value]


def _warn_missing(
    record: PatientRecord, kb: KnowledgeBase, facts: _Facts, warnings: list[Warning]
) -> None:
    back_pain = set(_str_list(kb.decision_fact(LOGIC, "back_pain_triggers"))) & facts.symptoms
    exam = record.exam
    if not record.symptoms and exam is None:
        warnings.append(
            Warning(
                code="triage_no_symptoms_or_exam",
                message="no symptoms and no examination recorded: triage could only use the "
                "history and heights; urgency routine is not a clinical all-clear",
                path="/symptoms",
            )
        )
    if back_pain and exam is None:
        warnings.append(
            Warning(
                code="triage_exam_missing",
                message="back pain without a recorded examination: neurological deficit, "
                "cauda equina signs and fever could not be checked",
                path="/exam",
            )
        )
    if back_pain and facts.immunosuppression and (exam is None or exam.fever is None):
        warnings.append(
            Warning(
                code="triage_fever_unknown",
                message="back pain in an immunosuppressed patient with no temperature recorded: "
                "spinal infection could not be judged; record exam.fever",
                path="/exam/fever",
            )
        )


__all__ = [
    "TriageResult",
    "assess_triage",
    "height_loss",
    "medication_matches",
]
