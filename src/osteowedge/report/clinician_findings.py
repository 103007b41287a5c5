"""The clinician report's findings: the key findings, the spine diagram with the vertebra table,
the bone density, the glucocorticoid chart and the iatrogenic causes."""

from __future__ import annotations

from osteowedge.model.assessment import Assessment, GradedVertebra
from osteowedge.report.bone_density_chart import bone_density_svg
from osteowedge.report.citations import Citations
from osteowedge.report.clinician_lists import reasons_html, statements_html
from osteowedge.report.figure_style import chart_lines, grade_colour, grade_label
from osteowedge.report.glucocorticoid_chart import glucocorticoid_svg
from osteowedge.report.html import esc, figure, humanize
from osteowedge.report.spine_diagram import spine_svg


def key_findings_section(a: Assessment, cites: Citations) -> str:
    urgency = a.triage.urgency
    flags = statements_html(a.triage.red_flags, cites, "No red flag.")
    diagnoses = statements_html(a.diagnoses, cites, "No diagnosis made from the data given.")
    risk = a.risk
    frax = risk.frax_glucocorticoid_adjusted
    frax_text = (
        f"FRAX adjusted for glucocorticoid dose: major osteoporotic "
        f"{'?' if frax.major_osteoporotic_pct is None else f'{frax.major_osteoporotic_pct:g}'} %, "
        f"hip {'?' if frax.hip_pct is None else f'{frax.hip_pct:g}'} %."
        if frax
        else "No glucocorticoid-adjusted FRAX."
    )
    minimum = f" (at least {humanize(risk.minimum_category)})" if risk.minimum_category else ""
    missing = (
        f"<p>Missing to decide: {esc(', '.join(humanize(m) for m in risk.missing_inputs))}.</p>"
        if risk.missing_inputs
        else ""
    )
    bd = a.bone_density
    lowest = (
        f"lowest T-score {bd.lowest_t_score:+.1f} ({humanize(bd.lowest_t_score_region or '?')})"
        if bd.lowest_t_score is not None
        else "no T-score used"
    )
    extras = []
    if bd.z_score_interpretation:
        z = "" if bd.lowest_z_score is None else f" (lowest Z {bd.lowest_z_score:+.1f})"
        extras.append(f"Z-score {humanize(bd.z_score_interpretation)}{z}")
    if bd.tbs_category:
        extras.append(f"TBS {humanize(bd.tbs_category)}")
    if bd.ct and bd.ct.l1_hu is not None:
        extras.append(
            f"CT {bd.ct.level_used or 'L1'} {bd.ct.l1_hu:g} HU"
            + (f" ({humanize(bd.ct.interpretation)})" if bd.ct.interpretation else "")
        )
    if a.spinal_deformity_index is not None:
        extras.append(f"SDI {a.spinal_deformity_index} over {len(a.sdi_levels)} levels")
    fractures = [v for v in a.vertebrae if v.counts_as_fracture]
    possible = [v for v in a.vertebrae if v.possible_fracture]
    vert = (
        "Vertebral fracture: "
        + ", ".join(
            f"{v.level} grade {grade_label(v.genant_grade)} {v.morphology or ''}".strip()
            for v in fractures
        )
        if fractures
        else "No vertebral fracture counted."
    )
    if possible:
        vert += (
            " Possible (automated grade 1, needs a reader): "
            + ", ".join(v.level for v in possible)
            + "."
        )
    return f"""
<section id="key-findings" aria-labelledby="h-key">
<h2 id="h-key">Key findings</h2>
<div class="findings">
<div class="box urgency-{esc(urgency)}"><h3>Urgency and red flags</h3>
<p><span class="badge {esc(urgency)}">{esc(urgency.upper())}</span></p>{flags}</div>
<div class="box"><h3>Diagnoses</h3>{diagnoses}</div>
<div class="box"><h3>Fracture risk (ACR 2022 GIOP)</h3>
<p><strong>{esc(humanize(risk.giop_category))}</strong>{esc(minimum)}. {esc(frax_text)}</p>
{missing}{statements_html(risk.basis, cites, "No rule decided the category.")}</div>
<div class="box"><h3>Bone density and spine</h3>
<p>WHO: <strong>{esc(humanize(bd.who_category))}</strong>, {esc(lowest)}{
        cites.cite(bd.citation_ids)
    }.</p>
<p>{esc("; ".join(extras)) + "." if extras else ""}</p><p>{esc(vert)}</p></div>
</div>
</section>"""


def _vertebra_row(v: GradedVertebra) -> str:
    grade = grade_label(v.genant_grade)
    status = (
        "fracture"
        if v.counts_as_fracture
        else "possible (needs reader)"
        if v.possible_fracture
        else "not graded"
        if v.genant_grade is None
        else ""
    )
    loss = "" if v.height_loss_pct is None else f"{v.height_loss_pct:.1f}"
    angle = "" if v.wedge_angle_deg is None else f"{v.wedge_angle_deg:.1f}"
    reader = "" if v.reader_grade is None else f"{v.reader_grade:g}"
    return (
        f'<tr><td>{esc(v.level)}</td><td><span class="swatch" style="background:'
        f'{grade_colour(v.genant_grade)}"></span> {esc(grade)}</td>'
        f"<td>{esc(v.morphology or '')}</td><td>{loss}</td><td>{angle}</td><td>{reader}</td>"
        f"<td>{esc(status)}</td></tr>"
    )


