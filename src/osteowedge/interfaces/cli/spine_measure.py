"""`osteowedge spine measure`: vertebral heights and trabecular HU from a CT label map.

Reads a NIfTI label map (TotalSegmentator `total` or `vertebrae_pp`, VerSe) and optionally the CT
it segments, measures every vertebral body (``osteowedge.morphometry.labelmap``), grades the
levels that may be graded (``osteowedge.morphometry.genant``) and prints the patient-record parts
(`vertebral_morphometry`, `ct_attenuation`) with the grades and QC. ``--into`` appends them to a
patient record, ``--out`` also writes the JSON and a QC picture. Heavy modules (numpy, nibabel)
load when the command runs, so ``osteowedge --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from osteowedge.errors import ImageGeometryError, InputError, Problem
from osteowedge.interfaces.cli.output import print_json, speaks_errors, stderr, stdout
from osteowedge.io.files import write_atomic

if TYPE_CHECKING:
    from rich.table import Table

    from osteowedge.morphometry import GenantRules
    from osteowedge.morphometry.labelmap import LabelMapMeasurement

NOTICE = "automated measurement, for a reader to confirm"
NOTICE_LONG = (
    "Automated measurement from a CT label map, for a reader to confirm: heights, grades and HU "
    "come from a segmentation, not from a reader; an automated grade 1 is a possible fracture, "
    "and a CT HU value only prompts a DXA."
)


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


def build_output(
    measurement: LabelMapMeasurement,
    *,
    date: dt.date | None,
    contrast_phase: str | None,
    kvp: float | None,
    ct_given: bool,
    rules: GenantRules,
    knowledge_version: str,
    sources: dict[str, Any],
) -> dict[str, Any]:
    """The command's JSON: record parts, grades, per-level measurements, QC and the notice."""
    from osteowedge.morphometry import Heights, grade_spine
    from osteowedge.morphometry.labelmap import KNOWLEDGE_IDS, QcFlag

    iso = date.isoformat() if date else None
    extra: dict[str, list[QcFlag]] = {}
    qc = list(measurement.qc)
    if ct_given and contrast_phase is None:
        for m in measurement.levels:
            if m.roi is not None:
                flag = QcFlag(
                    m.level,
                    "contrast_phase_unknown",
                    f"{m.level}: no --contrast-phase given; contrast raises trabecular HU "
                    "(portal-venous and arterial phases read higher than native)",
                )
                extra.setdefault(m.level, []).append(flag)
                qc.append(flag)

    heights = [
        Heights(
            level=m.level,
            anterior_mm=round(m.anterior_mm, 1),
            middle_mm=round(m.middle_mm, 1),
            posterior_mm=round(m.posterior_mm, 1),
            ap_depth_mm=None if m.ap_depth_mm is None else round(m.ap_depth_mm, 1),
        )
        for m in measurement.gradable
        if m.anterior_mm is not None and m.middle_mm is not None and m.posterior_mm is not None
    ]
    vertebrae_record = [
        {
            "level": h.level,
            "anterior_mm": h.anterior_mm,
            "middle_mm": h.middle_mm,
            "posterior_mm": h.posterior_mm,
            "ap_depth_mm": h.ap_depth_mm,
        }
        for h in heights
    ]
    exam = (
        {"date": iso, "source": "ct", "reader": "automated", "vertebrae": vertebrae_record}
        if vertebrae_record
        else None
    )
    attenuation = [
        {
            "date": iso,
            "level": m.level,
            "mean_hu": round(m.roi.mean_hu, 1),
            "kvp": kvp,
            "contrast_phase": contrast_phase or "unknown",
        }
        for m in measurement.levels
        if m.roi is not None and m.measured and not m.cut_by_field_of_view
    ]

    graded: list[dict[str, Any]] = []
    sdi: int | None = None
    sdi_levels: list[str] = []
    warnings: list[str] = []
    if heights:
        grading = grade_spine(heights, rules, reader="automated")
        own_flags = {m.level: list(m.flag_ids) for m in measurement.levels}
        for g in grading.vertebrae:
            entry = g.as_dict()
            added = own_flags.get(g.level, []) + [f.flag for f in extra.get(g.level, [])]
            entry["qc"] = list(dict.fromkeys([*entry["qc"], *added]))
            graded.append(entry)
        sdi = grading.spinal_deformity_index
        sdi_levels = list(grading.sdi_levels)
        warnings = list(grading.warnings)
    not_graded = [
        {
            "level": m.level,
            "reasons": [f.flag for f in m.flags if f.flag != "contrast_phase_unknown"]
            or ["no heights"],
        }
        for m in measurement.levels
        if not m.gradable
    ]
    measurements = []
    for m in measurement.levels:
        entry = m.as_dict()
        entry["qc"] = [*entry["qc"], *(f.flag for f in extra.get(m.level, []))]
        measurements.append(entry)
    return {
        "notice": NOTICE,
        "disclaimer": NOTICE_LONG,
        "knowledge_version": knowledge_version,
        "knowledge_ids": list(KNOWLEDGE_IDS),
        "input": {
            **sources,
            "label_scheme": measurement.scheme.name,
            "label_scheme_title": measurement.scheme.title,
            "ignored_labels": list(measurement.ignored_labels),
        },
        "vertebral_morphometry": exam,
        "ct_attenuation": attenuation,
        "vertebrae": graded,
        "spinal_deformity_index": sdi,
        "sdi_levels": sdi_levels,
        "not_graded": not_graded,
        "measurements": measurements,
        "qc": [f.as_dict() for f in qc],
        "warnings": warnings,
    }


