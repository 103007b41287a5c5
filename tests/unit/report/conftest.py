"""Assessments to render (the documented example and every bundled example record through the
real pipeline) and PDFs rendered once per session (WeasyPrint takes about a second a page)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from osteowedge.knowledge import KnowledgeBase
from osteowedge.model.assessment import Assessment
from tests.conftest import EXAMPLES, ROOT

DOC_EXAMPLE = ROOT / "docs" / "examples" / "assessment.json"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def load_doc_example() -> Assessment:
    return Assessment.model_validate_json(DOC_EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def doc_assessment() -> Assessment:
    return load_doc_example()


@pytest.fixture(scope="session")
def example_assessments(kb: KnowledgeBase) -> dict[str, Assessment]:
    """Every bundled example record, assessed as of its own date."""
    from osteowedge.assess import assess
    from osteowedge.model import parse_patient

    out: dict[str, Assessment] = {}
    for name in EXAMPLE_NAMES:
        record = parse_patient(json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")))
        out[name] = assess(record, kb, as_of=record.as_of)
    return out


PdfRenderer = Callable[[str, Assessment, str, str], bytes]


@pytest.fixture(scope="session")
def pdf_of() -> Iterator[PdfRenderer]:
    """``pdf_of(key, assessment, audience, page_size)``: the PDF, rendered once per session."""
    from osteowedge.report import render_pdf

    cache: dict[tuple[str, str, str], bytes] = {}

    def render(key: str, assessment: Assessment, audience: str, page_size: str = "A4") -> bytes:
        if (key, audience, page_size) not in cache:
            # no warning filter: with libharfbuzz-subset0 installed (.ci/run sees to it)
            # WeasyPrint 70 warns about nothing these reports use
            cache[(key, audience, page_size)] = render_pdf(
                assessment,
                "clinician" if audience == "clinician" else "patient",
                "Letter" if page_size == "Letter" else "A4",
            )
        return cache[(key, audience, page_size)]

    yield render


def snapshot_path(name: str) -> Path:
    return Path(__file__).with_name("snapshots") / name
