"""docs/contract.md holds a complete example of each document, kept in step with the models.

A documentation check: the example must be current and valid. Whether the assessment is right is
checked by the reviewed goldens of tests/golden/test_assessment_goldens.py (docs/dev/goldens.md).
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from osteowedge.interfaces.cli.schema import json_schema
from osteowedge.knowledge import KnowledgeBase
from osteowedge.model import Assessment, parse_patient
from tests.conftest import EXAMPLES, ROOT

CONTRACT = ROOT / "docs" / "contract.md"


def _json_blocks() -> list[Any]:
    text = CONTRACT.read_text(encoding="utf-8")
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, flags=re.S)]


def _collect(data: Any, key: str) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key and isinstance(v, list):
                found.update(v)
            else:
                found |= _collect(v, key)
    elif isinstance(data, list):
        for item in data:
            found |= _collect(item, key)
    return found


def test_the_patient_example_is_the_bundled_file_and_valid() -> None:
    _, patient, _ = _json_blocks()
    on_disk = json.loads((EXAMPLES / "gc_wedge_fracture.json").read_text(encoding="utf-8"))
    assert patient == on_disk
    parse_patient(patient)


def test_the_assessment_example_is_valid_and_its_ids_exist(kb: KnowledgeBase) -> None:
    _, _, assessment = _json_blocks()
    on_disk = json.loads((ROOT / "docs/examples/assessment.json").read_text(encoding="utf-8"))
    assert assessment == on_disk, "run scripts/update_contract_examples.py"
    Assessment.model_validate(assessment)
    jsonschema.validate(assessment, json_schema("assessment"))
    missing = sorted(_collect(assessment, "knowledge_ids") - set(kb.records))
    assert not missing, missing
    cited = _collect(assessment, "citation_ids")
    assert not sorted(cited - set(kb.references))
    listed = [ref["id"] for ref in assessment["references"]]
    assert len(listed) == len(set(listed)), "each reference listed once"
    assert cited <= set(listed), sorted(cited - set(listed))


def test_the_error_example_matches_the_error_schema() -> None:
    error, _, _ = _json_blocks()
    jsonschema.validate(error, json_schema("error"))


def test_the_assessment_example_is_what_the_pipeline_says(kb: KnowledgeBase) -> None:
    from osteowedge.assess import assess

    record = parse_patient(json.loads((EXAMPLES / "gc_wedge_fracture.json").read_text()))
    _, _, documented = _json_blocks()
    assert assess(record, kb).model_dump(mode="json") == documented, (
        "run scripts/update_contract_examples.py"
    )
