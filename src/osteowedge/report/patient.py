"""The patient summary: plain words (Flesch-Kincaid grade 8 or below, held by a test), large
type, what is happening and why, what to do and avoid, when to get urgent care, the questions
that apply and the disclaimer.

The assessment's patient-facing text (``education``, the plan's ``do`` and ``avoid_activities``
labels) is used as it is; clinical strings (rationales, citations, evidence) are left out, and
the few sentences written here are kept short and plain.
"""

from __future__ import annotations

from osteowedge.knowledge import load_knowledge_base
from osteowedge.knowledge.schema import Vocabulary
from osteowedge.model.assessment import Assessment, Statement
from osteowedge.report.html import PageSize, base_css, esc, figure, humanize, page
from osteowedge.report.spine_diagram import spine_svg

CSS = """
body { line-height: 1.5; }
h1 { font-size: 1.7em; margin: 0 0 0.3rem 0; }
h2 { font-size: 1.3em; margin: 1.1rem 0 0.3rem 0; color: #0b3d66; }
h3 { font-size: 1.05em; margin: 0.8rem 0 0.2rem 0; }
p, li { max-width: 40em; }
li { margin: 0.25rem 0; }
.meta { color: var(--muted); font-size: 0.85em; }
.urgent { border: 3px solid #D55E00; padding: 0.5rem 0.8rem; border-radius: 0.3rem; }
.urgent h2 { margin-top: 0.2rem; color: #8a2c00; }
.spine-figure { float: right; width: 42%; margin: 0 0 0.6rem 1rem; }
.spine-figure svg { width: 100%; height: auto; }
section { clear: none; }
.disclaimer-section { clear: both; }
.disclaimer { font-size: 0.9em; color: var(--muted); }
@media print { h2 { break-after: avoid; } .urgent { break-inside: avoid; } }
"""

URGENT_SIGNS = "patient_urgent_care_signs"
"""The knowledge vocabulary of urgent-care signs in patient wording (one per red flag)."""


def _urgent_signs() -> list[str]:
    kb = load_knowledge_base()
    return [v.name for v in kb.typed(URGENT_SIGNS, Vocabulary).values]


def _sentences(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _activity(s: Statement) -> str:
    """An activity to avoid in plain words: the plan's own label, or for an adaptation of an
    exercise ('While doing Yoga') a short plain instruction."""
    prefix = "While doing "
    if s.label.startswith(prefix):
        activity = s.label[len(prefix) :].lower()
        return f"{activity.capitalize()}: only in a safe way that keeps your back straight. " + (
            "Ask a physio to show you how."
        )
    if s.label.startswith("Avoid: "):
        return s.label[len("Avoid: ") :]
    return s.label


def _spine_section(a: Assessment) -> str:
    if not a.vertebrae:
        return ""
    caption = (
        "A picture of the bones of your back. Each box is one bone. A dark box that is short at "
        "the front is a bone that has lost height. The number shows how much: 0 is none, 3 is "
        "the most. Dashed boxes were not measured."
    )
    return figure(spine_svg(a), caption, "figure-spine", "spine-figure")


def render_patient_html(assessment: Assessment, page_size: PageSize = "A4") -> str:
    """The patient summary as one self-contained HTML document."""
    a = assessment
    p = a.plan
    urgent = a.triage.urgency == "urgent"
    flags = [f.label for f in a.triage.red_flags]
    urgent_now = ""
    if urgent:
        urgent_now = (
            '<section class="urgent" aria-labelledby="h-now"><h2 id="h-now">See a doctor today'
            "</h2><p>Some of your signs need a doctor today. Please get care now.</p>"
            + (_list(flags) if flags else "")
            + "</section>"
        )
    elif a.triage.urgency == "soon":
        urgent_now = (
            '<section class="urgent" aria-labelledby="h-now"><h2 id="h-now">See a doctor soon</h2>'
            "<p>Please see your doctor in the next few days.</p>"
            + (_list(flags) if flags else "")
            + "</section>"
        )

    causes = []
    for c in a.iatrogenic_causes:
        if c.meets_threshold is False:
            continue
        names = ", ".join(dict.fromkeys([*c.medications, *(humanize(x) for x in c.exposures)]))
        causes.append(f"{c.label} ({names})" if names else c.label)
    why = (
        "<p>Some treatments can make bones weaker. You have:</p>"
        + _list(causes)
        + "<p>Do not stop a medicine on your own. Ask your doctor first.</p>"
        if causes
        else "<p>We found no medicine in your record that is known to weaken bones.</p>"
    )

    to_do: list[str] = []
    if p.pharmacological:
        first = p.pharmacological[0].label
        others = [d.label for d in p.pharmacological[1:]]
        to_do.append(
            f"Ask your doctor about a medicine to make your bones stronger, such as {first}."
            + (f" Other choices are {', '.join(others)}." if others else "")
        )
    to_do += [s.label for s in p.supplements]
    to_do += [s.label for s in p.do]
    to_do.append("Go to your check-ups, so your doctor can see how your bones are doing.")

    to_avoid = [_activity(s) for s in p.avoid_activities]
    if p.avoid:
        names = ", ".join(humanize(d.drug) for d in p.avoid)
        to_avoid.append(
            f"Some bone medicines are not right for you yet: {names}. Your doctor will tell you "
            "why."
        )

    faqs = "".join(
        f'<section aria-labelledby="faq-{esc(f.id)}"><h3 id="faq-{esc(f.id)}">'
        f"{esc(f.question)}</h3><p>{esc(f.answer)}</p></section>"
        for f in a.education.faqs
    )
    body = f"""
<header>
<h1>Your bone health summary</h1>
<p class="meta">For record {esc(a.patient_id)}, made on {a.as_of.isoformat()}.
Please read it with your doctor or nurse.</p>
</header>
<main>
{urgent_now}
<section aria-labelledby="h-what">
<h2 id="h-what">What is happening</h2>
{_spine_section(a)}
{_sentences(a.education.summary)}
</section>
<section aria-labelledby="h-why">
<h2 id="h-why">Why it is happening</h2>
{why}
</section>
<section aria-labelledby="h-do">
<h2 id="h-do">What you can do</h2>
{_list(to_do)}
</section>
<section aria-labelledby="h-avoid">
<h2 id="h-avoid">What to avoid</h2>
{_list(to_avoid) if to_avoid else "<p>Nothing special. Keep moving and stay active.</p>"}
</section>
<section aria-labelledby="h-help">
<h2 id="h-help">When to get help right away</h2>
<p>Call your local emergency number or go to the emergency room if you have:</p>
{_list(_urgent_signs())}
</section>
{
        '<section aria-labelledby="h-faq"><h2 id="h-faq">Questions people ask</h2>'
        + faqs
        + "</section>"
        if faqs
        else ""
    }
<section class="disclaimer-section" aria-labelledby="h-note">
<h2 id="h-note">Please note</h2>
<p class="disclaimer">{esc(a.education.disclaimer)}</p>
</section>
</main>"""
    css = base_css(page_size, body_pt=13.0, screen_px=20) + CSS
    return page(f"Your bone health summary ({a.as_of.isoformat()})", css, body)
