"""Writing output files whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from osteowedge.errors import FileAccessError


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, synced and then renamed over
    it, so a reader never sees half a file and a failure leaves any old file untouched. Missing
    parent folders are created. An output that cannot be written is a FileAccessError."""
    if path.is_dir():
        raise FileAccessError(f"{path}: is a folder; give a file name to write to")
    try:
        _write(path, data)
    except OSError as exc:
        raise FileAccessError(
            f"{path}: cannot write ({exc.strerror or exc}); choose a writable place"
        ) from exc


def read_text(path: Path) -> str:
    """A UTF-8 text file's content; a FileAccessError that names the file otherwise."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileAccessError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc
    except OSError as exc:
        raise FileAccessError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
