"""The report's figures, written by hand as SVG (so each mark can carry data attributes) and
rasterised to PNG with CairoSVG.

- ``spine``: T4 to L5 as vertebral bodies in a lateral view, shaped by morphology and filled by
  Genant grade (`spine_diagram`).
- ``bone_density``: T-score per region of the latest DXA exam against the WHO bands, and BMD
  (g/cm²) over the exams with the least-significant-change band (`bone_density_chart`).
- ``glucocorticoid_timeline``: prednisone-equivalent mg/day over time with lines at 2.5, 7.5 and
  30 mg/day (`glucocorticoid_chart`).

The palettes and the chart reference values they share are in `figure_style`.
"""

from __future__ import annotations

from osteowedge.model.assessment import Assessment
from osteowedge.report.bone_density_chart import bone_density_svg
from osteowedge.report.glucocorticoid_chart import glucocorticoid_svg
from osteowedge.report.pdf import ReportRenderError
from osteowedge.report.spine_diagram import spine_svg


def figure_svgs(assessment: Assessment) -> dict[str, str]:
    """Every figure as SVG text, by name."""
    return {
        "spine": spine_svg(assessment),
        "bone_density": bone_density_svg(assessment),
        "glucocorticoid_timeline": glucocorticoid_svg(assessment),
    }


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Rasterise an SVG with CairoSVG (``scale`` 2 gives a sharp picture on screens and paper)."""
    try:
        import cairosvg  # imported here: it loads libcairo
    except (ImportError, OSError) as exc:  # OSError: the Cairo library is missing
        raise ReportRenderError(
            f"PNG figures need CairoSVG and the Cairo library ({exc}); install them "
            "(Debian: apt-get install libcairo2) or use the SVG"
        ) from exc

    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    if not isinstance(png, bytes):  # pragma: no cover - svg2png returns bytes without write_to
        raise TypeError("cairosvg returned no PNG bytes")
    return png


def figures(assessment: Assessment) -> dict[str, tuple[str, bytes]]:
    """Every figure as ``name -> (SVG text, PNG bytes)``: ``spine``, ``bone_density``,
    ``glucocorticoid_timeline``."""
    return {name: (svg, svg_to_png(svg)) for name, svg in figure_svgs(assessment).items()}