def spine_section(a: Assessment, bone_density: str) -> str:
    rows = "".join(_vertebra_row(v) for v in a.vertebrae)
    table = (
        '<table class="compact"><caption class="why">Vertebrae measured</caption><thead><tr>'
        "<th>Level</th><th>Genant</th><th>Shape</th><th>Loss %</th><th>Wedge °</th>"
        f"<th>Reader</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p>No vertebral morphometry in the record.</p>"
    )
    excluded = "".join(
        f"<li>{esc(e.level)}: {esc('; '.join(e.reasons))}</li>"
        for e in a.bone_density.excluded_vertebrae
    )
    excluded_html = f"<h3>Excluded from spine BMD</h3><ul>{excluded}</ul>" if excluded else ""
    qc = "".join(f"<li>{esc(v.level)}: {esc('; '.join(v.qc))}</li>" for v in a.vertebrae if v.qc)
    qc_html = f"<h3>Measurement checks</h3><ul>{qc}</ul>" if qc else ""
    caption = (
        "Spine T4-L5, lateral view, anterior left. Fill = Genant grade (viridis stops, grey = 0); "
        "shape follows the morphology and height loss; dashed = not measured; '1?' = automated "
        "grade 1 (possible fracture). Image measurements are for a reader to confirm."
    )
    return f"""
<section id="spine" aria-labelledby="h-spine">
<h2 id="h-spine">Spine diagram</h2>
<div class="spine-row">{figure(spine_svg(a), caption, "figure-spine")}
<div class="side">{table}{excluded_html}{qc_html}{bone_density}</div></div>
</section>"""


def bone_density_section(a: Assessment) -> str:
    bd = a.bone_density
    lines = chart_lines()
    changes = "".join(
        f"<li>{esc(humanize(c.region))}: {c.change_g_cm2:+.3f} g/cm² ({c.change_pct:+.1f} %); "
        + (
            "LSC unknown (no precision given)"
            if c.least_significant_change_g_cm2 is None
            else f"LSC {c.least_significant_change_g_cm2:.3f} g/cm², "
            + ("significant" if c.significant else "not significant")
        )
        + "</li>"
        for c in bd.change_since_previous
    )
    bd_caption = (
        "No DXA exam in the record; the assessment rests on the other data."
        if not bd.exams
        else "Left: T-scores of the latest DXA exam against the WHO bands (normal at "
        f"{lines.who_normal_min_t:g} or above, osteoporosis at {lines.who_osteoporosis_max_t:g} "
        "or below); open marker = excluded vertebra. Right: BMD over the exams; the shaded band "
        "is the previous value ± the least significant change."
    )
    return f"""
<section id="bone-density" aria-labelledby="h-bmd">
<h2 id="h-bmd">Bone density</h2>
{figure(bone_density_svg(a), bd_caption, "figure-bone-density")}
{f"<ul>{changes}</ul>" if changes else ""}
</section>"""


def charts_section(a: Assessment, cites: Citations) -> str:
    gc = a.glucocorticoid_exposure
    lines = chart_lines()
    steps = " / ".join(f"{v:g}" for v in lines.gc_mg_per_day)
    gc_text = ""
    if gc is not None:

        def num(value: float | int | None, unit: str) -> str:
            return "unknown" if value is None else f"{value:g} {unit}"

        gc_text = (
            f"<p>Current {num(gc.current_prednisone_equivalent_mg_per_day, 'mg/day')}, "
            f"maximum {num(gc.max_prednisone_equivalent_mg_per_day, 'mg/day')}, "
            f"{num(gc.cumulative_prednisone_equivalent_mg_last_12_months, 'mg')} in the last "
            f"12 months; days at or above {steps} mg/day in the last 12 months: "
            + " / ".join(num(d.days, "") for d in gc.days_at_or_above)
            + ".</p>"
        )
    gc_caption = (
        "No glucocorticoid exposure in the record."
        if gc is None or not gc.periods
        else "Prednisone-equivalent dose per day (overlapping prescriptions add up), with the "
        f"{lines.gc_text()} lines; the grey area is the last 12 months."
    )
    return f"""
<section id="charts" class="charts" aria-labelledby="h-gc">
<h2 id="h-gc">Glucocorticoid exposure</h2>
{figure(glucocorticoid_svg(a), gc_caption, "figure-glucocorticoid-timeline")}
{gc_text}
</section>
<section id="causes" aria-labelledby="h-causes">
<h2 id="h-causes">Iatrogenic causes and their evidence</h2>
{_causes(a, cites)}
</section>"""


def _causes(a: Assessment, cites: Citations) -> str:
    if not a.iatrogenic_causes:
        return "<p>No iatrogenic cause found in the record.</p>"
    met = {True: "yes", False: "no", None: "cannot tell"}
    rows = []
    for c in a.iatrogenic_causes:
        what = ", ".join(dict.fromkeys([*c.medications, *(humanize(x) for x in c.exposures)]))
        rows.append(
            f"<tr><td><strong>{esc(c.label)}</strong>{cites.cite(c.citation_ids)}<br>"
            f'<span class="why">{esc(what)}</span></td><td>{met[c.meets_threshold]}</td>'
            f"<td>{reasons_html(c.reasons)}</td><td>{esc(c.evidence)}</td></tr>"
        )
    return (
        '<table class="compact causes"><thead><tr><th>Cause</th><th>Dose or duration met</th>'
        f"<th>Why</th><th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
