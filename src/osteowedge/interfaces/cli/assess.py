"""`osteowedge assess`: the full assessment of one record or a batch (NDJSON, input order)."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from osteowedge.errors import InputError, OsteowedgeError
from osteowedge.interfaces.cli.output import exit_batch, fail, print_json, stderr, stdout
from osteowedge.interfaces.cli.report import ReportAudience, ReportFormat, write_report
from osteowedge.interfaces.cli.validate import error_object

if TYPE_CHECKING:  # the pipeline and the knowledge base load when the command runs
    from osteowedge.io.records import RawRecord, RawText
    from osteowedge.knowledge import KnowledgeBase
    from osteowedge.model.assessment import Assessment


class AssessFormat(StrEnum):
    text = "text"
    json = "json"
    ndjson = "ndjson"
    html = "html"
    pdf = "pdf"


_REPORT_FORMATS = (AssessFormat.html, AssessFormat.pdf)


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


def _ndjson_line(text: RawText, kb: KnowledgeBase, as_of: dt.date | None) -> tuple[bool, bytes]:
    """One NDJSON output line (UTF-8) for one record's text: the assessment, or the error
    object."""
    raw = text.decode()
    try:
        result = assess_raw(raw, kb, as_of)
    except InputError as exc:
        return False, (json.dumps(error_object(raw, exc), ensure_ascii=False) + "\n").encode()
    return True, result.__pydantic_serializer__.to_json(result) + b"\n"


def _ndjson_chunk(texts: list[RawText], as_of: dt.date | None) -> tuple[int, int, bytes]:
    """A worker's share: (records, invalid, their output lines joined as UTF-8). Decoding and
    encoding happen here, in the worker, so the parent only writes the bytes that come back."""
    from osteowedge.knowledge import load_knowledge_base

    kb = load_knowledge_base()  # inherited from the parent when forked, so no reload
    lines = [_ndjson_line(text, kb, as_of) for text in texts]
    return len(lines), sum(not ok for ok, _ in lines), b"".join(line for _, line in lines)


def _ndjson_output(
    records: Iterator[RawText], kb: KnowledgeBase, as_of: dt.date | None, jobs: int
) -> Iterator[tuple[int, int, bytes]]:
    """(records, invalid, output) in input order. With ``jobs`` > 1, worker processes take
    chunks of records, at most ``_AHEAD`` chunks per worker in flight: memory stays bounded
    however long the input is, and no worker waits for a slow neighbour's chunk."""
    # Import the whole pipeline and freeze what is loaded before forking: workers share it
    # copy-on-write and the garbage collector never walks the knowledge base again.
    import osteowedge.assess  # noqa: F401
    import osteowedge.model  # noqa: F401

    gc.freeze()
    if jobs <= 1:
        for text in records:
            ok, line = _ndjson_line(text, kb, as_of)
            yield 1, int(not ok), line
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    chunks = iter(lambda: list(itertools.islice(records, _CHUNK)), [])
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[tuple[int, int, bytes]]] = deque(
            pool.submit(_ndjson_chunk, chunk, as_of)
            for chunk in itertools.islice(chunks, _AHEAD * jobs)
        )
        while pending:
            done = pending.popleft().result()
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.submit(_ndjson_chunk, chunk, as_of))
            yield done


_CHUNK = 64
"""Records per worker task: large enough that pickling is a small share, small enough that the
progress bar moves and the last chunks spread over every worker."""
_AHEAD = 4


def _report(
    target: str,
    fmt: AssessFormat,
    out: Path | None,
    audience: ReportAudience,
    when: dt.date | None,
    *,
    single: bool,
) -> None:
    """Assess one record file and write its report (html or pdf) to ``out``."""
    from osteowedge.io.records import iter_records
    from osteowedge.knowledge import load_knowledge_base

    if not single:
        fail(
            InputError(
                f"--format {fmt} reports on one record: give a .json record file, not {target!r} "
                "(for many, use `osteowedge assess DIR --format ndjson`, or `osteowedge demo`)"
            )
        )
    if out is None:
        fail(InputError(f"--format {fmt} needs --out PATH: where to write the report"))
    try:
        (raw,) = iter_records(target)
        result = assess_raw(raw, load_knowledge_base(), when)
        write_report(result, ReportFormat(fmt.value), audience, out)
    except OsteowedgeError as exc:
        fail(exc)
    stderr.print(f"wrote the {audience} report of {result.patient_id} to {out}", highlight=False)


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
            help="text, json or ndjson (default: json for one record file, ndjson for many); "
            "html or pdf writes a report of one record to --out.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write the html or pdf report."),
    ] = None,
    audience: Annotated[
        ReportAudience,
        typer.Option("--audience", "-a", help="Report for the clinician or the patient."),
    ] = ReportAudience.clinician,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Assess as of this date (YYYY-MM-DD)."),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Worker processes for NDJSON output (0 = one per CPU core; 1 = no workers).",
        ),
    ] = 0,
) -> None:
    """Assess patient records: causes, bone density, vertebrae, triage, workup, risk and plan.

    Many records give NDJSON: one assessment (or error object) per line, in input order.
    Exit code: 0 when all were assessed, 1 when some were invalid, 2 when none was.
    """
    from osteowedge.io.records import iter_records, iter_texts
    from osteowedge.knowledge import load_knowledge_base

    when = as_of.date() if as_of else None
    single = target != "-" and target.endswith(".json")
    fmt = output_format or (AssessFormat.json if single else AssessFormat.ndjson)
    if fmt in _REPORT_FORMATS:
        _report(target, fmt, out, audience, when, single=single)
        return
    if out is not None:
        fail(InputError(f"--out writes a report: use it with --format html or pdf, not {fmt}"))
    kb = load_knowledge_base()  # loaded before workers fork, so they share it
    workers = jobs or (os.cpu_count() or 1)
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
    sys.stdout.flush()
    write = sys.stdout.buffer.write
    try:
        with progress:
            task = progress.add_task("assess", total=None)
            if fmt is AssessFormat.ndjson:
                for count, invalid, lines in _ndjson_output(iter_texts(target), kb, when, workers):
                    total += count
                    failed += invalid
                    write(lines)
                    progress.advance(task, count)
            else:
                for raw in iter_records(target):
                    total += 1
                    try:
                        result = assess_raw(raw, kb, when)
                    except InputError as exc:
                        failed += 1
                        if fmt is AssessFormat.text:
                            stderr.print(f"[red]{raw.source}[/]: {exc}", highlight=False)
                        else:
                            print_json(error_object(raw, exc))
                        progress.advance(task)
                        continue
                    if fmt is AssessFormat.text:
                        _text(result)
                    else:
                        print_json(result.model_dump(mode="json"))
                    progress.advance(task)
    except OsteowedgeError as exc:
        fail(exc)
    if not single:
        stderr.print(f"{total - failed} of {total} record(s) assessed", highlight=False)
    exit_batch(total, failed)
