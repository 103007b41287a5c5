"""`osteowedge spine measure`: vertebral heights and trabecular HU from a CT label map.

Reads a NIfTI label map (TotalSegmentator `total` or `vertebrae_pp`, VerSe) and optionally the CT
it segments, measures every vertebral body (``osteowedge.morphometry.labelmap``), grades the
levels that may be graded (``osteowedge.morphometry.genant``) and prints the patient-record parts
(`vertebral_morphometry`, `ct_attenuation`) with the grades and QC. ``--into`` appends them to a
patient record, ``--out`` also writes the JSON and a QC picture
(``osteowedge.interfaces.cli.spine_measure_output`` builds, prints and appends the output). Heavy
modules (numpy, nibabel) load when the command runs, so ``osteowedge --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from osteowedge.errors import ImageGeometryError, InputError, Problem
from osteowedge.interfaces.cli.output import print_json, speaks_errors, stderr
from osteowedge.interfaces.cli.spine_measure_output import (
    append_to_record,
    build_output,
    print_text,
)
from osteowedge.io.files import write_atomic


class MeasureFormat(StrEnum):
    json = "json"
    text = "text"


class LabelsOption(StrEnum):
    auto = "auto"
    total = "total"
    totalsegmentator = "totalsegmentator"
    vertebrae_pp = "vertebrae_pp"
    vertebrae_pp_refined = "vertebrae_pp_refined"
    verse = "verse"


class ContrastPhase(StrEnum):
    native = "native"
    arterial = "arterial"
    portal_venous = "portal_venous"
    delayed = "delayed"
    unknown = "unknown"


@contextlib.contextmanager
def _status(message: str) -> Iterator[None]:
    """A spinner on stderr while slow work runs, only when stderr is a terminal."""
    if stderr.is_terminal:
        with stderr.status(message):
            yield
    else:
        yield


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--date {value!r} is not a date",
            [Problem(path="--date", expected="an ISO date YYYY-MM-DD", got=value)],
        ) from None


@speaks_errors
def measure(
    mask: Annotated[
        Path,
        typer.Option(
            "--mask", help="NIfTI label map (.nii/.nii.gz): TotalSegmentator or VerSe labels."
        ),
    ],
    ct: Annotated[
        Path | None,
        typer.Option("--ct", help="The CT the mask segments (same grid), for trabecular HU."),
    ] = None,
    labels: Annotated[
        LabelsOption,
        typer.Option(
            "--labels",
            help="Label scheme: auto (only when the values leave no doubt), total "
            "(= totalsegmentator), vertebrae_pp (= vertebrae_pp_refined), verse.",
        ),
    ] = LabelsOption.auto,
    body_mask: Annotated[
        Path | None,
        typer.Option(
            "--body-mask",
            help="TotalSegmentator `vertebrae_body` map (1 = bodies) of the same CT: the bodies "
            "are taken from it instead of cutting the posterior elements off.",
        ),
    ] = None,
    output_format: Annotated[
        MeasureFormat, typer.Option("--format", help="json or text.")
    ] = MeasureFormat.json,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for spine_measure.json and the QC picture."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Exam date YYYY-MM-DD (the image cannot tell).")
    ] = None,
    contrast_phase: Annotated[
        ContrastPhase | None,
        typer.Option("--contrast-phase", help="Contrast phase of the CT (affects HU)."),
    ] = None,
    kvp: Annotated[
        float | None, typer.Option("--kvp", help="Tube voltage in kV (HU thresholds assume 120).")
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            metavar="RECORD.json",
            help="Append the exam and CT values to this patient record (validated, atomic).",
        ),
    ] = None,
) -> None:
    """Heights, body volume and trabecular HU of every vertebra in a CT label map, graded.

    Automated measurement, for a reader to confirm.
    """
    exam_date = _parse_date(date)
    if kvp is not None and not kvp > 0:
        raise InputError(
            f"--kvp {kvp:g} is not a tube voltage",
            [Problem(path="--kvp", expected="a positive number of kV, e.g. 120", got=str(kvp))],
        )
    if into is not None and not into.is_file():
        raise InputError(f"{into}: no such patient record (--into needs an existing JSON file)")

    from osteowedge.io.nifti import check_same_grid, load_ct, load_label_map
    from osteowedge.knowledge import load_knowledge_base
    from osteowedge.morphometry import GenantRules
    from osteowedge.morphometry.ct.params import MeasurementParams
    from osteowedge.morphometry.labelmap import measure_label_map

    kb = load_knowledge_base()
    params = MeasurementParams.from_knowledge(kb)
    rules = GenantRules.from_knowledge(kb)
    with _status(f"Loading {mask}"):
        label_map = load_label_map(mask)
    ct_volume = body_volume = None
    if ct is not None:
        with _status(f"Loading {ct}"):
            ct_volume = load_ct(ct)
        check_same_grid(label_map, ct_volume, "CT")
    if body_mask is not None:
        with _status(f"Loading {body_mask}"):
            body_volume = load_label_map(body_mask)
        check_same_grid(label_map, body_volume, "body mask")
    try:
        with _status("Measuring vertebral bodies"):
            measurement = measure_label_map(
                label_map.array,
                label_map.affine,
                params,
                scheme=labels.value,
                ct=None if ct_volume is None else ct_volume.array,
                body_map=None if body_volume is None else body_volume.array,
            )
    except ImageGeometryError as exc:
        raise ImageGeometryError(f"{mask}: {exc.message}", exc.problems) from None

    sources: dict[str, Any] = {
        "mask": str(mask),
        "ct": None if ct is None else str(ct),
        "body_mask": None if body_mask is None else str(body_mask),
        "shape": list(label_map.shape),
        "spacing_mm": [round(s, 4) for s in label_map.spacing_mm],
        "orientation": label_map.orientation,
    }
    output = build_output(
        measurement,
        date=exam_date,
        contrast_phase=None if contrast_phase is None else contrast_phase.value,
        kvp=kvp,
        ct_given=ct is not None,
        rules=rules,
        knowledge_version=kb.knowledge_version,
        sources=sources,
    )
    written: list[str] = []
    if out is not None:
        from osteowedge.io.qc_image import render_qc_png

        png = out / "spine_measure_qc.png"
        with _status(f"Drawing {png}"):
            render_qc_png(
                png,
                labels=label_map.array,
                affine=label_map.affine,
                measurement=measurement,
                grades={v["level"]: v for v in output["vertebrae"]},
                ct=None if ct_volume is None else ct_volume.array,
                title=f"{mask.name} ({measurement.scheme.name})",
            )
        output["files"] = {"json": str(out / "spine_measure.json"), "qc_png": str(png)}
        write_atomic(
            out / "spine_measure.json", json.dumps(output, indent=2, ensure_ascii=False) + "\n"
        )
        written += [f"Wrote {out / 'spine_measure.json'} and {png}"]
    if into is not None:
        added = append_to_record(into, output)
        output["appended_to"] = {"record": str(into), **added}
        written.append(
            f"Appended to {into}: {added['vertebral_morphometry']} morphometry exam, "
            f"{added['ct_attenuation']} CT attenuation value(s)"
        )
    if output_format is MeasureFormat.json:
        print_json(output)
    else:
        print_text(output, written)
