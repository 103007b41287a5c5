"""The clinician report: key findings and the spine diagram on page 1, then the charts, the
iatrogenic causes, the workup, the plan, what to avoid, follow-up and numbered references.
At most 4 pages of A4 or Letter (a test holds it to that)."""

from __future__ import annotations

from osteowedge.model.assessment import Assessment
from osteowedge.report.citations import Citations
from osteowedge.report.clinician_findings import (
    bone_density_section,
    charts_section,
    key_findings_section,
    spine_section,
)
from osteowedge.report.clinician_plan import (
    avoid_section,
    follow_up_section,
    plan_section,
    workup_section,
)
from osteowedge.report.html import PageSize, base_css, esc, page

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
    key = key_findings_section(a, cites)
    spine = spine_section(a, bone_density_section(a))
    charts = charts_section(a, cites)
    workup = workup_section(a, cites)
    plan = plan_section(a, cites)
    avoid = avoid_section(a, cites)
    follow = follow_up_section(a, cites)
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
