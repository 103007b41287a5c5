"""docs/knowledge/ is generated from the data; this fails when someone forgot to regenerate."""

from __future__ import annotations

from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.docs import HEADER, render_pages
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "knowledge"


def test_generated_docs_are_current(kb: KnowledgeBase) -> None:
    pages = render_pages(kb)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(n for n in pages if on_disk.get(n) != pages[n])
    extra = sorted(set(on_disk) - set(pages))
    assert not stale and not extra, (
        f"docs/knowledge is stale (pages {stale}, extra {extra}): run "
        "`uv run python scripts/generate_knowledge_docs.py`"
    )


def test_pages_say_they_are_generated_and_cite(kb: KnowledgeBase) -> None:
    pages = render_pages(kb)
    assert "index.md" in pages and "causes.md" in pages
    for text in pages.values():
        assert text.startswith(HEADER)
    assert "Citations:" in pages["pharmacological.md"]
    assert "`alendronate`" in pages["pharmacological.md"]
