"""`osteowedge report`, run in-process through a Typer app that hosts the command alone (main.py
registers it for the console script)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from osteowedge.interfaces.cli.report import report
from tests.unit.report.conftest import DOC_EXAMPLE

app = typer.Typer()
app.command()(report)
runner = CliRunner()


def test_html_with_figures(tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    figs = tmp_path / "figs"
    result = runner.invoke(
        app,
        [
            str(DOC_EXAMPLE),
            "--format",
            "html",
            "--audience",
            "patient",
            "--out",
            str(out),
            "--figures",
            str(figs),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Your bone health summary" in out.read_text("utf-8")
    names = sorted(p.name for p in figs.iterdir())
    assert names == sorted(
        f"{n}.{ext}"
        for n in ("spine", "bone_density", "glucocorticoid_timeline")
        for ext in ("svg", "png")
    )


def test_pdf(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = runner.invoke(app, [str(DOC_EXAMPLE), "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_not_an_assessment_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "p1"}', encoding="utf-8")
    out = tmp_path / "x.html"
    result = runner.invoke(app, [str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "not an osteowedge assessment" in result.output
    assert not out.exists()


def test_missing_file_exits_4_could_not_read(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(tmp_path / "none.json"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 4
    assert "cannot read" in result.output


def test_cli_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, osteowedge.interfaces.cli.report\n"
        "heavy = [m for m in ('numpy', 'pydantic', 'weasyprint', 'cairosvg', 'osteowedge.report',"
        " 'osteowedge.knowledge') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_registered_on_the_main_command(tmp_path: Path) -> None:
    from osteowedge.interfaces.cli.main import app as main_app

    out = tmp_path / "c.html"
    result = runner.invoke(main_app, ["report", str(DOC_EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text("utf-8")
