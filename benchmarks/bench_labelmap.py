"""Speed and memory of `osteowedge spine measure` against a per-label-mask baseline.

Usage (from the repository root):

    uv run python benchmarks/bench_labelmap.py            # measurement step, in memory
    uv run python benchmarks/bench_labelmap.py --command  # also the whole command on a .nii file

The synthetic label map is 512 x 512 x 600 voxels of int16 at 0.8 mm: 17 whole vertebrae (T1 to
L5, TotalSegmentator `total` ids 43..27, each a body with pedicles, lamina, transverse and spinous
processes around an empty canal, along a gentle S-shaped curve), plus non-vertebra labels as a
`total` map has them (liver 5, kidneys 2 and 3, spleen 1, aorta 52, inferior vena cava 63, ribs
92-115, sacrum 25), and a CT of the same size (int16 HU).

* **ours**: :func:`osteowedge.morphometry.labelmap.measure_label_map` from the arrays in memory
  to per-level results (one `find_objects` pass, then work inside each label's bounding box:
  body isolation, heights, volume, the 200 mm2 trabecular ROI, QC).
* **baseline**: what TotalSegmentator's spine report does per label: one boolean mask of the whole
  volume per label (``mask = seg == label``), its voxel coordinates (``np.nonzero``) for the
  bounding box and centroid, heights inside the box, and the HU of the body through the
  full-volume mask (``ct[mask]``). It is a lower bound on that report's cost (which also erodes
  full-volume masks).

Both run in the same process; time is wall-clock (best of ``--repeat``, without tracemalloc),
memory is the peak of the Python allocations during one more run (tracemalloc, which sees
numpy's buffers) above what was allocated before it.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from osteowedge.knowledge import load_knowledge_base
from osteowedge.morphometry.ct.params import MeasurementParams
from osteowedge.morphometry.labelmap import measure_label_map

SHAPE = (512, 512, 600)
SPACING_MM = 0.8
LEVELS = [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]
TOTAL_IDS = {**{f"T{i}": 44 - i for i in range(1, 13)}, **{f"L{i}": 32 - i for i in range(1, 6)}}


def _mm(value: float) -> int:
    return int(round(value / SPACING_MM))


def synthetic_spine() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels int16, ct int16, affine) of the benchmark volume (RAS, 0.8 mm isotropic)."""
    nx, ny, nz = SHAPE
    labels = np.zeros(SHAPE, dtype=np.int16)
    ct = np.full(SHAPE, -900, dtype=np.int16)
    ct[60:452, 80:440, :] = 30  # the body's soft tissue
    # Organs and other structures first (vertebrae are drawn over them).
    labels[300:420, 260:400, 330:520] = 5  # liver (patient's right: higher x here is left; any)
    labels[140:200, 150:230, 340:440] = 2
    labels[312:372, 150:230, 340:440] = 3
    labels[120:200, 250:330, 420:520] = 1
    xs, ys = np.ogrid[:nx, :ny]
    aorta = (xs - 230) ** 2 + (ys - 300) ** 2 <= _mm(12) ** 2
    cava = (xs - 290) ** 2 + (ys - 300) ** 2 <= _mm(14) ** 2
    labels[:, :, 120:560][aorta] = 52
    labels[:, :, 120:560][cava] = 63
    for k in range(12):  # ribs: thin curved bars on both sides
        z0 = 560 - k * 34
        for side, label in ((-1, 92 + k), (1, 104 + k)):
            x0 = 256 + side * _mm(30)
            x1 = 256 + side * _mm(150)
            lo, hi = sorted((x0, x1))
            labels[lo:hi, 150:170, z0 : z0 + _mm(8)] = label
    labels[200:312, 160:260, 0:40] = 25  # sacrum at the bottom
    ct[labels > 0] = 60

    z_top = nz - 4
    for i, level in enumerate(LEVELS):
        f = i / (len(LEVELS) - 1)
        height, depth, width = 16 + 11 * f, 22 + 13 * f, 28 + 22 * f
        disc = 6.0
        z1 = z_top
        z0 = z1 - _mm(height)
        z_top = z0 - _mm(disc)
        # An S-curve: the spine's AP position moves with level (kyphosis then lordosis).
        y_front = 330 + int(_mm(25) * np.sin(np.pi * (f * 1.5 - 0.25)))
        y_back = y_front - _mm(depth)
        cx = 256
        hw = _mm(width / 2)
        lab = TOTAL_IDS[level]
        body = (slice(cx - hw, cx + hw), slice(y_back, y_front), slice(z0, z1))
        labels[body] = lab
        ct[body] = 160 + 40 * (1 - f)
        shell = 2  # a cortex of about 1.6 mm
        ct[cx - hw : cx + hw, y_back : y_back + shell, z0:z1] = 650
        ct[cx - hw : cx + hw, y_front - shell : y_front, z0:z1] = 650
        ct[cx - hw : cx + hw, y_back:y_front, z0 : z0 + shell] = 650
        ct[cx - hw : cx + hw, y_back:y_front, z1 - shell : z1] = 650
        # Arch: pedicles, lamina, transverse and spinous processes around the canal.
        za, zb = z0 + _mm(0.3 * height), z1 - _mm(0.1 * height)
        canal = _mm(9 + 3 * f)
        ped = _mm(7)
        zt = (za + zb) // 2
        span = _mm(width / 2 + 25)
        parts = [
            (slice(sx, sx + ped), slice(y_back - _mm(12), y_back), slice(za, zb))
            for sx in (cx - canal - ped, cx + canal)
        ]
        parts += [
            (
                slice(cx - canal - ped, cx + canal + ped),
                slice(y_back - _mm(18), y_back - _mm(12)),
                slice(za, zb),
            ),
            (
                slice(cx - _mm(4), cx + _mm(4)),
                slice(y_back - _mm(45), y_back - _mm(18)),
                slice(z0, zb),
            ),
            (
                slice(cx - span, cx + span),
                slice(y_back - _mm(16), y_back - _mm(9)),
                slice(zt - _mm(4), zt + _mm(4)),
            ),
        ]
        for part in parts:
            labels[part] = lab
            ct[part] = 350
    affine = np.diag([SPACING_MM, SPACING_MM, SPACING_MM, 1.0])
    affine[:3, 3] = [-SPACING_MM * nx / 2, -SPACING_MM * ny / 2, -SPACING_MM * nz]
    return labels, ct, affine


