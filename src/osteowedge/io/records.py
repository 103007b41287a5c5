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

from osteowedge.errors import FileAccessError, InputError, Problem
from osteowedge.io.files import read_text

NDJSON_SUFFIXES = (".ndjson", ".jsonl")


@dataclass(frozen=True)
class RawRecord:
    source: str
    data: dict[str, Any] | None
    error: InputError | None = None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _NonFinite(name)


class _DuplicateKey(ValueError):
    pass


class _NonFinite(ValueError):
    pass


def loads(text: str) -> Any:
    """Strict JSON: duplicate keys and NaN/Infinity are refused (ValueError subclasses)."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def _decode(text: str, source: str) -> RawRecord:
    try:
        data = loads(text)
    except _DuplicateKey as exc:
        return RawRecord(
            source,
            None,
            InputError(
                f"{source}: the key {exc.args[0]!r} appears twice in one object; keep one",
                [Problem(path="", expected="each key once per object", got=str(exc.args[0]))],
            ),
        )
    except _NonFinite as exc:
        return RawRecord(
            source,
            None,
            InputError(
                f"{source}: {exc.args[0]} is not a JSON number; give a finite value or null",
                [Problem(path="", expected="finite numbers", got=str(exc.args[0]))],
            ),
        )
    except RecursionError:
        return RawRecord(
            source,
            None,
            InputError(
                f"{source}: nested too deeply to be a patient record",
                [Problem(path="", expected="a JSON object of ordinary depth", got=None)],
            ),
        )
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
            yield RawText(str(file), read_text(file))
        return
    if not path.exists():
        raise FileAccessError(f"{path}: no such file or directory")
    if path.suffix in NDJSON_SUFFIXES:
        try:
            with path.open(encoding="utf-8") as handle:
                yield from _ndjson(iter(handle), str(path))
        except UnicodeDecodeError as exc:
            raise FileAccessError(f"{path}: not UTF-8 text; save the file as UTF-8") from exc
        return
    yield RawText(str(path), read_text(path))


def iter_records(target: str | Path) -> Iterator[RawRecord]:
    """Records from ``target``, decoded: see :func:`iter_texts`."""
    for text in iter_texts(target):
        yield text.decode()


def read_json_object(target: str | Path) -> dict[str, Any]:
    """One JSON object from a file or ``-`` (stdin); a clear InputError otherwise."""
    source = "<stdin>" if str(target) == "-" else str(target)
    try:
        text = sys.stdin.read() if str(target) == "-" else read_text(Path(target))
    except (OSError, UnicodeDecodeError) as exc:
        raise FileAccessError(f"{source}: cannot read ({exc})") from exc
    raw = _decode(text, source)
    if raw.error is not None:
        raise raw.error
    assert raw.data is not None
    return raw.data
