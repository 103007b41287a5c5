"""Regenerate docs/knowledge/ from the knowledge data (run after editing any YAML record).

Usage: uv run python scripts/generate_knowledge_docs.py
"""

from __future__ import annotations

from pathlib import Path

from osteowedge.knowledge import load_knowledge_base
from osteowedge.knowledge.docs import render_pages

TARGET = Path(__file__).resolve().parents[1] / "docs" / "knowledge"


def main() -> None:
    pages = render_pages(load_knowledge_base())
    TARGET.mkdir(parents=True, exist_ok=True)
    for stale in TARGET.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {TARGET}")


if __name__ == "__main__":
    main()
