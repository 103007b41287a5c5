"""`osteowedge kb`: browse, search and export the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from osteowedge.errors import KnowledgeError
from osteowedge.interfaces.cli.output import fail, print_json, stdout

if TYPE_CHECKING:  # the knowledge package loads on first use: `--help` stays fast
    from osteowedge.knowledge import KnowledgeBase
    from osteowedge.knowledge.schema import RecordBase

app = typer.Typer(help="Browse, search and export the cited knowledge base.", no_args_is_help=True)

Format = Literal["text", "json"]


def _kb() -> KnowledgeBase:
    from osteowedge.knowledge import load_knowledge_base

    try:
        return load_knowledge_base()
    except KnowledgeError as exc:
        fail(exc)


def record_export(kb: KnowledgeBase, record: RecordBase) -> dict[str, Any]:
    """A record as JSON with its top-level citations expanded into reference objects."""
    data = record.model_dump(mode="json", exclude_none=True)
    data["citations"] = [
        kb.references[ref_id].model_dump(mode="json", exclude_none=True, exclude={"kind"})
        for ref_id in record.citations
    ]
    return data


def _table(records: tuple[RecordBase, ...], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("name")
    table.add_column("kind", style="magenta")
    table.add_column("sections", style="dim")
    for r in records:
        kind = str(getattr(r, "kind", ""))
        table.add_row(r.id, r.name, kind, ", ".join(r.sections))
    return table


@app.command("list")
def list_(
    section: Annotated[
        str | None, typer.Argument(help="A section id; omit to list the sections.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """List the sections, or the records of one section."""
    from osteowedge.knowledge.schema import SECTIONS

    kb = _kb()
    if section is None:
        counts = {name: len(kb.section(name)) for name in SECTIONS}
        if fmt == "json":
            print_json(
                [{"section": n, "title": SECTIONS[n], "records": c} for n, c in counts.items()]
            )
            return
        table = Table(title=f"Knowledge base {kb.knowledge_version}")
        table.add_column("section", style="cyan")
        table.add_column("title")
        table.add_column("records", justify="right")
        for name, count in counts.items():
            table.add_row(name, SECTIONS[name], str(count))
        stdout.print(table)
        return
    try:
        records = kb.section(section)
    except KnowledgeError as exc:
        fail(exc)
    if fmt == "json":
        print_json([{"id": r.id, "name": r.name, "sections": r.sections} for r in records])
        return
    stdout.print(_table(records, f"{SECTIONS[section]} ({len(records)})"))


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A record id, e.g. alendronate.")],
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Show one record with its citations."""
    kb = _kb()
    try:
        record = kb.get(record_id)
    except KnowledgeError as exc:
        close = kb.search(record_id)[:5]
        if close:
            fail(KnowledgeError(f"{exc}; did you mean: {', '.join(r.id for r in close)}?"))
        fail(exc)
    data = record_export(kb, record)
    if fmt == "json":
        print_json(data)
        return
    import yaml

    from osteowedge.knowledge.cite import reference_link

    citations = data.pop("citations")
    stdout.print(f"[bold]{record.name}[/]  [cyan]{record.id}[/]", highlight=False)
    stdout.print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96), markup=False)
    stdout.print("[bold]Citations[/]")
    for i, ref in enumerate(citations, start=1):
        link = reference_link(url=ref.get("url"), doi=ref.get("doi"), pmid=ref.get("pmid"))
        stdout.print(f"  [{i}] {ref['label']} {link or ''}", markup=False, highlight=False)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to find in names and synonyms.")],
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Find records by name or synonym (case-insensitive): DXA, DEXA, PPI, Nexium, TENS..."""
    kb = _kb()
    found = kb.search(text)
    if fmt == "json":
        print_json([{"id": r.id, "name": r.name, "sections": r.sections} for r in found])
        return
    if not found:
        stdout.print(f"No record matches {text!r}.")
        raise typer.Exit(1)
    stdout.print(_table(found, f"{len(found)} record(s) matching {text!r}"))


@app.command()
def export(
    fmt: Annotated[Literal["json"], typer.Option("--format", help="json")] = "json",
) -> None:
    """Print every record and reference as one JSON object."""
    del fmt  # only json exists today; the option keeps the command line stable
    kb = _kb()
    print_json(
        {
            "knowledge_version": kb.knowledge_version,
            "records": [record_export(kb, r) for r in kb.records.values()],
            "references": [
                ref.model_dump(mode="json", exclude_none=True, exclude={"kind"})
                for ref in kb.references.values()
            ],
        }
    )


@app.command()
def check(
    pending: Annotated[
        Path | None,
        typer.Option(
            "--pending",
            help="A reviewed list of known findings (one `where` per line, # comments): they "
            "are reported but do not fail; any other finding fails, and so does a listed one "
            "that no longer occurs (the list only shrinks).",
        ),
    ] = None,
) -> None:
    """Lint the knowledge base: primary citations on the published allowlist, FDA and EMA label
    records for every osteoporosis drug, label citations for contraindications, LOINC properties
    that fit their units, and every rule id the code uses declared. Exit 1 on any finding."""
    import osteowedge
    from osteowedge.knowledge.lint import lint, rule_ids_in_source

    package = Path(osteowedge.__file__).parent
    used = rule_ids_in_source(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    findings = lint(_kb(), used)
    known: set[str] = set()
    if pending is not None:
        lines = pending.read_text(encoding="utf-8").splitlines()
        known = {line.split("#")[0].strip() for line in lines} - {""}
    failed = 0
    for finding in findings:
        listed = finding.where in known
        failed += not listed
        mark = "[yellow]pending[/]" if listed else "[red]error[/]"
        stdout.print(f"{mark} {finding.where}: {finding.message}", highlight=False)
    gone = known - {f.where for f in findings}
    for where in sorted(gone):
        failed += 1
        stdout.print(f"[red]error[/] {where}: listed as pending but fixed: remove it from the list")
    if failed:
        stdout.print(f"{failed} finding(s) fail the check", highlight=False)
        raise typer.Exit(1)
    stdout.print(
        f"knowledge base check: OK ({len(findings)} pending finding(s) listed)", highlight=False
    )
