"""`osteowedge units`: the published table of accepted units and aliases."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.table import Table

from osteowedge.interfaces.cli.output import print_json, stdout


def units(
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="text or json")] = "text",
) -> None:
    """List every accepted unit spelling with its UCUM code and dimension."""
    from osteowedge.units import UNITS, accepted_units

    table = accepted_units()
    if fmt == "json":
        print_json(
            [{"unit": k, "ucum": v, "dimension": UNITS[v].dimension} for k, v in table.items()]
        )
        return
    out = Table(title="Accepted units (anything else is rejected)")
    out.add_column("write")
    out.add_column("UCUM", style="cyan")
    out.add_column("dimension", style="dim")
    for spelling, code in table.items():
        out.add_row(spelling, code, UNITS[code].dimension)
    stdout.print(out)
