"""The reviewed projection of an assessment: the fields a clinician checks, and nothing volatile.

`tests/golden/test_assessment_goldens.py` compares it with `tests/golden/expected/<case>.json`;
`scripts/update_goldens.py` rewrites those files. What each case checks is in docs/dev/goldens.md.

Rules of the projection:

* no versions, dates of the run, free text that is rephrased often, or citation lists;
* lists whose order means nothing are sorted; `plan.pharmacological` keeps its order (it is the
  ranking the plan proposes);
* short objects and lists stay on one line (see :func:`dumps`), so a file is tens of lines and a
  diff shows one changed fact per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from osteowedge.assess import assess
from osteowedge.knowledge import KnowledgeBase, load_knowledge_base
from osteowedge.model import parse_patient
from osteowedge.model.assessment import Assessment

GOLDEN = Path(__file__).resolve().parent
CASES = GOLDEN / "cases"
EXPECTED = GOLDEN / "expected"
EXAMPLES = GOLDEN.parents[1] / "examples"
EXAMPLE_PREFIX = "example_"
REGENERATE = "uv run python scripts/update_goldens.py"
LINE = 120

__all__ = [
    "CASES",
    "EXPECTED",
    "REGENERATE",
    "assess_case",
    "case_inputs",
    "dumps",
    "load_knowledge_base",
    "project",
]


def case_inputs() -> dict[str, Path]:
    """Every case: the bundled examples (read where they live, as `example_<name>`) and the
    hand-written records of tests/golden/cases."""
    cases = {f"{EXAMPLE_PREFIX}{p.stem}": p for p in sorted(EXAMPLES.glob("*.json"))}
    cases.update({p.stem: p for p in sorted(CASES.glob("*.json"))})
    return dict(sorted(cases.items()))


def assess_case(path: Path, kb: KnowledgeBase) -> Assessment:
    record = parse_patient(json.loads(path.read_text(encoding="utf-8")))
    return assess(record, kb)


def _ids(items: Iterable[Any]) -> list[str]:
    return sorted(item.id for item in items)


def project(a: Assessment) -> dict[str, Any]:
    bd = a.bone_density
    plan = a.plan
    return {
        "patient_id": a.patient_id,
        "risk": {
            "giop_category": a.risk.giop_category,
            "minimum_category": a.risk.minimum_category,
            "basis": _ids(a.risk.basis),
            "missing_inputs": sorted(a.risk.missing_inputs),
        },
        "bone_density": {
            "who_category": bd.who_category,
            "lowest_t_score": bd.lowest_t_score,
            "lowest_t_score_region": bd.lowest_t_score_region,
            "z_score_interpretation": bd.z_score_interpretation,
            "tbs_category": bd.tbs_category,
            "excluded_vertebrae": sorted(v.level for v in bd.excluded_vertebrae),
        },
        # Genant grade per vertebra, in cranio-caudal order as measured
        "genant_grades": {v.level: v.genant_grade for v in a.vertebrae},
        "fractured_vertebrae": [v.level for v in a.vertebrae if v.counts_as_fracture],
        "iatrogenic_causes": {
            c.id: c.meets_threshold for c in sorted(a.iatrogenic_causes, key=_id)
        },
        "diagnoses": _ids(a.diagnoses),
        "triage": {"urgency": a.triage.urgency, "red_flags": _ids(a.triage.red_flags)},
        "workup": {
            "recommended_tests": _ids(a.workup.recommended_tests),
            "lab_status": {f.id: f.status for f in sorted(a.workup.lab_findings, key=_id)},
            "egfr_ml_min_1_73m2": a.workup.egfr_ml_min_1_73m2,
            "creatinine_clearance_ml_min": a.workup.creatinine_clearance_ml_min,
        },
        "plan": {
            # ranked: the order is the recommendation
            "pharmacological": [
                {
                    "drug": d.drug,
                    "ready": d.ready_to_start,
                    "unverified": len(d.unverified_checks),
                    "before_starting": len(d.before_starting),
                    "labels": _labels(d.drug, d.label_ids),
                }
                for d in plan.pharmacological
            ],
            "avoid": [
                {
                    "drug": d.drug,
                    "labels": _labels(d.drug, d.label_ids),
                    "reason": d.reasons[0] if d.reasons else None,
                }
                for d in sorted(plan.avoid, key=lambda d: d.drug)
            ],
            "supplements": _ids(plan.supplements),
            "referrals": _ids(plan.referrals),
            "follow_up": _ids(plan.follow_up),
        },
        "warnings": sorted(w.code for w in a.warnings),
    }


def _labels(drug: str, label_ids: Iterable[str]) -> list[str]:
    """Label records by jurisdiction (`eu`, `us`); an id of another drug's label stays whole."""
    prefix = f"{drug}.label."
    return sorted(i.removeprefix(prefix) for i in label_ids)


def _id(item: Any) -> str:
    return str(item.id)


def dumps(data: Any) -> str:
    """JSON, two-space indent, with every object or list that fits on one line kept on one."""
    return _dump(data, 0) + "\n"


def _dump(data: Any, indent: int, used: int = 0) -> str:
    """``data`` at ``indent``; ``used`` characters of its first line are taken by a key."""
    flat = json.dumps(data, ensure_ascii=False)
    if not isinstance(data, dict | list) or not data or indent + used + len(flat) <= LINE:
        return flat
    pad = " " * (indent + 2)
    if isinstance(data, dict):
        body = []
        for key, value in data.items():
            name = json.dumps(key, ensure_ascii=False) + ": "
            body.append(pad + name + _dump(value, indent + 2, len(name)))
        return "{\n" + ",\n".join(body) + "\n" + " " * indent + "}"
    body = [pad + _dump(value, indent + 2) for value in data]
    return "[\n" + ",\n".join(body) + "\n" + " " * indent + "]"
