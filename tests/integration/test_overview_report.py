"""The school overview report (secops report build overview) for a workspace with assets, three
graded systems at levels 2, 3 and 3, incidents and their clocks: PDF and DOCX, text checked in PDF."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from secops.config import Workspace
from secops.dengbao.calendar import OfficialAssessment, record_filing, record_official
from secops.dengbao.systems import System, save_system
from secops.errors import SecopsError
from secops.incident import model
from secops.incident.audit import audit_key
from secops.reporting.build import build_report, build_to_file
from secops.store import Store
from secops.store.schema import asset_changes, assets, scan_runs
from secops.workspace import open_workspace_store
from tests.conftest import Invoke, libreoffice_or_skip

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 Beijing time
TODAY = date(2026, 11, 23)


def _system(store: Store, name: str, level: int, tag: str) -> System:
    system, _ = save_system(
        store, name=name, level=level, extensions=(), asset_tag=tag, description="", grading=None, now=NOW
    )
    return system


def _inventory(store: Store) -> None:
    with store.engine.begin() as conn:
        inserted = conn.execute(
            scan_runs.insert().values(
                profile="quick", targets=["10.20.0.0/24"], commands=[], status="completed",
                started_at=NOW - timedelta(days=3), finished_at=NOW - timedelta(days=3), hosts_up=4, changes=3,
            )
        ).inserted_primary_key  # fmt: skip
        assert inserted is not None
        run = inserted[0]
        for n, (kind, status) in enumerate([("server", "up"), ("server", "up"), ("camera", "up"), ("pc", "gone")]):
            conn.execute(
                assets.insert().values(
                    key=f"mac:02:00:00:00:00:0{n}", ipv4=f"10.20.0.{n + 5}", asset_type=kind, status=status,
                    system_tag="xueji" if n == 0 else "", first_seen=NOW - timedelta(days=60),
                    last_seen=NOW - timedelta(days=3),
                )
            )  # fmt: skip
        for kind, ago in (("host_new", 3), ("port_opened", 3), ("host_gone", 3), ("host_new", 90)):
            conn.execute(
                asset_changes.insert().values(
                    scan_run_id=run, asset_key="mac:02:00:00:00:00:01", kind=kind, detail={},
                    at=NOW - timedelta(days=ago),
                )
            )  # fmt: skip


def _incidents(store: Store, key: bytes) -> None:
    session = model.Session(store, key, "安全管理员", NOW - timedelta(days=2))
    model.open_incident(
        session, title="门户网站网页篡改", category="02", subcategory="网页篡改", grade="重大",
        detected_at=NOW - timedelta(days=2), playbook="webshell",
    )  # fmt: skip
    early = model.Session(store, key, "安全管理员", NOW - timedelta(days=10))
    done = model.open_incident(
        early, title="一般病毒事件", category="01", subcategory="计算机病毒", grade="一般",
        detected_at=NOW - timedelta(days=10),
    )  # fmt: skip
    model.transition(model.Session(store, key, "安全管理员", NOW - timedelta(days=9)), done.id, "closed")
    old = model.Session(store, key, "安全管理员", NOW - timedelta(days=120))
    model.open_incident(
        old, title="很久以前的事件", category="02", subcategory="网页篡改", grade="一般",
        detected_at=NOW - timedelta(days=120),
    )  # fmt: skip


@pytest.fixture
def school(workspace: Workspace, run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    with open_workspace_store(workspace) as store:
        portal = _system(store, "门户网站", 2, "portal")
        xueji = _system(store, "学籍管理系统", 3, "xueji")
        _system(store, "一卡通系统", 3, "card")
        record_filing(store, portal, date(2023, 3, 1), "41010099001-23001", NOW)  # valid to 2028-01-01 (Q6)
        record_filing(store, xueji, date(2024, 6, 10), "", NOW)
        record_official(store, xueji, OfficialAssessment(date(2025, 6, 1), "某某测评中心", "基本符合", ""), NOW)
        _inventory(store)
        _incidents(store, audit_key(workspace.path, store))  # the workspace's own key: its trail has a head
    for moment in ("2026-11-01T10:00:00+08:00", "2026-11-20T10:00:00+08:00"):  # two runs: a trend
        monkeypatch.setenv("SECOPS_NOW", moment)
        assert run_cli("dengbao", "assess", "--system", "学籍管理系统", "--no-automated").exit_code in (0, 1)
    monkeypatch.delenv("SECOPS_NOW")
    yield workspace


def _pdf_text(data: bytes) -> str:
    """The text without line breaks and spaces: narrow table cells wrap words across lines."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


