"""Reports from an assessment: the clinician report and the patient summary as self-contained
HTML or PDF, and the figures (spine diagram, bone-density chart, glucocorticoid timeline) as SVG
and PNG. Pure rendering: an assessment in, text or bytes out."""

from __future__ import annotations

from typing import Literal

from osteowedge.model.assessment import Assessment
from osteowedge.report.clinician import MAX_PAGES as _MAX_PAGES
from osteowedge.report.clinician import render_clinician_html as _clinician_html
from osteowedge.report.figures import figure_svgs, figures
from osteowedge.report.html import PageSize
from osteowedge.report.patient import render_patient_html as _patient_html
from osteowedge.report.pdf import ReportRenderError
from osteowedge.report.pdf import layout as _layout
from osteowedge.report.pdf import page_count as _page_count
from osteowedge.report.pdf import write_pdf as _write_pdf
from osteowedge.report.readability import flesch_kincaid_grade, html_reading_grade

Audience = Literal["clinician", "patient"]
AUDIENCES: tuple[Audience, ...] = ("clinician", "patient")


def render_html(assessment: Assessment, audience: Audience, page_size: PageSize = "A4") -> str:
    """The report for ``audience`` as one self-contained HTML document."""
    if audience == "clinician":
        return _clinician_html(assessment, page_size)
    if audience == "patient":
        return _patient_html(assessment, page_size)
    raise ValueError(f"audience must be 'clinician' or 'patient', got {audience!r}")


def render_pdf(assessment: Assessment, audience: Audience, page_size: PageSize = "A4") -> bytes:
    """The report for ``audience`` as PDF bytes (WeasyPrint). A clinician report that would run
    past 4 pages is laid out again in compact type."""
    document = _layout(render_html(assessment, audience, page_size))
    if audience == "clinician" and _page_count(document) > _MAX_PAGES:
        document = _layout(_clinician_html(assessment, page_size, compact=True))
    return _write_pdf(document)


__all__ = [
    "AUDIENCES",
    "Audience",
    "PageSize",
    "ReportRenderError",
    "figure_svgs",
    "figures",
    "flesch_kincaid_grade",
    "html_reading_grade",
    "render_html",
    "render_pdf",
]
