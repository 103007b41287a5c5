"""HTML to PDF through WeasyPrint (Pango does the text layout: see docs/reports.md for the
system libraries it needs). Nothing is fetched: the HTML is self-contained and the URL fetcher
allows no protocol at all."""

from __future__ import annotations

from typing import Any

from osteowedge.errors import OsteowedgeError


class ReportRenderError(OsteowedgeError):
    """The PDF engine is missing or failed."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing on the system
        raise ReportRenderError(
            f"PDF output needs WeasyPrint and the Pango library ({exc}); install them "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) "
            "or use --format html"
        ) from exc
    return weasyprint


def layout(html: str) -> Any:
    """Lay out an HTML document (a WeasyPrint ``Document``: ``.pages``, ``.write_pdf()``)."""
    weasyprint = _weasyprint()
    # no protocol allowed: a reference to anything outside the document fails (with a logged
    # warning from WeasyPrint) instead of being fetched
    no_fetch = weasyprint.urls.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, url_fetcher=no_fetch).render()


def write_pdf(document: Any) -> bytes:
    """The PDF bytes of a laid-out document."""
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without a target returns bytes
        raise ReportRenderError("WeasyPrint returned no PDF")
    return pdf


def page_count(document: Any) -> int:
    """How many pages a laid-out document has."""
    return len(document.pages)
