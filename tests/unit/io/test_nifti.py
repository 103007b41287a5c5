"""NIfTI loading: integer labels (whole-number floats accepted), grids compared, clear errors.
Real files written with nibabel to tmp_path; no mocks."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from osteowedge.errors import ImageGeometryError, InputError
from osteowedge.io.nifti import check_same_grid, load_ct, load_label_map

PIR_AFFINE = np.array(
    [
        [0.0, 0.0, 2.0, -60.0],
        [-1.0, 0.0, 0.0, 80.0],
        [0.0, -1.0, 0.0, 120.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)


def save(path: Path, data: np.ndarray, affine: np.ndarray = PIR_AFFINE) -> Path:
    nib.save(nib.Nifti1Image(data, affine), str(path))
    return path


def test_float64_whole_numbers_become_small_integers(tmp_path: Path) -> None:
    """VerSe ships float64 label maps; they load as the smallest unsigned type that fits."""
    data = np.zeros((6, 7, 8), dtype=np.float64)
    data[1:3, 1:3, 1:3] = 20.0
    data[3:5, 3:5, 3:5] = 28.0
    volume = load_label_map(save(tmp_path / "verse.nii.gz", data))
    assert volume.array.dtype == np.uint8
    assert sorted(np.unique(volume.array).tolist()) == [0, 20, 28]
    assert volume.orientation == "PIR"
    assert volume.spacing_mm == pytest.approx((1.0, 1.0, 2.0))
    assert volume.shape == (6, 7, 8)


def test_integer_maps_load_unchanged_and_uncompressed_ones_are_memory_mapped(
    tmp_path: Path,
) -> None:
    data = np.zeros((5, 5, 5), dtype=np.int16)
    data[2, 2, 2] = 31
    volume = load_label_map(save(tmp_path / "total.nii", data, np.eye(4)))
    assert volume.array.dtype == np.int16 and volume.array[2, 2, 2] == 31
    assert not volume.array.flags["OWNDATA"]  # a view of the memory-mapped file, not a copy
    assert volume.orientation == "RAS"


@pytest.mark.parametrize(
    ("value", "message"),
    [(20.5, "20.5 at voxel \\[1, 2, 3\\]"), (np.nan, "nan"), (-3.0, "-3 at")],
)
def test_labels_that_are_not_whole_numbers_are_refused(
    tmp_path: Path, value: float, message: str
) -> None:
    data = np.zeros((4, 4, 4), dtype=np.float32)
    data[1, 2, 3] = value
    path = save(tmp_path / "probabilities.nii.gz", data)
    with pytest.raises(ImageGeometryError, match=message) as info:
        load_label_map(path)
    assert str(path) in str(info.value) and "whole numbers" in str(info.value)


def test_negative_integer_labels_are_refused(tmp_path: Path) -> None:
    data = np.zeros((3, 3, 3), dtype=np.int16)
    data[0, 0, 0] = -1
    with pytest.raises(ImageGeometryError, match="negative"):
        load_label_map(save(tmp_path / "neg.nii.gz", data))


def test_ct_keeps_hounsfield_units(tmp_path: Path) -> None:
    ct = np.full((4, 4, 4), -1000, dtype=np.int16)
    ct[1, 1, 1] = 250
    volume = load_ct(save(tmp_path / "ct.nii.gz", ct))
    assert volume.array[1, 1, 1] == 250 and volume.array.dtype == np.int16


def test_same_grid_or_a_clear_error(tmp_path: Path) -> None:
    mask = load_label_map(save(tmp_path / "mask.nii.gz", np.zeros((4, 5, 6), dtype=np.uint8)))
    same = load_ct(save(tmp_path / "ct.nii.gz", np.zeros((4, 5, 6), dtype=np.int16)))
    check_same_grid(mask, same, "CT")
    nearly = PIR_AFFINE.copy()
    nearly[0, 3] += 1e-5  # float32 header rounding is tolerated
    check_same_grid(mask, load_ct(save(tmp_path / "ct2.nii.gz", np.zeros((4, 5, 6)), nearly)), "CT")

    other_shape = load_ct(save(tmp_path / "ct3.nii.gz", np.zeros((4, 5, 7), dtype=np.int16)))
    with pytest.raises(
        ImageGeometryError, match=r"shape \(4, 5, 7\).*\(4, 5, 6\).*same voxel grid"
    ):
        check_same_grid(mask, other_shape, "CT")
    shifted = PIR_AFFINE.copy()
    shifted[1, 3] += 3.0
    moved = load_ct(save(tmp_path / "ct4.nii.gz", np.zeros((4, 5, 6), dtype=np.int16), shifted))
    with pytest.raises(ImageGeometryError, match="affine differs.*by up to 3 mm") as info:
        check_same_grid(mask, moved, "CT")
    assert "ct4.nii.gz" in str(info.value) and "resample" in str(info.value)
    flipped = load_ct(save(tmp_path / "ct5.nii.gz", np.zeros((4, 5, 6)), np.eye(4)))
    with pytest.raises(ImageGeometryError, match="orientation RAS vs PIR"):
        check_same_grid(mask, flipped, "CT")


def test_unreadable_or_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_label_map(tmp_path / "absent.nii.gz")
    junk = tmp_path / "junk.nii.gz"
    junk.write_bytes(b"not a nifti at all")
    with pytest.raises(ImageGeometryError, match="cannot be read as NIfTI"):
        load_label_map(junk)
    with pytest.raises(ImageGeometryError, match="expected a 3-D volume"):
        load_ct(save(tmp_path / "4d.nii.gz", np.zeros((3, 3, 3, 2), dtype=np.int16)))
