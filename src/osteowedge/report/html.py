"""Small HTML helpers shared by the clinician report and the patient summary."""

from __future__ import annotations

from html import escape
from typing import Literal

PageSize = Literal["A4", "Letter"]


def esc(value: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return escape(str(value), quote=True)


def humanize(identifier: str) -> str:
    """``zoledronic_acid`` -> ``zoledronic acid``; ``femoral_neck (left)`` likewise."""
    return identifier.replace("_", " ")


def figure(svg: str, caption: str, figure_id: str, css_class: str = "") -> str:
    """A figure: the inline SVG (with its own title and description) and a visible caption;
    the figure is labelled by the caption for assistive technology."""
    cap_id = f"{figure_id}-caption"
    return (
        f'<figure id="{esc(figure_id)}" class="{esc(css_class)}" role="group" '
        f'aria-labelledby="{cap_id}">{svg}<figcaption id="{cap_id}">{esc(caption)}</figcaption>'
        "</figure>"
    )


def page(title: str, css: str, body: str, lang: str = "en") -> str:
    """A complete, self-contained HTML document (no external resource of any kind)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def base_css(page_size: PageSize, body_pt: float, screen_px: float) -> str:
    """CSS shared by both reports: system fonts only, print rules with page size and breaks."""
    return f"""
:root {{ --ink: #111; --muted: #555; --line: #ccc; --accent: #0072B2; }}
html {{ font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); }}
body {{ margin: 0 auto; max-width: 60rem; padding: 1rem; font-size: {screen_px}px;
       line-height: 1.4; }}
h1, h2, h3 {{ line-height: 1.2; break-after: avoid; page-break-after: avoid; }}
figure {{ margin: 0.4rem 0; break-inside: avoid; page-break-inside: avoid; }}
figure svg {{ max-width: 100%; height: auto; display: block; }}
figcaption {{ font-size: 0.85em; color: var(--muted); }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; border-bottom: 1px solid var(--line);
          padding: 0.15rem 0.3rem; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
a {{ color: var(--accent); }}
.cite {{ font-size: 0.7em; line-height: 0; }}
.cite a {{ text-decoration: none; }}
@page {{ size: {page_size}; margin: 12mm 12mm 14mm 12mm;
         @bottom-right {{ content: "page " counter(page) " of " counter(pages);
                          font-size: 8pt; color: #555; }} }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: {body_pt}pt; }}
  a {{ color: inherit; text-decoration: none; }}
  .page-break {{ break-before: page; page-break-before: always; }}
}}
"""
