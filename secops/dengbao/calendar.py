"""The 等保 compliance calendar: filings (备案), official assessments (等级测评) and their deadlines.

Rules, from /work/shared/reference/dengbao/README.md (section "Grading (定级), GB/T 22240-2020" and
the Ministry of Public Security's 11th Bureau answers on the 2025 rules, Q6, Q9, Q11):
- level 2 and above must be filed (备案) with the local public-security 网安 department; level 5
  with the provincial public-security authority (Q9);
- the 备案证明 is valid 3 years, +1 year per completed 等级测评 (Q6): expiry = start + 3 years + one
  year for each official assessment completed on or after the start. The start is the filing date,
  or 2025-01-01 for filings made before 2025 (Q6: their 3 years count from 2025-01-01). An
  assessment before the start does not count: before the filing the certificate did not exist, and
  a pre-2025 filing's validity restarts on 2025-01-01 (secops's reading: counting the older
  assessments too would give a 2018 filing assessed yearly nine more years);
- the extension (延续) is applied for in the last 3 months of validity (Q6): the day that window
  opens is a deadline of its own (``extension``), reminded like the others; once it is open the
  certificate's expiry is the deadline that counts;
- levels 3, 4 and 5 are assessed every year (Q11): the next assessment is due one year after the
  last official one, or one year after filing when there has been none.
- filing itself is due within 30 days of the level being set (《信息安全等级保护管理办法》,
  公通字〔2007〕43号, art. 15); secops takes the day the system was added as that day.
The reference sets no yearly cycle for level 2, so for level 2 the calendar shows no assessment
deadline of its own: an assessment completed before the certificate expires extends it.

Only official assessments by a 测评机构 count here; the automated evidence runs of
``secops dengbao assess`` give the open high-risk problems and the trend, not the deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from secops.dengbao.systems import System, latest_assessment, list_systems
from secops.errors import SecopsError
from secops.i18n import _
from secops.records.assessment import Assessment
from secops.store import Store
from secops.store.schema import dengbao_filings, dengbao_official_assessments

CONCLUSIONS = ("符合", "基本符合", "不符合")
CERTIFICATE_YEARS = 3
CERTIFICATE_RESTART = date(2025, 1, 1)  # Q6: pre-2025 filings count their 3 years from this day
EXTENSION_MONTHS = 3  # Q6: the extension is applied for in the last 3 months of validity
EARLIEST = date(2000, 1, 1)  # 等级保护 filings predate nothing earlier; older dates are typos
FILING_DAYS = 30  # 公通字〔2007〕43号 art. 15: file within 30 days of the level being set
DEADLINE_NAMES = {
    "filing": "办理备案",
    "certificate": "备案证明到期",
    "extension": "备案证明延续申请期开始",
    "assessment": "年度等级测评",
}
ZONE = ZoneInfo("Asia/Shanghai")  # deadlines are calendar days in Beijing time


@dataclass(frozen=True)
class Filing:
    filed_on: date
    certificate_no: str


@dataclass(frozen=True)
class OfficialAssessment:
    assessed_on: date
    org: str
    conclusion: str
    report_no: str


def add_years(day: date, years: int) -> date:
    """Same month and day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later (earlier when negative); past the target month's end, its last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return min(date(year, month + 1, 1) + timedelta(days=day.day - 1), first_of_next - timedelta(days=1))


def filing_authority(level: int) -> str:
    """Where a system of ``level`` is filed: level 5 with the provincial authority (Q9)."""
    return "省级公安机关网安部门" if level >= 5 else "所在地公安机关网安部门"


def certificate_start(filed_on: date) -> date:
    """The day a 备案证明's 3 years count from: the filing date, 2025-01-01 for earlier filings (Q6)."""
    return max(filed_on, CERTIFICATE_RESTART)


def certificate_validity(filing: Filing, official: list[OfficialAssessment]) -> tuple[date, int]:
    """(expiry, assessments counted): 3 years from the start, +1 per assessment on or after it."""
    start = certificate_start(filing.filed_on)
    counted = sum(1 for a in official if a.assessed_on >= start)
    return add_years(start, CERTIFICATE_YEARS + counted), counted


