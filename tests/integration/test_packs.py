"""Content packs down, status up, with a real center on loopback: a pack published at the center
(checked there first) is installed by the school's next forwarder pass, its Sigma rule raises an
alert in the next ``detect run`` and its YARA rule matches in ``yara scan``; indicator lists become
rules too. A pack that fails validation (even signed with the center's real key) or is signed with
another key is refused, and the refusal shows at the center; a newer version replaces an older."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.signing_key import signing_key
from secops.config import Workspace, load_workspace, save_config
from secops.forward.sync import CenterClient, forward_once, load_target
from secops.protocol import envelope
from secops.protocol.packs import PackBody, PackFile
from secops.store.schema import center_outbound, center_packs
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_forward import connect
from tests.unit.center import running_center

PROBE = "/pack-probe-7f3a"
BAD_IP = "198.51.100.23"
SIGMA = f"""title: 探测路径访问（内容包）
id: 0b0c6d3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d
status: stable
level: high
description: A request for the probe path the province warned about.
logsource:
  category: webserver
detection:
  keywords:
    - '{PROBE}'
  condition: keywords
"""
BROKEN_SIGMA = """title: 坏规则
id: 1b0c6d3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d
status: stable
level: high
logsource:
  category: webserver
detection:
  selection:
    cs-uri-stem: /x
  condition: selection and missing
