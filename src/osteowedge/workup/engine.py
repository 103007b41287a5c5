"""Which tests to order and why, plus the interpreted labs (``labs.py``).

The rules and their test lists come from the guideline record ``workup_rules`` and from the
``workup`` lists of the red flags that fired. A test whose result in the record is still fresh
is not ordered again (the trace says so).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from osteowedge.errors import KnowledgeError
from osteowedge.exposure.medications import word_pattern
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import statement
from osteowedge.knowledge.schema import Drug, RedFlag, Test
from osteowedge.model.assessment import IatrogenicCause, TraceEntry, Triage, Warning, Workup
from osteowedge.model.context import EngineNotes, LabContext
from osteowedge.model.patient import Medication, PatientRecord
from osteowedge.workup.labs import interpret_labs

RULES = "workup_rules"
VERTEBRAL_IMAGING_SOURCES = ("vfa", "radiograph", "ct", "mri")  # record vocabulary, not facts


@dataclass(frozen=True)
class WorkupResult:
    workup: Workup
    labs: LabContext
    notes: EngineNotes


@dataclass
class _Order:
    reasons: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class _Orders:
    items: dict[str, _Order] = field(default_factory=dict)

    def add(self, test_id: str, reason: str, *sources: str) -> None:
        order = self.items.setdefault(test_id, _Order())
        if reason not in order.reasons:
            order.reasons.append(reason)
        for source in sources:
            if source not in order.sources:
                order.sources.append(source)


def assess_workup(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    *,
    causes: Sequence[IatrogenicCause],
    triage: Triage,
    on_systemic_glucocorticoids: bool,
) -> WorkupResult:
    """Tests to order (one statement per test record) and the labs interpreted."""
    report = interpret_labs(record, kb, as_of)
    warnings: list[Warning] = list(report.warnings)
    trace: list[TraceEntry] = list(report.trace)
    orders = _Orders()

    # 1. Red flags: the imaging and tests that rule out a pathological fracture or infection.
    for flag_statement in triage.red_flags:
        if flag_statement.id not in kb:
            continue
        flag = kb.typed(flag_statement.id, RedFlag)
        for test_id in flag.workup:
            orders.add(test_id, f"red flag ({flag.urgency}): {flag.name}", flag.id)

    # 2. Long-term systemic glucocorticoids: DXA with vertebral imaging (ACR 2022).
    if on_systemic_glucocorticoids:
        for test_id in _ids(kb, "glucocorticoid_tests"):
            orders.add(
                test_id,
                "long-term systemic glucocorticoids: baseline DXA with vertebral imaging (VFA or "
                "spine radiograph) within 6 months of starting, then every 1-2 years",
                RULES,
                "bmd_monitoring_interval",
                "glucocorticoids",
            )

    # 3. Bone-toxic causes at the dose or duration that matters (or when that is unknown): DXA.
    dxa_causes = set(_ids(kb, "dxa_for_causes"))
    cause_tests = _mapping(kb, "cause_tests")
    sex_specific = _mapping_str(kb, "sex_specific_tests")
    enzyme_inducers = [n.casefold() for n in _ids(kb, "enzyme_inducing_anticonvulsants")]
    for cause in causes:
        if cause.id in dxa_causes and cause.meets_threshold is not False:
            orders.add("dxa", f"bone-toxic therapy: {cause.label}", RULES, cause.id)
        for test_id in cause_tests.get(cause.id, []):
            needed = sex_specific.get(test_id)
            if needed is not None and needed != record.sex:
                continue
            reason = f"{cause.label}: {_test_name(kb, test_id)}"
            if cause.id == "anticonvulsants":
                inducers = [
                    m
                    for m in cause.medications
                    if any(re.search(rf"\b{re.escape(e)}\b", m.casefold()) for e in enzyme_inducers)
                ]
                if inducers:
                    reason = (
                        "enzyme-inducing anticonvulsant (" + ", ".join(inducers) + ") speeds "
                        "vitamin D breakdown: 25-hydroxyvitamin D"
                    )
            orders.add(test_id, reason, RULES, cause.id)

    # 4. Men: testosterone (male hypogonadism is a common secondary cause).
    if record.sex == "male":
        for test_id in _ids(kb, "male_tests"):
            orders.add(test_id, "man with bone-health assessment: exclude hypogonadism", RULES)

    # 5. Baseline laboratory tests before any osteoporosis drug.
    for test_id in _ids(kb, "baseline_tests"):
        orders.add(test_id, "baseline before any osteoporosis drug", RULES)

    # 6. Bone turnover markers for patients on osteoporosis therapy.
    for drug in _current_osteoporosis_drugs(record, kb, as_of):
        fact = (
            "anabolic_monitoring_markers" if drug.anabolic else "antiresorptive_monitoring_markers"
        )
        for test_id in _ids(kb, fact):
            orders.add(test_id, f"monitoring response to {drug.name}", RULES, drug.id)

    recommended = []
    for test_id, order in orders.items.items():
        if test_id not in kb:
            raise KnowledgeError(f"workup names unknown test {test_id!r}")
        have = _fresh_result(record, kb, as_of, test_id, report.context)
        trace.append(
            TraceEntry(
                rule_id=f"workup.order.{test_id}",
                fired=have is None,
                knowledge_ids=[test_id, *order.sources],
                inputs={"fresh_result": have},
            )
        )
        if have is not None:
            continue
        reasons = list(order.reasons)
        stale = _stale_reason(record, kb, test_id)
        if stale:
            reasons.append(stale)
        if test_id == "vfa":
            reasons.append("a lateral spine radiograph is the alternative to VFA")
        recommended.append(
            statement(kb, test_id, _test_name(kb, test_id), reasons, [test_id, *order.sources])
        )

    ctx = report.context
    workup = Workup(
        recommended_tests=recommended,
        lab_findings=report.findings,
        egfr_ml_min_1_73m2=None
        if ctx.egfr_ml_min_1_73m2 is None
        else round(ctx.egfr_ml_min_1_73m2, 1),
        creatinine_clearance_ml_min=None
        if ctx.creatinine_clearance_ml_min is None
        else round(ctx.creatinine_clearance_ml_min, 1),
    )
    return WorkupResult(workup=workup, labs=ctx, notes=EngineNotes(tuple(warnings), tuple(trace)))


# ------------------------------------------------------------------------------------ helpers


def _fresh_result(
    record: PatientRecord, kb: KnowledgeBase, as_of: dt.date, test_id: str, ctx: LabContext
) -> str | None:
    """The date of a result fresh enough that the test need not be ordered again, if any."""
    if test_id in ctx.dates:
        return str(ctx.dates[test_id])
    test = kb.typed(test_id, Test)
    window = _window(test)
    if test_id == "dxa":
        dates = [e.date for e in record.dxa if e.date <= as_of]
    elif test_id in ("vfa", "spine_radiograph"):
        dates = [
            e.date
            for e in record.vertebral_morphometry
            if e.date is not None and e.date <= as_of and e.source in VERTEBRAL_IMAGING_SOURCES
        ]
    else:
        return None
    if not dates or window is None:
        return None
    latest = max(dates)
    return str(latest) if (as_of - latest).days <= window else None


def _stale_reason(record: PatientRecord, kb: KnowledgeBase, test_id: str) -> str | None:
    window = _window(kb.typed(test_id, Test))
    if test_id == "dxa" and record.dxa:
        latest = max(e.date for e in record.dxa)
        return f"last DXA {latest} is older than {window} days"
    if test_id in ("vfa", "spine_radiograph"):
        dated = [e.date for e in record.vertebral_morphometry if e.date is not None]
        if dated:
            return f"last vertebral imaging {max(dated)} is older than {window} days"
        if record.vertebral_morphometry:
            return "the vertebral imaging in the record is undated"
    return None


def _window(test: Test) -> int | None:
    fact = test.freshness_days
    if fact is None or fact.verification == "U":
        return None
    return int(fact.value)


def _current_osteoporosis_drugs(
    record: PatientRecord, kb: KnowledgeBase, as_of: dt.date
) -> list[Drug]:
    therapies, matcher = kb.derived("workup.osteoporosis_drugs", _osteoporosis_drugs)
    taken: set[str] = set()
    for m in record.medications:
        if _active(m, as_of):
            taken.update(matcher(m.atc, m.name))
    return [drug for drug in therapies if drug.id in taken]


_Matcher = Callable[[str | None, str | None], frozenset[str]]


def _osteoporosis_drugs(kb: KnowledgeBase) -> tuple[tuple[Drug, ...], _Matcher]:
    """The standard and second-line osteoporosis drugs, and a memoised function from a
    medication's (ATC, name) to the ids of those drugs it is (see `_is_drug`)."""
    therapies = tuple(
        drug
        for drug in kb.of_kind(Drug)
        if drug.is_osteoporosis_therapy and drug.status in ("standard", "second_line")
    )

    @functools.lru_cache(maxsize=4096)
    def matcher(atc: str | None, name: str | None) -> frozenset[str]:
        return frozenset(drug.id for drug in therapies if _is_drug(atc, name, drug))

    return therapies, matcher


