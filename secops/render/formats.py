"""Render a report to a file whose format follows from its extension; atomic, never half-written."""

from __future__ import annotations

from pathlib import Path

from secops.errors import SecopsError
from secops.fsutil import check_output_path, write_bytes_atomic
from secops.i18n import _
from secops.render.model import Report

FORMATS = ("html", "pdf", "xlsx", "docx")


def format_for(path: Path) -> str:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt == "htm":
        fmt = "html"
    if fmt not in FORMATS:
        raise SecopsError(
            _("cannot tell the report format from {path}").format(path=path),
            hint=_("end the file name in .pdf, .html, .xlsx or .docx"),
        )
    return fmt


def render_bytes(report: Report, fmt: str, template: str = "report.html.j2") -> bytes:
    if fmt == "html":
        from secops.render.html import render_html

        return render_html(report, template).encode("utf-8")
    if fmt == "pdf":
        from secops.render.pdf import render_pdf

        return render_pdf(report, template)
    if fmt == "xlsx":
        from secops.render.xlsx import render_xlsx

        return render_xlsx(report)
    if fmt == "docx":
        from secops.render.docx import render_docx

        return render_docx(report)
    raise SecopsError(
        _("unknown report format {format!r}").format(format=fmt),
        hint=_("use one of {formats}").format(formats=", ".join(FORMATS)),
    )


def write_report(report: Report, path: Path, template: str = "report.html.j2") -> bytes:
    """Render ``report`` into ``path`` (format from the extension); returns the bytes written."""
    path = check_output_path(Path(path))  # fail before the slow rendering
    data = render_bytes(report, format_for(path), template)
    write_bytes_atomic(path, data)
    return data
