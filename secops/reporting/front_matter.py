"""What the cover, 声明 page and sign-off block of a report say, from what the workspace records."""

from __future__ import annotations

from datetime import datetime

SIGNATURES = ("编制", "审核", "批准")
SIGNATURES_EN = ("Prepared by", "Reviewed by", "Approved by")
CLASSIFICATION = "内部"  # school security documents are not for the public; no state secret is held here


def official_date(moment: datetime) -> str:
    """A date the way official documents print it: 2026年12月07日."""
    return f"{moment.year}年{moment.month:02d}月{moment.day:02d}日"


def report_number(kind: str, school_code: str, moment: datetime) -> str:
    """报告编号: the kind, the school's 学校标识码 and the minute it was built, so two builds differ."""
    return f"{kind}-{school_code}-{moment.strftime('%Y%m%d%H%M')}"


def signatures_for(lang: str) -> tuple[str, ...]:
    return SIGNATURES_EN if lang == "en" else SIGNATURES
