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


BAD_SIGMA = """title: A rule whose condition is a number
id: 8d2d6a0e-5b0e-4a47-9f1e-1c2b3d4e5f60
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: cmd=}
  condition: 1
level: high
"""


def test_content_validate_checks_a_users_own_rules_folder(run_cli: Invoke, tmp_path: Path) -> None:
    """A --rules folder of any name: its Sigma rules are found by what they hold, as detect run reads them."""
    folder = tmp_path / "myrules"
    folder.mkdir()
    (folder / "bad.yml").write_text(BAD_SIGMA, encoding="utf-8")
    (folder / "notes.yml").write_text("owner: 信息中心\n", encoding="utf-8")  # not content: not checked
    result = run_cli("content", "validate", str(folder))
    assert result.exit_code == 1, result.output
    assert f"{folder / 'bad.yml'}:6:" in result.stdout and "condition" in result.stdout
    assert "1 file(s) checked" in result.stderr
    forced = run_cli("content", "validate", "--kind", "sigma-rule", str(folder))
    assert forced.exit_code == 1 and "2 file(s) checked" in forced.stderr


def test_content_validate_nothing_to_check_is_exit_2(run_cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for args, message in (
        ([str(tmp_path / "empty")], "no content found under"),
        ([str(tmp_path / "nonexistent")], "no such file or folder"),
        (["--kind", "sigma", str(tmp_path / "empty")], "is not a kind of content"),
    ):
        result = run_cli("content", "validate", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output


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
    result = run_cli("report", "build", "workspace", "--lang", "zh", "-o", str(html), "-o", str(xlsx))
    assert result.exit_code == 0, result.output
    assert "工作区概况报告" in html.read_text(encoding="utf-8")
    assert xlsx.read_bytes()[:2] == b"PK"


def test_report_build_bad_outputs_write_nothing(run_cli: Invoke, tmp_path: Path) -> None:
    assert run_cli(*INIT).exit_code == 0
    good = tmp_path / "good.html"
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    for bad, message in (
        (tmp_path / "blocker" / "w.pdf", "cannot be created"),
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
    built = run_cli(
        "report", "build", "overview", "--lang", "zh", "--since", "2026-11-01", "--until", "2026-11-20", "-o", str(out)
    )
    assert built.exit_code == 0, built.output
    assert "2026-11-01" in out.read_text(encoding="utf-8")
    reversed_period = run_cli(
        "report", "build", "overview", "--since", "2026-11-20", "--until", "2026-11-01", "-o", str(out)
    )
    assert reversed_period.exit_code == 2
    other = run_cli("report", "build", "workspace", "--since", "2026-11-01", "-o", str(tmp_path / "w.html"))
    assert other.exit_code == 2 and "overview" in other.stderr
