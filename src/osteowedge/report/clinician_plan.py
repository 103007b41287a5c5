"""The clinician report's actions: the workup, the plan, what to avoid and the follow-up (with the
data limitations)."""

from __future__ import annotations

from osteowedge.model.assessment import Assessment
from osteowedge.report.citations import Citations
from osteowedge.report.clinician_lists import grouped_html, reasons_html, statements_html
from osteowedge.report.html import esc, humanize


def _value(value: float | None, unit: str | None) -> str:
    return "" if value is None else esc(f"{value:g} {unit or ''}".strip())


def workup_section(a: Assessment, cites: Citations) -> str:
    w = a.workup
    labs = "".join(
        f"<tr><td>{esc(f.label)}{cites.cite(f.citation_ids)}</td><td>{_value(f.value, f.unit)}"
        f"</td><td>{esc(f.status)}</td><td>{reasons_html(f.reasons)}</td></tr>"
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
        grouped_html(
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


def plan_section(a: Assessment, cites: Citations) -> str:
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
            f'<td>{reasons_html(new)}<span class="why">{esc(again)}</span></td></tr>'
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
        f'<div class="group"><h3>{esc(title)}</h3>{statements_html(items, cites, "")}</div>'
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


def avoid_section(a: Assessment, cites: Citations) -> str:
    p = a.plan
    drugs = [(humanize(d.drug), d.reasons, d.citation_ids) for d in p.avoid]
    return f"""
<section id="avoid" aria-labelledby="h-avoid">
<h2 id="h-avoid">What to avoid and why</h2>
<h3>Medicines not to start now</h3>
{grouped_html(drugs, cites, "No medicine excluded.")}
<h3>Activities</h3>
{statements_html(p.avoid_activities, cites, "No activity restriction.")}
</section>"""


def follow_up_section(a: Assessment, cites: Citations) -> str:
    warnings = "".join(
        f"<li>{esc(w.message)}{f' <code>{esc(w.path)}</code>' if w.path else ''}</li>"
        for w in a.warnings
    )
    return f"""
<section id="follow-up" aria-labelledby="h-follow">
<h2 id="h-follow">Follow-up</h2>
{statements_html(a.plan.follow_up, cites, "No follow-up item.")}
</section>
{
        '<section id="limitations" aria-labelledby="h-limits">'
        '<h2 id="h-limits">Data limitations</h2>'
        f'<ul class="why">{warnings}</ul></section>'
        if warnings
        else ""
    }"""
