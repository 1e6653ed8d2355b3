"""Report definitions (``reports/*.yml``): which data source fills which template, titles per language."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

from secops.content.validate import ContentUnit

# Data sources are code: each gathers what its report shows. A definition picks one by name.
SOURCES: dict[str, str] = {
    "workspace": "secops.reporting.workspace_report:build",
    "assets": "secops.reporting.assets_report:build",
    "dengbao": "secops.reporting.dengbao_report:build",
    "data": "secops.reporting.data_source:build",
    "grading": "secops.reporting.grading_report:build",
    "filing": "secops.reporting.filing_report:build",
    "overview": "secops.reporting.overview_source:build",
    "plan": "secops.reporting.plan_report:build",
}
PARAMS = ("system",)  # the options `secops report build` accepts for a definition's data source

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class LocalizedText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class ReportDefinition(ContentUnit):
    title: LocalizedText
    description: LocalizedText
    source: str
    template: str = "report.html.j2"
    formats: tuple[str, ...] = ("pdf", "html", "xlsx", "docx")
    params: tuple[str, ...] = ()  # required options, e.g. (system,)

    @field_validator("params")
    @classmethod
    def _check_params(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in PARAMS]
        if unknown:
            raise ValueError("unknown params: " + ", ".join(unknown) + "; known: " + ", ".join(PARAMS))
        return value

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be lower-case letters, digits, '-' or '_'")
        return value

    @field_validator("source")
    @classmethod
    def _check_source(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"unknown data source {value!r}; known: {', '.join(sorted(SOURCES))}")
        return value

    @field_validator("template")
    @classmethod
    def _check_template(cls, value: str) -> str:
        from secops.render.html import template_dir

        if not (template_dir() / value).is_file():
            raise ValueError(f"template {value!r} not found in reports/templates")
        return value

    @field_validator("formats")
    @classmethod
    def _check_formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from secops.render.formats import FORMATS

        unknown = [fmt for fmt in value if fmt not in FORMATS]
        if unknown or not value:
            raise ValueError(f"formats must be chosen from {', '.join(FORMATS)}")
        return value
