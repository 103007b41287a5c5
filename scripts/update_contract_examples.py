"""Keep the examples in docs/contract.md current.

Writes docs/examples/assessment.json, the real assessment of examples/gc_wedge_fracture.json by
`osteowedge.assess`, then copies the patient and that assessment into the JSON blocks that follow
the `<!-- example:... -->` markers of docs/contract.md. A test fails when the document, the files
and the pipeline disagree.

Usage: uv run python scripts/update_contract_examples.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from osteowedge.assess import assess
from osteowedge.knowledge import load_knowledge_base
from osteowedge.model import parse_patient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "assessment.json"
PATIENT = ROOT / "examples" / "gc_wedge_fracture.json"
CONTRACT = ROOT / "docs" / "contract.md"


def embed(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- example:{marker} -->\n```json\n).*?(\n```)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{CONTRACT}: marker <!-- example:{marker} --> not found")
    return pattern.sub(lambda m: m.group(1) + body.strip() + m.group(2), text)


def main() -> None:
    kb = load_knowledge_base()
    record = parse_patient(json.loads(PATIENT.read_text(encoding="utf-8")))
    data = assess(record, kb).model_dump(mode="json")
    assessment = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    EXAMPLE.write_text(assessment, encoding="utf-8")
    text = CONTRACT.read_text(encoding="utf-8")
    text = embed(text, "patient", PATIENT.read_text(encoding="utf-8"))
    text = embed(text, "assessment", assessment)
    CONTRACT.write_text(text, encoding="utf-8")
    print(f"{CONTRACT}: updated; {len(data['references'])} references in the assessment")


if __name__ == "__main__":
    main()