# --------------------------------------------------------------------------------------------
# The baseline: one full-volume mask per label
# --------------------------------------------------------------------------------------------


def baseline(labels: np.ndarray, ct: np.ndarray, affine: np.ndarray) -> dict[str, dict[str, float]]:
    spacing = np.linalg.norm(affine[:3, :3], axis=0)
    out: dict[str, dict[str, float]] = {}
    for level, lab in TOTAL_IDS.items():
        mask = labels == lab  # a boolean array of the whole volume
        idx = np.nonzero(mask)
        if idx[0].size == 0:
            continue
        lo = [int(i.min()) for i in idx]
        hi = [int(i.max()) + 1 for i in idx]
        centroid = [float(i.mean()) for i in idx]
        sub = mask[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        cx = int(round(centroid[0])) - lo[0]
        column = sub[cx]  # mid-sagittal slice (y, z)
        rows = np.flatnonzero(column.any(axis=1))
        front = int(rows.max())
        depth = 0
        while front - depth >= 0 and column[front - depth].any():
            depth += 1
        heights = []
        for frac in (0.15, 0.5, 0.85):
            y = front - int(frac * depth)
            zz = np.flatnonzero(column[y])
            heights.append(float((zz.max() - zz.min() + 1) * spacing[2]) if zz.size else 0.0)
        mean_hu = float(ct[mask].mean())
        out[level] = {
            "anterior_mm": heights[0],
            "middle_mm": heights[1],
            "posterior_mm": heights[2],
            "mean_hu": mean_hu,
        }
        del mask
    return out


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def _measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best seconds, peak extra MiB, result) of ``fn``: timed runs without tracemalloc (it
    slows every allocation down), then one run under tracemalloc for the memory."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, (top - base) / 2**20, result


