"""Validate the knowledge files and print a count per section (for authors of records).

Usage: uv run python scripts/check_knowledge.py [--lenient]
--lenient reports dangling ids (records other files will define) as warnings instead of failing.
"""

from __future__ import annotations

import sys

from osteowedge.errors import KnowledgeError
from osteowedge.knowledge import loader
from osteowedge.knowledge.base import KnowledgeBase
from osteowedge.knowledge.schema import SECTIONS


def main() -> int:
    lenient = "--lenient" in sys.argv
    directory = loader.data_dir()
    records = []
    references = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            parsed = loader.load_file(path)
        except KnowledgeError as exc:
            print(f"ERROR {exc}")
            return 1
        records.extend(parsed.records)
        references.extend(parsed.references)
    try:
        kb = KnowledgeBase.build(records, references, "check")
    except KnowledgeError as exc:
        print(("WARNING " if lenient else "ERROR ") + str(exc))
        if not lenient:
            return 1
        return 0
    for name in SECTIONS:
        print(f"{len(kb.section(name)):4d}  {name}")
    print(f"{len(kb):4d}  records, {len(kb.references)} references: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
