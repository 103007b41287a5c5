"""Read patient records from a JSON file, a directory of them, an NDJSON file or stdin.

Each record comes back with where it came from; a record that cannot be read or parsed comes back
as an :class:`InputError`, so a batch goes on past a bad line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osteowedge.errors import InputError, Problem

NDJSON_SUFFIXES = (".ndjson", ".jsonl")


@dataclass(frozen=True)
class RawRecord:
    source: str
    data: dict[str, Any] | None
    error: InputError | None = None


def _decode(text: str, source: str) -> RawRecord:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RawRecord(
            source,
            None,
            InputError(
                f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                [Problem(path="", expected="a JSON object", got=text[:60])],
            ),
        )
    if not isinstance(data, dict):
        return RawRecord(
            source,
            None,
            InputError(
                f"{source}: a patient record must be a JSON object",
                [Problem(path="", expected="a JSON object", got=type(data).__name__)],
            ),
        )
    return RawRecord(source, data)


@dataclass(frozen=True)
class RawText:
    """A record's text, not yet decoded: cheap to hand to a worker process, which decodes it."""

    source: str
    text: str

    def decode(self) -> RawRecord:
        return _decode(self.text, self.source)


def _ndjson(lines: Iterator[str], name: str) -> Iterator[RawText]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield RawText(f"{name}:{number}", line)


def iter_texts(target: str | Path) -> Iterator[RawText]:
    """The text of each record in ``target`` (a .json file, a directory of .json files, NDJSON,
    or ``-`` for NDJSON on stdin), with where it came from; decode with :meth:`RawText.decode`."""
    if str(target) == "-":
        yield from _ndjson(iter(sys.stdin), "<stdin>")
        return
    path = Path(target)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json")
        if not files:
            raise InputError(f"{path}: the directory holds no .json patient records")
        for file in files:
            yield RawText(str(file), file.read_text(encoding="utf-8"))
        return
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.suffix in NDJSON_SUFFIXES:
        with path.open(encoding="utf-8") as handle:
            yield from _ndjson(iter(handle), str(path))
        return
    yield RawText(str(path), path.read_text(encoding="utf-8"))


def iter_records(target: str | Path) -> Iterator[RawRecord]:
    """Records from ``target``, decoded: see :func:`iter_texts`."""
    for text in iter_texts(target):
        yield text.decode()


def read_json_object(target: str | Path) -> dict[str, Any]:
    """One JSON object from a file or ``-`` (stdin); a clear InputError otherwise."""
    source = "<stdin>" if str(target) == "-" else str(target)
    try:
        text = sys.stdin.read() if str(target) == "-" else Path(target).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    raw = _decode(text, source)
    if raw.error is not None:
        raise raw.error
    assert raw.data is not None
    return raw.data
