"""Label schemes: how a CT label map numbers the vertebrae, and which scheme a map uses."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from osteowedge.errors import ImageGeometryError
from osteowedge.model.patient import VERTEBRAL_LEVELS

LEVEL_ORDER = {level: i for i, level in enumerate(VERTEBRAL_LEVELS)}
"""Vertebral level -> its cranio-caudal rank."""


@dataclass(frozen=True)
class LabelScheme:
    """How a label map numbers the vertebrae."""

    name: str
    title: str
    levels: Mapping[int, str]
    """Label value -> vertebral level (only the vertebra labels; other labels are ignored)."""
    whole_vertebra: bool
    """True when a label holds the posterior elements too (the body must be isolated)."""
    max_label: int
    """The largest value the scheme defines; larger values mean a different scheme."""
    verified_ids: frozenset[int]
    """Ids checked against real data in ``shared/data`` (the rest from the published list)."""
    note: str

    def level_of(self, label: int) -> str | None:
        return self.levels.get(label)


def _total_levels() -> dict[int, str]:
    levels = {26: "S1"}
    levels.update({27 + i: f"L{5 - i}" for i in range(5)})  # 27 L5 ... 31 L1
    levels.update({32 + i: f"T{12 - i}" for i in range(12)})  # 32 T12 ... 43 T1
    levels.update({44 + i: f"C{7 - i}" for i in range(7)})  # 44 C7 ... 50 C1
    return levels


def _from_c1_levels(*, lumbar: int) -> dict[int, str]:
    levels = {i: f"C{i}" for i in range(1, 8)}
    levels.update({7 + i: f"T{i}" for i in range(1, 13)})  # 8 T1 ... 19 T12
    levels.update({19 + i: f"L{i}" for i in range(1, lumbar + 1)})  # 20 L1 ...
    return levels


TOTAL = LabelScheme(
    name="total",
    title="TotalSegmentator task `total` (v2)",
    levels=_total_levels(),
    whole_vertebra=True,
    max_label=117,
    # shared/data/totalsegmentator README: 26 S1, 27 L5, 28 L4, 29 L3, 30 L2, 31 L1, 32 T12, 33 T11.
    verified_ids=frozenset(range(26, 34)),
    note="Ids 1-25 and 51-117 are organs, muscles, ribs and the sacrum (ignored). 26-33 verified "
    "on the shared example; 34-50 from TotalSegmentator's published class map (map_to_binary.py).",
)
VERTEBRAE_PP = LabelScheme(
    name="vertebrae_pp",
    title="TotalSegmentator tasks `vertebrae_pp` / `vertebrae_pp_refined` (vertebral bodies)",
    levels=_from_c1_levels(lumbar=5),
    whole_vertebra=False,
    max_label=24,
    # shared/data/totalsegmentator README: 19 T12, 20 L1, 21 L2, 22 L3, 23 L4, 24 L5.
    verified_ids=frozenset(range(19, 25)),
    note="Numbered from C1 = 1 to L5 = 24; 19-24 verified on the shared example, 1-18 from "
    "TotalSegmentator's published label list (secondary source).",
)
VERSE = LabelScheme(
    name="verse",
    title="VerSe (1-7 C1-C7, 8-19 T1-T12, 20-25 L1-L6, 28 T13)",
    levels={**_from_c1_levels(lumbar=6), 28: "T13"},
    whole_vertebra=True,
    max_label=28,
    # shared/data/verse README and sub-verse004: labels 16-24 are T9-L5.
    verified_ids=frozenset(range(16, 25)),
    note="Whole vertebrae; labels 16-24 verified on the shared VerSe sample.",
)
SCHEMES: Mapping[str, LabelScheme] = {s.name: s for s in (TOTAL, VERTEBRAE_PP, VERSE)}
SCHEME_ALIASES: Mapping[str, str] = {
    "totalsegmentator": "total",
    "vertebrae_pp_refined": "vertebrae_pp",
}
SCHEME_CHOICES: tuple[str, ...] = ("auto", *SCHEMES, *SCHEME_ALIASES)
VERTEBRAE_BODY_LABEL = 1
"""In TotalSegmentator's `vertebrae_body` task, 1 = vertebral bodies (all levels), 2 = discs."""

_LABELS_HINT = (
    "name the scheme with --labels total (TotalSegmentator `total`), --labels vertebrae_pp "
    "(TotalSegmentator `vertebrae_pp`/`vertebrae_pp_refined`) or --labels verse (VerSe)"
)


def value_ranges(values: Iterable[int]) -> str:
    ordered = sorted(values)
    parts: list[str] = []
    start = prev = ordered[0]
    for v in [*ordered[1:], None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(parts)


def _label_values(present: Collection[int]) -> set[int]:
    """The non-zero label values; an error when there is none."""
    values = {int(v) for v in present if v > 0}
    if not values:
        raise ImageGeometryError(
            "the label map is empty (every voxel is 0); expected vertebra labels"
        )
    return values


def detect_scheme(present: Collection[int]) -> LabelScheme:
    """The scheme the label values leave no doubt about, or an error asking for ``--labels``.

    Only TotalSegmentator ``total`` can be told from its values alone: a label from 29 to 50 is a
    vertebra there and exists in no other scheme. Maps whose values all lie in 1-28 fit VerSe,
    ``vertebrae_pp`` (which number vertebrae from C1 = 1) and ``total`` (where 1-25 are organs)
    alike, so they need ``--labels``.
    """
    values = _label_values(present)
    if max(values) > TOTAL.max_label:
        raise ImageGeometryError(
            f"unknown label scheme: values {value_ranges(values)} go beyond every known scheme "
            f"(total: 1-117, VerSe: 1-25 and 28, vertebrae_pp: 1-24); {_LABELS_HINT}, or relabel "
            "the mask to one of them"
        )
    if values & set(range(29, 51)):
        return TOTAL
    raise ImageGeometryError(
        f"cannot tell the label scheme from the values {value_ranges(values)}: VerSe and "
        "TotalSegmentator vertebrae_pp number vertebrae from C1 = 1, while TotalSegmentator "
        f"`total` uses 1-25 for organs and the sacrum; {_LABELS_HINT}"
    )


def resolve_scheme(name: str, present: Collection[int]) -> LabelScheme:
    """The scheme named on the command line (``auto`` detects it), checked against the values."""
    key = SCHEME_ALIASES.get(name, name)
    if key == "auto":
        return detect_scheme(present)
    if key == "vertebrae_body":
        raise ImageGeometryError(
            "a TotalSegmentator `vertebrae_body` map has no level identity (1 = all bodies, "
            "2 = discs); pass it with --body-mask beside a level-labelled --mask (for example "
            "the `total` map of the same CT)"
        )
    if key not in SCHEMES:
        raise ImageGeometryError(
            f"unknown label scheme {name!r}; expected one of {', '.join(SCHEME_CHOICES)}"
        )
    scheme = SCHEMES[key]
    values = _label_values(present)
    foreign = sorted(
        v
        for v in values
        if v > scheme.max_label or (scheme is not TOTAL and v not in scheme.levels)
    )
    if foreign:
        raise ImageGeometryError(
            f"label value(s) {value_ranges(foreign)} are not part of the {scheme.title} scheme; "
            f"check --labels ({_LABELS_HINT})"
        )
    return scheme