"""
YARA = """rule pack_probe_marker
{
    meta:
        description = "Marker string of the probe kit"
        author = "province"
        date = "2026-12-01"
        severity = "high"
        reference = "https://example.edu.cn/advisory/1"
    strings:
        $m = "PACK-PROBE-KIT-MARKER"
    condition:
        $m
}
"""
HASHED = b"a file the province listed by its hash\n"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _pin(ws: Workspace, ctx: CenterContext) -> Workspace:
    forward = ws.config.forward
    assert forward is not None
    pinned = forward.model_copy(update={"center_key": envelope.public_text(signing_key(ctx.home))})
    save_config(ws.path, ws.config.model_copy(update={"forward": pinned}))
    return load_workspace(ws.path)


def _pass(ws: Workspace) -> str:
    target = load_target(ws)
    with open_workspace_store(ws) as store, CenterClient(target) as client:
        result = forward_once(target, store, client)
    return result.inbox or ""


def _content(tmp_path: Path) -> dict[str, Path]:
    import hashlib

    folder = tmp_path / "content"
    (folder / "sigma").mkdir(parents=True)
    (folder / "sigma" / "probe.yml").write_text(SIGMA, encoding="utf-8")
    (folder / "probe.yar").write_text(YARA, encoding="utf-8")
    (folder / "iocs.txt").write_text(
        f"# 省中心 2026-12 第 3 期\n{BAD_IP}\nevil-c2.example.com  # C2\n{hashlib.sha256(HASHED).hexdigest()}\n",
        encoding="utf-8",
    )
    return {"sigma": folder / "sigma", "yara": folder / "probe.yar", "indicators": folder / "iocs.txt"}


def _publish(run_cli: Invoke, ctx: CenterContext, content: dict[str, Path], *extra: str) -> str:
    result = run_cli(
        "center", "--home", str(ctx.home), "pack", "publish", "web", "--school", SCHOOL_CODE,
        "--sigma", str(content["sigma"]), "--yara", str(content["yara"]),
        "--indicators", str(content["indicators"]), *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def _show(run_cli: Invoke, ctx: CenterContext) -> list[dict[str, object]]:
    shown = run_cli("center", "--home", str(ctx.home), "pack", "show", "web", "--format", "json")
    assert shown.exit_code == 0, shown.output
    rows: list[dict[str, object]] = json.loads(shown.stdout)["schools"]
    return rows


def test_a_published_pack_is_installed_and_used_by_the_next_detection_run_and_yara_scan(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, tmp_path: Path
) -> None:
    content = _content(tmp_path)
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        assert "web v1" in _publish(run_cli, ctx, content)
        line = _pass(ws)
        assert "content pack web v1 installed (1 Sigma, 1 YARA, 3 indicator(s))" in line, line
        [row] = _show(run_cli, ctx)
        assert row["status"] == "installed" and row["installed_version"] == 1

    listed = json.loads(run_cli("content", "packs", "--format", "json").stdout)
    assert [(p["name"], p["version"], p["sigma"], p["yara"], p["indicators"]) for p in listed] == [("web", 1, 1, 1, 3)]
    assert listed[0]["center"] == ctx.home.name

    log = tmp_path / "access.log"
    log.write_text(
        f'192.0.2.10 - - [01/Dec/2026:08:00:00 +0800] "GET {PROBE}?x=1 HTTP/1.1" 404 12 "-" "curl/8"\n'
        f'{BAD_IP} - - [01/Dec/2026:08:00:01 +0800] "GET / HTTP/1.1" 200 12 "-" "curl/8"\n'
        '192.0.2.11 - - [01/Dec/2026:08:00:02 +0800] "GET /index.html HTTP/1.1" 200 12 "-" "curl/8"\n',
        encoding="utf-8",
    )
    detected = run_cli("detect", "run", str(log), "--format", "jsonl")
    assert detected.exit_code == 1, detected.output
    assert "探测路径访问（内容包）" in detected.stdout
    assert "威胁指标命中（web v1，web）" in detected.stdout  # the indicator IP, through the generated rule
    # Rules named with --rules run alone: the pack joins the shipped rules, it does not replace them.
    own = tmp_path / "own.yml"
    own.write_text(SIGMA.replace(PROBE, "/never").replace("0b0c6d3e", "2b0c6d3e"), encoding="utf-8")
    assert run_cli("detect", "run", str(log), "--rules", str(own)).exit_code == 0

    www = tmp_path / "www"
    www.mkdir()
    (www / "kit.php").write_text("<?php // PACK-PROBE-KIT-MARKER\n", encoding="utf-8")
    (www / "listed.bin").write_bytes(HASHED)
    (www / "clean.txt").write_text("nothing here\n", encoding="utf-8")
    scanned = run_cli("yara", "scan", str(www), "--format", "jsonl")
    assert scanned.exit_code == 1, scanned.output
    hits = {(Path(h["path"]).name, h["rule"]) for h in map(json.loads, scanned.stdout.splitlines())}
    assert ("kit.php", "pack_probe_marker") in hits
    assert ("listed.bin", "pack_web_indicator_hashes") in hits
    assert not any(name == "clean.txt" for name, _ in hits)


def test_a_newer_version_replaces_the_older_and_an_older_one_is_ignored(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, tmp_path: Path
) -> None:
    content = _content(tmp_path)
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        _publish(run_cli, ctx, content)
        _pass(ws)
        content["indicators"].write_text("203.0.113.99\n", encoding="utf-8")
        assert "web v5" in _publish(run_cli, ctx, content, "--version", "5")
        assert "content pack web v5 installed (1 Sigma, 1 YARA, 1 indicator(s))" in _pass(ws)
        again = run_cli("center", "--home", str(ctx.home), "pack", "publish", "web", "--all", "--indicators",
                        str(content["indicators"]), "--version", "3")  # fmt: skip
        assert again.exit_code == 2 and "version 5 already" in again.stderr
        # An older version sent anyway (a replay of a stale pack, signed): ignored, and said so.
        _inject(ctx, _pack_payload("pstale000000001", version=2, files=[PackFile(name="a.txt", kind="indicators",
                text="192.0.2.1\n")]), signing_key(ctx.home))  # fmt: skip
        assert "ignored: v5 is installed, v2 is not newer" in _pass(ws)
        statuses = {r["version"]: r["status"] for r in _show(run_cli, ctx)}
        assert statuses == {5: "installed", 1: "installed", 2: "ignored"}
    [pack] = json.loads(run_cli("content", "packs", "--format", "json").stdout)
    assert pack["version"] == 5 and pack["indicators"] == 1
    folders = sorted(p.name for p in (ws.path / "packs" / "web").iterdir())
    assert folders == ["current", "v5"]  # the older version is gone


def _pack_payload(pack_id: str, *, version: int, files: list[PackFile]) -> envelope.Payload:
    now = datetime.now(UTC)
    body = PackBody(name="web", version=version, files=files)
    return envelope.Payload(
        kind="pack", id=pack_id, issuer="?", issued_at=now, expires_at=now + timedelta(days=1), schools=[],
        body=body.model_dump(mode="json"),
    )  # fmt: skip


def _inject(ctx: CenterContext, payload: envelope.Payload, key: envelope.Ed25519PrivateKey) -> None:
    """Sealed with ``key`` into the outbound queue, recorded as a pack the center sent (bypassing its
    own checks), so the school's answer has somewhere to show."""
    sealed = envelope.seal(key, payload)
    body = PackBody.model_validate(payload.body)
    with ctx.state.engine.begin() as conn:
        conn.execute(
            center_outbound.insert().values(
                id=payload.id, kind="pack", issued_at=payload.issued_at, expires_at=payload.expires_at,
                schools=[], envelope=sealed.model_dump(),
            )
        )  # fmt: skip
        conn.execute(
            center_packs.insert().values(
                id=payload.id, name=body.name, version=body.version, issued_at=payload.issued_at,
                issued_by="test", audience="全部学校", schools=[], files=[],
            )
        )  # fmt: skip


