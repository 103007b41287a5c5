"""`osteowedge spine`: Genant grading from heights or landmarks, CT label-map measurement,
inter-reader agreement."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from osteowedge.errors import InputError
from osteowedge.interfaces.cli.output import print_json, speaks_errors, stdout

if TYPE_CHECKING:  # numpy, pydantic and the knowledge base load when a command runs
    from osteowedge.model.patient import MorphometryExam
    from osteowedge.morphometry import GenantRules

NOTICE = (
    "Decision support: measured grades are for a reader to confirm; an automated grade 1 is a "
    "possible fracture, not a diagnosis."
)

app = typer.Typer(
    help="Vertebral morphometry: Genant grade and type, CT label-map measurement, reader "
    "agreement. Automated measurements are for a reader to confirm.",
    no_args_is_help=True,
)


class Format(StrEnum):
    json = "json"
    text = "text"


class ReaderOption(StrEnum):
    automated = "automated"
    human = "human"


def _exam_from(data: dict[str, Any], reader: ReaderOption | None) -> MorphometryExam:
    from pydantic import ValidationError

    from osteowedge.model.patient import MorphometryExam
    from osteowedge.model.validate import problems_from

    exam = {
        "date": data.get("date"),
        "source": data.get("source", "radiograph"),
        "reader": reader.value if reader else data.get("reader", "automated"),
        "vertebrae": data.get("vertebrae"),
    }
    try:
        return MorphometryExam.model_validate(exam)
    except ValidationError as exc:
        problems = problems_from(exc)
        raise InputError(f"cannot grade: {len(problems)} problem(s)", problems) from None


def _graded(exam: MorphometryExam, rules: GenantRules, path: str) -> dict[str, Any]:
    from osteowedge.morphometry import grade_exam

    grading = grade_exam(exam, rules, path)
    return {
        "date": exam.date.isoformat() if exam.date else None,
        "source": exam.source,
        "reader": exam.reader,
        **grading.as_dict(),
    }


def _table(result: dict[str, Any], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in (
        "level",
        "grade",
        "type",
        "loss %",
        "ref. mm",
        "Ha/Hp",
        "Hm/Hp",
        "fracture",
        "notes",
    ):
        table.add_column(column, justify="right" if column in {"loss %", "ref. mm"} else "left")
    for v in result["vertebrae"]:
        fracture = (
            "yes" if v["counts_as_fracture"] else ("possible" if v["possible_fracture"] else "")
        )
        source = "+".join(v["neighbours"]) if v["reference"] == "neighbours" else "own Hp"
        grade = "not graded" if v["genant_grade"] is None else str(v["genant_grade"])
        table.add_row(
            v["level"],
            grade,
            v["morphology"] or "",
            f"{v['height_loss_pct']:.1f}",
            f"{v['reference_height_mm']:.1f} {source}",
            f"{v['ratios']['ha_hp']:.2f}",
            f"{v['ratios']['hm_hp']:.2f}",
            fracture,
            ", ".join(v["qc"]),
        )
    return table


def grade(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help='JSON with {"vertebrae": \\[heights or landmarks]} or a whole patient record; '
            "- reads stdin.",
        ),
    ],
    output_format: Annotated[Format, typer.Option("--format", help="json or text.")] = Format.json,
    reader: Annotated[
        ReaderOption | None,
        typer.Option(
            help="Who measured (bare vertebrae input); default: the file's 'reader', "
            "else automated."
        ),
    ] = None,
) -> None:
    """Genant grade, morphology, QM ratios, wedge angle and SDI of every vertebra."""
    from osteowedge.io.records import read_json_object
    from osteowedge.knowledge import load_knowledge_base
    from osteowedge.model import parse_patient
    from osteowedge.morphometry import GenantRules

    rules = GenantRules.from_knowledge(load_knowledge_base())
    data = read_json_object(file)
    exams: list[dict[str, Any]]
    if "vertebral_morphometry" in data or "id" in data:
        record = parse_patient(data)
        if not record.vertebral_morphometry:
            raise InputError(
                f"{file}: the patient record has no vertebral_morphometry exam to grade",
                [],
            )
        indexed = list(enumerate(record.vertebral_morphometry))
        indexed.sort(key=lambda ie: (ie[1].date is not None, ie[1].date), reverse=True)
        exams = [_graded(e, rules, f"/vertebral_morphometry/{i}") for i, e in indexed]
    else:
        if "vertebrae" not in data:
            raise InputError(
                f"{file}: nothing to grade",
                [],
            )
        exams = [_graded(_exam_from(data, reader), rules, "")]
    latest, earlier = exams[0], exams[1:]
    result = {**latest, "earlier_exams": earlier, "notice": NOTICE}
    if output_format is Format.json:
        print_json(result)
        return
    when = latest["date"] or "undated"
    stdout.print(_table(latest, f"{latest['source']} {when}, reader {latest['reader']}"))
    stdout.print(
        f"Spinal deformity index ({', '.join(latest['sdi_levels']) or 'no T4-L4 level'}): "
        f"{latest['spinal_deformity_index']}",
        highlight=False,
    )
    for warning in latest["warnings"]:
        stdout.print(f"warning: {warning}", highlight=False)
    for exam in earlier:
        stdout.print(_table(exam, f"earlier: {exam['source']} {exam['date'] or 'undated'}"))
    stdout.print(NOTICE, highlight=False)


def agreement(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Directory of multi-reader annotation JSON files."),
    ],
    output_format: Annotated[Format, typer.Option("--format", help="json or text.")] = Format.json,
) -> None:
    """Inter-reader agreement on heights: mean absolute and relative difference, ICC(2,1)."""
    from osteowedge.io.anchor_free import read_directory
    from osteowedge.morphometry import reader_agreement

    report = reader_agreement(read_directory(directory)).as_dict()
    if output_format is Format.json:
        print_json(report)
        return
    stdout.print(
        f"{report['n_vertebrae']} vertebrae in {report['n_studies']} studies measured by 2 or more "
        f"readers; heights in {report['unit']}s",
        highlight=False,
    )
    table = Table(title="Inter-reader agreement", title_justify="left")
    for column in ("height", "pairs", "MAD", "SD", "rel. diff %", "ICC(2,1) [readers, n]"):
        table.add_column(column)
    for h in report["heights"]:
        icc = "; ".join(
            f"{b['icc_2_1']:.3f} [{len(b['readers'])}, {b['n_vertebrae']}]" for b in h["icc"]
        )
        table.add_row(
            h["height"],
            str(h["n_pairs"]),
            f"{h['mean_abs_diff_voxels']:.2f}",
            f"{h['sd_abs_diff_voxels']:.2f}",
            f"{h['mean_rel_diff_pct']:.1f}",
            icc,
        )
    stdout.print(table)


app.command("grade")(speaks_errors(grade))
app.command("agreement")(speaks_errors(agreement))

from osteowedge.interfaces.cli.spine_measure import measure  # noqa: E402

app.command("measure")(measure)
