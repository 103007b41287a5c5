"""Shared output helpers and the mapping from exceptions to exit codes (the CLI's one place)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

from osteowedge.errors import InputError, KnowledgeError, OsteowedgeError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_KNOWLEDGE = 3

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """Plain JSON on stdout (no colour codes), for pipes and other programs."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(exc: OsteowedgeError) -> NoReturn:
    """Print the error on stderr and exit with its code: 2 for bad input, 3 for knowledge."""
    stderr.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    code = EXIT_BAD_INPUT if isinstance(exc, InputError) else EXIT_KNOWLEDGE
    if not isinstance(exc, InputError | KnowledgeError):
        code = EXIT_SOME_FAILED
    raise typer.Exit(code)
