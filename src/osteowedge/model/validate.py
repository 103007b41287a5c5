"""Turn raw JSON-like data into a :class:`PatientRecord`, or an :class:`InputError` whose
problems carry RFC 6901 JSON pointers, what was expected and what was found."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from osteowedge.errors import InputError, Problem, UnitError
from osteowedge.model.patient import PatientRecord


def json_pointer(loc: tuple[int | str, ...]) -> str:
    """RFC 6901 pointer for a pydantic error location (``~`` and ``/`` escaped)."""
    parts: list[str] = []
    for part in loc:
        text = str(part)
        # pydantic adds the tag of a union member (e.g. 'CustomFrequency'); it is not a key.
        if text[:1].isupper() or text.startswith(("literal[", "function-")):
            continue
        parts.append(text.replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(parts) if parts else ""


def _got(error: ErrorDetails) -> str | None:
    if error["type"] == "missing":
        return None
    value = error.get("input")
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expected(error: ErrorDetails) -> str:
    msg = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, ", "Input should be "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error["type"] == "missing":
        return "this required field"
    if error["type"] == "extra_forbidden":
        return "no such field (check the spelling against `osteowedge schema patient`)"
    return msg


def problems_from(exc: ValidationError, prefix: str = "") -> list[Problem]:
    problems: list[Problem] = []
    by_path: dict[str, int] = {}
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, UnitError) and inner.problems:
            path = prefix + json_pointer(error["loc"])
            for p in inner.problems:
                problems.append(Problem(path=path, expected=p.expected, got=p.got))
            continue
        path = prefix + json_pointer(error["loc"])
        expected = _expected(error)
        if path in by_path:  # the members of a union fail together: one problem, both options
            first = problems[by_path[path]]
            if expected not in first.expected:
                problems[by_path[path]] = Problem(
                    path=path, expected=f"{first.expected}; or {expected}", got=first.got
                )
            continue
        by_path[path] = len(problems)
        problems.append(Problem(path=path, expected=expected, got=_got(error)))
    return problems


def parse_patient(data: Any) -> PatientRecord:
    """Validate ``data`` (a JSON object) as a patient record; every problem is reported."""
    if not isinstance(data, Mapping):
        raise InputError(
            "a patient record must be a JSON object",
            [Problem(path="", expected="a JSON object", got=type(data).__name__)],
        )
    try:
        return PatientRecord.model_validate(data)
    except ValidationError as exc:
        record_id = data.get("id")
        who = f" {record_id!r}" if isinstance(record_id, str) else ""
        problems = problems_from(exc)
        raise InputError(
            f"patient record{who} is invalid: {len(problems)} problem(s)", problems
        ) from None
