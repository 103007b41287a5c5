"""`osteowedge spine grade` and `spine agreement` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app
from tests.conftest import EXAMPLES, shared_path
from tests.unit.interfaces.test_cli import osteowedge

runner = CliRunner()


def test_grade_a_patient_record_finds_the_l1_wedge() -> None:
    result = osteowedge("spine", "grade", str(EXAMPLES / "gc_wedge_fracture.json"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    l1 = next(v for v in data["vertebrae"] if v["level"] == "L1")
    assert (l1["genant_grade"], l1["morphology"], l1["counts_as_fracture"]) == (2, "wedge", True)
    assert data["spinal_deformity_index"] == sum(
        v["genant_grade"] for v in data["vertebrae"] if v["in_sdi"]
    )
    assert "reader" in data["notice"]


def test_grade_landmarks_record() -> None:
    result = runner.invoke(app, ["spine", "grade", str(EXAMPLES / "transplant_ct_landmarks.json")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "ct" and data["reader"] == "automated"
    assert all(v["reference_height_mm"] > 0 for v in data["vertebrae"])


def test_grade_bare_heights_from_stdin_as_text() -> None:
    payload = {
        "reader": "human",
        "vertebrae": [
            {"level": "T12", "anterior_mm": 27, "middle_mm": 27, "posterior_mm": 28},
            {"level": "L1", "anterior_mm": 22, "middle_mm": 27, "posterior_mm": 29},
            {"level": "L2", "anterior_mm": 29, "middle_mm": 28, "posterior_mm": 30},
        ],
    }
    result = osteowedge("spine", "grade", "-", "--format", "text", stdin=json.dumps(payload))
    assert result.returncode == 0, result.stderr
    # L1: 1 - 22/29 = 24.1 % -> grade 1, counted because a human measured it
    assert "24.1" in result.stdout and "wedge" in result.stdout and "yes" in result.stdout
    assert "Spinal deformity index" in result.stdout


def test_non_positive_height_exits_2_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"vertebrae": [{"level": "L1", "anterior_mm": -3, "middle_mm": 27, "posterior_mm": 29}]}
        )
    )
    result = osteowedge("spine", "grade", str(bad))
    assert result.returncode == 2
    assert "/vertebrae/0/anterior_mm" in result.stderr


def test_wrong_landmark_count_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "vertebrae": [
                    {
                        "level": "L1",
                        "landmarks": [[0, 0], [0, 20], [15, 0], [15, 20], [30, 0]],
                        "pixel_spacing_mm": [0.5, 0.5],
                    }
                ]
            }
        )
    )
    result = runner.invoke(app, ["spine", "grade", str(bad)])
    assert result.exit_code == 2
    assert "/vertebrae/0/landmarks" in result.output and "6" in result.output


def test_record_without_morphometry_is_an_error() -> None:
    result = runner.invoke(app, ["spine", "grade", str(EXAMPLES / "ppi_ssri.json")])
    assert result.exit_code == 2
    assert "vertebral_morphometry" in result.output


def test_agreement_on_the_anchor_free_annotations() -> None:
    directory = shared_path("data", "anchor_free_genant_landmarks")
    result = osteowedge("spine", "agreement", str(directory))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # shared/data README: 100 studies, 3,607 reader annotations of vertebrae by 2-4 experts
    assert report["n_studies"] == 100
    annotations = sum(int(k) * v for k, v in report["readers_per_vertebra"].items())
    assert annotations == 3607
    assert set(report["readers_per_vertebra"]) <= {"2", "3", "4"}
    for height in report["heights"]:
        assert 0 < height["mean_abs_diff_voxels"] < 3
        assert 0 < height["mean_rel_diff_pct"] < 15
        pair = height["icc"][0]
        assert len(pair["readers"]) == 2
        assert 0.8 < pair["icc_2_1"] <= 1.0


def test_agreement_on_a_missing_directory_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spine", "agreement", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not a directory" in result.output
