"""The center as operators run it: HTTPS with a certificate, health per dependency, Prometheus metrics
(loopback or a bearer token), and the scheme a trusted TLS proxy reports."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from secops.center import health as health_module
from secops.center.app import create_app
from secops.center.context import CenterContext
from secops.center.metrics import CONTENT_TYPE, parse_exposition
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.server import check_tls, uvicorn_config
from secops.center.settings import CenterSettings
from secops.errors import SecopsError
from secops.protocol import signing
from tests.unit.center import alert, body_of, post, running_center

CODE = "4111010001"
TOKEN = "metrics-token-0123456789"
PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(name, tuple(sorted(labels.items()))): value for name, labels, value in parse_exposition(text)}


def self_signed(folder: Path, name: str = "cert") -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secops test center")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / f"{name}.pem", folder / f"{name}.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certfile, keyfile


@contextmanager
def serving_tls(ctx: CenterContext, certfile: Path, keyfile: Path) -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn_config(
        create_app(ctx), ctx.settings, log_level="warning", lifespan="on", **check_tls(certfile, keyfile)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the center did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def test_https_with_a_self_signed_certificate(ctx: CenterContext, tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    trusting = ssl.create_default_context(cafile=str(certfile))
    with serving_tls(ctx, certfile, keyfile) as port:
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trusting, timeout=30) as https:
            answer = https.get("/api/v1/health")
            assert answer.status_code == 200 and answer.json()["status"] == "ok"
        with pytest.raises(httpx.ConnectError):  # a client that does not trust the certificate
            httpx.get(f"https://127.0.0.1:{port}/api/v1/health", timeout=10)
        with pytest.raises(httpx.HTTPError):  # plain HTTP to the TLS port is no request
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)


def test_tls_files_are_checked_before_serving(tmp_path: Path) -> None:
    certfile, keyfile = self_signed(tmp_path)
    _other_cert, other_key = self_signed(tmp_path, "other")
    assert check_tls(None, None) == {}
    assert check_tls(certfile, keyfile) == {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}
    cases = [
        ((certfile, None), "both --certfile and --keyfile"),
        ((None, keyfile), "both --certfile and --keyfile"),
        ((tmp_path / "missing.pem", keyfile), "cannot read"),
        ((certfile, tmp_path), "cannot read"),  # a folder: unreadable as a file
        ((certfile, other_key), "does not belong to the certificate"),
        ((keyfile, keyfile), "cannot load the certificate"),
    ]
    for (cert, key), message in cases:
        with pytest.raises(SecopsError) as caught:
            check_tls(cert, key)
        assert message in caught.value.message, (cert, key)
        assert "\n" not in str(caught.value)


def test_health_reports_each_dependency_and_nothing_secret(ctx: CenterContext) -> None:
    with running_center(ctx) as url:
        answer = httpx.get(url + "/api/v1/health", timeout=30)
    assert answer.status_code == 200
    document = answer.json()
    assert document["status"] == "ok" and document["store"] == "ok"
    assert set(document["checks"]) == {"state", "alert_store", "disk"}
    for check in document["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0
    assert document["checks"]["alert_store"]["kind"] == "sqlite"  # the dialect of the SQL alert store
    assert document["checks"]["disk"]["free_bytes"] > 0
    assert ctx.secret.hex() not in answer.text and str(ctx.home) not in answer.text


def test_low_disk_is_degraded_and_still_200(ctx: CenterContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_module, "DISK_DEGRADED_BYTES", 1 << 62)
    with running_center(ctx) as url:
        answer = httpx.get(url + "/api/v1/health", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["status"] == "degraded" and answer.json()["checks"]["disk"]["status"] == "degraded"
    monkeypatch.setattr(health_module, "DISK_DOWN_BYTES", 1 << 62)
    with running_center(ctx) as url:
        answer = httpx.get(url + "/api/v1/health", timeout=30)
    assert answer.status_code == 503 and answer.json()["status"] == "down"


def test_a_broken_state_database_is_down(ctx: CenterContext, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise OSError("disk I/O error at /secret/path")

    with running_center(ctx) as url:
        monkeypatch.setattr(ctx.state.engine, "connect", broken)
        answer = httpx.get(url + "/api/v1/health", timeout=30)
    assert answer.status_code == 503
    state = answer.json()["checks"]["state"]
    assert state["status"] == "down" and state["error"] == "OSError" and "/secret/path" not in answer.text


def test_metrics_count_requests_refusals_and_store_writes(ctx: CenterContext) -> None:
    key = add_school(ctx.state, CODE, "一中", ctx.secret, datetime.now(UTC))
    with running_center(ctx) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert post(http, key, CODE, body_of([alert(1), alert(2)])).status_code == 200
        bad = signing.signed_headers(key, CODE, b"{}", now=time.time())
        bad[signing.HEADER_SIGNATURE] = "0" * 64
        assert http.post(signing.ALERTS_PATH, content=body_of([alert(3)]), headers=bad).status_code == 401
        assert http.get("/no/such/page").status_code == 404
        answer = http.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"] == CONTENT_TYPE
    found = samples(answer.text)
    assert found[("secops_center_requests_total", (("route", "/api/v1/alerts"), ("status", "200")))] == 1
    assert found[("secops_center_requests_total", (("route", "/api/v1/alerts"), ("status", "401")))] == 1
    assert found[("secops_center_requests_total", (("route", "other"), ("status", "404")))] == 1
    assert found[("secops_center_refusals_total", (("reason", "signature"),))] == 1
    assert found[("secops_center_store_write_seconds_count", ())] == 1
    assert found[("secops_center_store_writes_waiting", ())] == 0
    assert found[("secops_center_silent_forwarders", ())] == 0
    grades = {dict(labels)["grade"] for (name, labels) in found if name == "secops_center_open_cases"}
    assert grades == {"特别重大", "重大", "较大", "一般"}


def test_open_cases_are_counted_by_grade(ctx: CenterContext) -> None:
    from secops.incident.audit import audit_key
    from secops.incident.model import Session, open_incident

    session = Session(ctx.state, audit_key(ctx.home, ctx.state), "test", datetime.now(UTC))
    for grade in ("较大", "一般", "一般"):
        open_incident(
            session, title="t", category="05", subcategory="技术故障", grade=grade, detected_at=datetime.now(UTC)
        )
    with running_center(ctx) as url:
        found = samples(httpx.get(url + "/metrics", timeout=30).text)
    assert found[("secops_center_open_cases", (("grade", "一般"),))] == 2
    assert found[("secops_center_open_cases", (("grade", "较大"),))] == 1
    assert found[("secops_center_open_cases", (("grade", "重大"),))] == 0


def test_metrics_beyond_loopback_need_the_token(ctx: CenterContext) -> None:
    proxied = {"X-Forwarded-For": "203.0.113.7"}  # a proxy on this host: not a local client
    with running_center(ctx) as url:
        assert httpx.get(url + "/metrics", headers=proxied, timeout=30).status_code == 403
    ctx.settings = CenterSettings(metrics_token=TOKEN)
    with running_center(ctx) as url:
        assert httpx.get(url + "/metrics", headers=proxied, timeout=30).status_code == 403
        wrong = {**proxied, "Authorization": "Bearer " + "x" * len(TOKEN)}
        assert httpx.get(url + "/metrics", headers=wrong, timeout=30).status_code == 403
        right = {**proxied, "Authorization": f"Bearer {TOKEN}"}
        answer = httpx.get(url + "/metrics", headers=right, timeout=30)
        assert answer.status_code == 200 and "# TYPE secops_center_requests_total counter" in answer.text
        assert httpx.get(url + "/metrics", timeout=30).status_code == 200  # loopback still


def test_a_short_metrics_token_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        CenterSettings(metrics_token="short")


def login_cookie(url: str, headers: dict[str, str]) -> str:
    """The Set-Cookie of a successful dashboard login made with ``headers`` (cookies passed by hand:
    a Secure cookie is not sent back over this test's plain HTTP by itself)."""
    with httpx.Client(base_url=url, timeout=30, headers=headers) as http:
        page = http.get("/login")
        match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        assert match, page.text[:200]
        jar = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        answer = http.post(
            "/login",
            data={"username": "duty", "password": PASSWORD, "csrf": match.group(1), "next": "/"},
            headers={"Cookie": jar} if jar else {},
            follow_redirects=False,
        )
    assert answer.status_code == 303, answer.text[:300]
    return answer.headers["set-cookie"]


def test_a_trusted_tls_proxy_makes_the_session_cookie_secure(ctx: CenterContext) -> None:
    from secops.center.staff import add_user

    add_user(ctx.state, "duty", PASSWORD, datetime.now(UTC))
    behind_tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}
    with running_center(ctx) as url:  # nobody trusted: the header is a client's word
        assert "secure" not in login_cookie(url, behind_tls).lower()
    ctx.settings = CenterSettings(trusted_proxies=["127.0.0.1"])
    with running_center(ctx) as url:
        assert "secure" in login_cookie(url, behind_tls).lower()
        assert "secure" not in login_cookie(url, {}).lower()


def test_silent_forwarders_are_counted(ctx: CenterContext) -> None:
    from tests.integration.test_dashboard import checkin

    now = datetime.now(UTC)
    for code in (CODE, "4111010002", "4111010003"):
        add_school(ctx.state, code, f"学校{code[-1]}", ctx.secret, now - dt.timedelta(days=2))
    checkin(ctx.state, CODE, now - dt.timedelta(hours=2))  # promised every 15 min: silent
    checkin(ctx.state, "4111010002", now - dt.timedelta(minutes=5))  # on time
    with running_center(ctx) as url:  # 4111010003 never checked in: shown, not counted
        found = samples(httpx.get(url + "/metrics", timeout=30).text)
    assert found[("secops_center_silent_forwarders", ())] == 1
