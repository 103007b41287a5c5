"""NIfTI label maps and CT volumes (nibabel), checked before anything is measured.

The rest of osteowedge never sees nibabel: this module hands over a :class:`Volume` (the array as
stored, in nibabel's [i, j, k] order, with its 4x4 voxel-to-RAS+ affine). Nothing is reoriented:
orientation and spacing travel in the affine, and the measurement converts every position through
it. Errors are :class:`~osteowedge.errors.ImageGeometryError` (an input error: CLI exit 2) naming
the file, what was wrong, what was expected and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from numpy.typing import NDArray

from osteowedge.errors import ImageGeometryError, InputError

AFFINE_TOLERANCE_MM = 1e-3
"""Largest difference allowed between two affines' entries (mm; float32 headers round)."""
_CHECK_SLAB_VOXELS = 8_000_000
"""Whole-number checks of float label maps run in slabs of about this many voxels."""


@dataclass(frozen=True)
class Volume:
    """A 3-D array with its voxel-to-world (RAS+ mm) affine and where it came from."""

    array: NDArray[Any]
    affine: NDArray[np.float64]
    path: Path

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.array.shape)

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        zooms = np.linalg.norm(self.affine[:3, :3], axis=0)
        return (float(zooms[0]), float(zooms[1]), float(zooms[2]))

    @property
    def orientation(self) -> str:
        """Axis codes such as ``RAS`` or ``PIR`` (where each array axis points)."""
        codes: tuple[str, ...] = nib.aff2axcodes(self.affine)  # type: ignore[no-untyped-call]
        return "".join(codes)


def _open(path: Path, what: str) -> Any:
    if not path.exists():
        raise InputError(f"{path}: no such file (the {what})")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; expected a NIfTI file (.nii or .nii.gz)")
    try:
        image = nib.load(str(path))
    except Exception as exc:  # nibabel raises several types for unreadable files
        raise ImageGeometryError(
            f"{path}: cannot be read as NIfTI ({exc}); expected a .nii or .nii.gz {what}"
        ) from None
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise ImageGeometryError(
            f"{path}: is a {type(image).__name__}, not NIfTI; convert the {what} to .nii.gz "
            "(for DICOM, e.g. with dcm2niix)"
        )
    return image


def _array(image: Any, path: Path, what: str) -> NDArray[Any]:
    shape = tuple(int(n) for n in image.shape)
    if len(shape) == 4 and shape[3] == 1:
        shape = shape[:3]
    if len(shape) != 3:
        raise ImageGeometryError(
            f"{path}: the {what} has shape {shape}; expected a 3-D volume (one time point)"
        )
    # Memory-mapped for an uncompressed .nii; never turned into a float64 copy.
    try:
        data: NDArray[Any] = np.asanyarray(image.dataobj)
    except Exception as exc:  # truncated or corrupt data: EOFError, zlib.error, OSError, ...
        raise ImageGeometryError(
            f"{path}: the {what}'s voxel data cannot be read ({type(exc).__name__}: {exc}); the "
            "file is probably truncated: copy or export it again"
        ) from None
    return data.reshape(shape) if data.shape != shape else data


def _affine(image: Any, path: Path) -> NDArray[np.float64]:
    affine = np.asarray(image.affine, dtype=np.float64)
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:3, :3])) < 1e-9:
        raise ImageGeometryError(
            f"{path}: the header's affine is missing or singular ({affine.tolist()}); the image "
            "must say where its voxels are (sform or qform)"
        )
    return affine


def _smallest_unsigned(max_value: int) -> type[np.unsignedinteger[Any]]:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def _integer_labels(data: NDArray[Any], path: Path) -> NDArray[Any]:
    """Integer labels, non-negative; whole-number floats (VerSe ships float64) become integers."""
    if data.dtype == np.bool_:
        return np.asarray(data, dtype=np.uint8)
    if np.issubdtype(data.dtype, np.integer):
        if np.issubdtype(data.dtype, np.signedinteger) and data.size and int(data.min()) < 0:
            raise ImageGeometryError(
                f"{path}: the label map has negative values (min {int(data.min())}); labels must "
                "be 0 (background) or positive integers"
            )
        return np.asarray(data)
    if not np.issubdtype(data.dtype, np.floating):
        raise ImageGeometryError(
            f"{path}: label values of type {data.dtype}; expected integers (or whole-number floats)"
        )
    # Whole-number check in slabs along the last axis, so no full-volume float temporaries.
    step = max(1, _CHECK_SLAB_VOXELS // max(1, data.shape[0] * data.shape[1]))
    top = 0.0
    for k in range(0, data.shape[2], step):
        slab = np.asarray(data[:, :, k : k + step])
        bad = ~np.isfinite(slab) | (slab != np.round(slab)) | (slab < 0)
        if bad.any():
            i, j, kk = (int(x) for x in np.argwhere(bad)[0])
            value = float(slab[i, j, kk])
            raise ImageGeometryError(
                f"{path}: the label map holds a value that is not a label ({value:.6g} at voxel "
                f"[{i}, {j}, {kk + k}]); expected whole numbers >= 0. Is this a probability map or "
                "a CT? Pass the integer label map as --mask"
            )
        if slab.size:
            top = max(top, float(slab.max()))
    return np.asarray(data, dtype=_smallest_unsigned(int(top)))


def load_label_map(path: str | Path) -> Volume:
    """A label map as integers (whole-number floats are converted; anything else is refused)."""
    p = Path(path)
    image = _open(p, "label map")
    affine = _affine(image, p)
    data = _integer_labels(_array(image, p, "label map"), p)
    return Volume(array=data, affine=affine, path=p)


def load_ct(path: str | Path) -> Volume:
    """A CT volume in HU (the header's scaling applied; integer storage kept when unscaled)."""
    p = Path(path)
    image = _open(p, "CT")
    affine = _affine(image, p)
    data = _array(image, p, "CT")
    if not (np.issubdtype(data.dtype, np.integer) or np.issubdtype(data.dtype, np.floating)):
        raise ImageGeometryError(f"{p}: CT values of type {data.dtype}; expected numbers (HU)")
    return Volume(array=data, affine=affine, path=p)


def check_same_grid(reference: Volume, other: Volume, what: str) -> None:
    """Refuse two volumes that do not share one voxel grid (shape and affine)."""
    if reference.shape != other.shape:
        raise ImageGeometryError(
            f"{other.path}: the {what} has shape {other.shape} but the mask {reference.path} has "
            f"{reference.shape}; both must be on the same voxel grid (the segmentation of this "
            "very image, not resampled or cropped)"
        )
    if not np.allclose(reference.affine, other.affine, rtol=0.0, atol=AFFINE_TOLERANCE_MM):
        diff = float(np.max(np.abs(reference.affine - other.affine)))
        raise ImageGeometryError(
            f"{other.path}: the {what}'s affine differs from the mask's ({reference.path}) by up "
            f"to {diff:.4g} mm (orientation {other.orientation} vs {reference.orientation}, "
            f"spacing {_fmt(other.spacing_mm)} vs {_fmt(reference.spacing_mm)} mm); both must be "
            "on the same voxel grid. Segment this CT, or resample the mask onto it (nearest "
            "neighbour) before measuring"
        )


def _fmt(values: tuple[float, ...]) -> str:
    return "x".join(f"{v:.3g}" for v in values)
