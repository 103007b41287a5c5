"""The QC picture of `osteowedge spine measure`: a mid-sagittal slice with every vertebra's three
height lines, coloured and labelled by Genant grade, and a legend saying the measurement is
automated and for a reader to confirm.

The slice is resampled in world coordinates (the patient's sagittal plane through the median
body centroid: anterior to the left, superior up), so it looks the same whatever the orientation
of the stored array. With a CT the picture shows it in a bone window; without one it shows the
label map's silhouette.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from osteowedge.io.files import write_atomic
from osteowedge.morphometry.labelmap import LabelMapMeasurement

GRADE_COLOURS: Mapping[int | None, tuple[int, int, int]] = {
    0: (40, 200, 90),
    1: (250, 215, 0),
    2: (255, 135, 0),
    3: (235, 40, 40),
    None: (150, 150, 150),
}
BONE_WINDOW_HU = (-250.0, 1250.0)
PIXEL_MM = 0.5
MARGIN_MM = 35.0
LEFT_TEXT_PX = 190
LEGEND_PX = 92
MIN_WIDTH_PX = 720
LABEL_GAP_PX = 36


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def render_qc_png(
    path: Path,
    *,
    labels: NDArray[Any],
    affine: NDArray[Any],
    measurement: LabelMapMeasurement,
    grades: Mapping[str, Mapping[str, Any]],
    ct: NDArray[Any] | None = None,
    title: str = "",
) -> Path:
    """Write the QC PNG to ``path`` and return it.

    ``grades`` maps a level to its graded entry (``genant_grade``, ``morphology``,
    ``height_loss_pct``); levels without one (cut by the field of view, not measured) are drawn
    in grey.
    """
    levels = [m for m in measurement.levels if m.height_lines]
    centroids = np.array([m.body_centroid_mm for m in measurement.levels])
    x0 = float(np.median(centroids[:, 0]))
    points = [
        p for m in levels for line in m.height_lines for p in (line.superior_mm, line.inferior_mm)
    ]
    ys = np.array([p[1] for p in points] + list(centroids[:, 1]))
    zs = np.array([p[2] for p in points] + list(centroids[:, 2]))
    y_hi, y_lo = float(ys.max()) + MARGIN_MM, float(ys.min()) - 2.5 * MARGIN_MM
    z_hi, z_lo = float(zs.max()) + MARGIN_MM, float(zs.min()) - MARGIN_MM
    width = int(np.ceil((y_hi - y_lo) / PIXEL_MM))
    height = int(np.ceil((z_hi - z_lo) / PIXEL_MM))

    # World point of each pixel: columns run posterior (from y_hi down), rows run inferior.
    cols = y_hi - (np.arange(width) + 0.5) * PIXEL_MM
    rows = z_hi - (np.arange(height) + 0.5) * PIXEL_MM
    zz, yy = np.meshgrid(rows, cols, indexing="ij")
    world = np.stack([np.full(zz.shape, x0), yy, zz], axis=-1).reshape(-1, 3)
    inverse = np.linalg.inv(np.asarray(affine, dtype=np.float64))
    voxel = world @ inverse[:3, :3].T + inverse[:3, 3]
    if ct is not None:
        values = ndimage.map_coordinates(ct, voxel.T, order=1, mode="constant", cval=-1000.0)
        lo, hi = BONE_WINDOW_HU
        grey = np.clip((values - lo) / (hi - lo) * 255.0, 0, 255)
    else:
        values = ndimage.map_coordinates(labels, voxel.T, order=0, mode="constant", cval=0)
        grey = np.where(values > 0, 110.0, 15.0)
    picture = Image.fromarray(grey.reshape(height, width).astype(np.uint8), mode="L").convert("RGB")

    canvas = Image.new(
        "RGB", (max(width + LEFT_TEXT_PX, MIN_WIDTH_PX), height + LEGEND_PX), (0, 0, 0)
    )
    canvas.paste(picture, (LEFT_TEXT_PX, 0))
    draw = ImageDraw.Draw(canvas)
    small, big = _font(13), _font(15)

    def to_px(p: tuple[float, float, float]) -> tuple[float, float]:
        return (LEFT_TEXT_PX + (y_hi - p[1]) / PIXEL_MM, (z_hi - p[2]) / PIXEL_MM)

    next_free = 0.0
    for m in levels:
        graded = grades.get(m.level)
        grade = None if graded is None or graded["genant_grade"] is None else graded["genant_grade"]
        colour = GRADE_COLOURS.get(grade, GRADE_COLOURS[None])
        for line in m.height_lines:
            draw.line([to_px(line.superior_mm), to_px(line.inferior_mm)], fill=colour, width=3)
        anterior = next(line for line in m.height_lines if line.name == "anterior")
        tx, ty = to_px(anterior.superior_mm)
        by = to_px(anterior.inferior_mm)[1]
        if graded is None:
            text = f"{m.level}  not graded"
            detail = ", ".join(f for f in m.flag_ids if f != "contrast_phase_unknown") or "QC"
        elif grade is None:
            text = f"{m.level}  outside T4-L4"
            detail = f"loss {graded['height_loss_pct']:.1f} %, not graded"
        else:
            text = f"{m.level}  G{grade} {graded['morphology']}"
            detail = f"loss {graded['height_loss_pct']:.1f} %"
        ymid = (ty + by) / 2
        ytext = max(ymid, next_free + 16)  # keep labels from overlapping
        next_free = ytext + LABEL_GAP_PX - 16
        draw.text((6, ytext - 16), text, fill=colour, font=big)
        draw.text((6, ytext + 2), detail[:30], fill=colour, font=small)
        draw.line([(LEFT_TEXT_PX - 4, ytext), (tx - 4, ymid)], fill=colour, width=1)

    legend_y = height + 6
    draw.text(
        (6, legend_y),
        "AUTOMATED MEASUREMENT FROM A CT LABEL MAP - FOR A READER TO CONFIRM.",
        fill=(255, 255, 255),
        font=big,
    )
    for i, legend in enumerate(
        (
            "Lines: anterior, middle and posterior height of each vertebral body.",
            "Genant grade: 0 green, 1 yellow (possible fracture, needs a reader), 2 orange, "
            "3 red; grey = not graded (QC).",
        )
    ):
        draw.text((6, legend_y + 22 + 17 * i), legend, fill=(210, 210, 210), font=small)
    if title:
        draw.text((6, legend_y + 60), title, fill=(160, 160, 160), font=small)
    encoded = io.BytesIO()
    canvas.save(encoded, format="PNG")
    write_atomic(path, encoded.getvalue())
    return path
