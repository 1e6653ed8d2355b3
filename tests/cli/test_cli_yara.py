"""`secops yara`: scanning a web root from the command line, its output, exit codes and alerts."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from secops.config import Workspace
from secops.detection.yara.samples import samples_for, write_web_root
from tests.conftest import Invoke


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_scan_jsonl_one_line_per_hit_and_exit_1(run_cli: Invoke, tmp_path: Path) -> None:
    www = tmp_path / "www"
    planted = write_web_root(www)
    result = run_cli("yara", "scan", str(www), "--format", "jsonl")
    assert result.exit_code == 1, result.stderr
    hits = _jsonl(result.stdout)
    assert {(str(Path(str(h["path"])).relative_to(www)), h["rule"]) for h in hits} >= set(planted.items())
    for hit in hits:
        assert set(hit) == {"path", "rule", "namespace", "tags", "meta", "strings", "sha256", "size"}
        assert set(hit["meta"]) >= {"description", "severity", "family"}  # type: ignore[arg-type]
        for string in hit["strings"]:  # type: ignore[attr-defined]
            assert set(string) == {"identifier", "offset", "snippet"}
            assert len(string["snippet"]) <= 4 * 64
    assert "Scanned 9 file(s)" in result.stderr
    assert f"{len(hits)} hit(s) in {len(planted)} file(s)" in result.stderr


def test_scan_table_and_clean_tree_exit_0(run_cli: Invoke, tmp_path: Path) -> None:
    www = tmp_path / "www"
    write_web_root(www)
    result = run_cli("yara", "scan", str(www))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Severity", "Rule", "Family", "Path", "Description", "Strings"]
    assert any("china_chopper_php" in line and "China Chopper" in line and "中国菜刀" in line for line in lines)

    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "index.php").write_text("<?php echo 'hi';\n")
    result = run_cli("yara", "scan", str(clean))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "0 hit(s)" in result.stderr


def test_skips_and_unreadable_files_are_reported(run_cli: Invoke, tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="yara-cli-"))
    try:
        root.chmod(0o755)
        (root / "big.bin").write_bytes(b"\0" * (2 * 1024 * 1024))
        (root / "big.bin").chmod(0o644)
        os.mkfifo(root / "fifo")
        (root / "link.php").symlink_to("/etc/passwd")
        (root / "locked.php").write_bytes(samples_for("china_chopper_php", hit=True)[0].content)
        (root / "locked.php").chmod(0)
        # Loaded before the uid drops (the interpreter's own files may be private to root).
        import secops.cli.yara_cmd
        import secops.detection.yara.scanner

        assert secops.cli.yara_cmd.yara is not None and secops.detection.yara.scanner.walk is not None

        if os.geteuid() == 0:
            os.setegid(65534)
            os.seteuid(65534)
        try:
            result = run_cli("yara", "scan", str(root), "--max-size", "1")
        finally:
            if os.getuid() == 0:
                os.seteuid(0)
                os.setegid(0)
    finally:
        shutil.rmtree(root)
    assert result.exit_code == 0, result.stderr
    assert "Skipped: 1 over 1 MB, 1 special (FIFO, device, socket), 1 symbolic link(s), not followed." in result.stderr
    assert "Unreadable: 1." in result.stderr
    assert f"secops: warning: cannot scan {root / 'locked.php'}: Permission denied" in result.stderr


def test_store_writes_ecs_alerts_once(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    www = tmp_path / "www"
    planted = write_web_root(www)
    result = run_cli("yara", "scan", str(www), "--store", "--format", "jsonl")
    assert result.exit_code == 1, result.stderr
    hits = _jsonl(result.stdout)
    assert f"Stored {len(hits)} alert(s)" in result.stderr

    from secops.inventory.queries import alert_list
    from secops.workspace import open_workspace_store

    with open_workspace_store(workspace) as store:
        alerts = alert_list(store, source="yara")
    assert len(alerts) == len(hits)
    shell = next(a for a in alerts if a["rule"] == "china_chopper_php")
    assert shell["severity"] == "critical"
    assert shell["title"].endswith(str(www / "uploads/2026/11/avatar.php"))
    assert shell["title"].startswith("中国菜刀")  # the staff read the Chinese description
    detail = shell["detail"]
    assert detail["event"]["kind"] == "alert" and detail["event"]["module"] == "yara"
    assert detail["file"]["path"] == str(www / "uploads/2026/11/avatar.php")
    assert detail["file"]["hash"]["sha256"] == next(h["sha256"] for h in hits if h["rule"] == "china_chopper_php")
    assert detail["rule"]["name"] == "china_chopper_php"
    assert detail["rule"]["ruleset"] == "webshell_chopper"
    assert detail["rule"]["secops"]["technique"] == "family-marker" and detail["rule"]["secops"]["language"] == "php"
    assert detail["threat"]["software"]["name"] == "China Chopper"
    assert detail["yara"]["strings"][0]["identifier"] == "$one"
    assert {a["rule"] for a in alerts} >= set(planted.values())

    again = run_cli("yara", "scan", str(www), "--store")
    assert again.exit_code == 1
    assert f"Stored 0 alert(s) in the workspace ({len(hits)} already stored)." in again.stderr
    with open_workspace_store(workspace) as store:
        assert len(alert_list(store, source="yara")) == len(hits)


def test_store_needs_a_workspace(run_cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    result = run_cli("yara", "scan", str(tmp_path / "www"), "--store", workspace=tmp_path / "none")
    assert result.exit_code == 2
    assert result.stderr.startswith("secops: error:")
    assert "Traceback" not in result.stderr


def test_own_rules_and_a_broken_rule_file(run_cli: Invoke, tmp_path: Path) -> None:
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "mine.yar").write_text('rule school_marker { strings: $a = "do-not-publish-42" condition: $a }\n')
    (rules / "broken.yar").write_text("rule broken {\n  condition:\n    undefined_thing\n}\n")
    (tmp_path / "doc.txt").write_text("draft: do-not-publish-42\n")
    result = run_cli("yara", "scan", str(tmp_path / "doc.txt"), "--rules", str(rules), "--format", "jsonl")
    assert result.exit_code == 1
    assert [h["rule"] for h in _jsonl(result.stdout)] == ["school_marker"]
    assert f"secops: warning: {rules / 'broken.yar'}:3: undefined identifier" in result.stderr

    (rules / "mine.yar").unlink()
    result = run_cli("yara", "scan", str(tmp_path / "doc.txt"), "--rules", str(rules))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"secops: error: {rules / 'broken.yar'}:3: undefined identifier")


def test_missing_path_is_a_usage_error(run_cli: Invoke, tmp_path: Path) -> None:
    result = run_cli("yara", "scan", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_rules_lists_the_shipped_rules(run_cli: Invoke) -> None:
    result = run_cli("yara", "rules", "--format", "jsonl")
    assert result.exit_code == 0
    rows = _jsonl(result.stdout)
    assert len(rows) >= 30
    names = {row["rule"] for row in rows}
    assert {"behinder_jsp", "godzilla_php", "antsword_php_shell", "china_chopper_asp", "miner_xmrig"} <= names
    assert all(row["severity"] in ("low", "medium", "high", "critical") for row in rows)


def test_rules_are_listed_by_technique_in_chinese(run_cli: Invoke) -> None:
    rows = _jsonl(run_cli("yara", "rules", "--format", "jsonl").stdout)
    assert [(r["technique"], r["rule"]) for r in rows] == sorted((r["technique"], r["rule"]) for r in rows)
    assert all(r["technique"] and r["language"] in ("php", "asp", "aspx", "jsp", "any") for r in rows)
    assert all(r["confidence"] in ("high", "medium", "low") for r in rows)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["description"]) for r in rows)  # the Chinese text
    table = run_cli("yara", "rules").stdout
    assert "TECHNIQUE" in table.splitlines()[0].upper() and "矿池" in table
