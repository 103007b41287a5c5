"""`osteowedge demo`: assess the bundled example patients and write what each one gets."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from osteowedge.errors import InputError, OsteowedgeError
from osteowedge.interfaces.cli.output import EXIT_BAD_INPUT, fail, stderr, stdout
from osteowedge.io.files import write_atomic

if TYPE_CHECKING:
    from osteowedge.model.assessment import Assessment


def examples_dir() -> Path:
    """The bundled example records (shipped inside the package)."""
    return Path(str(resources.files("osteowedge") / "examples"))


def _row(a: Assessment) -> tuple[str, str, str, str, str]:
    diagnoses = "\n".join(d.label for d in a.diagnoses) or "-"
    causes = "\n".join(
        c.label + ("" if c.meets_threshold else " (?)" if c.meets_threshold is None else " (-)")
        for c in a.iatrogenic_causes
    )
    fractures = [
        f"{v.level} G{v.genant_grade} {v.morphology}" for v in a.vertebrae if v.counts_as_fracture
    ]
    spine = ", ".join(fractures) or "-"
    plan = a.plan.pharmacological[0].label if a.plan.pharmacological else "no drug now"
    triage = f"{a.triage.urgency}\nrisk: {a.risk.giop_category}\n{plan}"
    return a.patient_id, causes or "-", diagnoses, spine, triage


def _write_reports(result: Assessment, out: Path) -> list[Path]:
    """Both audiences' reports of one assessment, as HTML and PDF."""
    from osteowedge.interfaces.cli.report import ReportAudience, ReportFormat, write_report

    paths = []
    with stderr.status(f"rendering the reports of {result.patient_id}"):
        for audience in ReportAudience:
            for fmt in ReportFormat:
                path = out / f"{result.patient_id}.{audience}.{fmt}"
                write_report(result, fmt, audience, path)
                paths.append(path)
    return paths


def demo(
    directory: Annotated[
        Path | None, typer.Option(help="Folder of records (default: the bundled examples).")
    ] = None,
    out: Annotated[
        Path,
        typer.Option(help="Folder for the assessments (JSON) and reports of every example."),
    ] = Path("osteowedge-demo"),
    reports: Annotated[
        bool,
        typer.Option(
            "--reports/--no-reports",
            help="Also write the clinician report and patient summary (HTML and PDF) of each.",
        ),
    ] = True,
) -> None:
    """Assess the bundled example patients; write each assessment and its reports to a folder."""
    from osteowedge.assess import assess
    from osteowedge.io.records import iter_records
    from osteowedge.knowledge import load_knowledge_base
    from osteowedge.model import parse_patient

    kb = load_knowledge_base()
    source = directory or examples_dir()
    table = Table(title=f"Example patients (knowledge {kb.knowledge_version})", show_lines=True)
    for column in ("patient", "iatrogenic causes", "diagnoses", "fractures", "urgency, risk, plan"):
        table.add_column(column)
    failures = 0
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for raw in iter_records(source):
            try:
                if raw.error:
                    raise raw.error
                record = parse_patient(raw.data)
                result = assess(record, kb, as_of=record.as_of or dt.date.today())
            except InputError as exc:
                failures += 1
                stderr.print(f"[red]{raw.source}[/]: {exc}", highlight=False)
                continue
            table.add_row(*_row(result))
            target = out / f"{result.patient_id}.assessment.json"
            write_atomic(target, result.model_dump_json(indent=2) + "\n")
            written.append(target)
            if reports:
                written += _write_reports(result, out)
    except (InputError, OSError) as exc:
        fail(exc if isinstance(exc, InputError) else InputError(f"{out}: {exc}"))
    except OsteowedgeError as exc:
        fail(exc)
    stdout.print(table)
    what = "assessments (JSON), clinician reports and patient summaries (HTML, PDF)"
    stdout.print(
        f"{table.row_count} record(s) assessed from {source}; {len(written)} file(s) written "
        f"to {out.resolve()}: {what if reports else 'assessments (JSON)'}. "
        "Decision support only: every output is for a clinician to confirm.",
        highlight=False,
    )
    if reports and written:
        example = next((p for p in written if p.name.endswith(".clinician.html")), None)
        if example is not None:
            stdout.print(f"Open {example.resolve()} in a browser to start.", highlight=False)
    if failures:
        raise typer.Exit(EXIT_BAD_INPUT)
