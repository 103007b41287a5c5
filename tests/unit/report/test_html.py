"""Both reports as HTML for the documented example and every bundled example: structure,
accessibility of the figures, self-containment, citations, and the patient reading level."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from osteowedge.model.assessment import Assessment
from osteowedge.report import AUDIENCES, html_reading_grade, render_html
from osteowedge.report import __all__ as report_all
from tests.unit.report.conftest import EXAMPLE_NAMES

PATIENT_MAX_GRADE = 8.0


class Outline(HTMLParser):
    """Headings in order, figures with their SVG accessibility, ids, links, external sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.figures: list[dict[str, object]] = []
        self._heading: int | None = None
        self._text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        for key in ("src", "srcset", "data", "poster"):
            if a.get(key):
                self.sources.append(str(a[key]))
        if tag == "link":
            self.sources.append(str(a.get("href")))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "figure":
            self.figures.append(
                {
                    "id": a.get("id"),
                    "labelledby": a.get("aria-labelledby"),
                    "svg": None,
                    "title_ids": [],
                    "caption": False,
                }
            )
        if tag == "svg" and self.figures:
            self.figures[-1]["svg"] = a
        if tag == "title" and self.figures and self.figures[-1]["svg"] is not None:
            ids = self.figures[-1]["title_ids"]
            assert isinstance(ids, list)
            ids.append(a.get("id"))
            self._in_title = True
        if tag == "figcaption" and self.figures:
            self.figures[-1]["caption"] = True

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def check_structure(html: str, require_figure: bool = True) -> Outline:
    """Headings in order, every figure accessible, nothing to fetch, internal links land."""
    o = outline(html)
    levels = [level for level, _ in o.headings]
    assert levels[0] == 1 and levels.count(1) == 1, o.headings
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}: {o.headings}"
    assert o.figures or not require_figure, "no figure"
    for fig in o.figures:
        svg = fig["svg"]
        assert isinstance(svg, dict), fig
        assert svg.get("role") == "img"
        title_ids = fig["title_ids"]
        assert isinstance(title_ids, list) and title_ids, "figure SVG without <title>"
        assert svg.get("aria-labelledby") == title_ids[0]
        assert svg.get("aria-describedby")
        assert fig["caption"], "figure without a caption"
    # self-contained: nothing to fetch
    assert o.sources == [], o.sources
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "@page" in html and "@media print" in html
    # every internal link lands
    for href in o.hrefs:
        if href.startswith("#"):
            assert href[1:] in o.ids, href
    return o


def test_public_api_is_exported() -> None:
    import osteowedge.report as report

    assert report_all == sorted(report_all)
    for name in ("render_html", "render_pdf", "figures"):
        assert name in report_all
    own = {
        name
        for name, value in vars(report).items()
        if not name.startswith("_")
        and str(getattr(value, "__module__", "")).startswith("osteowedge.report")
    }
    assert own <= set(report_all), own - set(report_all)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_documented_example_structure(doc_assessment: Assessment, audience: str) -> None:
    html = render_html(doc_assessment, "clinician" if audience == "clinician" else "patient")
    o = check_structure(html)
    ids = {f["id"] for f in o.figures}
    assert "figure-spine" in ids
    assert 'data-level="L1" data-grade="2" data-morphology="wedge"' in html


def test_clinician_report_holds_every_part_in_order(doc_assessment: Assessment) -> None:
    o = check_structure(render_html(doc_assessment, "clinician"))
    h2 = [text for level, text in o.headings if level == 2]
    assert h2 == [
        "Key findings",
        "Spine diagram",
        "Bone density",
        "Glucocorticoid exposure",
        "Iatrogenic causes and their evidence",
        "Workup",
        "Plan",
        "What to avoid and why",
        "Follow-up",
        "Data limitations",
        "References",
    ]
    assert {f["id"] for f in o.figures} == {
        "figure-spine",
        "figure-bone-density",
        "figure-glucocorticoid-timeline",
    }


def test_clinician_citations_are_numbered_links(doc_assessment: Assessment) -> None:
    html = render_html(doc_assessment, "clinician")
    n_refs = len(doc_assessment.references)
    assert html.count('<li id="ref-') == n_refs
    assert f'id="ref-{n_refs}"' in html and f'id="ref-{n_refs + 1}"' not in html
    assert '<sup class="cite">[<a href="#ref-1">1</a>' in html
    assert 'href="https://iscd.org/official-positions-2023/"' in html


def test_clinician_key_findings_name_urgency_risk_and_dose(doc_assessment: Assessment) -> None:
    html = render_html(doc_assessment, "clinician")
    key = html[html.index('id="key-findings"') : html.index('id="spine"')]
    assert "URGENT" in key and "Sudden back pain after minimal trauma" in key
    assert "very high" in key and "Vertebral fracture" in key
    assert "20 micrograms subcutaneously once daily" in html  # plan with its dose
    assert "Vitamin D deficiency" in html  # what to avoid, and why


def test_patient_summary_parts(doc_assessment: Assessment) -> None:
    html = render_html(doc_assessment, "patient")
    o = check_structure(html)
    h2 = [text for level, text in o.headings if level == 2]
    for part in (
        "What is happening",
        "Why it is happening",
        "What you can do",
        "What to avoid",
        "When to get help right away",
        "Questions people ask",
        "Please note",
    ):
        assert part in h2
    for faq in doc_assessment.education.faqs:
        assert faq.question.replace('"', "&quot;") in html
    assert doc_assessment.education.disclaimer[:60] in html
    assert "see a doctor today" in html.lower()


def test_patient_summary_reads_at_grade_8_or_below(doc_assessment: Assessment) -> None:
    grade = html_reading_grade(render_html(doc_assessment, "patient"))
    assert grade <= PATIENT_MAX_GRADE, f"Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_renders_in_both_audiences(
    example_assessments: dict[str, Assessment], name: str
) -> None:
    a = example_assessments[name]
    clinician = render_html(a, "clinician")
    check_structure(clinician)
    patient = render_html(a, "patient")
    # the patient summary shows the spine picture only when the spine was measured
    has_spine = bool(check_structure(patient, require_figure=False).figures)
    assert has_spine == bool(a.vertebrae)
    grade = html_reading_grade(patient)
    assert grade <= PATIENT_MAX_GRADE, f"{name}: Flesch-Kincaid grade {grade:.1f}"
    for v in a.vertebrae:
        if v.level in ("T4", "L5") or v.genant_grade is None:
            continue
        assert f'data-level="{v.level}" data-grade="{v.genant_grade:g}"' in clinician


def test_large_type_for_patients(doc_assessment: Assessment) -> None:
    patient = render_html(doc_assessment, "patient")
    clinician = render_html(doc_assessment, "clinician")

    def print_pt(html: str) -> float:
        match = re.search(r"@media print \{\s*body \{[^}]*font-size: ([0-9.]+)pt", html)
        assert match, "no print body size"
        return float(match.group(1))

    assert print_pt(patient) >= 12 and print_pt(patient) > print_pt(clinician)
    assert re.search(r"font-size: (\d+)px", patient) and "font-size: 20px" in patient
