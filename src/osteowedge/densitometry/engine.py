"""Bone density: DXA T/Z-scores, WHO category, ISCD lumbar exclusions, LSC, TBS, CT L1 HU."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from osteowedge.densitometry.bands import first_band
from osteowedge.densitometry.fractures import FractureFindings, fragility_fractures
from osteowedge.densitometry.lumbar import region_levels, select_lumbar_region
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.cite import citation_ids
from osteowedge.model.age import age_at
from osteowedge.model.assessment import (
    BmdChange,
    BoneDensity,
    CtDensity,
    ExamRegionValue,
    ExamSummary,
    GradedVertebra,
    TraceEntry,
    Warning,
    WhoCategory,
)
from osteowedge.model.context import EngineNotes
from osteowedge.model.patient import DxaExam, DxaRegion, PatientRecord

WHO = "who_t_score_categories"
ZRULES = "iscd_z_score_rules"
ISCD = "iscd_lumbar_spine_rules"
LSC = "least_significant_change"
TBS = "tbs_categories"
PICKHARDT = "pickhardt_ct_thresholds"
HU_T = "ct_hu_t_score"
CONVENTIONS = "densitometry_engine_conventions"
OSTEOPOROSIS = "osteoporosis"

_HIP_SITES = ("femoral_neck", "total_hip")
_CM_PER_M = 100.0  # unit conversion for BMI
_ROUND = 4  # g/cm2 arithmetic is rounded to 4 decimals before comparison


@dataclass(frozen=True)
class DensitometryResult:
    bone_density: BoneDensity
    notes: EngineNotes


class _Notes:
    def __init__(self) -> None:
        self.warnings: list[Warning] = []
        self.trace: list[TraceEntry] = []
        self.knowledge_ids: list[str] = []

    def warn(self, code: str, message: str, path: str | None = None) -> None:
        self.warnings.append(Warning(code=code, message=message, path=path))

    def use(self, *ids: str) -> None:
        for i in ids:
            if i not in self.knowledge_ids:
                self.knowledge_ids.append(i)

    def rule(self, rule_id: str, fired: bool, ids: Sequence[str], **inputs: Any) -> None:
        self.trace.append(
            TraceEntry(rule_id=rule_id, fired=fired, knowledge_ids=list(ids), inputs=inputs)
        )


def assess_bone_density(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: dt.date,
    vertebrae: Sequence[GradedVertebra],
) -> DensitometryResult:
    """Bone density part of the assessment (pure).

    ``vertebrae`` are the graded vertebrae of the latest morphometry exam; those that count as a
    fracture leave the lumbar spine BMD and a fragility vertebral or hip fracture means
    osteoporosis whatever the T-score where the WHO criteria apply.
    """
    notes = _Notes()
    age = age_at(record, as_of)
    who_applies, population = _who_applies(record, age, kb, notes)
    findings = fragility_fractures(record, vertebrae)

    ordered = sorted(enumerate(record.dxa), key=lambda item: item[1].date)
    exams = [_summary(exam) for _, exam in ordered]
    ct = _ct(record, kb, vertebrae, notes)
    tbs_category = None
    changes: list[BmdChange] = []

    if not ordered:
        notes.warn("no_dxa", "no DXA exam in the record: bone density category unknown", "/dxa")
        category: WhoCategory = "unknown"
        if who_applies and findings.vertebral_or_hip:
            category = "osteoporosis"
            notes.use(OSTEOPOROSIS)
        notes.rule("who.R-category", category != "unknown", [WHO, OSTEOPOROSIS], category=category)
        return _result(kb, notes, BoneDensity(who_category=category, ct=ct, exams=exams))

    latest_index, latest = ordered[-1]
    path = f"/dxa/{latest_index}"
    fractured = _fractured_levels(record, vertebrae)
    possible = {v.level for v in vertebrae if v.possible_fracture and not v.counts_as_fracture}
    notes.use(ISCD, CONVENTIONS)
    lumbar = select_lumbar_region(
        latest,
        spine_levels=kb.decision_fact(ISCD, "regions"),
        fractured=fractured,
        possible=possible,
        difference_gt=float(kb.decision_fact(ISCD, "exclusion_t_score_difference_gt")),
        min_vertebrae=int(kb.decision_fact(ISCD, "min_vertebrae")),
    )
    for code, message in lumbar.problems:
        notes.warn(code, message, path)
    notes.rule(
        "iscd.R-lumbar-exclusion",
        bool(lumbar.excluded),
        [ISCD, CONVENTIONS],
        excluded=",".join(e.level for e in lumbar.excluded) or None,
        levels_used=",".join(lumbar.levels_used) or None,
    )

    sites: list[DxaRegion] = []
    if lumbar.region is not None:
        sites.append(lumbar.region)
    sites.extend(r for r in latest.regions if r.region in _HIP_SITES)
    lowest_t = _lowest(sites, "t_score")
    lowest_z = _lowest(sites, "z_score")
    if lowest_t is None:
        with_bmd = [r.region for r in sites if r.bmd_g_cm2 is not None]
        notes.warn(
            "t_score_missing",
            "no T-score at the lumbar spine, total hip or femoral neck in the latest DXA exam"
            + (
                f" (BMD given for {', '.join(with_bmd)}; the knowledge base holds no cited "
                "reference data to compute a T-score, so none was computed)"
                if with_bmd
                else ""
            ),
            path,
        )

    notes.use(WHO)
    z_interpretation = None
    if who_applies:
        category = _who_category(lowest_t, findings, kb, notes)
    else:
        category = "not_applicable" if who_applies is False else "unknown"
        z_interpretation = _z_interpretation(lowest_z, kb, notes, path, population)

    changes = _changes(ordered, fractured, kb, notes)
    tbs_category = _tbs(record, ordered, who_applies, age, kb, notes)

    bone_density = BoneDensity(
        who_category=category,
        lowest_t_score=lowest_t[0] if lowest_t else None,
        lowest_t_score_region=lowest_t[1] if lowest_t else None,
        z_score_interpretation=z_interpretation,
        lowest_z_score=lowest_z[0] if lowest_z else None,
        lowest_z_score_region=lowest_z[1] if lowest_z else None,
        excluded_vertebrae=list(lumbar.excluded),
        lumbar_spine_levels_used=list(lumbar.levels_used),
        change_since_previous=changes,
        tbs_category=tbs_category,
        ct=ct,
        exams=exams,
    )
    return _result(kb, notes, bone_density)


def _result(kb: KnowledgeBase, notes: _Notes, bone_density: BoneDensity) -> DensitometryResult:
    bone_density = bone_density.model_copy(
        update={
            "knowledge_ids": list(notes.knowledge_ids),
            "citation_ids": citation_ids(kb, notes.knowledge_ids),
        }
    )
    return DensitometryResult(
        bone_density=bone_density,
        notes=EngineNotes(warnings=tuple(notes.warnings), trace=tuple(notes.trace)),
    )


def _who_applies(
    record: PatientRecord, age: float, kb: KnowledgeBase, notes: _Notes
) -> tuple[bool | None, str]:
    """Whether the WHO T-score categories apply, and the population (for messages)."""
    if age < float(kb.decision_fact(ZRULES, "paediatric_max_age_years_exclusive")):
        notes.use(ZRULES)
        return False, "under 20"
    if record.sex == "male":
        if age >= float(kb.decision_fact(WHO, "men_min_age_years")):
            return True, "man aged 50 or more"
        notes.use(ZRULES)
        return False, "man under 50"
    status = record.menopausal_status
    if status is None:
        notes.use(ZRULES)
        notes.warn(
            "menopausal_status_missing",
            "menopausal status not given: whether WHO T-score categories or Z-scores apply "
            "cannot be decided, so the WHO category is unknown",
            "/menopausal_status",
        )
        return None, "woman of unknown menopausal status"
    if status in kb.decision_fact(WHO, "applies_to_menopausal_status"):
        return True, f"{status} woman"
    notes.use(ZRULES)
    return False, f"{status} woman"


def _fractured_levels(record: PatientRecord, vertebrae: Sequence[GradedVertebra]) -> dict[str, str]:
    fractured: dict[str, str] = {}
    for v in vertebrae:
        if v.counts_as_fracture:
            fractured[v.level] = (
                f"morphometry Genant grade {v.genant_grade:g}"
                if isinstance(v.genant_grade, int | float)
                else "morphometry"
            )
    for f in record.fractures:
        if f.site == "vertebra" and f.level is not None:
            fractured.setdefault(f.level, f"fracture history ({f.mechanism})")
    return fractured


def _lowest(
    regions: Sequence[DxaRegion], attr: Literal["t_score", "z_score"]
) -> tuple[float, str] | None:
    best: tuple[float, str] | None = None
    for r in regions:
        value = getattr(r, attr)
        if value is not None and (best is None or value < best[0]):
            best = (value, r.region)
    return best


def _who_category(
    lowest_t: tuple[float, str] | None,
    findings: FractureFindings,
    kb: KnowledgeBase,
    notes: _Notes,
) -> WhoCategory:
    fracture = bool(findings.vertebral_or_hip)
    if fracture:
        notes.use(OSTEOPOROSIS)
    if lowest_t is None:
        # densitometric: no T-score, no category (a fracture adds the clinical diagnosis)
        category: WhoCategory = "unknown"
        notes.rule(
            "who.R-category",
            False,
            [WHO, OSTEOPOROSIS],
            t_score=None,
            fragility_fracture=fracture,
            category=category,
        )
        return category
    t, region = lowest_t
    bands = [
        b for b in kb.decision_fact(WHO, "categories") if b["category"] != "severe_osteoporosis"
    ]
    by_t = first_band(t, bands, "category", prefix="t_")
    if by_t is None:  # pragma: no cover - the bands cover the line
        raise ValueError(f"T-score {t} outside the WHO bands")
    category = by_t  # type: ignore[assignment]
    if (
        by_t == "osteoporosis"
        and findings.any_site
        and kb.decision_fact(WHO, "severe_requires_fragility_fracture")
    ):
        category = "severe_osteoporosis"
    notes.rule(
        "who.R-category",
        True,
        [WHO, OSTEOPOROSIS],
        t_score=t,
        region=region,
        fragility_fracture=fracture,
        category=category,
    )
    return category


def _z_interpretation(
    lowest_z: tuple[float, str] | None,
    kb: KnowledgeBase,
    notes: _Notes,
    path: str,
    population: str,
) -> Literal["within_expected_range", "below_expected_range"] | None:
    notes.use(ZRULES)
    if lowest_z is None:
        notes.warn(
            "z_score_missing",
            f"Z-scores apply ({population}) but the latest DXA exam gives none at the lumbar "
            "spine, total hip or femoral neck; Z-scores are never computed",
            path,
        )
        notes.rule("iscd.R-z-score", False, [ZRULES], z_score=None)
        return None
    labels = kb.decision_fact(ZRULES, "interpretation_labels")
    below = lowest_z[0] <= float(kb.decision_fact(ZRULES, "z_below_expected_max"))
    label = labels["at_or_below_threshold"] if below else labels["above_threshold"]
    notes.rule(
        "iscd.R-z-score",
        below,
        [ZRULES],
        z_score=lowest_z[0],
        region=lowest_z[1],
        interpretation=label,
    )
    return label  # type: ignore[no-any-return]


def _changes(
    ordered: Sequence[tuple[int, DxaExam]],
    fractured: dict[str, str],
    kb: KnowledgeBase,
    notes: _Notes,
) -> list[BmdChange]:
    if len(ordered) < 2:
        return []
    notes.use(LSC)
    multiplier = float(kb.decision_fact(LSC, "multiplier"))
    min_vertebrae = int(kb.decision_fact(ISCD, "min_vertebrae"))
    same_maker = bool(kb.decision_fact(CONVENTIONS, "change_requires_same_manufacturer"))
    latest_index, latest = ordered[-1]
    changes: list[BmdChange] = []
    for r in latest.regions:
        if r.bmd_g_cm2 is None:
            continue
        levels = region_levels(r.region)
        path = f"/dxa/{latest_index}"
        if levels is not None and len(levels) < min_vertebrae:
            continue  # a single vertebra is never used for monitoring either
        if levels and any(lv in fractured for lv in levels):
            notes.warn(
                "bmd_change_fractured_region",
                f"no change computed for {r.region}: it includes a fractured vertebra",
                path,
            )
            continue
        previous = _previous(ordered[:-1], r)
        if previous is None:
            continue
        prev_exam, prev_region = previous
        assert prev_region.bmd_g_cm2 is not None
        change = round(r.bmd_g_cm2 - prev_region.bmd_g_cm2, _ROUND)
        pct = round(change / prev_region.bmd_g_cm2 * 100.0, 1)
        precision = r.precision_rms_sd_g_cm2 or prev_region.precision_rms_sd_g_cm2
        lsc = round(multiplier * precision, _ROUND) if precision is not None else None
        significant: bool | None = None
        name = r.region if r.side is None else f"{r.region} ({r.side})"
        makers = {(e.manufacturer or "").strip().lower() for e in (prev_exam, latest)}
        if same_maker and len(makers) > 1 and "" not in makers:
            notes.warn(
                "bmd_change_different_systems",
                f"{name}: the exams come from different DXA manufacturers; the least "
                "significant change of one system does not apply",
                path,
            )
            lsc = None
        elif lsc is None:
            notes.warn(
                "precision_missing",
                f"{name}: no precision (RMS-SD) given, so the least significant change and "
                "whether the change is real are unknown",
                path,
            )
        else:
            significant = abs(change) >= lsc
        notes.rule(
            "lsc.R-significant-change",
            bool(significant),
            [LSC],
            region=name,
            change_g_cm2=change,
            lsc_g_cm2=lsc,
        )
        changes.append(
            BmdChange(
                region=name,
                change_g_cm2=change,
                change_pct=pct,
                least_significant_change_g_cm2=lsc,
                significant=significant,
            )
        )
    return changes


def _previous(
    earlier: Sequence[tuple[int, DxaExam]], region: DxaRegion
) -> tuple[DxaExam, DxaRegion] | None:
    for _, exam in reversed(earlier):
        for r in exam.regions:
            if r.region == region.region and r.side == region.side and r.bmd_g_cm2 is not None:
                return exam, r
    return None


def _tbs(
    record: PatientRecord,
    ordered: Sequence[tuple[int, DxaExam]],
    who_applies: bool | None,
    age: float,
    kb: KnowledgeBase,
    notes: _Notes,
) -> str | None:
    with_tbs = [(i, e) for i, e in ordered if e.tbs is not None]
    if not with_tbs:
        return None
    index, exam = with_tbs[-1]
    assert exam.tbs is not None
    notes.use(TBS)
    path = f"/dxa/{index}/tbs"
    if record.sex == "female" and who_applies:
        bands = kb.decision_fact(TBS, "women_bands")
    elif record.sex == "male" and age >= float(kb.decision_fact(TBS, "men_min_age_years")):
        bands = kb.decision_fact(TBS, "men_bands")
    else:
        notes.warn(
            "tbs_population_not_covered",
            "TBS bands are published for postmenopausal women and men aged 50 or more only",
            path,
        )
        return None
    category = first_band(exam.tbs, bands, "category")
    if record.height_cm is not None and record.weight_kg is not None:
        bmi = record.weight_kg / (record.height_cm / _CM_PER_M) ** 2
        if bmi > float(kb.decision_fact(TBS, "unreliable_above_bmi_kg_m2")):
            notes.warn("tbs_unreliable_bmi", f"TBS is unreliable at a BMI of {bmi:.1f}", path)
    notes.rule("tbs.R-category", category is not None, [TBS], tbs=exam.tbs, category=category)
    return category


def _ct(
    record: PatientRecord,
    kb: KnowledgeBase,
    vertebrae: Sequence[GradedVertebra],
    notes: _Notes,
) -> CtDensity | None:
    if not record.ct_attenuation:
        return None
    notes.use(PICKHARDT)
    level = "L1"
    at_l1 = [(i, c) for i, c in enumerate(record.ct_attenuation) if c.level == level]
    if not at_l1:
        notes.warn(
            "ct_no_l1",
            "CT attenuation given but not at L1; the thresholds are for L1 and the knowledge "
            "base does not allow another level",
            "/ct_attenuation",
        )
        return CtDensity(l1_hu=None, level_used=None, interpretation=None, contrast_phase=None)
    index, ct = max(at_l1, key=lambda item: (item[1].date or dt.date.min, item[0]))
    path = f"/ct_attenuation/{index}"
    interpretation: str | None = None
    hu_t_score: float | None = None
    if any(v.level == level and v.counts_as_fracture for v in vertebrae):
        notes.warn(
            "ct_l1_fractured",
            "L1 is fractured, so its attenuation is not interpreted; using an adjacent level is "
            "not a verified convention in the knowledge base",
            path,
        )
    elif ct.kvp is not None and ct.kvp != float(kb.decision_fact(PICKHARDT, "kvp")):
        notes.warn(
            "ct_kvp_not_covered",
            f"the scan used {ct.kvp:g} kVp; the L1 thresholds hold for 120 kVp only",
            path,
        )
    else:
        if ct.kvp is None:
            notes.warn(
                "ct_kvp_missing",
                "kVp not given; the L1 thresholds hold for 120 kVp scans",
                path,
            )
        interpretation = first_band(
            ct.mean_hu, kb.decision_fact(PICKHARDT, "interpretation_bands"), "label", "hu_"
        )
        if kb.decision_fact(HU_T, "level") == level:
            notes.use(HU_T)
            mean = float(kb.decision_fact(HU_T, "reference_mean_hu"))
            sd = float(kb.decision_fact(HU_T, "reference_sd_hu"))
            hu_t_score = round((ct.mean_hu - mean) / sd, 1)
    notes.rule(
        "pickhardt.R-l1-screen",
        interpretation is not None,
        [PICKHARDT],
        l1_hu=ct.mean_hu,
        interpretation=interpretation,
    )
    return CtDensity(
        l1_hu=ct.mean_hu,
        level_used=level,
        interpretation=interpretation,
        contrast_phase=ct.contrast_phase,
        hu_t_score=hu_t_score,
    )


def _summary(exam: DxaExam) -> ExamSummary:
    return ExamSummary(
        date=exam.date,
        regions=[
            ExamRegionValue(
                region=r.region,
                side=r.side,
                bmd_g_cm2=r.bmd_g_cm2,
                t_score=r.t_score,
                z_score=r.z_score,
            )
            for r in exam.regions
        ],
        tbs=exam.tbs,
    )
