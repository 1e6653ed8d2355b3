import json
from pathlib import Path

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]


def test_content_validate_shipped_content(run_cli: Invoke) -> None:
    result = run_cli("content", "validate")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stderr


def test_content_validate_prints_file_line_and_exits_1(run_cli: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    bad = folder / "bad.yml"
    bad.write_text(
        "id: bad\ntitle: {zh: 坏, en: Bad}\ndescription: {zh: 坏, en: Bad}\nsource: workspace\nformats: [pdf, odt]\n"
    )
    result = run_cli("content", "validate", str(folder))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{bad}:5: formats: formats must be chosen from")


def test_content_list(run_cli: Invoke) -> None:
    rows = json.loads(run_cli("content", "list", "--format", "json").stdout)
    kinds = {row["kind"]: row for row in rows}
    assert kinds["report"]["files"] >= 1 and kinds["template"]["files"] >= 1


def test_report_list_formats(run_cli: Invoke) -> None:
    rows = json.loads(run_cli("report", "list", "--format", "json").stdout)
    assert {
        "id": "workspace",
        "title": "工作区概况报告",
        "title_en": "Workspace overview",
        "formats": "pdf,html,xlsx,docx",
    } in rows
    lines = run_cli("report", "list", "--format", "jsonl").stdout.splitlines()
    assert "workspace" in {json.loads(line)["id"] for line in lines}
    assert "工作区概况报告" in run_cli("report", "list").stdout


def test_report_build_html_and_xlsx(run_cli: Invoke, tmp_path: Path) -> None:
    assert run_cli(*INIT).exit_code == 0
    html, xlsx = tmp_path / "w.html", tmp_path / "w.xlsx"
    result = run_cli("report", "build", "workspace", "-o", str(html), "-o", str(xlsx))
    assert result.exit_code == 0, result.output
    assert "工作区概况报告" in html.read_text(encoding="utf-8")
    assert xlsx.read_bytes()[:2] == b"PK"


def test_report_build_bad_outputs_write_nothing(run_cli: Invoke, tmp_path: Path) -> None:
    assert run_cli(*INIT).exit_code == 0
    good = tmp_path / "good.html"
    for bad, message in (
        (tmp_path / "missing" / "w.pdf", "does not exist"),
        (tmp_path / "w.txt", "cannot tell the report format"),
    ):
        result = run_cli("report", "build", "workspace", "-o", str(good), "-o", str(bad))
        assert result.exit_code == 2
        assert message in result.stderr and result.stderr.count("\n") == 1
        assert not good.exists() and not bad.exists()
    unknown = run_cli("report", "build", "nosuch", "-o", str(good))
    assert unknown.exit_code == 2 and "no report named 'nosuch'" in unknown.stderr


def test_report_period_options_reach_the_overview_only(run_cli: Invoke, tmp_path: Path) -> None:
    run_cli("init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16")
    out = tmp_path / "overview.html"
    built = run_cli("report", "build", "overview", "--since", "2026-11-01", "--until", "2026-11-20", "-o", str(out))
    assert built.exit_code == 0, built.output
    assert "2026-11-01" in out.read_text(encoding="utf-8")
    reversed_period = run_cli(
        "report", "build", "overview", "--since", "2026-11-20", "--until", "2026-11-01", "-o", str(out)
    )
    assert reversed_period.exit_code == 2
    other = run_cli("report", "build", "workspace", "--since", "2026-11-01", "-o", str(tmp_path / "w.html"))
    assert other.exit_code == 2 and "overview" in other.stderr