def test_a_pack_failing_validation_or_signed_with_another_key_is_refused_and_the_center_sees_it(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, tmp_path: Path
) -> None:
    broken = [PackFile(name="broken.yml", kind="sigma", text=BROKEN_SIGMA)]
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        _inject(ctx, _pack_payload("pbroken00000001", version=1, files=broken), signing_key(ctx.home))
        line = _pass(ws)
        assert "refused pbroken00000001: pack web v1 fails validation: broken.yml" in line, line
        good = [PackFile(name="probe.yml", kind="sigma", text=SIGMA)]
        _inject(ctx, _pack_payload("pforged00000002", version=2, files=good), envelope.new_private_key())
        line = _pass(ws)
        assert "not the pinned center key" in line, line
        # A refusal before the kind is known goes up with the next pack the school handles (the
        # inbox hands its own client to no handler; see secops.forward.packs).
        _inject(ctx, _pack_payload("pgenuine0000003", version=3, files=good), signing_key(ctx.home))
        assert "content pack web v3 installed" in _pass(ws)
        rows = {r["version"]: r for r in _show(run_cli, ctx)}
        assert rows[3]["status"] == "installed"
        assert rows[1]["status"] == "refused" and "broken.yml" in str(rows[1]["reason"])
        assert rows[2]["status"] == "refused" and "not the pinned center key" in str(rows[2]["reason"])
        listed = json.loads(run_cli("center", "--home", str(ctx.home), "pack", "list", "--format", "json").stdout)
        assert {(p["version"], p["refused"]) for p in listed} == {(1, 1), (2, 1), (3, 0)}
    [pack] = json.loads(run_cli("content", "packs", "--format", "json").stdout)
    assert pack["version"] == 3 and pack["sigma"] == 1  # neither refused pack left anything behind


def test_the_center_refuses_bad_content_with_file_and_line(ctx: CenterContext, run_cli: Invoke, tmp_path: Path) -> None:
    from secops.center.schools import add_school

    add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC))
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN_SIGMA, encoding="utf-8")
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("# ok\n203.0.113.5\nnot an indicator\n", encoding="utf-8")
    yara_include = tmp_path / "inc.yar"
    yara_include.write_text('include "/etc/passwd"\n' + YARA, encoding="utf-8")
    home = str(ctx.home)
    result = run_cli(
        "center", "--home", home, "pack", "publish", "web", "--all",
        "--sigma", str(bad), "--indicators", str(iocs), "--yara", str(yara_include),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"{bad}:" in result.stderr
    assert f"{iocs}:3: 'not an indicator' is not an IP address" in result.stderr
    assert f"{yara_include}:1: include is not allowed" in result.stderr
    listed = run_cli("center", "--home", home, "pack", "list", "--format", "json")
    assert json.loads(listed.stdout) == []
    assert run_cli("center", "--home", home, "pack", "show", "web").exit_code == 2
