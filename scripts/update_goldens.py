"""Rewrite the assessment goldens: tests/golden/expected/<case>.json.

Each file is the reviewed projection (tests/golden/projection.py) of the assessment of one case:
a bundled example (examples/*.json, as `example_<name>`) or a record of tests/golden/cases.
Review every changed file before committing it (`git diff tests/golden/expected`): a changed
golden is a changed recommendation. docs/dev/goldens.md says what each case checks.

Usage: uv run python scripts/update_goldens.py [CASE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.golden.projection import (  # noqa: E402
    EXPECTED,
    assess_case,
    case_inputs,
    dumps,
    load_knowledge_base,
    project,
)


def main(argv: list[str]) -> int:
    cases = case_inputs()
    unknown = sorted(set(argv) - set(cases))
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(cases)}")
        return 2
    chosen = argv or list(cases)
    kb = load_knowledge_base()
    EXPECTED.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    for name in chosen:
        text = dumps(project(assess_case(cases[name], kb)))
        target = EXPECTED / f"{name}.json"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(name)
    if not argv:
        stale = sorted(p for p in EXPECTED.glob("*.json") if p.stem not in cases)
        for path in stale:
            path.unlink()
            changed.append(f"{path.stem} (removed: no such case)")
    print(f"{len(chosen)} case(s); changed: {', '.join(changed) or 'none'}")
    if changed:
        print("review the diff before committing: git diff tests/golden/expected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
