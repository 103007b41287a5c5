"""Inter-reader agreement on vertebral heights: mean absolute difference, relative difference and
ICC(2,1).

ICC(2,1) is the two-way random-effects, absolute-agreement, single-rater intraclass correlation
(Shrout & Fleiss 1979, "ICC(2,1)"; McGraw & Wong 1996, "ICC(A,1)")::

    ICC = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)

for n vertebrae (rows) each measured by the same k readers (columns). Readers who did not all
measure the same vertebrae are handled by computing the ICC on complete blocks: the two readers
with most measurements on the vertebrae both measured, then the top three on the vertebrae all
three measured, and so on. Pure: no I/O.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from osteowedge.errors import InputError

HEIGHT_NAMES: tuple[str, ...] = ("anterior", "middle", "posterior")

VertebraKey = tuple[str, str]
"""(study id, level)."""


@dataclass(frozen=True)
class ReaderHeights:
    """Heights of one vertebra by one reader, in the unit of the source (voxels here)."""

    study: str
    level: str
    reader: str
    anterior: float
    middle: float
    posterior: float

    def height(self, name: str) -> float:
        value: float = getattr(self, name)
        return value


@dataclass(frozen=True)
class IccBlock:
    readers: tuple[str, ...]
    n_vertebrae: int
    icc_2_1: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "readers": list(self.readers),
            "n_vertebrae": self.n_vertebrae,
            "icc_2_1": round(self.icc_2_1, 4),
        }


@dataclass(frozen=True)
class HeightAgreement:
    height: str
    n_pairs: int
    mean_abs_diff: float
    sd_abs_diff: float
    mean_rel_diff_pct: float
    icc: tuple[IccBlock, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "n_pairs": self.n_pairs,
            "mean_abs_diff_voxels": round(self.mean_abs_diff, 3),
            "sd_abs_diff_voxels": round(self.sd_abs_diff, 3),
            "mean_rel_diff_pct": round(self.mean_rel_diff_pct, 2),
            "icc": [b.as_dict() for b in self.icc],
        }


@dataclass(frozen=True)
class AgreementReport:
    n_studies: int
    n_vertebrae: int
    readers: Mapping[str, int]
    readers_per_vertebra: Mapping[int, int]
    heights: tuple[HeightAgreement, ...]
    unit: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "n_studies": self.n_studies,
            "n_vertebrae": self.n_vertebrae,
            "vertebrae_per_reader": dict(self.readers),
            "readers_per_vertebra": {
                str(k): v for k, v in sorted(self.readers_per_vertebra.items())
            },
            "heights": [h.as_dict() for h in self.heights],
            "method": (
                "mean absolute difference and relative difference |a-b| / mean(a, b) over every "
                "pair of readers of the same vertebra; ICC(2,1) (two-way random, absolute "
                "agreement, single rater; Shrout & Fleiss 1979) on complete blocks of readers"
            ),
        }


def icc_2_1(ratings: npt.ArrayLike) -> float:
    """ICC(2,1) of an n x k matrix (n subjects, k raters, no missing values)."""
    y = np.asarray(ratings, dtype=float)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise InputError(f"ICC needs at least 2 subjects x 2 raters (got shape {y.shape})")
    if not np.all(np.isfinite(y)):
        raise InputError("ICC needs finite ratings (a missing rating leaves a block incomplete)")
    n, k = y.shape
    grand = y.mean()
    row_means = y.mean(axis=1)
    col_means = y.mean(axis=0)
    msr = k * float(np.sum((row_means - grand) ** 2)) / (n - 1)
    msc = n * float(np.sum((col_means - grand) ** 2)) / (k - 1)
    residual = y - row_means[:, None] - col_means[None, :] + grand
    mse = float(np.sum(residual**2)) / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if denominator == 0:
        raise InputError("ICC is undefined: every rating is identical")
    return float((msr - mse) / denominator)


def _blocks(
    table: Mapping[VertebraKey, Mapping[str, ReaderHeights]], height: str
) -> tuple[IccBlock, ...]:
    counts = Counter(reader for by_reader in table.values() for reader in by_reader)
    ranked = [reader for reader, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    blocks: list[IccBlock] = []
    for k in range(2, len(ranked) + 1):
        readers = tuple(sorted(ranked[:k]))
        rows = [
            [by_reader[r].height(height) for r in readers]
            for by_reader in table.values()
            if all(r in by_reader for r in readers)
        ]
        if len(rows) >= 2:
            blocks.append(IccBlock(readers, len(rows), icc_2_1(rows)))
    return tuple(blocks)


def reader_agreement(measurements: Sequence[ReaderHeights], unit: str = "voxel") -> AgreementReport:
    """Agreement between readers who measured the same vertebrae (matched by study and level)."""
    table: dict[VertebraKey, dict[str, ReaderHeights]] = {}
    for m in measurements:
        by_reader = table.setdefault((m.study, m.level), {})
        if m.reader in by_reader:
            raise InputError(
                f"study {m.study!r}: reader {m.reader!r} measured {m.level} twice; "
                "keep one measurement per reader and level"
            )
        by_reader[m.reader] = m
    shared = {key: by_reader for key, by_reader in table.items() if len(by_reader) >= 2}
    if len(shared) < 2:
        raise InputError(
            "agreement needs at least 2 vertebrae measured by 2 or more readers "
            f"(found {len(shared)})"
        )

    heights: list[HeightAgreement] = []
    for name in HEIGHT_NAMES:
        abs_diffs: list[float] = []
        rel_diffs: list[float] = []
        for by_reader in shared.values():
            for a, b in itertools.combinations(sorted(by_reader), 2):
                ha, hb = by_reader[a].height(name), by_reader[b].height(name)
                abs_diffs.append(abs(ha - hb))
                mean = (ha + hb) / 2
                if mean > 0:
                    rel_diffs.append(100 * abs(ha - hb) / mean)
        diffs = np.asarray(abs_diffs)
        heights.append(
            HeightAgreement(
                height=name,
                n_pairs=len(abs_diffs),
                mean_abs_diff=float(diffs.mean()),
                sd_abs_diff=float(diffs.std(ddof=1)) if len(diffs) > 1 else 0.0,
                mean_rel_diff_pct=float(np.mean(rel_diffs)) if rel_diffs else float("nan"),
                icc=_blocks(shared, name),
            )
        )
    readers = Counter(reader for by_reader in shared.values() for reader in by_reader)
    per_vertebra = Counter(len(by_reader) for by_reader in shared.values())
    return AgreementReport(
        n_studies=len({study for study, _ in shared}),
        n_vertebrae=len(shared),
        readers=dict(sorted(readers.items())),
        readers_per_vertebra=dict(per_vertebra),
        heights=tuple(heights),
        unit=unit,
    )
