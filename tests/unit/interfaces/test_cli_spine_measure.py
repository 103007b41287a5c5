"""`osteowedge spine measure` on real NIfTI files written to tmp_path (synthetic vertebrae with
known heights): the JSON contract, text, the QC picture, appending to a patient record, and
exit code 2 with a clear message for bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from osteowedge.interfaces.cli.main import app
from osteowedge.model import parse_patient
from osteowedge.model.patient import CtAttenuation, MorphometryExam
from tests.conftest import EXAMPLES
from tests.synthetic_spine import TRABECULAR_HU, grid_around, lumbar_spine, voxelise

runner = CliRunner()


@pytest.fixture(scope="module")
def spine_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A T12-L3 spine (TotalSegmentator `total` ids, whole vertebrae, L1 a wedge) and its CT."""
    folder = tmp_path_factory.mktemp("spine")
    spine = lumbar_spine(
        (("T12", 32), ("L1", 31), ("L2", 30), ("L3", 29)),
        overrides={"L1": {"anterior_mm": 17.0, "posterior_mm": 28.0}},
    )
    grid = grid_around(spine, spacing=(1.2, 1.2, 1.5))
    labels, ct = voxelise(spine, grid, with_ct=True)
    assert ct is not None
    labels[:3, :3, :3] = 5  # an organ label, ignored
    mask = folder / "total.nii.gz"
    ct_path = folder / "ct.nii.gz"
    nib.save(nib.Nifti1Image(labels.astype(np.uint8), grid.affine), str(mask))
    nib.save(nib.Nifti1Image(ct, grid.affine), str(ct_path))
    return {"mask": mask, "ct": ct_path, "affine": grid.affine, "labels": labels, "ct_array": ct}


def run(*args: str) -> Any:
    return runner.invoke(app, ["spine", "measure", *args])


