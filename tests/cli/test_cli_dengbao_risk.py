"""``secops dengbao risk``: the assessor confirms or rejects a 重大风险隐患 candidate, and the conclusion
follows the 2025 answers (Q19/Q20): a confirmed one turns 符合 into 基本符合, never into 不符合."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A command run with --lang (or a workspace language) leaves its choice in this process."""
    from secops.i18n import set_language

    yield
    set_language(None)


INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]
SYSTEM = "门户网站"


@pytest.fixture
def assessed(run_cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """A level-2 system answered all 符合 but for its password item (high-risk case 6.4.1.1)."""
    monkeypatch.delenv("SECOPS_NOW", raising=False)  # the real clock
    assert run_cli(*INIT).exit_code == 0
    assert run_cli("dengbao", "system", "add", SYSTEM, "--level", "2").exit_code == 0
    questionnaire = tmp_path / "q.yaml"
    assert run_cli("dengbao", "questionnaire", "export", "--system", SYSTEM, "-o", str(questionnaire)).exit_code == 0
    answered = questionnaire.read_text(encoding="utf-8").replace("    result:\n", "    result: 符合\n")
    head, found, rest = answered.partition("L2-CES1-01:")
    assert found, "the questionnaire lists the identification item"
    rest = rest.replace("result: 符合", "result: 不符合", 1)
    questionnaire.write_text(head + found + rest, encoding="utf-8")
    assert run_cli("dengbao", "questionnaire", "import", "--system", SYSTEM, str(questionnaire)).exit_code == 0
    run_cli("dengbao", "assess", "--system", SYSTEM, "--no-automated")
    return run_cli


def _listed(run: Invoke) -> dict:  # type: ignore[type-arg]
    result = run("dengbao", "risk", "list", "--system", SYSTEM, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_candidate_confirmed_turns_符合_into_基本符合_and_rejected_back(assessed: Invoke) -> None:
    before = _listed(assessed)
    text = json.dumps(before, ensure_ascii=False)
    assert "6.4.1.1" in text and "符合" in text
    confirmed = assessed("dengbao", "risk", "confirm", "6.4.1.1", "--system", SYSTEM, "--reason", "管理员弱口令")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert "基本符合" in confirmed.stdout and "不符合" not in confirmed.stdout.replace("基本符合", "")
    after = json.dumps(_listed(assessed), ensure_ascii=False)
    assert "管理员弱口令" in after and "基本符合" in after
    rejected = assessed("dengbao", "risk", "reject", "6.4.1.1", "--system", SYSTEM, "--reason", "已核实仅本地可登录")
    assert rejected.exit_code == 0, rejected.stderr
    listed = _listed(assessed)
    stamps = [v for v in _times(listed) if v]
    assert stamps and all(v.endswith("+08:00") for v in stamps)  # decisions shown in the workspace zone
    assert all(abs(datetime.fromisoformat(v) - datetime.now().astimezone()) < timedelta(minutes=5) for v in stamps)


def _times(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in ([v] if k.endswith("_at") and isinstance(v, str) else _times(v))]
    if isinstance(value, list):
        return [t for item in value for t in _times(item)]
    return []


@pytest.mark.parametrize(
    "args",
    [
        ["confirm", "9.9.9.9", "--system", SYSTEM, "--reason", "x"],  # no such case
        ["confirm", "6.4.1.1", "--system", "没有这个系统", "--reason", "x"],  # no such system
        ["confirm", "6.4.1.1", "--system", SYSTEM, "--reason", ""],  # no reason
        ["reject", "6.4.1.1", "--system", SYSTEM],  # --reason is required
    ],
)
def test_bad_decisions_are_one_clear_error(assessed: Invoke, args: list[str]) -> None:
    result = assessed("dengbao", "risk", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def _answer_identification(run: Invoke, tmp_path: Path, mitigation: str) -> str:
    """Re-import the questionnaire with a mitigation cell on the failing identification item."""
    path = tmp_path / "again.yaml"
    assert run("dengbao", "questionnaire", "export", "--system", SYSTEM, "-o", str(path), "--force").exit_code == 0
    text = path.read_text(encoding="utf-8")
    head, found, rest = text.partition("L2-CES1-01:")
    block, sep, tail = rest.partition("\n  L2-")
    assert "mitigation:" in block, block
    block = "\n".join(
        (line.split("mitigation:")[0] + f"mitigation: {json.dumps(mitigation, ensure_ascii=False)}")
        if "mitigation:" in line
        else line
        for line in block.split("\n")
    )
    path.write_text(head + found + block + sep + tail, encoding="utf-8")
    imported = run("dengbao", "questionnaire", "import", "--system", SYSTEM, str(path))
    assert imported.exit_code == 0, imported.stderr
    result = run("--lang", "zh", "dengbao", "assess", "--system", SYSTEM, "--no-automated")
    return str(result.stdout)


def test_free_text_is_a_note_and_a_named_mitigation_lowers(assessed: Invoke, tmp_path: Path) -> None:
    shown = _answer_identification(assessed, tmp_path, "已部署防火墙")
    line = next(x for x in shown.splitlines() if "[6.4.1.1]" in x)
    assert "未缓解（高风险）" in line and "重大风险隐患候选" in line
    assert "备注（不作为缓解依据）：已部署防火墙" in line
    shown = _answer_identification(assessed, tmp_path, "6.4.1.1-local-only")
    line = next(x for x in shown.splitlines() if "[6.4.1.1]" in x)
    assert "已采取指引认可的缓解措施：6.4.1.1-local-only" in line and "候选" not in line