def append_to_record(path: Path, output: dict[str, Any]) -> dict[str, int]:
    """Append the exam and CT values to the patient record at ``path``, validated, atomically.

    The record is re-validated with the additions (``parse_patient``); the new file is written
    next to the old one and moved over it, so a failure leaves the original untouched. Running
    it again with the same measurement adds nothing and leaves the file as it is.
    """
    from osteowedge.io.records import read_json_object
    from osteowedge.model import parse_patient

    record = read_json_object(path)
    exam = output["vertebral_morphometry"]
    attenuation = output["ct_attenuation"]
    if exam is None and not attenuation:
        raise InputError(
            f"{path}: nothing to append: no level could be graded (all cut by the field of view "
            "or unmeasured) and no CT value was measured; the record was left unchanged"
        )
    exams = record.setdefault("vertebral_morphometry", [])
    values = record.setdefault("ct_attenuation", [])
    for name, items in (("vertebral_morphometry", exams), ("ct_attenuation", values)):
        if not isinstance(items, list):
            raise InputError(f"{path}: {name} must be a list to append to")
    # idempotent: what the record already holds (the same exam, the same values) is not added
    new_exam = exam is not None and exam not in exams
    new_values = [v for v in attenuation if v not in values]
    if not (new_exam or new_values):
        return {"vertebral_morphometry": 0, "ct_attenuation": 0}
    if new_exam:
        exams.append(exam)
    values.extend(new_values)
    try:
        parse_patient(record)
    except InputError as exc:
        raise InputError(
            f"{path}: the record would be invalid with the new exam, so it was left unchanged: "
            f"{exc.message}",
            exc.problems,
        ) from None
    write_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return {"vertebral_morphometry": int(new_exam), "ct_attenuation": len(new_values)}


def _table(output: dict[str, Any]) -> Table:
    from rich.table import Table

    graded = {v["level"]: v for v in output["vertebrae"]}
    table = Table(
        title=f"Vertebral bodies ({output['input']['label_scheme_title']})", title_justify="left"
    )
    columns = ("level", "Ha mm", "Hm mm", "Hp mm", "AP mm", "body mL", "HU", "grade", "type")
    for column in (*columns, "loss %"):
        table.add_column(column, justify="left" if column in {"level", "type"} else "right")

    def mm(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    for m in output["measurements"]:
        g = graded.get(m["level"])
        roi = m["trabecular_roi"]
        if g is None:
            grade = "-"
        elif g["genant_grade"] is None:
            grade = "n/a"
        else:
            grade = str(g["genant_grade"])
        table.add_row(
            m["level"],
            mm(m["anterior_mm"]),
            mm(m["middle_mm"]),
            mm(m["posterior_mm"]),
            mm(m["ap_depth_mm"]),
            f"{m['body_volume_ml']:.1f}",
            "" if roi is None else f"{roi['mean_hu']:.0f}",
            grade,
            "" if g is None else (g["morphology"] or ""),
            "" if g is None else f"{g['height_loss_pct']:.1f}",
        )
    return table


def _print_text(output: dict[str, Any], written: list[str]) -> None:
    stdout.print(_table(output))
    stdout.print(
        "grade: - not graded (see QC); n/a measured, outside the graded levels (T4-L4)",
        highlight=False,
    )
    levels = ", ".join(output["sdi_levels"]) or "no T4-L4 level graded"
    stdout.print(
        f"Spinal deformity index ({levels}): {output['spinal_deformity_index']}", highlight=False
    )
    phase_unknown = False
    for q in output["qc"]:
        if q["flag"] == "contrast_phase_unknown":
            phase_unknown = True
            continue
        stdout.print(f"QC {q['flag']}: {q['message']}", highlight=False)
    if phase_unknown:
        stdout.print(
            "QC contrast_phase_unknown: no --contrast-phase given; HU may read high",
            highlight=False,
        )
    for warning in output["warnings"]:
        stdout.print(f"warning: {warning}", highlight=False)
    for line in written:
        stdout.print(line, highlight=False)
    stdout.print(f"[bold]{NOTICE_LONG}[/]", highlight=False)


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
    from osteowedge.morphometry.labelmap import MeasurementParams, measure_label_map

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
        _print_text(output, written)
