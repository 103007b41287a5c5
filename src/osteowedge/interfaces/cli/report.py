"""`osteowedge report`: an assessment JSON file -> the clinician report or the patient summary
(HTML or PDF), and optionally every figure as SVG and PNG."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.output import speaks_errors, stderr
from osteowedge.io.files import read_text, write_atomic

if TYPE_CHECKING:
    from osteowedge.model.assessment import Assessment


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


class ReportAudience(StrEnum):
    clinician = "clinician"
    patient = "patient"


def write_report(
    assessment: Assessment, fmt: ReportFormat, audience: ReportAudience, out: Path
) -> None:
    """Render one report of ``assessment`` and write it to ``out`` whole or not at all."""
    from osteowedge.report import render_html, render_pdf

    who: Literal["clinician", "patient"] = (
        "clinician" if audience is ReportAudience.clinician else "patient"
    )
    if fmt is ReportFormat.pdf:
        write_atomic(out, render_pdf(assessment, who))
    else:
        write_atomic(out, render_html(assessment, who))


@speaks_errors
def report(
    assessment_file: Annotated[
        Path,
        typer.Argument(
            metavar="ASSESSMENT",
            help="An assessment JSON file (the output of `osteowedge assess`).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the report.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html or pdf.")
    ] = ReportFormat.html,
    audience: Annotated[
        ReportAudience, typer.Option("--audience", "-a", help="clinician or patient.")
    ] = ReportAudience.clinician,
    figures_dir: Annotated[
        Path | None,
        typer.Option("--figures", help="Also write every figure as SVG and PNG into this folder."),
    ] = None,
) -> None:
    """Render the clinician report or the patient summary of an assessment."""
    from pydantic import ValidationError

    from osteowedge.model.assessment import Assessment
    from osteowedge.report import figures

    text = read_text(assessment_file)
    try:
        assessment = Assessment.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        raise InputError(
            f"{assessment_file}: not an osteowedge assessment ({exc.error_count()} problem(s); "
            f"first at {where}: {first['msg']}); produce one with `osteowedge assess FILE "
            "--format json`"
        ) from exc
    write_report(assessment, fmt, audience, out)
    stderr.print(f"wrote {out}", highlight=False)
    if figures_dir is not None:
        for name, (svg, png) in figures(assessment).items():
            write_atomic(figures_dir / f"{name}.svg", svg)
            write_atomic(figures_dir / f"{name}.png", png)
        stderr.print(f"wrote figures (SVG and PNG) to {figures_dir}", highlight=False)