def test_json_output_holds_valid_record_parts(spine_files: dict[str, Any]) -> None:
    result = run(
        "--mask", str(spine_files["mask"]), "--ct", str(spine_files["ct"]),
        "--date", "2024-05-01", "--contrast-phase", "portal_venous", "--kvp", "120",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["notice"] == "automated measurement, for a reader to confirm"
    assert out["input"]["label_scheme"] == "total"  # auto-detected: ids 29-32 leave no doubt
    assert out["input"]["ignored_labels"] == [5]
    exam = MorphometryExam.model_validate(out["vertebral_morphometry"])
    assert (exam.source, exam.reader, str(exam.date)) == ("ct", "automated", "2024-05-01")
    assert [v.level for v in exam.vertebrae] == ["T12", "L1", "L2", "L3"]
    values = [CtAttenuation.model_validate(c) for c in out["ct_attenuation"]]
    assert {c.contrast_phase for c in values} == {"portal_venous"} and values[0].kvp == 120
    assert all(c.mean_hu == pytest.approx(TRABECULAR_HU, abs=0.5) for c in values)
    graded = {v["level"]: v for v in out["vertebrae"]}
    l1 = graded["L1"]
    # 17 mm at the anterior wall, 28 mm at the posterior one: 18.7 mm at the anterior line
    # (15 % in) against the neighbours' 28 mm: 33 % loss, a grade-2 wedge.
    assert l1["genant_grade"] == 2 and l1["morphology"] == "wedge"
    assert l1["height_loss_pct"] == pytest.approx(33.4, abs=5.4)  # one 1.5 mm voxel of 28 mm
    assert graded["L2"]["genant_grade"] == 0
    assert out["spinal_deformity_index"] == 2
    assert not any(q["flag"] == "contrast_phase_unknown" for q in out["qc"])
    measured = {m["level"]: m for m in out["measurements"]}
    assert measured["L2"]["trabecular_roi"]["area_mm2"] == pytest.approx(200.0)


def test_contrast_phase_unknown_is_flagged(spine_files: dict[str, Any]) -> None:
    result = run("--mask", str(spine_files["mask"]), "--ct", str(spine_files["ct"]))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    flagged = {q["level"] for q in out["qc"] if q["flag"] == "contrast_phase_unknown"}
    assert flagged == {"T12", "L1", "L2", "L3"}
    assert {c["contrast_phase"] for c in out["ct_attenuation"]} == {"unknown"}
    assert all("contrast_phase_unknown" in v["qc"] for v in out["vertebrae"])


def test_text_output_and_qc_picture(spine_files: dict[str, Any], tmp_path: Path) -> None:
    out_dir = tmp_path / "qc"
    result = run(
        "--mask", str(spine_files["mask"]), "--ct", str(spine_files["ct"]),
        "--labels", "totalsegmentator", "--format", "text", "--out", str(out_dir),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "for a reader to confirm" in text and "Spinal deformity index" in text
    assert "L1" in text and "wedge" in text
    with Image.open(out_dir / "spine_measure_qc.png") as picture:
        assert picture.format == "PNG" and picture.size[0] >= 600 and picture.size[1] >= 300
        colours = {c for _, c in picture.convert("RGB").getcolors(1_000_000) or []}
    assert (255, 135, 0) in colours  # L1's grade-2 lines, in orange
    assert (40, 200, 90) in colours  # grade 0 in green
    saved = json.loads((out_dir / "spine_measure.json").read_text(encoding="utf-8"))
    assert saved["files"]["qc_png"].endswith("spine_measure_qc.png")


def test_into_appends_a_validated_exam_atomically(
    spine_files: dict[str, Any], tmp_path: Path
) -> None:
    record = tmp_path / "patient.json"
    shutil.copy(EXAMPLES / "gc_wedge_fracture.json", record)
    before = json.loads(record.read_text(encoding="utf-8"))
    result = run(
        "--mask", str(spine_files["mask"]), "--ct", str(spine_files["ct"]),
        "--contrast-phase", "native", "--date", "2024-06-02", "--into", str(record),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = json.loads(record.read_text(encoding="utf-8"))
    patient = parse_patient(after)
    n_exams = len(before.get("vertebral_morphometry", []))
    assert len(patient.vertebral_morphometry) == n_exams + 1
    added = patient.vertebral_morphometry[-1]
    assert added.reader == "automated" and str(added.date) == "2024-06-02"
    assert len(patient.ct_attenuation) == len(before.get("ct_attenuation", [])) + 4
    assert json.loads(result.stdout)["appended_to"]["ct_attenuation"] == 4
    assert not list(tmp_path.glob(".patient.json.*"))  # no temporary file left behind


def test_into_twice_adds_the_exam_once(spine_files: dict[str, Any], tmp_path: Path) -> None:
    record = tmp_path / "patient.json"
    shutil.copy(EXAMPLES / "gc_wedge_fracture.json", record)
    args = (
        "--mask", str(spine_files["mask"]), "--ct", str(spine_files["ct"]),
        "--contrast-phase", "native", "--date", "2024-06-02", "--into", str(record),
    )  # fmt: skip
    assert run(*args).exit_code == 0
    once = record.read_bytes()
    again = run(*args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["appended_to"]["vertebral_morphometry"] == 0
    assert json.loads(again.stdout)["appended_to"]["ct_attenuation"] == 0
    assert record.read_bytes() == once


def test_into_an_invalid_record_changes_nothing(
    spine_files: dict[str, Any], tmp_path: Path
) -> None:
    record = tmp_path / "broken.json"
    record.write_text('{"id": "p1", "sex": "unknown", "age_years": 60}', encoding="utf-8")
    original = record.read_bytes()
    result = run("--mask", str(spine_files["mask"]), "--into", str(record))
    assert result.exit_code == 2
    assert "left unchanged" in result.output and "/sex" in result.output
    assert record.read_bytes() == original


# --------------------------------------------------------------------------------------------
# Bad input: exit code 2 and a message that says what, where, what was expected and the fix
# --------------------------------------------------------------------------------------------


def _save(path: Path, data: np.ndarray, affine: np.ndarray) -> Path:
    nib.save(nib.Nifti1Image(data, affine), str(path))
    return path


def test_ct_of_another_shape_or_grid(spine_files: dict[str, Any], tmp_path: Path) -> None:
    ct = spine_files["ct_array"]
    small = _save(tmp_path / "small.nii.gz", ct[:-2], spine_files["affine"])
    result = run("--mask", str(spine_files["mask"]), "--ct", str(small))
    assert result.exit_code == 2
    assert "small.nii.gz" in result.output and "same voxel grid" in result.output
    moved_affine = spine_files["affine"].copy()
    moved_affine[2, 3] += 4.5
    moved = _save(tmp_path / "moved.nii.gz", ct, moved_affine)
    result = run("--mask", str(spine_files["mask"]), "--ct", str(moved))
    assert result.exit_code == 2
    assert "affine differs" in result.output and "4.5 mm" in result.output


def test_non_integer_empty_and_unknown_label_maps(
    spine_files: dict[str, Any], tmp_path: Path
) -> None:
    affine = spine_files["affine"]
    floats = np.zeros((8, 8, 8), dtype=np.float32)
    floats[2, 2, 2] = 0.7
    result = run("--mask", str(_save(tmp_path / "prob.nii.gz", floats, affine)))
    assert result.exit_code == 2 and "0.7" in result.output and "whole numbers" in result.output

    empty = _save(tmp_path / "empty.nii.gz", np.zeros((8, 8, 8), dtype=np.uint8), affine)
    result = run("--mask", str(empty))
    assert result.exit_code == 2 and "empty.nii.gz" in result.output and "empty" in result.output

    verse_like = np.zeros((8, 8, 8), dtype=np.uint8)
    verse_like[1:3, 1:3, 1:3] = 20
    verse_like[4:6, 4:6, 4:6] = 21
    path = _save(tmp_path / "verse_like.nii.gz", verse_like, affine)
    result = run("--mask", str(path))
    assert result.exit_code == 2
    assert "cannot tell the label scheme" in result.output and "--labels" in result.output

    odd = verse_like.copy()
    odd[0, 0, 0] = 200
    result = run("--mask", str(_save(tmp_path / "odd.nii.gz", odd, affine)))
    assert result.exit_code == 2 and "unknown label scheme" in result.output


def test_bad_options(spine_files: dict[str, Any], tmp_path: Path) -> None:
    result = run("--mask", str(spine_files["mask"]), "--date", "02/05/2024")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = run("--mask", str(spine_files["mask"]), "--kvp", "-80")
    assert result.exit_code == 2 and "--kvp" in result.output
    result = run("--mask", str(tmp_path / "absent.nii.gz"))
    assert result.exit_code == 2 and "no such file" in result.output
    result = run("--mask", str(spine_files["mask"]), "--into", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "no such patient record" in result.output


def test_contrast_phase_choices_are_the_record_contract() -> None:
    """The CLI keeps its own enum (the record model must not load at start-up); it must not
    drift from the patient record's literal."""
    from typing import get_args

    from osteowedge.interfaces.cli.spine_measure import ContrastPhase
    from osteowedge.model import patient

    assert [p.value for p in ContrastPhase] == list(get_args(patient.ContrastPhase))
