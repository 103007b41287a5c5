"""The command line, run as a real process (the installed console script) and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app
from osteowedge.knowledge import KnowledgeBase
from tests.conftest import EXAMPLES
from tests.unit.knowledge.source_article_items import ARTICLE_ITEMS

runner = CliRunner()


def osteowedge(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("osteowedge")
    return subprocess.run(
        [str(exe), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_kb_export_holds_every_article_item_with_citations(kb: KnowledgeBase) -> None:
    result = osteowedge("kb", "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["knowledge_version"] == kb.knowledge_version
    records = {r["id"]: r for r in data["records"]}
    assert len(records) == len(kb)
    for items in ARTICLE_ITEMS.values():
        for _, record_id in items:
            record = records[record_id]
            assert {"id", "sections", "name", "synonyms", "citations"} <= record.keys()
            assert record["citations"] and all("label" in c for c in record["citations"])


def test_kb_list_sections_and_one_section() -> None:
    result = runner.invoke(app, ["kb", "list", "--format", "json"])
    assert result.exit_code == 0
    sections = {row["section"]: row["records"] for row in json.loads(result.stdout)}
    assert sections["causes"] == 20
    result = runner.invoke(app, ["kb", "list", "symptoms", "--format", "json"])
    assert "acute_back_pain" in {row["id"] for row in json.loads(result.stdout)}
    text = runner.invoke(app, ["kb", "list", "causes"])
    assert text.exit_code == 0 and "glucocorticoids" in text.stdout


def test_kb_list_unknown_section_exits_3_with_the_known_ones() -> None:
    result = osteowedge("kb", "list", "cauzes")
    assert result.returncode == 3
    assert "unknown section 'cauzes'" in result.stderr and "causes" in result.stderr


def test_kb_show_text_and_json() -> None:
    result = runner.invoke(app, ["kb", "show", "alendronate", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["id"] == "alendronate" and data["renal_cutoff"]["measure"] == "crcl"
    text = runner.invoke(app, ["kb", "show", "alendronate"])
    assert text.exit_code == 0 and "Citations" in text.stdout


def test_kb_show_unknown_id_suggests() -> None:
    result = osteowedge("kb", "show", "alendro")
    assert result.returncode == 3
    assert "did you mean" in result.stderr and "alendronate" in result.stderr


@pytest.mark.parametrize(
    ("term", "record_id"),
    [
        ("dexa", "dxa"),
        ("Nexium", "proton_pump_inhibitors"),
        ("Lupron Depot", "gnrh_agonists"),
        ("Depo-Provera", "depot_medroxyprogesterone"),
        ("tens", "tens"),
    ],
)
def test_kb_search(term: str, record_id: str) -> None:
    result = runner.invoke(app, ["kb", "search", term, "--format", "json"])
    assert record_id in [row["id"] for row in json.loads(result.stdout)]


def test_kb_search_nothing_exits_1() -> None:
    result = runner.invoke(app, ["kb", "search", "zzzz-nothing"])
    assert result.exit_code == 1 and "No record matches" in result.stdout


@pytest.mark.parametrize("which", ["patient", "assessment", "error"])
def test_schema_prints_valid_json_schema(which: str) -> None:
    result = runner.invoke(app, ["schema", which])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)


def _bad_record() -> dict[str, Any]:
    return {
        "id": "bad-1",
        "sex": "female",
        "age_years": 66,
        "labs": [{"code": "17861-6", "value": 9.0, "unit": "mg/decilitre"}],
    }


def test_validate_exit_codes_and_error_shape(tmp_path: Path) -> None:
    ok = osteowedge("validate", str(EXAMPLES))
    assert ok.returncode == 0, ok.stderr
    assert all(json.loads(line)["valid"] for line in ok.stdout.splitlines())

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_bad_record()), encoding="utf-8")
    result = osteowedge("validate", str(bad))
    assert result.returncode == 2
    line = json.loads(result.stdout)
    jsonschema.validate(
        {k: line[k] for k in ("patient_id", "error")},
        json.loads(runner.invoke(app, ["schema", "error"]).stdout),
    )
    assert line["patient_id"] == "bad-1"
    assert line["error"]["problems"][0]["path"] == "/labs/0/unit"

    good = json.loads((EXAMPLES / "ppi_ssri.json").read_text(encoding="utf-8"))
    ndjson = "\n".join([json.dumps(good), json.dumps(_bad_record()), "{not json"]) + "\n"
    mixed = osteowedge("validate", "-", stdin=ndjson)
    assert mixed.returncode == 1
    lines = [json.loads(x) for x in mixed.stdout.splitlines()]
    assert [x["valid"] for x in lines] == [True, False, False]
    assert "not valid JSON" in lines[2]["error"]["message"]


def test_validate_missing_file_exits_4_could_not_read() -> None:
    result = osteowedge("validate", "/nonexistent/record.json")
    assert result.returncode == 4 and "no such file" in result.stderr


def test_units_lists_the_table() -> None:
    result = runner.invoke(app, ["units", "--format", "json"])
    rows = {row["unit"]: row["ucum"] for row in json.loads(result.stdout)}
    assert rows["mcg"] == "ug" and rows["mIU/L"] == "m[IU]/L"


def test_demo_assesses_every_example(tmp_path: Path) -> None:
    result = osteowedge("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    n = len(list(EXAMPLES.glob("*.json")))
    assert f"{n} record(s) assessed" in result.stdout
    assert "example-gc-wedge" in result.stdout
    written = sorted(tmp_path.glob("*.assessment.json"))
    assert len(written) == n
    gc = json.loads((tmp_path / "example-gc-wedge.assessment.json").read_text())
    assert gc["risk"]["giop_category"] == "very_high"
    for audience in ("clinician", "patient"):
        assert len(list(tmp_path.glob(f"*.{audience}.html"))) == n
        pdfs = sorted(tmp_path.glob(f"*.{audience}.pdf"))
        assert len(pdfs) == n and all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert 'data-level="L1"' in (tmp_path / "example-gc-wedge.clinician.html").read_text()
    assert "Open " in result.stdout


def test_demo_without_reports_writes_only_assessments(tmp_path: Path) -> None:
    result = osteowedge("demo", "--out", str(tmp_path), "--no-reports")
    assert result.returncode == 0, result.stderr
    assert {p.name.split(".", 1)[1] for p in tmp_path.iterdir()} == {"assessment.json"}


def test_demo_reports_a_bad_record_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(_bad_record()), encoding="utf-8")
    result = osteowedge("demo", "--directory", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "/labs/0/unit" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("osteowedge ")


def test_cli_start_up_loads_no_heavy_module() -> None:
    """`osteowedge --help` must stay fast: numpy, scipy and the knowledge schema load on use."""
    code = (
        "import sys, osteowedge.interfaces.cli.main as m; "
        "print(sorted(n for n in ('numpy', 'scipy', 'nibabel', 'osteowedge.knowledge.schema', "
        "'osteowedge.model.patient') if n in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
