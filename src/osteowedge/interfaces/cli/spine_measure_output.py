"""What `osteowedge spine measure` prints and writes: the JSON (patient-record parts, grades,
per-level measurements, QC and the notice), the text table, and appending the record parts to a
patient record. Heavy modules load inside the functions, so importing this stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.output import stdout
from osteowedge.io.files import write_atomic

if TYPE_CHECKING:
    from rich.table import Table

    from osteowedge.morphometry import GenantRules
    from osteowedge.morphometry.ct.results import LabelMapMeasurement

NOTICE = "automated measurement, for a reader to confirm"
NOTICE_LONG = (
    "Automated measurement from a CT label map, for a reader to confirm: heights, grades and HU "
    "come from a segmentation, not from a reader; an automated grade 1 is a possible fracture, "
    "and a CT HU value only prompts a DXA."
)


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
    from osteowedge.morphometry.ct.params import KNOWLEDGE_IDS
    from osteowedge.morphometry.ct.results import QcFlag

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


def print_text(output: dict[str, Any], written: list[str]) -> None:
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
