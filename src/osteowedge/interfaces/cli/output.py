"""Shared output helpers and the mapping from exceptions to exit codes (the CLI's one place)."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec

import typer
from rich.console import Console

from osteowedge.errors import FileAccessError, InputError, KnowledgeError, OsteowedgeError

P = ParamSpec("P")

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_KNOWLEDGE = 3
EXIT_FILE = 4  # a file could not be read or written

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """Plain JSON on stdout (no colour codes), for pipes and other programs."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(exc: OsteowedgeError) -> NoReturn:
    """Print the error on stderr and exit with its code: 2 bad input, 3 knowledge, 4 a file
    that could not be read or written."""
    stderr.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    if isinstance(exc, FileAccessError):
        code = EXIT_FILE
    elif isinstance(exc, InputError):
        code = EXIT_BAD_INPUT
    elif isinstance(exc, KnowledgeError):
        code = EXIT_KNOWLEDGE
    else:
        code = EXIT_SOME_FAILED
    raise typer.Exit(code)


def exit_batch(total: int, failed: int) -> NoReturn:
    """Exit after a batch: 0 when every record went through, 1 when some failed, 2 when all did."""
    if failed == 0:
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(EXIT_BAD_INPUT if failed == total else EXIT_SOME_FAILED)


def speaks_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command so that an osteowedge error prints its message and sets the exit code,
    in-process (tests, other Typer hosts) as well as through the console script."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except OsteowedgeError as exc:
            fail(exc)

    return wrapper
