"""The one exception tree of osteowedge.

::

    OsteowedgeError
    ├── InputError            a patient record, file or argument is invalid (CLI exit 2, HTTP 422)
    │   ├── UnitError         a value carries a unit that is unknown or of the wrong dimension
    │   └── ImageGeometryError an image or label map cannot be measured (shape, affine, labels)
    ├── KnowledgeError        the knowledge base is inconsistent or a record/fact is missing
    └── FileAccessError       a file could not be read or written (CLI exit 4)

Every message says what was wrong, where (JSON path or file), what was expected and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input, located by an RFC 6901 JSON pointer."""

    path: str
    expected: str
    got: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"path": self.path, "expected": self.expected, "got": self.got}


class OsteowedgeError(Exception):
    """Base of every error osteowedge raises on purpose."""


class InputError(OsteowedgeError):
    """Input that cannot be used: each problem names its JSON path and what was expected."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message]
        for p in self.problems:
            got = f" (got {p.got})" if p.got is not None else ""
            lines.append(f"  {p.path or '/'}: expected {p.expected}{got}")
        return "\n".join(lines)


class UnitError(InputError, ValueError):
    """A unit that is not in the published table, or of the wrong kind for the quantity."""


class KnowledgeError(OsteowedgeError):
    """The knowledge base is inconsistent, or code asked for a record or fact it lacks."""


class ImageGeometryError(InputError):
    """An image or label map that cannot be measured: mismatched grids, bad labels, empty mask."""


class FileAccessError(OsteowedgeError):
    """A file that could not be read (missing, unreadable, not UTF-8) or written (a folder, a
    read-only place): the message names the file and the fix. Nothing half-written is left."""