EXPECTED = (
    "学校网络安全工作概况", "测试实验中学", "网络安全第一责任人", "资产与变化", "服务器", "新主机",
    "定级对象与安全保护等级", "第3级", "学籍管理系统", "一卡通系统", "等保合规状态", "符合率", "基本符合",
    "数据分类分级", "不保存在工作区", "门户网站网页篡改", "处置时限", "逾期事项", "年度等级测评",
    "未登记备案",
)  # fmt: skip


def test_overview_content(school: Workspace) -> None:
    with open_workspace_store(school) as store:
        report = build_report("overview", school, store, NOW)
    titles = [s.title for s in report.sections]
    assert titles == [
        "概况", "资产与变化", "定级对象与安全保护等级", "等保合规状态", "数据分类分级",
        "统计期间内的网络安全事件", "逾期事项",
    ]  # fmt: skip
    tables = {t.title: t for t in report.tables()}
    assert tables["资产分类统计"].rows == [["服务器", 2, 0], ["终端", 0, 1], ["摄像头", 1, 0]]
    changes = {r[0]: r[1] for r in tables["统计期间内的资产变化"].rows}
    assert changes == {"新主机": 1, "端口开放": 1, "主机下线": 1}  # the 90-day-old change is outside the period
    events = tables["事件列表"].rows
    assert [r[1] for r in events] == ["门户网站网页篡改", "一般病毒事件"]  # not the one of 120 days ago
    overdue = tables["逾期与待办事项"].rows
    items = [r[1] for r in overdue]
    # filed 2023-03-01: before 2025, so its three years count from 2025-01-01 (Q6): not overdue
    assert not any(str(i).startswith("门户网站：备案证明") for i in items)
    assert "学籍管理系统：年度等级测评" in items  # last official assessment 2025-06-01
    assert "一卡通系统（第3级）：未登记备案" in items
    assert any(str(i).startswith("#1 门户网站网页篡改") for i in items)  # the 1-hour clock of a 重大 incident
    charts = [c.title for c in report.charts()]
    assert "学籍管理系统 符合率与高风险问题趋势" in charts and "各等级定级对象数量" in charts
    status = {r[0]: r for r in tables["各定级对象等保状态"].rows}
    assert status["学籍管理系统"][2] == "0.0%" and status["门户网站"][2] == "未评估"


def test_overview_pdf_and_docx_in_chinese(school: Workspace, tmp_path: Path) -> None:
    pdf, docx = tmp_path / "overview.pdf", tmp_path / "overview.docx"
    with open_workspace_store(school) as store:
        build_to_file("overview", pdf, school, store, NOW)
        build_to_file("overview", docx, school, store, NOW)
    text = _pdf_text(pdf.read_bytes())
    missing = [word for word in EXPECTED if word not in text]
    assert not missing, f"not in the PDF: {missing}"
    soffice = libreoffice_or_skip("the DOCX was not converted and checked")
    out = tmp_path / "converted"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--convert-to", "pdf",
         "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = _pdf_text((out / "overview.pdf").read_bytes())
    # a word wrapped inside a narrow table cell comes out of the converted PDF interleaved with the
    # next cells of its line (年度…2026-06-01 已逾期…等级测评): the overdue row is checked above
    wrapped = {"年度等级测评"}
    missing = [word for word in EXPECTED if word not in converted and word not in wrapped]
    assert not missing, f"not in the DOCX: {missing}"


def test_period_options(school: Workspace) -> None:
    with open_workspace_store(school) as store:
        longer = build_report("overview", school, store, NOW, params={"since": "2026-07-01"})
        events = {t.title: t for t in longer.tables()}["事件列表"].rows
        assert [r[1] for r in events] == ["门户网站网页篡改", "一般病毒事件", "很久以前的事件"]
        for bad, words in (
            ({"since": "2026-12-01", "until": "2026-11-01"}, "before"),
            ({"until": "2027-06-01"}, "future"),
            ({"since": "yesterday"}, "not a date"),
        ):
            with pytest.raises(SecopsError, match=words):
                build_report("overview", school, store, NOW, params=bad)
