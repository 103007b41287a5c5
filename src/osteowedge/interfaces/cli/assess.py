"""`osteowedge assess`: the full assessment of one record or a batch (NDJSON, input order)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.output import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_SOME_FAILED,
    fail,
    print_json,
    stderr,
    stdout,
)
from osteowedge.interfaces.cli.validate import error_record

if TYPE_CHECKING:  # the pipeline and the knowledge base load when the command runs
    from osteowedge.io.records import RawRecord
    from osteowedge.knowledge import KnowledgeBase
    from osteowedge.model.assessment import Assessment


class AssessFormat(StrEnum):
    text = "text"
    json = "json"
    ndjson = "ndjson"


def assess_raw(raw: RawRecord, kb: KnowledgeBase, as_of: dt.date | None) -> Assessment:
    """Parse and assess one raw record; InputError when it is invalid."""
    from osteowedge.assess import assess
    from osteowedge.model import parse_patient

    if raw.error is not None:
        raise raw.error
    record = parse_patient(raw.data)
    when = as_of or record.as_of or dt.date.today()  # the edge fills in today
    return assess(record, kb, as_of=when)


def _text(a: Assessment) -> None:
    stdout.print(
        f"[bold]{a.patient_id}[/] as of {a.as_of} — urgency [bold]{a.triage.urgency}[/], "
        f"GIOP risk [bold]{a.risk.giop_category}[/], WHO {a.bone_density.who_category}",
        highlight=False,
    )
    for flag in a.triage.red_flags:
        stdout.print(f"  red flag: {flag.label} — {'; '.join(flag.reasons)}", highlight=False)
    table = Table(show_header=True, title_justify="left", title="Findings")
    table.add_column("what")
    table.add_column("finding")
    table.add_column("why")
    for d in a.diagnoses:
        table.add_row("diagnosis", d.label, "; ".join(d.reasons))
    for c in a.iatrogenic_causes:
        met = {True: "dose/duration met", False: "below threshold", None: "cannot tell"}
        table.add_row("cause", f"{c.label} ({met[c.meets_threshold]})", "; ".join(c.reasons))
    for v in a.vertebrae:
        if v.genant_grade or v.possible_fracture:
            table.add_row(
                "vertebra",
                f"{v.level} grade {v.genant_grade} {v.morphology}",
                f"loss {v.height_loss_pct} %"
                + (" (possible, needs a reader)" if v.possible_fracture else ""),
            )
    for t in a.workup.recommended_tests:
        table.add_row("test", t.label, "; ".join(t.reasons))
    for drug in a.plan.pharmacological:
        table.add_row(
            "treatment",
            f"{drug.label}: {drug.dose}, {drug.route}, {drug.frequency}",
            "; ".join(drug.reasons),
        )
    for avoided in a.plan.avoid:
        table.add_row("avoid", avoided.drug, "; ".join(avoided.reasons))
    stdout.print(table)
    for w in a.warnings:
        stdout.print(f"  warning ({w.code}): {w.message}", highlight=False)
    stdout.print(a.education.disclaimer, highlight=False)


def assess_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="A .json record, a directory of them, an NDJSON file, or - (NDJSON on stdin).",
        ),
    ],
    output_format: Annotated[
        AssessFormat | None,
        typer.Option(
            "--format",
            help="text, json or ndjson (default: json for one record file, ndjson for many).",
        ),
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Assess as of this date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Assess patient records: causes, bone density, vertebrae, triage, workup, risk and plan.

    Many records give NDJSON, one assessment (or error object) per line in input order; the
    exit code is 0 when all were assessed, 1 when some were invalid, 2 when none was.
    """
    from osteowedge.io.records import iter_records
    from osteowedge.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    when = as_of.date() if as_of else None
    single = target != "-" and target.endswith(".json")
    fmt = output_format or (AssessFormat.json if single else AssessFormat.ndjson)
    total = failed = 0
    show_progress = not single and sys.stderr.isatty()
    progress = Progress(
        TextColumn("assessing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=not show_progress,
        transient=True,
    )
    write = sys.stdout.write
    try:
        with progress:
            task = progress.add_task("assess", total=None)
            for raw in iter_records(target):
                total += 1
                try:
                    result = assess_raw(raw, kb, when)
                except InputError as exc:
                    failed += 1
                    patient_id = raw.data.get("id") if raw.data else None
                    err: dict[str, Any] = {
                        "source": raw.source,
                        **error_record(patient_id, exc).model_dump(mode="json"),
                    }
                    if fmt is AssessFormat.text:
                        stderr.print(f"[red]{raw.source}[/]: {exc}", highlight=False)
                    elif fmt is AssessFormat.json and single:
                        print_json(err)
                    else:
                        write(json.dumps(err, ensure_ascii=False) + "\n")
                    progress.advance(task)
                    continue
                if fmt is AssessFormat.text:
                    _text(result)
                elif fmt is AssessFormat.json:
                    print_json(result.model_dump(mode="json"))
                else:
                    write(result.model_dump_json() + "\n")
                progress.advance(task)
    except InputError as exc:
        fail(exc)
    if not single:
        stderr.print(f"{total - failed} of {total} record(s) assessed", highlight=False)
    if failed == 0:
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(EXIT_BAD_INPUT if failed == total else EXIT_SOME_FAILED)