def parse_date(text: str, *, option: str, today: date) -> date:
    """A user's date: ISO format, not in the future, not before 2000."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise SecopsError(
            _("{option} {value!r} is not a date").format(option=option, value=text),
            hint=_("use YYYY-MM-DD, e.g. 2026-03-01"),
        ) from None
    if value > today:
        raise SecopsError(
            _("{option} {value} is in the future (today is {today})").format(option=option, value=value, today=today),
            hint=_("record it once it has happened"),
        )
    if value < EARLIEST:
        raise SecopsError(
            _("{option} {value} is before {earliest}").format(option=option, value=value, earliest=EARLIEST),
            hint=_("check the year on the document"),
        )
    return value


def record_filing(store: Store, system: System, filed_on: date, certificate_no: str, now: datetime) -> None:
    """Store (or replace) the system's 备案; only level 2 and above are filed."""
    if system.level < 2:
        raise SecopsError(
            _("system {name!r} is level {level}: only level 2 and above are filed (备案)").format(
                name=system.name, level=system.level
            ),
            hint=_("change its level with secops dengbao system add --replace if the grading changed"),
        )
    values = {"filed_on": filed_on, "certificate_no": certificate_no.strip(), "recorded_at": now}
    with store.engine.begin() as conn:
        conn.execute(dengbao_filings.delete().where(dengbao_filings.c.system_id == system.id))
        conn.execute(dengbao_filings.insert().values(system_id=system.id, **values))


def record_official(store: Store, system: System, assessment: OfficialAssessment, now: datetime) -> None:
    if assessment.conclusion not in CONCLUSIONS:
        raise SecopsError(
            _("unknown conclusion {conclusion!r}").format(conclusion=assessment.conclusion),
            hint=_("use one of {names}").format(names=", ".join(CONCLUSIONS)),
        )
    if not assessment.org.strip():
        raise SecopsError(_("an official assessment needs the 测评机构"), hint="--org 某某测评中心")
    with store.engine.begin() as conn:
        duplicate = conn.execute(
            sa.select(dengbao_official_assessments.c.id).where(
                (dengbao_official_assessments.c.system_id == system.id)
                & (dengbao_official_assessments.c.assessed_on == assessment.assessed_on)
            )
        ).first()
        if duplicate is not None:
            raise SecopsError(
                _("an official assessment of {name!r} on {date} is recorded already").format(
                    name=system.name, date=assessment.assessed_on
                ),
                hint=_("one 等级测评 per day and system"),
            )
        conn.execute(
            dengbao_official_assessments.insert().values(
                system_id=system.id,
                assessed_on=assessment.assessed_on,
                org=assessment.org.strip(),
                conclusion=assessment.conclusion,
                report_no=assessment.report_no.strip(),
                recorded_at=now,
            )
        )


def load_filing(store: Store, system: System) -> Filing | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(dengbao_filings).where(dengbao_filings.c.system_id == system.id)).first()
    return Filing(row.filed_on, row.certificate_no) if row else None


def load_official(store: Store, system: System) -> list[OfficialAssessment]:
    table = dengbao_official_assessments
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.system_id == system.id).order_by(table.c.assessed_on)).all()
    return [OfficialAssessment(r.assessed_on, r.org, r.conclusion, r.report_no) for r in rows]


def _deadline(kind: str, due: date, today: date, basis: str) -> dict[str, Any]:
    days = (due - today).days
    return {
        "kind": kind,
        "name": DEADLINE_NAMES[kind],
        "due_on": due,
        "days_left": days,
        "overdue": days < 0,
        "basis": basis,
    }


