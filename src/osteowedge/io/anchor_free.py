"""Reader for the multi-reader vertebral height annotations of Zakharov et al. 2023
("anchor-free-genant", https://github.com/neuro-ml/anchor-free-genant, CC BY-NC 4.0).

Each study file holds ``{"Folder", "SeriesInstanceUID", "Annotation": {reader: [{"type": level,
"segments": [anterior, middle, posterior]}]}}`` where each segment is two 3-D points in voxel
coordinates ``[x, sagittal_index, z]``. There is no voxel spacing, so heights are in voxels.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from osteowedge.errors import InputError
from osteowedge.model.patient import VERTEBRAL_LEVELS
from osteowedge.morphometry.agreement import ReaderHeights


def _level(raw: str, where: str) -> str:
    level = "T" + raw[2:] if raw.startswith("Th") else raw
    if level not in VERTEBRAL_LEVELS:
        raise InputError(f"{where}: unknown vertebra type {raw!r} (expected C1-L5 or Th1-Th12)")
    return level


def _length(segment: Any, where: str) -> float:
    try:
        (a, b) = segment
        if len(a) != 3 or len(b) != 3:
            raise ValueError
        return math.dist([float(c) for c in a], [float(c) for c in b])
    except (TypeError, ValueError):
        raise InputError(
            f"{where}: a segment must be two [x, y, z] points (got {segment!r})"
        ) from None


def read_study(path: Path) -> list[ReaderHeights]:
    """Every reader's heights of every vertebra in one study file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("Annotation"), dict):
        raise InputError(f"{path}: expected an object with an 'Annotation' mapping of readers")
    study = str(data.get("Folder") or path.stem)
    out: list[ReaderHeights] = []
    for reader, vertebrae in data["Annotation"].items():
        for i, vertebra in enumerate(vertebrae):
            where = f"{path}: /Annotation/{reader}/{i}"
            segments = vertebra.get("segments") if isinstance(vertebra, dict) else None
            if not isinstance(segments, list) or len(segments) != 3:
                raise InputError(
                    f"{where}/segments: expected 3 segments (anterior, middle, posterior)"
                )
            anterior, middle, posterior = (
                _length(s, f"{where}/segments/{j}") for j, s in enumerate(segments)
            )
            out.append(
                ReaderHeights(
                    study=study,
                    level=_level(str(vertebra.get("type")), f"{where}/type"),
                    reader=str(reader),
                    anterior=anterior,
                    middle=middle,
                    posterior=posterior,
                )
            )
    return out


def read_directory(directory: Path) -> list[ReaderHeights]:
    """All study files (``*.json``) of a directory, in name order."""
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory of annotation JSON files")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise InputError(f"{directory}: no *.json annotation files")
    out: list[ReaderHeights] = []
    for path in files:
        out.extend(read_study(path))
    return out
