"""The clinician report: key findings and the spine diagram on page 1, then the charts, the
iatrogenic causes, the workup, the plan, what to avoid, follow-up and numbered references.
At most 4 pages of A4 or Letter (a test holds it to that)."""

from __future__ import annotations

from collections.abc import Iterable

from osteowedge.model.assessment import Assessment, GradedVertebra, Statement
from osteowedge.report.bone_density_chart import bone_density_svg
from osteowedge.report.citations import Citations
from osteowedge.report.figure_style import chart_lines, grade_colour, grade_label
from osteowedge.report.glucocorticoid_chart import glucocorticoid_svg
from osteowedge.report.html import PageSize, base_css, esc, figure, humanize, page
from osteowedge.report.spine_diagram import spine_svg

CSS = """
body { line-height: 1.3; }
@media print { body { line-height: 1.22; } @page { margin: 10mm 10mm 12mm 10mm; } }
header.report { border-bottom: 2px solid var(--ink); margin-bottom: 0.3rem; }
header.report h1 { font-size: 1.45em; margin: 0 0 0.15rem 0; }
header.report p { margin: 0 0 0.2rem 0; color: var(--muted); font-size: 0.85em; }
h2 { font-size: 1.12em; margin: 0.5rem 0 0.2rem 0; border-bottom: 1px solid var(--line); }
h3 { font-size: 0.98em; margin: 0.35rem 0 0.1rem 0; }
p { margin: 0.15rem 0; }
ul { margin: 0.1rem 0 0.2rem 1.1rem; padding: 0; }
li { margin: 0.05rem 0; }
.why { color: var(--muted); }
.findings { display: grid; grid-template-columns: 1fr 1fr; gap: 0.2rem 0.8rem; }
.box { border: 1px solid var(--line); border-left: 4px solid var(--accent); padding: 0.2rem 0.4rem;
       break-inside: avoid; }
.box h3 { margin-top: 0; }
.urgency-urgent { border-left-color: #D55E00; }
.urgency-soon { border-left-color: #E69F00; }
.badge { display: inline-block; padding: 0 0.35rem; border-radius: 0.2rem; font-weight: bold;
         border: 1px solid var(--ink); }
.badge.urgent { background: #D55E00; color: #fff; border-color: #D55E00; }
.badge.soon { background: #E69F00; color: #000; border-color: #E69F00; }
.spine-row { display: flex; gap: 0.8rem; align-items: flex-start; }
.spine-row figure { flex: 0 0 35%; }
.spine-row .side { flex: 1 1 auto; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border: 1px solid #555;
          vertical-align: -0.1em; }
.charts figure { margin-bottom: 0.3rem; }
table.compact { font-size: 0.92em; }
table.drugs th:nth-child(1) { width: 15%; } table.drugs th:nth-child(2) { width: 20%; }
table.drugs th:nth-child(3) { width: 23%; }
table.drugs tr, table.causes tr { break-inside: auto; page-break-inside: auto; }
.references { font-size: 0.78em; columns: 2; column-gap: 1rem; padding: 0; margin: 0;
              list-style: none; }
.references li { display: inline; overflow-wrap: anywhere; }
.references .n { font-weight: bold; }
.columns { columns: 2; column-gap: 1rem; }
.columns .group { break-inside: avoid; }
.columns.advice { font-size: 0.9em; }
footer { margin-top: 0.4rem; font-size: 0.78em; color: var(--muted);
         border-top: 1px solid var(--line); }
@media print {
  header.report h1 { font-size: 14pt; }
  .references { font-size: 5.6pt; columns: 3; column-gap: 0.6rem; line-height: 1.12; }
}
"""


def _reasons(reasons: Iterable[str]) -> str:
    items = [r for r in reasons if r]
    return f'<span class="why">{esc("; ".join(items))}</span>' if items else ""


def _statements(items: list[Statement], cites: Citations, empty: str) -> str:
    if not items:
        return f"<p>{esc(empty)}</p>"
    rows = []
    for s in items:
        why = _reasons(s.reasons)
        rows.append(
            f"<li><strong>{esc(s.label)}</strong>{cites.cite(s.citation_ids)}"
            f"{' — ' + why if why else ''}</li>"
        )
    return "<ul>" + "".join(rows) + "</ul>"


def _grouped(items: list[tuple[str, list[str], list[str]]], cites: Citations, empty: str) -> str:
    """(label, reasons, citation ids) items that share their reasons on one line."""
    if not items:
        return f"<p>{esc(empty)}</p>"
    groups: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}
    for label, reasons, citation_ids in items:
        groups.setdefault(tuple(reasons), []).append((label, citation_ids))
    rows = []
    for shared, members in groups.items():
        labels = ", ".join(
            f"<strong>{esc(label)}</strong>{cites.cite(ids)}" for label, ids in members
        )
        why = _reasons(shared)
        rows.append(f"<li>{labels}{' — ' + why if why else ''}</li>")
    return "<ul>" + "".join(rows) + "</ul>"


