"""The `osteowedge` command: one Typer app, one module per command."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from osteowedge import __version__
from osteowedge.errors import OsteowedgeError
from osteowedge.interfaces.cli import assess as assess_cli
from osteowedge.interfaces.cli import demo, kb, report, schema, spine, units, validate
from osteowedge.interfaces.cli.output import fail

app = typer.Typer(
    name="osteowedge",
    help="Decision support for iatrogenic osteopenia and vertebral wedge fractures. "
    "Every statement carries its citation; every output is for a clinician to confirm.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(kb.app, name="kb")
app.add_typer(spine.app, name="spine")
app.command("assess")(assess_cli.assess_command)
app.command("report")(report.report)
app.command("schema")(schema.schema)
app.command("validate")(validate.validate)
app.command("units")(units.units)
app.command("demo")(demo.demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"osteowedge {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """osteowedge command line."""
    del version


def run() -> None:
    """Console-script entry point: maps osteowedge errors to exit codes."""
    try:
        app()
    except OsteowedgeError as exc:
        try:
            fail(exc)
        except typer.Exit as done:
            sys.exit(done.exit_code)
