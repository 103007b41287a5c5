"""A few helpers for writing SVG by hand (figures stay plain text, diffable and data-attributed)."""

from __future__ import annotations

from html import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def attr(value: str | float | int) -> str:
    """An attribute value, escaped; floats to at most two decimals, without trailing zeros."""
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return escape(str(value), quote=True)


def tag(name: str, body: str = "", /, **attrs: str | float | int | None) -> str:
    """One element; keyword ``class_`` becomes ``class`` and ``data_x_y`` becomes ``data-x-y``."""
    parts = [name]
    for key, value in attrs.items():
        if value is None:
            continue
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{attr(value)}"')
    opening = " ".join(parts)
    return f"<{opening}>{body}</{name}>" if body else f"<{opening}/>"


def text(x: float, y: float, content: str, **attrs: str | float | int | None) -> str:
    """A text element with escaped content."""
    return tag("text", escape(content), x=x, y=y, **attrs)


def document(
    width: float, height: float, title: str, description: str, body: list[str], figure_id: str
) -> str:
    """A standalone SVG document: ``role="img"``, ``<title>`` and ``<desc>`` for screen readers,
    sized in CSS pixels with a viewBox so it scales."""
    title_id = f"{figure_id}-title"
    desc_id = f"{figure_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{attr(figure_id)}" role="img" '
        f'width="{attr(width)}" height="{attr(height)}" '
        f'viewBox="0 0 {attr(width)} {attr(height)}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" font-family="{FONT}">'
    )
    return "\n".join(
        [
            head,
            f'<title id="{title_id}">{escape(title)}</title>',
            f'<desc id="{desc_id}">{escape(description)}</desc>',
            *body,
            "</svg>",
        ]
    )
