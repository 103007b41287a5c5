"""`osteowedge assess`: one record, a directory, NDJSON batches with bad lines, stdin, text."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app
from osteowedge.interfaces.cli.schema import json_schema
from tests.conftest import EXAMPLES, example_paths
from tests.unit.interfaces.test_cli import osteowedge

runner = CliRunner()


def test_one_record_gives_a_valid_assessment() -> None:
    result = osteowedge("assess", str(EXAMPLES / "gc_wedge_fracture.json"))
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    jsonschema.validate(assessment, json_schema("assessment"))
    assert assessment["patient_id"] == "example-gc-wedge"
    diagnoses = {d["id"] for d in assessment["diagnoses"]}
    assert "iatrogenic_osteopenia_associated_vertebral_wedging" in diagnoses
    cited = {r["id"] for r in assessment["references"]}
    for d in assessment["diagnoses"]:
        assert d["citation_ids"] and set(d["citation_ids"]) <= cited


def test_a_directory_gives_ndjson_in_file_order() -> None:
    result = osteowedge("assess", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [json.loads(p.read_text())["id"] for p in example_paths()]
    assert [a["patient_id"] for a in lines] == expected
    assert f"{len(expected)} of {len(expected)} record(s) assessed" in result.stderr


def _batch(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "batch.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_bad_line_gives_its_error_object_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = json.loads((EXAMPLES / "ppi_ssri.json").read_text())
    bad = {**good, "id": "bad-one", "labs": [{"code": "17861-6", "value": 9, "unit": "furlongs"}]}
    path = _batch(tmp_path, [json.dumps(good), json.dumps(bad), "{not json", json.dumps(good)])
    for jobs in ("1", "2"):
        result = osteowedge("assess", str(path), "--jobs", jobs)
        assert result.returncode == 1, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(lines) == 4
        assert lines[0]["patient_id"] == lines[3]["patient_id"] == good["id"]
        assert lines[1]["patient_id"] == "bad-one"
        assert lines[1]["error"]["problems"][0]["path"] == "/labs/0/unit"
        assert (
            lines[2]["source"].endswith(":3") and "not valid JSON" in lines[2]["error"]["message"]
        )


def test_workers_and_one_process_give_identical_output() -> None:
    one = osteowedge("assess", str(EXAMPLES), "--jobs", "1")
    two = osteowedge("assess", str(EXAMPLES), "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout


def test_all_bad_exits_2(tmp_path: Path) -> None:
    path = _batch(tmp_path, ['{"id": "x"}', '{"id": "y", "sex": "robot", "age_years": 3}'])
    result = osteowedge("assess", str(path))
    assert result.returncode == 2
    assert all("error" in json.loads(line) for line in result.stdout.splitlines())


def test_stdin_and_as_of() -> None:
    record = json.loads((EXAMPLES / "anticonvulsant.json").read_text())
    record.pop("as_of", None)
    result = osteowedge("assess", "-", "--as-of", "2026-11-15", stdin=json.dumps(record) + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["as_of"] == "2026-11-15"


def test_an_as_of_before_the_records_events_rejects_it_with_the_paths() -> None:
    record = json.loads((EXAMPLES / "anticonvulsant.json").read_text())
    record.pop("as_of", None)
    result = osteowedge("assess", "-", "--as-of", "1950-01-01", stdin=json.dumps(record) + "\n")
    assert result.returncode == 2
    error = json.loads(result.stdout.splitlines()[0])["error"]
    paths = [p["path"] for p in error["problems"]]
    assert "/medications/0/start" in paths
    assert all("date" in p["expected"] for p in error["problems"])


def test_text_format_names_urgency_and_findings() -> None:
    result = runner.invoke(
        app, ["assess", str(EXAMPLES / "gc_wedge_fracture.json"), "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    assert "urgency urgent" in result.stdout
    assert "Teriparatide" in result.stdout or "teriparatide" in result.stdout
    assert "decision support" in result.stdout.lower()


def test_missing_input_exits_4_could_not_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(tmp_path / "nope.ndjson")])
    assert result.exit_code == 4
    assert "no such file" in result.output


def test_html_report_of_one_record(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "gc.html"
    result = runner.invoke(
        app,
        ["assess", str(EXAMPLES / "gc_wedge_fracture.json"), "--format", "html", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert 'data-level="L1"' in html and "example-gc-wedge" in html


def test_pdf_patient_summary_of_one_record(tmp_path: Path) -> None:
    out = tmp_path / "patient.pdf"
    args = ["assess", str(EXAMPLES / "ppi_ssri.json"), "--format", "pdf", "--out", str(out)]
    result = runner.invoke(app, [*args, "--audience", "patient"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_report_format_needs_out_and_one_record(tmp_path: Path) -> None:
    no_out = runner.invoke(app, ["assess", str(EXAMPLES / "ppi_ssri.json"), "--format", "pdf"])
    assert no_out.exit_code == 2 and "needs --out" in no_out.output
    many = runner.invoke(app, ["assess", str(EXAMPLES), "--format", "html", "-o", str(tmp_path)])
    assert many.exit_code == 2 and "reports on one record" in many.output
    stray = runner.invoke(
        app, ["assess", str(EXAMPLES / "ppi_ssri.json"), "--out", str(tmp_path / "x.json")]
    )
    assert stray.exit_code == 2 and "--format html or pdf" in stray.output
    assert list(tmp_path.iterdir()) == []


def test_an_invalid_record_writes_no_report(tmp_path: Path) -> None:
    good = json.loads((EXAMPLES / "ppi_ssri.json").read_text())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**good, "sex": "unknown-value"}))
    out = tmp_path / "bad.html"
    result = runner.invoke(app, ["assess", str(bad), "--format", "html", "--out", str(out)])
    assert result.exit_code == 2
    assert "/sex" in result.output
    assert not out.exists()
