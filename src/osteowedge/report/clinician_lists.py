"""The lists of the clinician report: reasons, cited statements, and statements grouped by the
reasons they share."""

from __future__ import annotations

from collections.abc import Iterable

from osteowedge.model.assessment import Statement
from osteowedge.report.citations import Citations
from osteowedge.report.html import esc


def reasons_html(reasons: Iterable[str]) -> str:
    items = [r for r in reasons if r]
    return f'<span class="why">{esc("; ".join(items))}</span>' if items else ""


def statements_html(items: list[Statement], cites: Citations, empty: str) -> str:
    if not items:
        return f"<p>{esc(empty)}</p>"
    rows = []
    for s in items:
        why = reasons_html(s.reasons)
        rows.append(
            f"<li><strong>{esc(s.label)}</strong>{cites.cite(s.citation_ids)}"
            f"{' — ' + why if why else ''}</li>"
        )
    return "<ul>" + "".join(rows) + "</ul>"


def grouped_html(
    items: list[tuple[str, list[str], list[str]]], cites: Citations, empty: str
) -> str:
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
        why = reasons_html(shared)
        rows.append(f"<li>{labels}{' — ' + why if why else ''}</li>")
    return "<ul>" + "".join(rows) + "</ul>"
