"""The school overview for its leadership (网络安全第一责任人): one document, in Chinese, with charts.

Assets and their changes, graded systems and their levels, 等保 status with the trend of automated
runs, the compliance calendar, data classification, incidents of the period with clock compliance,
and what is overdue. The period is ``since``/``until`` (report params, ISO dates or times) or the
last 30 days. Where the workspace holds no record of something the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from secops.errors import SecopsError
from secops.i18n import _
from secops.render.model import Paragraph, Report
from secops.reporting import overview_sections as sections
from secops.reporting.build import ReportContext

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    zone: ZoneInfo

    def label(self) -> str:
        return f"{self.since.astimezone(self.zone):%Y-%m-%d %H:%M} 至 {self.until.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def holds(self, moment: datetime) -> bool:
        return self.since <= moment <= self.until


def _moment(text: str, zone: ZoneInfo, name: str, *, end: bool) -> datetime:
    try:
        if len(text.strip()) == 10:  # a date: the whole day counts
            day = date.fromisoformat(text.strip())
            return datetime.combine(day, time.max if end else time.min, tzinfo=zone)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SecopsError(
            _("--{option} {value!r} is not a date or time").format(option=name, value=text),
            hint=_("use YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def period_of(params: dict[str, str], now: datetime, zone: ZoneInfo) -> Period:
    """The report period: refuses an empty or reversed one and one that ends in the future."""
    until = _moment(params["until"], zone, "until", end=True) if params.get("until") else now
    since = (
        _moment(params["since"], zone, "since", end=False) if params.get("since") else until - timedelta(DEFAULT_DAYS)
    )
    if until > now + timedelta(days=1):
        raise SecopsError(
            _("--until {day} is in the future").format(day=f"{until:%Y-%m-%d}"),
            hint=_("a report covers what has happened"),
        )
    if since >= until:
        raise SecopsError(
            _("--since must be before --until"),
            hint=_("e.g. --since {day}").format(day=f"{(until - timedelta(30)):%Y-%m-%d}"),
        )
    return Period(since, min(until, now), zone)


def build(ctx: ReportContext) -> Report:
    config = ctx.workspace.config
    zone = ZoneInfo(config.timezone)
    period = period_of(ctx.params, ctx.now, zone)
    report = ctx.new_report()
    report.metadata = [
        ("学校名称", config.school.name),
        ("学校标识码", config.school.code),
        ("统计期间", period.label()),
        ("报送对象", "网络安全第一责任人"),
    ]
    summary = report.section("概况")
    facts = sections.Facts.load(ctx.store, period.since, period.until, ctx.now)
    summary.add(Paragraph(facts.headline(config.school.name)))
    sections.assets_section(report, ctx.store, period.since)
    sections.systems_section(report, facts)
    sections.dengbao_section(report, ctx.store, facts, zone)
    sections.data_section(report, ctx.store, period.since, period.until)
    sections.incidents_section(report, facts, zone)
    sections.overdue_section(report, facts, zone)
    return report
