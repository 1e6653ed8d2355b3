"""PDF through WeasyPrint, from the same HTML the browser sees."""

from __future__ import annotations

import logging

from secops.render.fonts import require_chinese_font, require_faces
from secops.render.html import render_html, template_dir
from secops.render.model import Report


def render_pdf(report: Report, template: str = "report.html.j2") -> bytes:
    require_chinese_font()  # refuse before drawing boxes
    require_faces()  # and before substituting the faces of official documents
    # WeasyPrint and fontTools are chatty at INFO/WARNING about font subsetting; keep the CLI quiet.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    html = render_html(report, template, for_print=True)
    document = HTML(string=html, base_url=str(template_dir()))
    pdf: bytes = document.write_pdf()  # the PDF title comes from the HTML <title>
    return pdf
