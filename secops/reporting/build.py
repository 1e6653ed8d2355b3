"""Building a named report: find its definition, run its data source, render, record it."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from secops.config import Workspace
from secops.content.validate import load_units
from secops.errors import SecopsError
from secops.i18n import _
from secops.render.formats import format_for, write_report
from secops.render.labels import LANGS, labels_for
from secops.render.model import Report
from secops.reporting.definition import SOURCES, ReportDefinition
from secops.reporting.front_matter import signatures_for
from secops.store import Store
from secops.store.records import ReportRun, log_activity, record_report


@dataclass(frozen=True)
class ReportContext:
    """What a data source may use: the workspace, its store, the time and the language."""

    definition: ReportDefinition
    workspace: Workspace
    store: Store
    now: datetime  # aware, in the workspace's time zone
    lang: str
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"system": "学籍管理系统"}

    def new_report(self) -> Report:
        return Report(
            id=self.definition.id,
            title=self.definition.title.get(self.lang),
            subtitle=self.definition.description.get(self.lang),
            generated_at=self.now,
            lang=self.lang,
            labels=labels_for(self.lang),
            signatures=signatures_for(self.lang),  # every document is signed off: 编制, 审核, 批准
        )


Source = Callable[[ReportContext], Report]


def report_definitions() -> dict[str, ReportDefinition]:
    return {unit.id: unit for unit in load_units("report")}


def definition_for(report_id: str) -> ReportDefinition:
    definitions = report_definitions()
    if report_id not in definitions:
        raise SecopsError(
            _("no report named {name!r}").format(name=report_id),
            hint=_("see secops report list; known: {names}").format(names=", ".join(sorted(definitions))),
        )
    return definitions[report_id]


def _source(name: str) -> Source:
    module, _, attribute = SOURCES[name].partition(":")
    source: Source = getattr(importlib.import_module(module), attribute)
    return source


def check_params(definition: ReportDefinition, params: dict[str, str]) -> None:
    missing = [name for name in definition.params if not params.get(name)]
    if missing:
        raise SecopsError(
            _("report {name!r} needs --{option}").format(name=definition.id, option=missing[0]),
            hint=_("e.g. secops report build {name} --{option} NAME -o FILE").format(
                name=definition.id, option=missing[0]
            ),
        )


def build_report(
    report_id: str,
    workspace: Workspace,
    store: Store,
    now: datetime,
    lang: str = "zh",
    params: dict[str, str] | None = None,
) -> Report:
    if lang not in LANGS:
        raise SecopsError(_("unknown language {lang!r}").format(lang=lang), hint=_("use --lang zh or --lang en"))
    definition = definition_for(report_id)
    params = params or {}
    check_params(definition, params)
    local_now = now.astimezone(ZoneInfo(workspace.config.timezone))
    context = ReportContext(definition, workspace, store, local_now, lang, params)
    return _source(definition.source)(context)


def build_to_file(
    report_id: str,
    path: Path,
    workspace: Workspace,
    store: Store,
    now: datetime,
    lang: str = "zh",
    params: dict[str, str] | None = None,
) -> ReportRun:
    """Build, render and write one report, then record it in the workspace history."""
    definition = definition_for(report_id)
    fmt = format_for(path)
    if fmt not in definition.formats:
        raise SecopsError(
            _("report {name!r} is not available as {format}").format(name=report_id, format=fmt),
            hint=_("use {formats}").format(formats=", ".join(definition.formats)),
        )
    report = build_report(report_id, workspace, store, now, lang, params)
    data = write_report(report, path, definition.template)
    run = ReportRun(
        report_id=report_id,
        format=fmt,
        lang=lang,
        path=str(Path(path).resolve()),
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        built_at=now,
    )
    record_report(store, run)
    log_activity(store, "report.built", {"report": report_id, "format": fmt, "lang": lang, "path": run.path}, now)
    return run
