"""Reports: a generic model rendered to HTML, PDF, XLSX and DOCX."""

from secops.reporting.model import Chart, Paragraph, Report, Section, Table

__all__ = ["Chart", "Paragraph", "Report", "Section", "Table"]