def _is_drug(atc_code: str | None, name: str | None, drug: Drug) -> bool:
    """Whether a medication with this ATC code and name is the drug."""
    if atc_code:
        atc = atc_code.strip().upper()
        codes = [*drug.atc_codes, *(i.atc for i in drug.ingredients if i.atc)]
        if any(atc == code.upper() for code in codes):
            return True
    if name:
        text = name.casefold()
        terms = [
            drug.id.replace("_", " "),
            *(t for i in drug.ingredients for t in (i.name, *i.brands)),
        ]
        return any(word_pattern(t).search(text) for t in terms)
    return False


def _active(med: Medication, as_of: dt.date) -> bool:
    return (med.start is None or med.start <= as_of) and (med.end is None or med.end >= as_of)


def _test_name(kb: KnowledgeBase, test_id: str) -> str:
    return kb.get(test_id).name


def _ids(kb: KnowledgeBase, fact: str) -> tuple[str, ...]:
    return kb.derived(f"workup.ids.{fact}", lambda kb: _read_ids(kb, fact))


def _read_ids(kb: KnowledgeBase, fact: str) -> tuple[str, ...]:
    value = kb.decision_fact(RULES, fact)
    if not isinstance(value, list):
        raise KnowledgeError(f"{RULES}.{fact} must be a list of ids")
    return tuple(str(v) for v in value)


def _mapping(kb: KnowledgeBase, fact: str) -> Mapping[str, list[str]]:
    return kb.derived(f"workup.mapping.{fact}", lambda kb: _read_mapping(kb, fact))


def _read_mapping(kb: KnowledgeBase, fact: str) -> Mapping[str, list[str]]:
    value = kb.decision_fact(RULES, fact)
    if not isinstance(value, Mapping):
        raise KnowledgeError(f"{RULES}.{fact} must be a mapping")
    return {str(k): [str(x) for x in v] for k, v in value.items()}


def _mapping_str(kb: KnowledgeBase, fact: str) -> Mapping[str, str]:
    return kb.derived(f"workup.mapping_str.{fact}", lambda kb: _read_mapping_str(kb, fact))


def _read_mapping_str(kb: KnowledgeBase, fact: str) -> Mapping[str, str]:
    value = kb.decision_fact(RULES, fact)
    if not isinstance(value, Mapping):
        raise KnowledgeError(f"{RULES}.{fact} must be a mapping")
    return {str(k): str(v) for k, v in value.items()}
