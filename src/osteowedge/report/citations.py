"""Numbered citations: references numbered in the order a report first cites them."""

from __future__ import annotations

from collections.abc import Iterable

from osteowedge.knowledge.cite import reference_link
from osteowedge.model.assessment import ReferenceOut
from osteowedge.report.html import esc


class Citations:
    """Hands out numbers as statements are rendered; unknown ids are shown as such, not hidden."""

    def __init__(self, references: Iterable[ReferenceOut]) -> None:
        self._refs = {r.id: r for r in references}
        self._numbers: dict[str, int] = {}

    def number(self, citation_id: str) -> int:
        if citation_id not in self._numbers:
            self._numbers[citation_id] = len(self._numbers) + 1
        return self._numbers[citation_id]

    def cite(self, citation_ids: Iterable[str]) -> str:
        """A superscript like ``[1-4, 9]`` whose numbers link to the reference list."""
        numbers = sorted({self.number(c) for c in citation_ids})
        if not numbers:
            return ""
        runs: list[tuple[int, int]] = []
        for n in numbers:
            if runs and n == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], n)
            else:
                runs.append((n, n))
        parts = []
        for lo, hi in runs:
            link_lo = f'<a href="#ref-{lo}">{lo}</a>'
            if lo == hi:
                parts.append(link_lo)
            else:
                sep = "," if hi == lo + 1 else "–"
                parts.append(f'{link_lo}{sep}<a href="#ref-{hi}">{hi}</a>')
        return f'<sup class="cite">[{", ".join(parts)}]</sup>'

    def reference_list(self) -> str:
        """The ordered list of every cited reference, then any the report did not cite. Each
        item shows its number in the text (``<span class="n">``) so that a stylesheet may run the
        items on as one paragraph (the clinician report does, to stay within 4 pages)."""
        for ref_id in self._refs:
            self.number(ref_id)
        items = []
        for ref_id, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            ref = self._refs.get(ref_id)
            if ref is None:
                items.append(
                    f'<li id="ref-{n}" value="{n}"><span class="n">{n}.</span> '
                    f"{esc(ref_id)} (not in the list of references)</li>"
                )
                continue
            url = reference_link(url=ref.url, doi=ref.doi, pmid=ref.pmid)
            label = f'<a href="{esc(url)}">{esc(ref.label)}</a>' if url else esc(ref.label)
            items.append(f'<li id="ref-{n}" value="{n}"><span class="n">{n}.</span> {label}</li>')
        return '<ol class="references">' + " ".join(items) + "</ol>"