def _key_findings(a: Assessment, cites: Citations) -> str:
    urgency = a.triage.urgency
    flags = _statements(a.triage.red_flags, cites, "No red flag.")
    diagnoses = _statements(a.diagnoses, cites, "No diagnosis made from the data given.")
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
{missing}{_statements(risk.basis, cites, "No rule decided the category.")}</div>
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


def _spine(a: Assessment, bone_density: str) -> str:
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


def _bone_density(a: Assessment) -> str:
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


def _charts(a: Assessment, cites: Citations) -> str:
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
            f"<td>{_reasons(c.reasons)}</td><td>{esc(c.evidence)}</td></tr>"
        )
    return (
        '<table class="compact causes"><thead><tr><th>Cause</th><th>Dose or duration met</th>'
        f"<th>Why</th><th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _value(value: float | None, unit: str | None) -> str:
    return "" if value is None else esc(f"{value:g} {unit or ''}".strip())


def _workup(a: Assessment, cites: Citations) -> str:
    w = a.workup
    labs = "".join(
        f"<tr><td>{esc(f.label)}{cites.cite(f.citation_ids)}</td><td>{_value(f.value, f.unit)}"
        f"</td><td>{esc(f.status)}</td><td>{_reasons(f.reasons)}</td></tr>"
        for f in w.lab_findings
    )
    renal = []
    if w.egfr_ml_min_1_73m2 is not None:
        renal.append(f"eGFR {w.egfr_ml_min_1_73m2:g} mL/min/1.73 m²")
    if w.creatinine_clearance_ml_min is not None:
        renal.append(f"creatinine clearance {w.creatinine_clearance_ml_min:g} mL/min")
    return f"""
<section id="workup" aria-labelledby="h-workup">
<h2 id="h-workup">Workup</h2>
<h3>Tests to order</h3>
{
        _grouped(
            [(t.label, t.reasons, t.citation_ids) for t in w.recommended_tests],
            cites,
            "No further test recommended.",
        )
    }
<h3>Laboratory findings</h3>
{
        '<table class="compact"><thead><tr><th>Test</th><th>Value</th><th>Status</th><th>Basis</th>'
        f"</tr></thead><tbody>{labs}</tbody></table>"
        if labs
        else "<p>No laboratory results.</p>"
    }
{f"<p>{esc('; '.join(renal))}.</p>" if renal else ""}
</section>"""


_FULL_DRUG_ROWS = 4  # drugs shown with dose and rationale; the rest are named in order


def _plan(a: Assessment, cites: Citations) -> str:
    p = a.plan
    drugs_in = p.pharmacological
    first_shown: dict[str, int] = {}
    timing_shown: dict[str, int] = {}
    rows = []
    shown_in_full, more = drugs_in[:_FULL_DRUG_ROWS], drugs_in[_FULL_DRUG_ROWS:]
    for i, d in enumerate(shown_in_full, start=1):
        lines = [
            *(f"First: {b}" for b in d.before_starting),
            *d.reasons,
            *(f"Not yet checked: {u}" for u in d.unverified_checks),
        ]
        new = [r for r in lines if r not in first_shown]
        repeated = sorted({first_shown[r] for r in lines if r in first_shown})
        for r in new:
            first_shown[r] = i
        again = (
            f"; and the reasons given for {', '.join(str(n) for n in repeated)}" if repeated else ""
        )
        timing = d.timing or ""
        if timing in timing_shown:
            timing = f"As for {timing_shown[timing]}."
        elif timing:
            timing_shown[timing] = i
        status = "" if d.ready_to_start else '<br><span class="why">Not ready to start</span>'
        rows.append(
            f"<tr><td><strong>{i}. {esc(d.label)}</strong>{cites.cite(d.citation_ids)}{status}</td>"
            f'<td>{esc(d.dose)}<br><span class="why">{esc(humanize(d.route))}, '
            f"{esc(humanize(d.frequency))}</span></td>"
            f"<td>{esc(timing)}"
            f"{'<br>Duration: ' + esc(d.duration) if d.duration else ''}</td>"
            f'<td>{_reasons(new)}<span class="why">{esc(again)}</span></td></tr>'
        )
    drugs = "".join(rows)
    also = "; ".join(
        f"{i}. {esc(d.label)}{cites.cite(d.citation_ids)}"
        + ("" if d.ready_to_start else " (not ready to start: see the assessment's checks)")
        for i, d in enumerate(more, start=len(shown_in_full) + 1)
    )
    if also:
        drugs += (
            f'<tr><td colspan="4"><strong>Also suitable, in order of preference:</strong> '
            f"{also}.</td></tr>"
        )
    drug_table = (
        '<table class="compact drugs"><thead><tr><th>Drug (order of preference)</th><th>Dose</th>'
        f"<th>Timing and duration</th><th>Rationale</th></tr></thead><tbody>{drugs}</tbody></table>"
        if drugs
        else "<p>No drug treatment recommended from the data given.</p>"
    )
    groups = [
        ("Supplements", p.supplements),
        ("Physiotherapy and other non-drug care", p.non_pharmacological),
        ("Exercise", p.exercise),
        ("Mind-body", p.mind_body),
        ("Education", p.education),
        ("Referrals", p.referrals),
    ]
    rest = "".join(
        f'<div class="group"><h3>{esc(title)}</h3>{_statements(items, cites, "")}</div>'
        for title, items in groups
        if items
    )
    advice = "".join(
        f"<p><strong>{esc(title)}</strong> (worded for the patient in the patient summary): "
        + "; ".join(f"{esc(humanize(s.id))}{cites.cite(s.citation_ids)}" for s in items)
        + ".</p>"
        for title, items in (("Prevention", p.prevention), ("Daily habits", p.do))
        if items
    )
    return f"""
<section id="plan" aria-labelledby="h-plan">
<h2 id="h-plan">Plan</h2>
<h3>Medicines</h3>
{drug_table}
<div class="columns">{rest}</div>
{advice}
</section>"""


def _avoid(a: Assessment, cites: Citations) -> str:
    p = a.plan
    drugs = [(humanize(d.drug), d.reasons, d.citation_ids) for d in p.avoid]
    return f"""
<section id="avoid" aria-labelledby="h-avoid">
<h2 id="h-avoid">What to avoid and why</h2>
<h3>Medicines not to start now</h3>
{_grouped(drugs, cites, "No medicine excluded.")}
<h3>Activities</h3>
{_statements(p.avoid_activities, cites, "No activity restriction.")}
</section>"""


def _follow_up(a: Assessment, cites: Citations) -> str:
    warnings = "".join(
        f"<li>{esc(w.message)}{f' <code>{esc(w.path)}</code>' if w.path else ''}</li>"
        for w in a.warnings
    )
    return f"""
<section id="follow-up" aria-labelledby="h-follow">
<h2 id="h-follow">Follow-up</h2>
{_statements(a.plan.follow_up, cites, "No follow-up item.")}
</section>
{
        '<section id="limitations" aria-labelledby="h-limits">'
        '<h2 id="h-limits">Data limitations</h2>'
        f'<ul class="why">{warnings}</ul></section>'
        if warnings
        else ""
    }"""


MAX_PAGES = 4
# Print body sizes: the normal one, and the compact one used when a long record would otherwise
# run past MAX_PAGES (render_pdf checks the page count and falls back).
BODY_PT = 7.2
COMPACT_BODY_PT = 6.3
COMPACT_CSS = """
@media print {
  .references { font-size: 5pt; columns: 4; }
  .spine-row figure { flex: 0 0 30%; }
  h2 { margin-top: 0.3rem; }
}
"""


def render_clinician_html(
    assessment: Assessment, page_size: PageSize = "A4", compact: bool = False
) -> str:
    """The clinician report as one self-contained HTML document (``compact``: smaller print
    type, for records whose report would otherwise run past 4 pages)."""
    a = assessment
    cites = Citations(a.references)
    key = _key_findings(a, cites)
    spine = _spine(a, _bone_density(a))
    charts = _charts(a, cites)
    workup = _workup(a, cites)
    plan = _plan(a, cites)
    avoid = _avoid(a, cites)
    follow = _follow_up(a, cites)
    references = f"""
<section id="references" aria-labelledby="h-refs">
<h2 id="h-refs">References</h2>
{cites.reference_list()}
</section>"""
    header = f"""
<header class="report">
<h1>Bone health assessment: clinician report</h1>
<p>Patient <strong>{esc(a.patient_id)}</strong> · as of {a.as_of.isoformat()} ·
knowledge {esc(a.knowledge_version)} · osteowedge {esc(a.software_version)} ·
schema {esc(a.schema_version)}</p>
</header>"""
    footer = f"<footer><p>{esc(a.education.disclaimer)}</p></footer>"
    body = (
        f"{header}<main>{key}{spine}{charts}{workup}{plan}{avoid}{follow}{references}</main>"
        f"{footer}"
    )
    body_pt = COMPACT_BODY_PT if compact else BODY_PT
    css = (
        base_css(page_size, body_pt=body_pt, screen_px=15) + CSS + (COMPACT_CSS if compact else "")
    )
    return page(f"Clinician report: {a.patient_id} ({a.as_of.isoformat()})", css, body)