def system_calendar(
    system: System,
    filing: Filing | None,
    official: list[OfficialAssessment],
    latest: Assessment | None,
    today: date,
) -> dict[str, Any]:
    """One system's calendar entry (pure: the caller loads the facts)."""
    entry: dict[str, Any] = {
        "system": system.name,
        "level": system.level,
        "filing_required": system.level >= 2,
        "filed_on": filing.filed_on if filing else None,
        "certificate_no": (filing.certificate_no or None) if filing else None,
        "filing_authority": filing_authority(system.level) if system.level >= 2 else None,
        "certificate_valid_until": None,
        "extension_window": None,
        "assessments_counted": 0,
        "last_assessment": None,
        "next_assessment": None,
        "deadlines": [],
        "open_highrisk": [],
        "latest_automated": None,
        "notes": [],
    }
    last = official[-1] if official else None
    if last:
        entry["last_assessment"] = {
            "date": last.assessed_on,
            "org": last.org,
            "conclusion": last.conclusion,
            "report_no": last.report_no,
        }
    if latest:
        entry["open_highrisk"] = [{"case": p.case, "title": p.title} for p in latest.unmitigated]
        entry["latest_automated"] = {
            "assessed_at": latest.assessed_at.isoformat(),
            "rate": latest.rate,
            "conclusion": latest.conclusion,
        }
    if system.level < 2:
        entry["notes"].append("第一级系统无需备案")
        return _finish(entry)
    if filing is None:
        entry["notes"].append("未记录备案日期（待填写）：secops dengbao system filed")
        graded_on = system.created_at.astimezone(ZONE).date()
        entry["deadlines"].append(
            _deadline(
                "filing",
                graded_on + timedelta(days=FILING_DAYS),
                today,
                f"第二级及以上在等级确定后 {FILING_DAYS} 日内向{filing_authority(system.level)}备案"
                f"（等级录入于 {graded_on}）",
            )
        )
        if system.level >= 3 and last:
            due = add_years(last.assessed_on, 1)
            entry["next_assessment"] = due
            entry["deadlines"].append(_deadline("assessment", due, today, "第三级至第五级每年测评：上次测评后一年"))
        return _finish(entry)
    expiry, counted = certificate_validity(filing, official)
    start = certificate_start(filing.filed_on)
    since = "备案日期起" if start == filing.filed_on else f"2025 年前备案，自 {start} 起"
    entry["assessments_counted"] = counted
    entry["certificate_valid_until"] = expiry
    entry["deadlines"].append(
        _deadline(
            "certificate",
            expiry,
            today,
            f"{since} {CERTIFICATE_YEARS} 年，此后每完成一次等级测评延长 1 年（已计 {counted} 次）",
        )
    )
    opens = add_months(expiry, -EXTENSION_MONTHS)
    entry["extension_window"] = {"opens_on": opens, "closes_on": expiry, "open": opens <= today < expiry}
    if today <= opens:
        entry["deadlines"].append(
            _deadline(
                "extension",
                opens,
                today,
                f"有效期最后 {EXTENSION_MONTHS} 个月内（{opens} 至 {expiry}）"
                f"向{filing_authority(system.level)}申请延续",
            )
        )
    elif today < expiry:
        entry["notes"].append(f"备案证明延续申请期内：{expiry} 前向{filing_authority(system.level)}申请延续")
    if system.level >= 3:
        start, basis = (last.assessed_on, "上次测评后一年") if last else (filing.filed_on, "备案后一年内首次测评")
        due = add_years(start, 1)
        entry["next_assessment"] = due
        entry["deadlines"].append(_deadline("assessment", due, today, f"第三级至第五级每年测评：{basis}"))
    else:
        entry["notes"].append("参考资料未规定第二级的测评周期；在备案证明到期前完成测评可延长有效期")
    return _finish(entry)


def deadline_text(entry: dict[str, Any], kind: str) -> str:
    """The entry's deadline of ``kind`` as people read it: 2026-06-10（30 天） or 2026-06-10（已逾期）;
    empty when the entry has no such deadline."""
    found = next((d for d in entry["deadlines"] if d["kind"] == kind), None)
    if found is None:
        return ""
    if found["overdue"]:
        return _("{day} (overdue)").format(day=found["due_on"])
    return _("{day} ({days} days)").format(day=found["due_on"], days=found["days_left"])


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    entry["overdue"] = [d["name"] for d in entry["deadlines"] if d["overdue"]]
    return entry


def compliance_calendar(store: Store, today: date, system_name: str | None = None) -> list[dict[str, Any]]:
    from secops.dengbao.systems import get_system

    systems = [get_system(store, system_name)] if system_name else list_systems(store)
    return [
        system_calendar(s, load_filing(store, s), load_official(store, s), latest_assessment(store, s), today)
        for s in systems
    ]
