"""`osteowedge demo`: validate and summarise the bundled example patients."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.output import EXIT_BAD_INPUT, fail, stderr, stdout

if TYPE_CHECKING:
    from osteowedge.model import PatientRecord


def examples_dir() -> Path:
    """The bundled example records (shipped inside the package)."""
    return Path(str(resources.files("osteowedge") / "examples"))


def _summary(record: PatientRecord) -> tuple[str, str, str, str, str]:
    age = f"{record.age_years:g} y" if record.age_years is not None else f"born {record.birth_date}"
    meds = ", ".join(m.name or m.rxnorm or m.atc or "?" for m in record.medications) or "-"
    dxa = "-"
    if record.dxa:
        latest = max(record.dxa, key=lambda exam: exam.date)
        regions = ", ".join(r.region for r in latest.regions)
        dxa = f"{len(record.dxa)} exam(s); latest {latest.date}: {regions}"
    levels = [v.level for exam in record.vertebral_morphometry for v in exam.vertebrae]
    spine = f"{len(levels)} vertebra(e) measured" if levels else "-"
    return f"{record.id}\n{record.sex}, {age}", meds, dxa, spine, ", ".join(record.symptoms) or "-"


def demo(
    directory: Annotated[
        Path | None, typer.Option(help="Folder of records (default: the bundled examples).")
    ] = None,
) -> None:
    """Validate and summarise the bundled example patients."""
    from osteowedge.io.records import iter_records
    from osteowedge.knowledge import load_knowledge_base
    from osteowedge.model import parse_patient

    kb = load_knowledge_base()
    source = directory or examples_dir()
    table = Table(title=f"Example patients (knowledge {kb.knowledge_version})", show_lines=True)
    for column in ("patient", "medications", "bone density", "spine", "symptoms"):
        table.add_column(column)
    failures = 0
    try:
        for raw in iter_records(source):
            try:
                if raw.error:
                    raise raw.error
                table.add_row(*_summary(parse_patient(raw.data)))
            except InputError as exc:
                failures += 1
                stderr.print(f"[red]{raw.source}[/]: {exc}", highlight=False)
    except InputError as exc:
        fail(exc)
    stdout.print(table)
    stdout.print(
        f"{table.row_count} valid record(s) from {source}. "
        "Decision support only: every output is for a clinician to confirm."
    )
    if failures:
        raise typer.Exit(EXIT_BAD_INPUT)