def _command_times(labels: np.ndarray, ct: np.ndarray, affine: np.ndarray, repeat: int) -> None:
    import nibabel as nib

    with tempfile.TemporaryDirectory() as tmp:
        mask_path = Path(tmp) / "mask.nii"
        ct_path = Path(tmp) / "ct.nii"
        nib.save(nib.Nifti1Image(labels, affine), mask_path)
        nib.save(nib.Nifti1Image(ct, affine), ct_path)
        exe = Path(sys.executable).with_name("osteowedge")
        ours = [
            str(exe),
            "spine",
            "measure",
            "--mask",
            str(mask_path),
            "--ct",
            str(ct_path),
            "--labels",
            "total",
            "--format",
            "json",
            "--contrast-phase",
            "native",
        ]
        base = [sys.executable, __file__, "--baseline-script", str(mask_path), str(ct_path)]
        for name, cmd in (("osteowedge spine measure", ours), ("baseline script", base)):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, check=False)
                times.append(time.perf_counter() - t0)
                if done.returncode != 0:
                    print(done.stderr)
                    raise SystemExit(f"{name} failed")
            print(f"  {name:28s} {min(times):7.2f} s (best of {repeat})")


def _baseline_script(mask_path: str, ct_path: str) -> None:
    """The baseline as a script: nibabel loading as TotalSegmentator does (get_fdata), then
    one full-volume mask per label."""
    import nibabel as nib

    seg = nib.load(mask_path)
    ct = nib.load(ct_path)
    labels = seg.get_fdata()
    hu = ct.get_fdata()
    result = baseline(labels, hu, seg.affine)
    print(len(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--command", action="store_true", help="also time the whole command")
    parser.add_argument(
        "--baseline-script", nargs=2, metavar=("MASK", "CT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.baseline_script:
        _baseline_script(*args.baseline_script)
        return

    params = MeasurementParams.from_knowledge(load_knowledge_base())
    t0 = time.perf_counter()
    labels, ct, affine = synthetic_spine()
    print(
        f"synthetic label map {labels.shape} {labels.dtype} ({labels.nbytes / 2**20:.0f} MiB), "
        f"CT {ct.dtype}, {len(LEVELS)} vertebrae, built in {time.perf_counter() - t0:.1f} s; "
        f"{os.cpu_count()} CPU(s)"
    )
    size_mib = labels.nbytes / 2**20

    def ours() -> Any:
        return measure_label_map(labels, affine, params, scheme="total", ct=ct)

    def base() -> Any:
        return baseline(labels, ct, affine)

    t_ours, m_ours, result = _measure(ours, args.repeat)
    t_base, m_base, _ = _measure(base, max(1, args.repeat - 1))
    print("measurement step (arrays in memory -> per-level results):")
    print(f"  ours      {t_ours:7.3f} s   peak extra memory {m_ours:8.1f} MiB")
    print(f"  baseline  {t_base:7.3f} s   peak extra memory {m_base:8.1f} MiB")
    print(f"  speed-up  {t_base / t_ours:7.1f} x   label map size {size_mib:.0f} MiB")
    targets = {
        ">= 5x faster than the baseline": t_base / t_ours >= 5,
        "< 1 s": t_ours < 1.0,
        "extra memory < label map size": m_ours < size_mib,
    }
    for what, ok in targets.items():
        print(f"  target {what}: {'met' if ok else 'NOT met'}")
    measured = [m for m in result.levels if m.anterior_mm is not None]
    print(f"  ours measured {len(measured)} levels; flags: {sorted({f.flag for f in result.qc})}")
    if args.command:
        print("whole command on uncompressed .nii files (mask + CT), in fresh processes:")
        _command_times(labels, ct, affine, max(1, args.repeat - 1))


if __name__ == "__main__":
    main()
