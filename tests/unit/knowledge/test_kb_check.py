"""`osteowedge kb check` passes with the reviewed pending list, and each rule can fail."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app
from osteowedge.knowledge import KnowledgeBase
from osteowedge.knowledge.lint import host_allowed, rule_declared, rule_ids_in_source
from osteowedge.knowledge.schema import Drug, Reference

ROOT = Path(__file__).resolve().parents[3]
PENDING = ROOT / "docs" / "dev" / "kb-check-pending.txt"
runner = CliRunner()


def test_the_check_passes_with_the_pending_list() -> None:
    result = runner.invoke(app, ["kb", "check", "--pending", str(PENDING)])
    assert result.exit_code == 0, result.output


def test_a_pending_entry_that_no_longer_occurs_fails(tmp_path: Path) -> None:
    listed = tmp_path / "pending.txt"
    listed.write_text(PENDING.read_text() + "reference no_such_reference\n")
    result = runner.invoke(app, ["kb", "check", "--pending", str(listed)])
    assert result.exit_code == 1 and "no_such_reference" in result.output


def test_a_secondary_website_is_refused_and_a_doi_or_label_passes() -> None:
    blog = Reference(id="x_blog", label="A blog", url="https://example-health-blog.com/x")
    paper = Reference(id="x_paper", label="A paper", url="https://example.com/x", doi="10.1/x")
    label = Reference(
        id="x_label", label="A label", url="https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm"
    )
    assert not host_allowed(blog)
    assert host_allowed(paper) and host_allowed(label)


def test_every_standard_osteoporosis_drug_has_us_and_eu_labels(kb: KnowledgeBase) -> None:
    for drug in kb.of_kind(Drug):
        if drug.is_osteoporosis_therapy and drug.status in ("standard", "second_line"):
            have = {label.jurisdiction for label in drug.labels}
            assert "US" in have, drug.id
            assert "EU" in have or drug.eu_authorisation == "national", drug.id


def test_rule_ids_in_code_are_found_and_must_be_declared(kb: KnowledgeBase) -> None:
    found = rule_ids_in_source(['self._rule("plan.R-screen", True)', 'rule_id="no.such.rule"'])
    assert found == {"plan.R-screen", "no.such.rule"}
    assert rule_declared(kb, "plan.R-screen")
    assert rule_declared(kb, "workup.order.dxa")  # a family and a record id
    assert not rule_declared(kb, "no.such.rule")
    assert not rule_declared(kb, "workup.order.no_such_test")
