"""The plan: drugs in order of preference, screened against the record, plus supplements,
conservative care, referrals, advice and follow-up (pure; every fact from the knowledge base).

Choices (safety first):
- a drug with a renal cut-off and no renal function on record stays in the plan, but with the
  explicit reason and timing "check creatinine clearance (or eGFR) before starting", and a
  warning; the cut-off is applied as soon as the value is known;
- a contraindication of severity ``contraindicated`` or ``not_recommended`` screens a drug or
  activity out (to ``plan.avoid`` / ``plan.avoid_activities``); ``caution`` keeps it with the
  reason; any screen that fires for a non-standard item (investigational, restricted,
  not recommended) lists it under avoid;
- unverified (U) facts are read with ``kb.fact`` and only ever restrict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids, statement
from osteowedge.knowledge.schema import (
    Advice,
    Contraindication,
    Drug,
    Procedure,
    RecordBase,
    Therapy,
)
from osteowedge.model.age import add_months, months_between
from osteowedge.model.assessment import (
    AvoidedDrug,
    BoneDensity,
    DrugRecommendation,
    GlucocorticoidExposure,
    GradedVertebra,
    IatrogenicCause,
    Plan,
    Risk,
    Statement,
    TraceEntry,
    Triage,
    Warning,
)
from osteowedge.model.context import EngineNotes, LabContext
from osteowedge.model.patient import PatientRecord, symptom_ids
from osteowedge.plan.drug_screen import (
    DrugScreen,
    Screened,
    Use,
    drug_use,
    screen_contraindications,
)
from osteowedge.plan.screening import Screener

_NOT_STANDARD = ("investigational", "withdrawn_or_restricted", "not_recommended")
_DRUG_CATEGORIES = ("moderate", "high", "very_high")
_GC_CATEGORIES = ("low", "moderate", "high", "very_high", "indeterminate")
_BISPHOSPHONATES_ORAL = ("alendronate", "risedronate", "ibandronate")
_BISPHOSPHONATES_IV = ("zoledronic_acid",)
_THERAPY_SECTIONS = {
    "physiotherapy_electrotherapy": "non_pharmacological",
    "exercise_therapies": "exercise",
    "mind_body_therapies": "mind_body",
    "educational_self_management": "education",
}


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    notes: EngineNotes


class _Planner:
    def __init__(
        self,
        record: PatientRecord,
        kb: KnowledgeBase,
        as_of: dt.date,
        *,
        risk: Risk,
        causes: Sequence[IatrogenicCause],
        on_gc: bool,
        vertebrae: Sequence[GradedVertebra],
        diagnoses: Sequence[Statement],
        labs: LabContext,
        triage: Triage,
    ) -> None:
        self.record = record
        self.kb = kb
        self.as_of = as_of
        self.risk = risk
        self.labs = labs
        self.triage = triage
        self.diagnosis_ids = {d.id for d in diagnoses}
        self.vertebral_fracture = (
            any(v.counts_as_fracture for v in vertebrae)
            or "vertebral_fracture" in self.diagnosis_ids
            or "iatrogenic_osteopenia_associated_vertebral_wedging" in self.diagnosis_ids
            or any(f.site == "vertebra" for f in record.fractures)
        )
        self.gc = on_gc or risk.giop_category in _GC_CATEGORIES
        self.screener = Screener(
            record,
            kb,
            as_of,
            labs,
            vertebral_fracture=self.vertebral_fracture,
            cause_ids=[c.id for c in causes],
        )
        self.warnings: list[Warning] = []
        self.every_label: list[str] = []
        self.trace: list[TraceEntry] = []
        self.pharm: list[DrugRecommendation] = []
        self.avoid: dict[str, AvoidedDrug] = {}
        self.lists: dict[str, list[Statement]] = {
            name: []
            for name in (
                "supplements",
                "non_pharmacological",
                "exercise",
                "mind_body",
                "education",
                "referrals",
                "prevention",
                "do",
                "avoid_activities",
                "follow_up",
            )
        }
        self._listed: dict[str, set[str]] = {name: set() for name in self.lists}
        self.drugs = {d.id: d for d in kb.of_kind(Drug)}
        self.use: dict[str, Use] = {
            d_id: drug_use([m for m, ids in self.screener.medications if d_id in ids], as_of)
            for d_id in self.drugs
        }
        self.vitamin_d_low = self.screener.shows_condition("vitamin_d_deficiency")
        if labs.vitamin_d_25oh_ng_ml is not None:
            trigger = self._gfact("calcium_vitamin_d_intake", "uk_repletion")[
                "trigger_25ohd_lt_ng_ml"
            ]
            self.vitamin_d_low = self.vitamin_d_low or labs.vitamin_d_25oh_ng_ml < trigger
        self.drug_screen = DrugScreen(self.screener, kb, self.use, vitamin_d_low=self.vitamin_d_low)

    # -- helpers ---------------------------------------------------------------------------

    def _gfact(self, record_id: str, name: str) -> Any:
        return self.kb.decision_fact(record_id, name)

    def _restricting_fact(self, record_id: str, name: str) -> Any:
        """A fact that may only restrict (U allowed)."""
        return self.kb.fact(record_id, name).value

    def _rule(self, rule_id: str, fired: bool, ids: Iterable[str], **inputs: Any) -> None:
        self.trace.append(
            TraceEntry(rule_id=rule_id, fired=fired, knowledge_ids=list(ids), inputs=inputs)
        )

    def _warn(self, code: str, message: str, path: str | None = None) -> None:
        warning = Warning(code=code, message=message, path=path)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def _add(self, list_name: str, item: Statement) -> None:
        if not self._has(list_name, item.id):
            self.lists[list_name].append(item)
            self._listed[list_name].add(item.id)

    def _has(self, list_name: str, item_id: str) -> bool:
        """Whether the list already holds a statement with this id (the first one stays)."""
        return item_id in self._listed[list_name]

    # -- screening -------------------------------------------------------------------------

    def _screen_cis(self, cis: Sequence[Contraindication], result: Screened) -> None:
        screen_contraindications(self.screener, cis, result)

    def screen_drug(self, drug: Drug) -> Screened:
        result = self.drug_screen.screen(drug)
        for warning in result.warnings:
            self._warn(warning.code, warning.message, warning.path)
        if result.every_label:
            self.every_label.append(drug.name)
        return result

    def _jurisdiction_warning(self) -> None:
        if not self.every_label:
            return
        where = self.record.jurisdiction
        why = "the record has no jurisdiction" if where is None else f"no {where} label record"
        self._warn(
            "jurisdiction_union",
            f"{why}, so every label's restrictions apply (the strictest reading) to "
            + ", ".join(dict.fromkeys(self.every_label)),
            "/jurisdiction",
        )

    def avoid_item(
        self,
        item_id: str,
        reasons: list[str],
        kids: list[str],
        screened: Screened | None = None,
    ) -> None:
        label_ids = [] if screened is None else screened.label_ids
        cited = [] if screened is None else screened.label_citations
        previous = self.avoid.get(item_id)
        if previous is not None:
            reasons = [*previous.reasons, *reasons]
            kids = [*previous.knowledge_ids, *kids]
            label_ids = [*previous.label_ids, *label_ids]
            cited = [*previous.citation_ids, *cited]
        ids = list(dict.fromkeys(kids))
        record = self.kb.get(item_id) if item_id in self.kb else None
        self.avoid[item_id] = AvoidedDrug(
            drug=item_id,
            label=None if record is None else record.name,
            reasons=list(dict.fromkeys(reasons)),
            knowledge_ids=ids,
            label_ids=list(dict.fromkeys(label_ids)),
            citation_ids=list(dict.fromkeys([*citation_ids(self.kb, ids), *cited])),
        )

    # -- drugs -----------------------------------------------------------------------------

    def candidates(self) -> list[tuple[str, list[str], list[str], str | None]]:
        """(drug id, reasons, knowledge ids, timing) in order of preference."""
        out: list[tuple[str, list[str], list[str], str | None]] = []
        out.extend(self._sequencing())
        category = self.risk.giop_category
        age = self.screener.age
        acr = "acr_2022_giop_recommendations"
        if category in _DRUG_CATEGORIES:
            rows = self._gfact(acr, "recommendations")
            min_age = next(
                (r.get("min_age_years_exclusive") for r in rows if r["id"] == "acr-2022-giop.R2"),
                None,
            )
            if age is not None and min_age is not None and age <= min_age:
                self._warn(
                    "plan_paediatric",
                    f"ACR 2022 drug recommendations are for adults over {min_age}; "
                    "ask a specialist",
                    "/age_years",
                )
                self._rule("acr-2022-giop.R2", False, [acr], category=category, age=age)
                return out
            order = self._gfact("plan_drug_preference", "giop_order")
            key: str = category
            if category == "high":
                if age is None:
                    self._warn(
                        "age_unknown",
                        "Age unknown: the age-40 rows of ACR 2022 (R5, R9) were not applied",
                        "/age_years",
                    )
                key = "high_age_40_plus" if age is not None and age >= 40 else "high_under_40"
            last = self._gfact("plan_drug_preference", "last_resort_only")
            for drug_id in order[key]:
                reasons = [
                    f"ACR 2022 ({r['id'].split('.')[-1]}, {r['strength']}): {r['text']}"
                    for r in rows
                    if category in r["applies_to_categories"]
                    and drug_id in r.get("prefers", [])
                    and _age_ok(r, age)
                ]
                if drug_id in last:
                    reasons.append("Only when other agents are not tolerated (ACR 2022 R9)")
                out.append(
                    (
                        drug_id,
                        [f"{category.replace('_', ' ')} glucocorticoid fracture risk", *reasons],
                        [acr, "plan_drug_preference", "acr_2022_giop_risk_categories"],
                        None,
                    )
                )
            self._rule(
                "plan.R-drug-order-giop",
                True,
                [acr, "plan_drug_preference"],
                category=category,
                age=age,
            )
            return out
        diagnoses = self._gfact("plan_drug_preference", "general_applies_to_diagnoses")
        shown = [d for d in diagnoses if d in self.diagnosis_ids]
        if category in ("not_applicable", "indeterminate") and shown:
            for drug_id in self._gfact("plan_drug_preference", "general_order"):
                out.append(
                    (
                        drug_id,
                        [
                            f"Diagnosis: {', '.join(shown)}",
                            "ACP 2023: bisphosphonates first line, denosumab second line",
                        ],
                        ["plan_drug_preference", *shown],
                        None,
                    )
                )
            self._rule(
                "plan.R-drug-order-general",
                True,
                ["plan_drug_preference"],
                category=category,
                diagnoses=",".join(shown),
            )
            return out
        if category == "low":
            self._rule("acr-2022-giop.R11", True, [acr], category=category, age=age)
        elif category == "indeterminate":
            self._warn(
                "plan_drug_decision_pending",
                "Glucocorticoid fracture risk is indeterminate (missing: "
                + (", ".join(self.risk.missing_inputs) or "see risk")
                + "); no osteoporosis drug is chosen until it can be decided",
                None,
            )
            self._rule("plan.R-drug-order-giop", False, [acr], category=category)
        return out

    def _sequencing(self) -> list[tuple[str, list[str], list[str], str | None]]:
        out: list[tuple[str, list[str], list[str], str | None]] = []
        current = [
            d for d, u in self.use.items() if u.current and self.drugs[d].is_osteoporosis_therapy
        ]
        for drug_id in current:
            drug = self.drugs[drug_id]
            reasons = [
                "Currently taking: continue if it still suits (do not combine two "
                "osteoporosis drugs, ACR 2022 R9)"
            ]
            if drug.on_stop:
                reasons.append(drug.on_stop)
            out.append((drug_id, reasons, [drug_id, "acr_2022_giop_recommendations"], None))
        if current:
            return out
        stopped = [
            (u.last_end, d)
            for d, u in self.use.items()
            if u.last_end is not None and self.drugs[d].is_osteoporosis_therapy
        ]
        if not stopped:
            return out
        last_end, drug_id = max(stopped)
        assert last_end is not None
        drug = self.drugs[drug_id]
        if drug_id == "denosumab":
            months = int(
                self._gfact(
                    "denosumab_discontinuation", "follow_on_start_after_last_injection_months"
                )
            )
            due = add_months(last_end, months)
            timing = (
                f"Start about {months} months after the last denosumab injection "
                f"({last_end.isoformat()}): due {due.isoformat()}"
            )
            overdue = float(
                self.kb.fact(
                    "denosumab_discontinuation", "overdue_after_last_injection_months"
                ).value
            )
            since = months_between(last_end, self.as_of)
            if since > overdue:
                timing = (
                    f"Overdue: the last denosumab injection was on {last_end.isoformat()}, "
                    f"{since:.0f} months ago. Start now (or give denosumab now and plan the "
                    "transition); do not wait"
                )
                self._warn(
                    "denosumab_overdue",
                    f"Denosumab overdue: last injection {last_end.isoformat()}, {since:.0f} "
                    f"months ago (more than {overdue:g}). Rebound bone loss and multiple "
                    "vertebral fractures can follow: give the follow-on now",
                    "/medications",
                )
                self._rule(
                    "ects-2021.R-overdue",
                    True,
                    ["denosumab_discontinuation"],
                    last_injection=last_end.isoformat(),
                    months=round(since, 1),
                )
            for follow in drug.follow_on:
                out.append(
                    (
                        follow,
                        [
                            "Denosumab stopped: a bisphosphonate must follow to prevent rebound "
                            "bone loss and multiple vertebral fractures (ECTS 2021)"
                        ],
                        ["denosumab_discontinuation", "denosumab", "acr_2022_giop_recommendations"],
                        timing,
                    )
                )
            self._rule(
                "ects-2021.R-follow-on",
                True,
                ["denosumab_discontinuation"],
                last_injection=last_end.isoformat(),
                due=due.isoformat(),
            )
        elif drug.anabolic:
            for follow in drug.follow_on:
                out.append(
                    (
                        follow,
                        [
                            f"{drug.name} course ended: follow it with an antiresorptive "
                            "(ACR 2022 R7)"
                        ],
                        [drug_id, "plan_drug_preference", "acr_2022_giop_recommendations"],
                        f"Start when the {drug.name} course ends ({last_end.isoformat()})",
                    )
                )
            self._rule("acr-2022-giop.R7", True, ["acr_2022_giop_recommendations"], stopped=drug_id)
        return out

    def drugs_plan(self) -> None:
        seen: set[str] = set()
        for drug_id, reasons, kids, timing in self.candidates():
            if drug_id in seen:
                continue
            seen.add(drug_id)
            self._propose(self.drugs[drug_id], reasons, kids, timing)
        # anything else the patient takes is screened too
        for drug_id, use in self.use.items():
            if drug_id in seen or not use.current:
                continue
            seen.add(drug_id)
            drug = self.drugs[drug_id]
            screened = self.screen_drug(drug)
            if screened.out:
                self.avoid_item(
                    drug_id,
                    [f"Patient takes {drug.name}", *screened.out],
                    screened.knowledge_ids,
                    screened,
                )
            elif drug.status in _NOT_STANDARD and drug.is_osteoporosis_therapy:
                self.avoid_item(
                    drug_id,
                    [
                        f"Patient takes {drug.name}: {drug.status.replace('_', ' ')}, "
                        "not standard care"
                    ],
                    [drug_id],
                )
        # every other osteoporosis drug the record contraindicates, proposed or not
        for drug_id, drug in self.drugs.items():
            if drug_id in seen or not drug.is_osteoporosis_therapy:
                continue
            screened = self.drug_screen.screen(drug)
            if screened.out:
                self.avoid_item(drug_id, screened.out, screened.knowledge_ids, screened)
        self._rule("plan.R-avoid-complete", True, ["plan_drug_preference"])
        self._holiday()

    def _propose(self, drug: Drug, reasons: list[str], kids: list[str], timing: str | None) -> None:
        drug_id = drug.id
        screened = self.screen_drug(drug)
        ids = list(dict.fromkeys([*kids, *screened.knowledge_ids]))
        if drug.status in _NOT_STANDARD:
            self.avoid_item(
                drug_id,
                [f"{drug.name}: {drug.status.replace('_', ' ')}, not standard care", *screened.out],
                ids,
                screened,
            )
            return
        if screened.out:
            self.avoid_item(drug_id, screened.out, ids, screened)
            self._rule("plan.R-screen", True, ids, drug=drug_id)
            return
        if drug.anabolic and drug.follow_on:
            reasons = [*reasons, f"Afterwards: {drug.on_stop or 'an antiresorptive'}"]
        remaining = self.drug_screen.remaining_months(drug)
        duration = (
            None
            if remaining is None
            else f"at most {remaining[0]:g} months in total ({remaining[1]:.0f} left)"
        )
        self._rule("plan.R-screen", False, ids, drug=drug_id, ready=screened.ready)
        self.pharm.append(
            DrugRecommendation(
                drug=drug_id,
                label=drug.name,
                dose=drug.dose.text or f"{drug.dose.value} {drug.dose.unit}",
                route=drug.route,
                frequency=drug.frequency,
                timing=" ".join(x for x in (timing, drug.timing) if x) or None,
                duration=duration,
                reasons=[*reasons, *screened.caution],
                unverified_checks=list(dict.fromkeys(screened.unverified)),
                before_starting=screened.delays,
                ready_to_start=screened.ready,
                knowledge_ids=ids,
                label_ids=screened.label_ids,
                citation_ids=list(
                    dict.fromkeys([*citation_ids(self.kb, ids), *screened.label_citations])
                ),
            )
        )

    def _holiday(self) -> None:
        holiday = "asbmr_2016_drug_holiday"
        for group, fact in (
            (_BISPHOSPHONATES_ORAL, "reassess_after_years_oral"),
            (_BISPHOSPHONATES_IV, "reassess_after_years_iv"),
        ):
            months = [self.use[d].months_used for d in group if self.use[d].current]
            known = [m for m in months if m is not None]
            if not known:
                continue
            years = self._gfact(holiday, fact)
            used_years = max(known) / 12
            if used_years < years:
                continue
            if self.gc:
                self._add(
                    "follow_up",
                    statement(
                        self.kb,
                        "no_drug_holiday_on_glucocorticoids",
                        "No bisphosphonate drug holiday while glucocorticoids continue",
                        [
                            f"{used_years:.1f} years of bisphosphonate; glucocorticoids "
                            "continue, so fracture risk stays high"
                        ],
                        [holiday, "bisphosphonate_drug_holiday"],
                    ),
                )
                self._rule("asbmr-2016.R-continue", True, [holiday], years=round(used_years, 1))
            else:
                span = self._gfact(holiday, "holiday_years")
                self._add(
                    "follow_up",
                    statement(
                        self.kb,
                        "bisphosphonate_reassessment",
                        "Reassess fracture risk: consider a bisphosphonate drug holiday",
                        [
                            f"{used_years:.1f} years of bisphosphonate (reassess after {years})",
                            f"If not at high risk: a {span['min']}-{span['max']} year drug "
                            "holiday; if still at high risk continue",
                            str(self._gfact(holiday, "high_risk_definition")),
                        ],
                        [holiday, "bisphosphonate_drug_holiday"],
                    ),
                )
                self._rule("asbmr-2016.R-reassess", True, [holiday], years=round(used_years, 1))

    # -- supplements -----------------------------------------------------------------------

    def supplements(self) -> None:
        needs = (
            self.gc
            or bool(self.pharm)
            or bool(self.diagnosis_ids & {"osteoporosis", "vertebral_fracture"})
        )
        intake = "calcium_vitamin_d_intake"
        if needs:
            ca = self._gfact(intake, "acr_calcium_mg_per_day")
            vd = self._gfact(intake, "acr_vitamin_d_iu_per_day")
            for item_id, label, reason in (
                (
                    "calcium",
                    f"Calcium {ca['min']}-{ca['max']} mg a day from diet and supplements together",
                    "ACR 2022 R1: calcium for everyone on glucocorticoids",
                ),
                (
                    "cholecalciferol",
                    f"Vitamin D {vd['min']}-{vd['max']} IU a day",
                    "ACR 2022 R1: vitamin D for everyone on glucocorticoids",
                ),
            ):
                record = self.kb.get(item_id)
                screened = Screened(knowledge_ids=[item_id])
                self._screen_cis(getattr(record, "contraindications", []), screened)
                ids = [item_id, intake, "acr_2022_giop_recommendations"]
                if screened.out:
                    self.avoid_item(item_id, screened.out, ids)
                    continue
                if not self.gc:
                    reason = "Calcium and vitamin D with osteoporosis treatment or diagnosis"
                self._add(
                    "supplements",
                    statement(self.kb, item_id, label, [reason, *screened.caution], ids),
                )
            self._rule("calcium_vitamin_d.R-intake", True, [intake], glucocorticoids=self.gc)
            if (
                self.labs.vitamin_d_25oh_ng_ml is None
                and "vitamin_d_25_hydroxy" not in (self.labs.status)
                and not self.vitamin_d_low
            ):
                self._warn(
                    "vitamin_d_unknown",
                    "No recent 25-hydroxyvitamin D: repletion need could not be checked",
                    "/labs",
                )
        if self.vitamin_d_low:
            rep = self._gfact(intake, "uk_repletion")
            weeks = self._gfact(intake, "repletion_loading_weeks_range")
            ergo = self.drugs["ergocalciferol"]
            screened = Screened()
            self._screen_cis(ergo.contraindications, screened)
            ids = ["ergocalciferol", intake, "vitamin_d_status"]
            if screened.out:
                self.avoid_item("ergocalciferol", screened.out, ids)
            else:
                self._add(
                    "supplements",
                    statement(
                        self.kb,
                        "vitamin_d_repletion",
                        f"Vitamin D repletion: {rep['loading_iu_weekly']:,} IU weekly for "
                        f"{weeks['min']}-{weeks['max']} weeks, then "
                        f"{rep['maintenance_iu_per_day']} IU a day",
                        ["25-hydroxyvitamin D is low", *screened.caution],
                        ids,
                    ),
                )
                self._add(
                    "follow_up",
                    statement(
                        self.kb,
                        "vitamin_d_recheck",
                        "Recheck 25-hydroxyvitamin D after the loading course",
                        ["Confirm repletion before starting drugs that need it"],
                        ids,
                    ),
                )
            self._rule(
                "calcium_vitamin_d.R-repletion",
                True,
                [intake],
                vitamin_d_ng_ml=self.labs.vitamin_d_25oh_ng_ml,
            )
        # non-standard supplements: listed only when the record shows a reason to avoid them
        for record, status in self.kb.derived("plan.nonstandard_supplements", _nonstandard):
            screened = Screened()
            self._screen_cis(getattr(record, "contraindications", []), screened)
            shown = screened.out + screened.caution
            if shown:
                self.avoid_item(
                    record.id,
                    [*shown, f"{record.name}: {status.replace('_', ' ')}, not standard care"],
                    [record.id],
                )

    # -- conservative care -----------------------------------------------------------------

    def conservative(self) -> None:
        rule = "plan_conservative_selection"
        table = self._gfact(rule, "by_trigger")
        kb_lists = self.kb.derived("plan.therapy_lists", _therapy_lists)
        triggers = ["always"]
        if self.vertebral_fracture:
            triggers.append("vertebral_fracture")
        if self.pharm:
            triggers.append("osteoporosis_drug")
        triggers.extend(f"symptom.{s}" for s in symptom_ids(self.record))
        for trigger in triggers:
            for item_id in table.get(trigger, []):
                record = self.kb.typed(item_id, Therapy)
                screened = Screened()
                self._screen_cis(record.contraindications, screened)
                list_name = kb_lists[record.id]
                ids = [item_id, rule]
                if screened.out or (record.status in _NOT_STANDARD and screened.caution):
                    self._add(
                        "avoid_activities",
                        statement(
                            self.kb,
                            item_id,
                            f"Avoid: {record.name}",
                            [*screened.out, *screened.caution],
                            ids,
                        ),
                    )
                    self._rule("plan.R-activity-screen", True, ids, item=item_id)
                    continue
                if record.status in _NOT_STANDARD:
                    continue
                reasons = [
                    f"Indication: {trigger.replace('symptom.', 'symptom ')}",
                    *screened.caution,
                    *(f"Not checked: {u}" for u in screened.unverified),
                ]
                self._add(list_name, statement(self.kb, item_id, record.name, reasons, ids))
                for ci in record.contraindications:
                    if ci.severity == "caution" and self.screener.check(ci).shown is not None:
                        self._add(
                            "avoid_activities",
                            statement(
                                self.kb,
                                f"{item_id}_adaptation",
                                f"While doing {record.name}",
                                [ci.reason],
                                [item_id],
                            ),
                        )

    # -- advice, referrals, follow-up --------------------------------------------------------

    def advice(self) -> None:
        on_bisphosphonate = any(
            self.use[d].current for d in (*_BISPHOSPHONATES_ORAL, *_BISPHOSPHONATES_IV)
        )
        conditional = {
            "minimize_glucocorticoid_exposure": self.gc,
            "bisphosphonate_drug_holiday": on_bisphosphonate and not self.gc,
            "lumbar_bracing": self.vertebral_fracture,
            "monitor_bone_markers": bool(self.pharm),
            # no calcium and vitamin D advice when the record shows they must be avoided
            "adequate_calcium_vitamin_d": not ({"calcium", "cholecalciferol"} & set(self.avoid)),
        }
        for advice_id, target, item in self.kb.derived("plan.advice", _advice_statements):
            if conditional.get(advice_id, True):
                self._add(target, item)

    def referrals(self) -> None:
        rule = "plan_referral_rules"
        exam = self.record.exam
        exam_triggers = self._gfact(rule, "urgent_exam_triggers")
        fired = [t for t in exam_triggers if exam is not None and getattr(exam, t, None)]
        if fired:
            procs = self._gfact(rule, "urgent_procedures")
            names = ", ".join(self.kb.typed(p, Procedure).name for p in procs)
            self._add(
                "referrals",
                statement(
                    self.kb,
                    "urgent_spinal_surgery_referral",
                    "Urgent spinal surgical referral",
                    [
                        f"Exam: {', '.join(fired)}",
                        f"Decompression and stabilisation may be needed ({names})",
                    ],
                    [rule, *procs],
                ),
            )
        elif self.triage.urgency == "urgent":
            flags = [f.id for f in self.triage.red_flags]
            self._add(
                "referrals",
                statement(
                    self.kb,
                    "urgent_medical_assessment",
                    "Urgent medical assessment",
                    [f"Red flags: {', '.join(flags) or 'urgent triage'}"],
                    [f for f in flags if f in self.kb] or [rule],
                ),
            )
        self._rule("plan.R-referral-urgent", bool(fired), [rule], triggers=",".join(fired))
        painful = set(self._gfact(rule, "painful_symptoms")) & set(symptom_ids(self.record))
        percussion = exam is not None and exam.spinous_percussion_tenderness
        if self.vertebral_fracture and (painful or percussion):
            procs = self._gfact(rule, "augmentation_procedures")
            self._add(
                "referrals",
                statement(
                    self.kb,
                    "vertebral_augmentation_review",
                    "Specialist review for vertebroplasty or kyphoplasty if the pain does not "
                    "settle with conservative care",
                    [
                        "Painful vertebral fracture ("
                        + (", ".join(sorted(painful)) or "tenderness")
                        + ")",
                        *(
                            p.indications[0]
                            for p in (self.kb.typed(i, Procedure) for i in procs)
                            if p.indications
                        ),
                    ],
                    [rule, *procs],
                ),
            )
        self._rule(
            "plan.R-referral-augmentation",
            self.vertebral_fracture and bool(painful or percussion),
            [rule],
        )

    def follow_up(self) -> None:
        mon = "bmd_monitoring_interval"
        if self.gc:
            span = self._gfact(mon, "repeat_interval_years")
            self._add(
                "follow_up",
                statement(
                    self.kb,
                    "dxa_monitoring",
                    f"Repeat DXA every {span['min']}-{span['max']} years while glucocorticoids "
                    "continue",
                    ["ACR 2022: monitor BMD during glucocorticoid therapy"],
                    [mon],
                ),
            )
        for rec in self.pharm:
            drug = self.drugs[rec.drug]
            if drug.id == "denosumab":
                self._add(
                    "follow_up",
                    statement(
                        self.kb,
                        "denosumab_on_time",
                        "Give denosumab every 6 months on time; never stop without a follow-on",
                        [drug.on_stop or ""],
                        ["denosumab", "denosumab_discontinuation"],
                    ),
                )
            if drug.anabolic:
                self._add(
                    "follow_up",
                    statement(
                        self.kb,
                        f"{drug.id}_follow_on",
                        f"Plan the antiresorptive that follows {drug.name}",
                        [drug.on_stop or ""],
                        [drug.id, "acr_2022_giop_recommendations"],
                    ),
                )

    def build(self) -> PlanResult:
        self.drugs_plan()
        self._jurisdiction_warning()
        self.supplements()
        self.conservative()
        self.advice()
        self.referrals()
        self.follow_up()
        plan = Plan(
            pharmacological=self.pharm,
            avoid=list(self.avoid.values()),
            **self.lists,
        )
        return PlanResult(
            plan=plan, notes=EngineNotes(warnings=tuple(self.warnings), trace=tuple(self.trace))
        )


def _therapy_list(record: Therapy) -> str:
    """The plan list a therapy goes to: its first section that names one."""
    return next(
        (_THERAPY_SECTIONS[s] for s in record.sections if s in _THERAPY_SECTIONS),
        "non_pharmacological",
    )


def _therapy_lists(kb: KnowledgeBase) -> dict[str, str]:
    return {record.id: _therapy_list(record) for record in kb.of_kind(Therapy)}


def _nonstandard(kb: KnowledgeBase) -> tuple[tuple[RecordBase, str], ...]:
    """The dietary supplements whose status is not standard care, with that status."""
    found: list[tuple[RecordBase, str]] = []
    for record in kb.section("dietary_supplements"):
        status = getattr(record, "status", "standard")
        if status in _NOT_STANDARD:
            found.append((record, status))
    return tuple(found)


_ADVICE_LISTS = {"prevention": "prevention", "do": "do", "avoid": "avoid_activities"}


def _advice_statements(kb: KnowledgeBase) -> tuple[tuple[str, str, Statement], ...]:
    """(advice id, plan list, statement) for every advice record. A statement depends on its
    record alone, and statements are frozen, so each is built once per knowledge base."""
    return tuple(
        (
            advice.id,
            _ADVICE_LISTS[advice.advice_type],
            statement(kb, advice.id, advice.text, [advice.rationale], [advice.id]),
        )
        for advice in kb.of_kind(Advice)
    )


def _age_ok(row: dict[str, Any], age: float | None) -> bool:
    min_age = row.get("min_age_years")
    if min_age is None:
        return True
    return age is not None and age >= min_age


def make_plan(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    *,
    risk: Risk,
    causes: Sequence[IatrogenicCause],
    glucocorticoids: GlucocorticoidExposure | None,
    on_systemic_glucocorticoids: bool,
    bone_density: BoneDensity,
    vertebrae: Sequence[GradedVertebra],
    diagnoses: Sequence[Statement],
    labs: LabContext,
    triage: Triage,
) -> PlanResult:
    """The treatment plan for one patient (pure)."""
    del bone_density  # the risk category already carries what BMD decides for the plan
    current = (
        None
        if glucocorticoids is None
        else (glucocorticoids.current_prednisone_equivalent_mg_per_day)
    )
    on_gc = on_systemic_glucocorticoids or (current is not None and current > 0)
    return _Planner(
        record,
        kb,
        as_of,
        risk=risk,
        causes=causes,
        on_gc=on_gc,
        vertebrae=vertebrae,
        diagnoses=diagnoses,
        labs=labs,
        triage=triage,
    ).build()


__all__ = ["PlanResult", "make_plan"]
