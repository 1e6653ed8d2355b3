"""Report model → HTML / PDF / XLSX / DOCX, charts, fonts; knows no feature.

The bottom of reporting: a generic ``Report`` (sections of paragraphs, tables and charts) and the
renderers that turn it into documents. It imports only the foundation (errors, fsutil, config,
content, models) and third-party libraries; the report sources that gather what a report shows
live above the features, in ``secops.reporting``.
"""

from secops.render.model import Chart, Paragraph, Report, Section, Table

__all__ = ["Chart", "Paragraph", "Report", "Section", "Table"]
