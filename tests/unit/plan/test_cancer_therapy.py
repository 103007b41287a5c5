"""Cancer-treatment bone loss through the whole pipeline: a woman on an aromatase inhibitor with
a T-score below -2.0 gets the AIBL joint position statement's order (issue 10, point 6); the
threshold is strict, an unknown T-score decides nothing, glucocorticoids keep the GIOP order,
every option is still screened, and the unverified thresholds (risk-factor counts, ESMO's
androgen-deprivation threshold) decide nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from osteowedge.assess import assess
from osteowedge.errors import KnowledgeError
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment
from osteowedge.plan import guidance
from tests.unit.plan.records import AS_OF, GOOD_LABS, PREDNISONE

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
RECORD = "cancer_treatment_bone_loss"
PATHWAY = "cancer_therapy_aromatase_inhibitor"
RULE = "plan.R-drug-order-cancer-therapy"
ONCOLOGY_ORDER = ["denosumab", "zoledronic_acid", "alendronate", "risedronate"]
ANASTROZOLE = {
    "name": "anastrozole",
    "dose_value": 1,
    "dose_unit": "mg",
    "frequency": "daily",
    "route": "oral",
    "start": "2025-01-10",
    "indication": "hormone-receptor-positive breast cancer",
}
_DEFAULT: Any = object()


def _assess(
    kb: KnowledgeBase,
    t_score: float | None = -2.3,
    *,
    medications: Any = _DEFAULT,
    labs: Any = _DEFAULT,
    **extra: Any,
) -> Assessment:
    """A postmenopausal woman of 62 with breast cancer, on anastrozole, no fracture, good labs;
    one DXA exam at the femoral neck (none when ``t_score`` is None)."""
    record: dict[str, Any] = {
        "id": "ai1",
        "as_of": AS_OF,
        "sex": "female",
        "age_years": 62,
        "menopausal_status": "postmenopausal",
        "pregnant": False,
        "weight_kg": 66,
        "medications": [ANASTROZOLE] if medications is _DEFAULT else medications,
        "conditions": [{"id": "breast_cancer", "onset": "2024-11-01"}],
        "labs": GOOD_LABS if labs is _DEFAULT else labs,
        "dental": {"last_exam_date": "2026-09-01"},
    }
    if t_score is not None:
        record["dxa"] = [
            {"date": "2026-06-01", "regions": [{"region": "femoral_neck", "t_score": t_score}]}
        ]
    record.update(extra)
    return assess(parse_patient(record), kb)


def _drugs(a: Assessment) -> list[str]:
    return [d.drug for d in a.plan.pharmacological]


def _pathways(a: Assessment) -> list[str | float | int | bool | None]:
    """The pathway each fired drug-order rule chose."""
    return [t.inputs.get("pathway") for t in a.trace if t.rule_id.startswith("plan.R-drug-order")]


def test_an_aromatase_inhibitor_and_a_t_score_below_minus_2_get_the_aibl_order(
    kb: KnowledgeBase,
) -> None:
    a = _assess(kb, -2.3)
    assert a.risk.giop_category == "not_applicable"
    assert [d.id for d in a.diagnoses] == ["iatrogenic_osteopenia"]  # no osteoporosis diagnosis
    assert _drugs(a) == ONCOLOGY_ORDER
    assert _pathways(a) == [PATHWAY]
    assert any(t.rule_id == RULE and t.fired for t in a.trace)
    first = a.plan.pharmacological[0]
    assert first.reasons[:2] == [
        "Bone-harming treatment: aromatase inhibitors",
        "Lowest T-score -2.3 (below -2)",
    ]
    assert first.reasons[2].startswith("AIBL joint position statement (Hadji 2017)")
    assert "denosumab where fracture risk is the main concern" in first.reasons[2]
    assert {RECORD, "plan_drug_preference", "aromatase_inhibitors"} <= set(first.knowledge_ids)
    assert "hadji_2017_aibl_joint_position" in first.citation_ids


@pytest.mark.parametrize("t_score", [-2.0, -1.5])
def test_the_threshold_is_strictly_below_minus_2(kb: KnowledgeBase, t_score: float) -> None:
    assert _drugs(_assess(kb, -2.1)) == ONCOLOGY_ORDER
    a = _assess(kb, t_score)
    assert _drugs(a) == []  # no other trigger: no osteoporosis, no fracture, no glucocorticoid
    assert PATHWAY not in _pathways(a)


def test_an_unknown_t_score_decides_nothing(kb: KnowledgeBase) -> None:
    assert _drugs(_assess(kb, -2.3)) == ONCOLOGY_ORDER
    no_dxa = _assess(kb, None)
    assert _drugs(no_dxa) == []
    assert PATHWAY not in _pathways(no_dxa)
    bmd_only = _assess(
        kb,
        None,
        dxa=[{"date": "2026-06-01", "regions": [{"region": "femoral_neck", "bmd_g_cm2": 0.61}]}],
    )
    assert bmd_only.bone_density.lowest_t_score is None
    assert _drugs(bmd_only) == []
    assert PATHWAY not in _pathways(bmd_only)


def test_without_an_aromatase_inhibitor_the_pathway_does_not_apply(kb: KnowledgeBase) -> None:
    assert _drugs(_assess(kb, -2.3)) == ONCOLOGY_ORDER
    a = _assess(kb, -2.3, medications=[])
    assert _drugs(a) == []
    assert PATHWAY not in _pathways(a)


def test_glucocorticoids_keep_the_giop_order(kb: KnowledgeBase) -> None:
    assert _pathways(_assess(kb, -2.3)) == [PATHWAY]
    a = _assess(kb, -2.3, medications=[ANASTROZOLE, PREDNISONE])
    (chosen,) = _pathways(a)
    assert isinstance(chosen, str) and chosen.startswith("giop_")
    assert _drugs(a)[0] == "alendronate"  # the ACR 2022 order, not denosumab first
    assert all("glucocorticoid fracture risk" in d.reasons[0] for d in a.plan.pharmacological)
    assert not any("AIBL" in r for d in a.plan.pharmacological for r in d.reasons)


def test_contraindications_still_screen_the_oncology_options(kb: KnowledgeBase) -> None:
    low_calcium = copy.deepcopy(GOOD_LABS)
    low_calcium[1]["value"] = 7.6  # serum calcium, mg/dL
    a = _assess(kb, -2.3, labs=low_calcium)
    assert _pathways(a) == [PATHWAY]
    assert "denosumab" not in _drugs(a)
    avoided = {d.drug: d.reasons for d in a.plan.avoid}
    assert any("hypocalcaemia" in r.lower() for r in avoided["denosumab"])
    assert set(ONCOLOGY_ORDER) <= set(avoided)  # each option is screened, none slips through


def test_the_examples(kb: KnowledgeBase) -> None:
    ai = json.loads((EXAMPLES / "aromatase_inhibitor.json").read_text())
    a = assess(parse_patient(ai), kb)
    assert a.bone_density.lowest_t_score == -1.8
    assert _drugs(a) == []  # T-score -1.8: the one-risk-factor rule does not decide (see below)
    lower = copy.deepcopy(ai)
    for region in lower["dxa"][-1]["regions"]:
        if region["region"] == "L1-L4":
            region["t_score"] = -2.2
    b = assess(parse_patient(lower), kb)
    assert _pathways(b) == [PATHWAY]
    assert _drugs(b)[0] == "denosumab"

    adt = json.loads((EXAMPLES / "androgen_deprivation.json").read_text())
    c = assess(parse_patient(adt), kb)
    assert "gnrh_agonists" in {x.id for x in c.iatrogenic_causes}
    assert _pathways(c) == ["general_osteoporosis"]  # T-score -2.6: the osteoporosis diagnosis
    osteopenic = copy.deepcopy(adt)
    for region in osteopenic["dxa"][-1]["regions"]:
        region["t_score"] = max(region["t_score"], -2.2)
    d = assess(parse_patient(osteopenic), kb)
    assert _drugs(d) == []  # the ESMO threshold (T-score below -2.0) for ADT is unverified
    assert kb.fact(RECORD, "esmo_ctibl_threshold").verification == "U"


def test_only_verified_thresholds_decide(kb: KnowledgeBase) -> None:
    (pathway,) = [p for p in guidance.drug_order(kb).pathways if p.id == PATHWAY]
    assert pathway.t_score_below == kb.decision_fact(RECORD, "aibl_therapy_t_score_below")
    assert pathway.causes_any == ["aromatase_inhibitors"]
    assert "not_applicable" in pathway.giop_categories
    assert not {"low", "moderate", "high", "very_high"} & set(pathway.giop_categories)
    names = [p.id for p in guidance.drug_order(kb).pathways]
    assert names.index(PATHWAY) < names.index("general_osteoporosis")
    for unverified in ("aibl_risk_factors", "esmo_ctibl_threshold", "aibl_2025_update"):
        with pytest.raises(KnowledgeError, match="unverified"):
            kb.decision_fact(RECORD, unverified)


def test_the_aibl_order_is_for_women(kb: KnowledgeBase) -> None:
    man = _assess(kb, -2.3, sex="male", menopausal_status=None, pregnant=None)
    assert PATHWAY not in _pathways(man)
    assert _drugs(man) == []
