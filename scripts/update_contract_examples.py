"""Keep the examples in docs/contract.md current.

Fills docs/examples/assessment.json's `references` (every cited id once, in first-cited order)
and `knowledge_version` from the knowledge base, then copies examples/gc_wedge_fracture.json and
that assessment into the JSON blocks that follow the `<!-- example:... -->` markers of
docs/contract.md. A test fails when the document and the files disagree.

Usage: uv run python scripts/update_contract_examples.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from osteowedge.knowledge import load_knowledge_base

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "assessment.json"
PATIENT = ROOT / "examples" / "gc_wedge_fracture.json"
CONTRACT = ROOT / "docs" / "contract.md"


def embed(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- example:{marker} -->\n```json\n).*?(\n```)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{CONTRACT}: marker <!-- example:{marker} --> not found")
    return pattern.sub(lambda m: m.group(1) + body.strip() + m.group(2), text)


def cited(data: Any, out: list[str]) -> list[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "citation_ids":
                out.extend(v for v in value if v not in out)
            elif key != "references":
                cited(value, out)
    elif isinstance(data, list):
        for item in data:
            cited(item, out)
    return out


def main() -> None:
    kb = load_knowledge_base()
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["knowledge_version"] = kb.knowledge_version
    data["references"] = [
        kb.references[ref_id].model_dump(mode="json", exclude_none=True, exclude={"kind", "note"})
        for ref_id in cited(data, [])
    ]
    assessment = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    EXAMPLE.write_text(assessment, encoding="utf-8")
    text = CONTRACT.read_text(encoding="utf-8")
    text = embed(text, "patient", PATIENT.read_text(encoding="utf-8"))
    text = embed(text, "assessment", assessment)
    CONTRACT.write_text(text, encoding="utf-8")
    print(f"{CONTRACT}: updated; {len(data['references'])} references in the assessment")


if __name__ == "__main__":
    main()
