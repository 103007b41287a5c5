"""The figures: the spine diagram's marks and shapes, the charts, and their PNG versions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from osteowedge.model.assessment import Assessment, GradedVertebra
from osteowedge.report import figures
from osteowedge.report.bone_density_chart import bone_density_svg
from osteowedge.report.glucocorticoid_chart import glucocorticoid_svg
from osteowedge.report.spine_diagram import SPINE_LEVELS, spine_svg

SVG = "{http://www.w3.org/2000/svg}"


def vertebra_marks(svg: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(svg)
    marks = [g.attrib for g in root.iter(f"{SVG}g") if g.get("class") == "vertebra"]
    return {m["data-level"]: dict(m) for m in marks}


def with_vertebrae(a: Assessment, vertebrae: list[GradedVertebra]) -> Assessment:
    return a.model_copy(update={"vertebrae": vertebrae})


def vertebra(level: str, **kw: object) -> GradedVertebra:
    base: dict[str, object] = {
        "level": level,
        "genant_grade": 0,
        "morphology": "normal",
        "height_loss_pct": 5.0,
        "reference_height_mm": 25.0,
        "counts_as_fracture": False,
    }
    return GradedVertebra.model_validate({**base, **kw})


def test_spine_marks_every_level_once_and_finds_the_grade_2_wedge(
    doc_assessment: Assessment,
) -> None:
    marks = vertebra_marks(spine_svg(doc_assessment))
    assert list(marks) == list(SPINE_LEVELS)
    assert marks["L1"]["data-grade"] == "2"
    assert marks["L1"]["data-morphology"] == "wedge"
    assert marks["L1"]["data-height-loss-pct"] == "34.4"
    assert marks["T12"]["data-grade"] == "0"
    assert marks["T4"]["data-measured"] == "false"
    assert marks["T4"]["data-grade"] == "none"


def test_spine_has_title_description_and_role(doc_assessment: Assessment) -> None:
    root = ET.fromstring(spine_svg(doc_assessment))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text and root.get("aria-labelledby") == title.get("id")
    assert desc is not None and desc.text and "L1 grade 2 wedge" in desc.text


def test_wedge_is_shorter_in_front_biconcave_at_the_waist_crush_everywhere(
    doc_assessment: Assessment,
) -> None:
    a = with_vertebrae(
        doc_assessment,
        [
            vertebra("T8", genant_grade=2, morphology="wedge", height_loss_pct=30.0),
            vertebra("T10", genant_grade=2, morphology="biconcave", height_loss_pct=30.0),
            vertebra("T12", genant_grade=3, morphology="crush", height_loss_pct=45.0),
            vertebra("L2"),
        ],
    )
    root = ET.fromstring(spine_svg(a))
    paths = {
        g.get("data-level"): g.find(f"{SVG}path")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "vertebra"
    }

    def heights(level: str) -> tuple[float, float, float]:
        """Anterior, middle (mid-edge control point distance) and posterior heights."""
        path = paths[level]
        assert path is not None
        n = [
            float(t)
            for t in path.get("d", "")
            .replace("M", " ")
            .replace("Q", " ")
            .replace("L", " ")
            .replace("Z", " ")
            .split()
        ]
        top_a, ctrl_top, top_p = n[1], n[3], n[5]
        bot_p, ctrl_bot, bot_a = n[7], n[9], n[11]
        return bot_a - top_a, ctrl_bot - ctrl_top, bot_p - top_p

    ha, hm, hp = heights("T8")
    assert ha < hp  # wedge: the front is shorter
    ha, hm, hp = heights("T10")
    assert hm < ha == hp  # biconcave: the waist
    normal = heights("T11")  # not measured: full height
    crushed = heights("T12")
    assert all(c < n for c, n in zip(crushed, normal, strict=True))


def test_possible_fracture_unmeasured_and_ungraded_levels(doc_assessment: Assessment) -> None:
    a = with_vertebrae(
        doc_assessment,
        [
            vertebra(
                "T9",
                genant_grade=1,
                morphology="wedge",
                height_loss_pct=22.0,
                possible_fracture=True,
            ),
            vertebra("L5", genant_grade=None, morphology=None, in_sdi=False),
        ],
    )
    svg = spine_svg(a)
    marks = vertebra_marks(svg)
    assert marks["T9"]["data-possible-fracture"] == "true"
    assert marks["T9"]["data-grade"] == "1"
    assert marks["L5"]["data-grade"] == "none" and marks["L5"]["data-measured"] == "true"
    assert marks["L1"]["data-measured"] == "false"
    assert ">1?<" in svg and ">n/g<" in svg and "possible fracture" in svg


def test_bone_density_chart_has_who_bands_and_lsc_band(doc_assessment: Assessment) -> None:
    svg = bone_density_svg(doc_assessment)
    root = ET.fromstring(svg)
    bands = {r.get("data-band") for r in root.iter(f"{SVG}rect") if r.get("class") == "who-band"}
    assert bands == {"normal", "osteopenia", "osteoporosis"}
    assert "LSC unknown" in svg  # the example gives no precision
    change = doc_assessment.bone_density.change_since_previous[0].model_copy(
        update={"least_significant_change_g_cm2": 0.025, "significant": True}
    )
    bd = doc_assessment.bone_density.model_copy(update={"change_since_previous": [change]})
    root = ET.fromstring(bone_density_svg(doc_assessment.model_copy(update={"bone_density": bd})))
    lsc = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "lsc-band"]
    assert [r.get("data-region") for r in lsc] == ["femoral_neck (left)"]


def test_glucocorticoid_timeline_has_the_three_dose_lines(doc_assessment: Assessment) -> None:
    root = ET.fromstring(glucocorticoid_svg(doc_assessment))
    lines = [
        float(x.get("data-mg-per-day", "nan"))
        for x in root.iter(f"{SVG}line")
        if x.get("class") == "dose-threshold"
    ]
    assert lines == [2.5, 7.5, 30.0]
    assert [p.get("data-route") for p in root.iter() if p.get("class") == "dose"] == ["systemic"]


def test_empty_charts_say_what_is_missing(doc_assessment: Assessment) -> None:
    bd = doc_assessment.bone_density.model_copy(update={"exams": []})
    a = doc_assessment.model_copy(update={"bone_density": bd, "glucocorticoid_exposure": None})
    assert "No DXA exam" in bone_density_svg(a)
    assert "No glucocorticoid exposure" in glucocorticoid_svg(a)
    ET.fromstring(bone_density_svg(a))  # still well-formed


def test_figures_come_as_svg_and_png(doc_assessment: Assessment) -> None:
    out = figures(doc_assessment)
    assert set(out) == {"spine", "bone_density", "glucocorticoid_timeline"}
    for svg, png in out.values():
        assert svg.startswith("<svg")
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
