"""`secops center serve` as operators deploy it: --certfile/--keyfile (HTTPS, or one clear error and exit 2),
--forwarded-allow-ips, and the shipped systemd unit and nginx site."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from secops.center.settings import Limits
from secops.cli.main import cli
from tests.conftest import Invoke
from tests.integration.test_center_deploy import self_signed

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "scripts" / "deploy" / "secops-center.service"
NGINX = ROOT / "scripts" / "deploy" / "nginx-secops-center.conf"


@pytest.fixture
def serve(run_cli: Invoke, tmp_path: Path) -> Invoke:
    home = str(tmp_path / "center")

    def invoke(*args: str, lang: str = "en") -> object:
        return run_cli("--lang", lang, "center", "--home", home, "serve", *args)

    return invoke  # type: ignore[return-value]


def one_error_line(result: object) -> str:
    assert getattr(result, "exit_code") == 2, getattr(result, "output")  # noqa: B009
    lines = getattr(result, "stderr").strip().splitlines()  # noqa: B009
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    return str(lines[0])


def test_tls_options_are_refused_with_one_line(serve: Invoke, tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    _other, other_key = self_signed(tmp_path, "other")
    assert "both --certfile and --keyfile" in one_error_line(serve("--certfile", str(certfile)))
    assert "both --certfile and --keyfile" in one_error_line(serve("--keyfile", str(keyfile)))
    missing = tmp_path / "missing.pem"
    assert "cannot read" in one_error_line(serve("--certfile", str(missing), "--keyfile", str(keyfile)))
    line = one_error_line(serve("--certfile", str(certfile), "--keyfile", str(other_key)))
    assert "does not belong to the certificate" in line
    chinese = one_error_line(serve("--certfile", str(certfile), "--keyfile", str(other_key), lang="zh"))
    assert "证书" in chinese


def test_a_bad_forwarded_allow_ips_entry_is_a_usage_error(serve: Invoke) -> None:
    result = serve("--forwarded-allow-ips", "127.0.0.1, not-an-address")
    assert getattr(result, "exit_code") == 2 and "not-an-address" in getattr(result, "stderr")  # noqa: B009


def test_serve_over_https_from_the_command_line(tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    command = [sys.executable, "-m", "secops", "--lang", "en", "center", "--home", str(tmp_path / "c"), "serve"]
    command += ["--port", port, "--certfile", str(certfile), "--keyfile", str(keyfile)]
    command += ["--forwarded-allow-ips", "127.0.0.1,10.0.0.0/8"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert server.stderr is not None
        assert f"secops center on https://127.0.0.1:{port}" in server.stderr.readline().decode()
        while b"startup complete" not in server.stderr.readline():
            pass
        trusting = ssl.create_default_context(cafile=str(certfile))
        answer = httpx.get(f"https://127.0.0.1:{port}/api/v1/health", verify=trusting, timeout=30)
        assert answer.status_code == 200 and answer.json()["status"] == "ok"
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate(timeout=30)
    assert server.returncode == 130


def test_workers_over_https_on_sqlite_share_one_rate_limit_and_stop_on_ctrl_c(tmp_path: Path) -> None:
    """Two worker processes on the default SQLite center: the TLS options reach both, a school's
    limit is one for both (kept in the database), and Ctrl-C stops all with exit 130."""
    from datetime import UTC, datetime

    from secops.center.metrics import parse_exposition
    from secops.center.open import open_center
    from secops.center.schools import add_school
    from secops.protocol import signing
    from tests.unit.center import alert, body_of

    home = tmp_path / "c"
    ctx = open_center(home)
    key = add_school(ctx.state, "4111010001", "一中", ctx.secret, datetime.now(UTC), rate_per_minute=3)
    ctx.close()
    certfile, keyfile = self_signed(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    command = [sys.executable, "-m", "secops", "--lang", "en", "center", "--home", str(home), "serve"]
    command += ["--port", port, "--certfile", str(certfile), "--keyfile", str(keyfile), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        assert server.stderr is not None
        started = 0
        while started < 2:  # both workers
            line = server.stderr.readline()
            assert line, "the center stopped"
            started += b"startup complete" in line
        trusting = ssl.create_default_context(cafile=str(certfile))
        codes = []
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trusting, timeout=30) as http:
            for n in range(6):  # a new connection each: the kernel spreads them over both workers
                body = body_of([alert(n)])
                signed = signing.signed_headers(key, "4111010001", body, now=time.time())
                headers = {**signed, "Connection": "close"}
                codes.append(http.post(signing.ALERTS_PATH, content=body, headers=headers).status_code)
        assert codes == [200, 200, 200, 429, 429, 429]
        # GET /metrics answers for both workers, whichever is scraped (each publishes every 2 s)
        time.sleep(2.5)
        for _ in range(4):
            text = httpx.get(f"https://127.0.0.1:{port}/metrics", verify=trusting, timeout=30).text
            found = {(n, tuple(sorted(labels.items()))): v for n, labels, v in parse_exposition(text)}
            route = ("route", "/api/v1/alerts")
            assert found[("secops_center_requests_total", (route, ("status", "200")))] == 3
            assert found[("secops_center_refusals_total", (("reason", "rate_limit"),))] == 3
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)  # the workers too: they hold the pipes open
            server.communicate(timeout=30)
    assert server.returncode == 130
    assert "Traceback" not in err.decode()


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read_string(path.read_text(encoding="utf-8"))
    return unit


def test_the_systemd_unit_has_what_operators_expect() -> None:
    unit = read_unit(UNIT)
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    required = {
        "User": "secops",
        "Restart": "on-failure",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
    }
    for key, value in required.items():
        assert service.get(key) == value, key
    home = service["WorkingDirectory"]
    assert service["ReadWritePaths"] == home
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith("/") and argv[0].endswith("/bin/secops")
    assert argv[1:4] == ["center", "--home", home] and "serve" in argv
    # every option of the command line exists and its value parses (without serving)
    root = click.Context(cli)
    center = cli.get_command(root, "center")
    assert isinstance(center, click.Group)
    serve_command = center.get_command(click.Context(center, parent=root), "serve")
    assert serve_command is not None
    parsed = serve_command.make_context("serve", argv[argv.index("serve") + 1 :])
    assert parsed.params["host"] == "127.0.0.1" and parsed.params["trusted_proxies"] == ("127.0.0.1",)
    assert parsed.params["workers"] == 2
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    secops = Path(sys.executable).parent / "secops"
    if analyze is None or not secops.exists():
        pytest.skip("systemd-analyze or the secops script is not here; the parser test above still runs")
    text = UNIT.read_text(encoding="utf-8")
    local = tmp_path / "secops-center.service"
    local.write_text(re.sub(r"^ExecStart=\S+", f"ExecStart={secops}", text, flags=re.M), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "secops-center.service" not in done.stderr, done.stderr  # no warning about the unit itself


def test_the_nginx_site_matches_the_center_limits() -> None:
    text = NGINX.read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size is not None and int(size.group(1)) * 1024 * 1024 == Limits().max_body_bytes
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "ssl_certificate " in text and "proxy_read_timeout" in text and "127.0.0.1:8600" in text
    assert text.count("{") == text.count("}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/deploy/nginx-secops-center.conf" in readme and "scripts/deploy/secops-center.service" in readme
