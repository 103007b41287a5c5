"""The PDFs: they open, the clinician report keeps to 4 pages (A4 and Letter) with the key
findings and the spine diagram on page 1. Each PDF is rendered once per session."""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from osteowedge.model.assessment import Assessment
from tests.unit.report.conftest import EXAMPLE_NAMES, PdfRenderer

CLINICIAN_MAX_PAGES = 4


def pages_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_documented_example_clinician_pdf(
    doc_assessment: Assessment, pdf_of: PdfRenderer, page_size: str
) -> None:
    pdf = pdf_of("doc", doc_assessment, "clinician", page_size)
    assert pdf.startswith(b"%PDF-")
    text = pages_text(pdf)
    assert 1 <= len(text) <= CLINICIAN_MAX_PAGES
    assert "Key findings" in text[0] and "Spine diagram" in text[0]
    assert "References" in "".join(text)


def test_documented_example_patient_pdf(doc_assessment: Assessment, pdf_of: PdfRenderer) -> None:
    text = pages_text(pdf_of("doc", doc_assessment, "patient", "A4"))
    assert "Your bone health summary" in text[0]
    assert "When to get help right away" in "".join(text)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_pdf_in_both_audiences(
    example_assessments: dict[str, Assessment], pdf_of: PdfRenderer, name: str
) -> None:
    a = example_assessments[name]
    clinician = pages_text(pdf_of(name, a, "clinician", "A4"))
    assert len(clinician) <= CLINICIAN_MAX_PAGES, f"{name}: {len(clinician)} pages"
    assert "Key findings" in clinician[0] and "Spine diagram" in clinician[0]
    patient = pages_text(pdf_of(name, a, "patient", "A4"))
    assert patient and "Your bone health summary" in patient[0]


def test_a_longer_record_falls_back_to_compact_type(doc_assessment: Assessment) -> None:
    """Twice the causes and warnings of the example run past 4 pages in normal type; render_pdf
    lays the report out again in compact type and keeps to 4."""
    from osteowedge.report import render_pdf
    from osteowedge.report.clinician import render_clinician_html
    from osteowedge.report.pdf import layout, page_count

    causes = [
        c.model_copy(update={"id": f"{c.id}_{i}"})
        for i in range(2)
        for c in doc_assessment.iatrogenic_causes
    ]
    longer = doc_assessment.model_copy(
        update={"iatrogenic_causes": causes, "warnings": list(doc_assessment.warnings) * 2}
    )
    assert page_count(layout(render_clinician_html(longer))) > CLINICIAN_MAX_PAGES
    text = pages_text(render_pdf(longer, "clinician"))
    assert len(text) <= CLINICIAN_MAX_PAGES
    assert "Key findings" in text[0] and "Spine diagram" in text[0]


def test_the_pdf_engine_fetches_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Even a local file named by URL is refused: a report can never depend on what lies
    outside the document."""
    from osteowedge.report.pdf import layout, write_pdf

    picture = tmp_path / "x.svg"
    picture.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"/>', "utf-8")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = write_pdf(layout(f'<p>x</p><img src="{picture.as_uri()}" alt="x">'))
    assert pdf.startswith(b"%PDF-")
    assert picture.as_uri() in caplog.text
