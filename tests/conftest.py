"""Shared fixtures: the knowledge base (loaded once), example records, and the shared data gate."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from osteowedge.knowledge import KnowledgeBase, load_knowledge_base

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("OSTEOWEDGE_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when absent unless OSTEOWEDGE_REQUIRE_SHARED=1."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"shared data not found at {path} (CI has ../shared beside the checkout)"
        if os.environ.get("OSTEOWEDGE_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


@pytest.fixture
def example_data() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in example_paths()}
