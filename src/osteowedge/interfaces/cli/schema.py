"""`osteowedge schema`: print the JSON Schema of the patient record or the assessment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from osteowedge.interfaces.cli.output import print_json


def json_schema(which: Literal["patient", "assessment", "error"]) -> dict[str, Any]:
    from pydantic import BaseModel

    from osteowedge.model import Assessment, ErrorRecord, PatientRecord

    models: dict[str, type[BaseModel]] = {
        "patient": PatientRecord,
        "assessment": Assessment,
        "error": ErrorRecord,
    }
    schema: dict[str, Any] = models[which].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://osteowedge.org/schema/{which}.json"
    return schema


def schema(
    which: Annotated[
        Literal["patient", "assessment", "error"],
        typer.Argument(help="patient, assessment or error"),
    ],
) -> None:
    """Print the JSON Schema (draft 2020-12) of a patient record, an assessment or an error."""
    print_json(json_schema(which))
