"""Mail through an SMTP responder on 127.0.0.1: plain, STARTTLS and SSL (a certificate of the test's
own, trusted through ``cafile``), login with the password in the file or in an environment variable,
Chinese subject and body, and every failure as one line without the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.errors import SecopsError
from secops.notify import deliver, load_notifiers, make_channel
from tests.unit.notify.servers import no_sleep, self_signed, smtp_server

TEXT = "【secops 测试消息】示例中学：通知渠道可用\n无需处理。"


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


def _mail(port: int, **settings: object) -> dict[str, object]:
    base = {"host": "127.0.0.1", "port": port, "from": "secops@example.edu.cn", "to": "duty@example.edu.cn"}
    return {**base, **settings}


def test_plain_relay_delivers_chinese_subject_and_body(tmp_path: Path) -> None:
    with smtp_server() as server:
        channel = make_channel("smtp", **_mail(server.port))
        assert deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep) is None
    (mail,) = server.mails
    assert mail.sender == "secops@example.edu.cn" and mail.recipients == ["duty@example.edu.cn"]
    assert mail.user is None and not mail.tls
    assert mail.message["Subject"] == "【secops 测试消息】示例中学：通知渠道可用"
    assert mail.message.get_content_charset() == "utf-8"
    assert mail.message.get_content() == TEXT + "\n"
    assert mail.message["Message-ID"] and mail.message["Date"]


def test_starttls_with_login(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    with smtp_server("starttls", cert, users={"secops@example.edu.cn": "授权码-123"}) as server:
        channel = make_channel(
            "smtp",
            **_mail(server.port, security="starttls", username="secops@example.edu.cn", password="授权码-123"),
            cafile=str(cert[0]),
        )
        assert deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep) is None
    (mail,) = server.mails
    assert mail.tls and mail.user == "secops@example.edu.cn"
    assert server.commands.index("STARTTLS") < server.commands.index("AUTH")


def test_ssl_with_the_password_from_the_environment(
    tmp_path: Path, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOPS_TEST_SMTP_PASSWORD", "s3cret-pw")
    with smtp_server("ssl", cert, users={"secops": "s3cret-pw"}) as server:
        channel = make_channel(
            "smtp",
            **_mail(
                server.port,
                security="ssl",
                username="secops",
                password_env="SECOPS_TEST_SMTP_PASSWORD",
                to=["a@example.edu.cn", "b@example.edu.cn"],
                cafile=str(cert[0]),
            ),
        )
        assert deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep) is None
    (mail,) = server.mails
    assert mail.tls and mail.user == "secops" and mail.recipients == ["a@example.edu.cn", "b@example.edu.cn"]
    assert "STARTTLS" not in server.commands


def test_a_wrong_password_is_one_line_without_it(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    with smtp_server("ssl", cert, users={"secops": "right"}) as server:
        channel = make_channel(
            "smtp", **_mail(server.port, security="ssl", username="secops", password="wrong-pw"), cafile=str(cert[0])
        )
        reason = deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep)
    assert reason == "login as secops refused: 535 5.7.8 Authentication credentials invalid"
    assert server.commands.count("AUTH") == 1  # a refused password is not tried again


def test_an_untrusted_certificate_is_refused(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    with smtp_server("ssl", cert) as server:
        channel = make_channel("smtp", **_mail(server.port, security="ssl"))  # the system's CAs only
        reason = deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep)
    assert reason is not None and reason.startswith("TLS: the server's certificate is not trusted")
    assert not server.mails


def test_a_server_without_starttls_is_refused_before_any_login(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    with smtp_server("none") as server:
        channel = make_channel(
            "smtp",
            **_mail(server.port, security="starttls", username="secops", password="pw"),
            cafile=str(cert[0]),
        )
        assert deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep) == "the server does not offer STARTTLS"
    assert "AUTH" not in server.commands and not server.mails


def test_a_refused_recipient_is_named(tmp_path: Path) -> None:
    with smtp_server() as server:
        channel = make_channel("smtp", **_mail(server.port, to="nobody@example.edu.cn"))
        reason = deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep)
    assert reason == "recipients refused: nobody@example.edu.cn"


def test_an_unset_password_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_TEST_NO_SUCH_VAR", raising=False)
    channel = make_channel(
        "smtp", **_mail(1, security="ssl", username="secops", password_env="SECOPS_TEST_NO_SUCH_VAR")
    )
    reason = deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep)
    assert reason == "the environment variable SECOPS_TEST_NO_SUCH_VAR (password_env) is not set"


def test_nothing_listening_is_a_connection_error(tmp_path: Path) -> None:
    with smtp_server() as server:
        port = server.port
    channel = make_channel("smtp", **_mail(port), timeout=2)
    reason = deliver(channel, TEXT, {}, tmp_path, sleep=no_sleep)
    assert reason == f"cannot connect to 127.0.0.1:{port}: Connection refused"


def test_default_ports_follow_security() -> None:
    ports = [
        make_channel("smtp", host="m", to="a@b", security=security, **{"from": "x@y"}).settings.effective_port  # type: ignore[attr-defined]
        for security in ("none", "starttls", "ssl")
    ]
    assert ports == [25, 587, 465]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  username: secops\n  password: pw\n", "a login needs security: starttls or ssl"),
        ("  security: ssl\n  username: secops\n", "username needs password or password_env"),
        ("  security: ssl\n  password: pw\n", "a password needs a username"),
        ("  security: ssl\n  username: u\n  password: p\n  password_env: P\n", "password or password_env, not both"),
        ("  security: tls\n", "security: Input should be 'none', 'starttls' or 'ssl'"),
    ],
)
def test_login_settings_are_checked_at_load(tmp_path: Path, extra: str, message: str) -> None:
    text = "- type: smtp\n  host: mail.example.edu.cn\n  from: secops@example.edu.cn\n  to: duty@example.edu.cn\n"
    (tmp_path / "notifiers.yaml").write_text(text + extra, encoding="utf-8")
    with pytest.raises(SecopsError, match=r"notifiers.yaml:\d+: notifier 1 \(smtp\): ") as error:
        load_notifiers(tmp_path)
    assert message in str(error.value)


def test_the_target_masks_the_password() -> None:
    channel = make_channel("smtp", **_mail(465, security="ssl", username="secops", password="hunter22", to=["a@b.cn"]))
    assert channel.target() == "127.0.0.1:465 (ssl, login secops, password ***) -> a@b.cn"
    assert "hunter22" not in repr(channel)
