"""`osteowedge validate`: check patient records against the contract."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from osteowedge.errors import InputError, OsteowedgeError
from osteowedge.interfaces.cli.output import exit_batch, fail, stderr

if TYPE_CHECKING:
    from osteowedge.io.records import RawRecord
    from osteowedge.model.assessment import ErrorRecord


def error_record(patient_id: object, exc: InputError) -> ErrorRecord:
    """The error object of patient-format.md for one record."""
    from osteowedge.model.assessment import ErrorDetail, ErrorRecord, ProblemOut

    return ErrorRecord(
        patient_id=patient_id if isinstance(patient_id, str) else None,
        error=ErrorDetail(
            message=exc.message,
            problems=[ProblemOut(**p.as_dict()) for p in exc.problems],  # type: ignore[arg-type]
        ),
    )


def error_object(raw: RawRecord, exc: InputError, **extra: Any) -> dict[str, Any]:
    """A batch output line for a record that failed: where it came from, ``extra``, then the
    error object (with the record's id when it has one)."""
    patient_id = raw.data.get("id") if raw.data else None
    return {"source": raw.source, **extra, **error_record(patient_id, exc).model_dump(mode="json")}


def validate(
    target: Annotated[
        str, typer.Argument(metavar="INPUT", help="A .json record, a directory, NDJSON, or -.")
    ],
) -> None:
    """Validate patient records: prints one line per record; errors as JSON objects.

    Exit code 0 when every record is valid, 1 when some are not, 2 when none is.
    """
    from osteowedge.io.records import iter_records
    from osteowedge.model import parse_patient

    total = failed = 0
    try:
        for raw in iter_records(target):
            total += 1
            error = raw.error
            if error is None:
                try:
                    parse_patient(raw.data)
                except InputError as exc:
                    error = exc
            if error is None:
                sys.stdout.write(json.dumps({"source": raw.source, "valid": True}) + "\n")
                continue
            failed += 1
            sys.stdout.write(json.dumps(error_object(raw, error, valid=False)) + "\n")
    except OsteowedgeError as exc:
        fail(exc)
    stderr.print(f"{total - failed} of {total} record(s) valid", highlight=False)
    exit_batch(total, failed)
