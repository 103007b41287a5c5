"""Render the README's screenshots: page 1 of the clinician report and of the patient summary of
the bundled example ``examples/gc_wedge_fracture.json``, as PNG under ``docs/images/``.

Usage: uv run python scripts/render_readme_screenshots.py [--scale 1.4]

The example is assessed through the real pipeline as of its own date, rendered to PDF with
WeasyPrint (A4) and page 1 rasterised with pypdfium2 (a dev dependency), so the pictures show
exactly what `osteowedge report --format pdf` prints.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pypdfium2 as pdfium

from osteowedge.assess import assess
from osteowedge.knowledge import load_knowledge_base
from osteowedge.model import parse_patient
from osteowedge.report import render_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "gc_wedge_fracture.json"
TARGET = ROOT / "docs" / "images"
OUTPUTS = {"clinician": "report-clinician-page1.png", "patient": "report-patient-page1.png"}


def page_one_png(pdf: bytes, path: Path, scale: float) -> None:
    doc = pdfium.PdfDocument(pdf)
    try:
        doc[0].render(scale=scale).to_pil().save(path, optimize=True)
    finally:
        doc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.4, help="pixels per PDF point")
    args = parser.parse_args()
    record = parse_patient(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assessment = assess(record, load_knowledge_base(), as_of=record.as_of)
    TARGET.mkdir(parents=True, exist_ok=True)
    for audience, name in OUTPUTS.items():
        pdf = render_pdf(assessment, "clinician" if audience == "clinician" else "patient")
        page_one_png(pdf, TARGET / name, args.scale)
        print(f"wrote {(TARGET / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
