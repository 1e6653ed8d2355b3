"""Servers on 127.0.0.1 that the notifier tests deliver to (nothing leaves the machine):

- ``robot_server``: an HTTP endpoint like the DingTalk and WeCom robots; it records every POST and
  answers what the test queued (JSON with an HTTP status), errcode 0 once the queue is empty;
- ``smtp_server``: a small SMTP responder (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT), plain,
  STARTTLS or SSL, with a certificate of its own made by ``self_signed``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import ipaddress
import json
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class RobotServer:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes]] = field(default_factory=list)  # served in turn

    def answer(self, status: int = 200, **body: Any) -> None:
        self.answers.append((status, json.dumps(body).encode()))


@contextmanager
def robot_server() -> Iterator[RobotServer]:
    state = RobotServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            state.received.append(Received(parts.path, query, dict(self.headers.items()), body))
            status, payload = state.answers.pop(0) if state.answers else (200, b'{"errcode": 0, "errmsg": "ok"}')
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as port:
        state.url = f"http://127.0.0.1:{port}"
        yield state


@contextmanager
def _serving(server: socketserver.TCPServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (its own CA) and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secops test SMTP")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    user: str | None
    tls: bool
    message: EmailMessage


@dataclass
class SmtpServer:
    port: int = 0
    mails: list[Mail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


@contextmanager
def smtp_server(
    mode: str = "none", cert: tuple[Path, Path] | None = None, users: dict[str, str] | None = None
) -> Iterator[SmtpServer]:
    """``mode``: none (plain), starttls (offers STARTTLS) or ssl (TLS from the first byte); AUTH PLAIN
    is offered over TLS only, and accepts ``users`` (name -> password)."""
    state = SmtpServer()
    context = None
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*cert)
    accounts = users or {}

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):  # a client that gave up (e.g. refused our certificate)
                self._converse()

        def _converse(self) -> None:
            sock: socket.socket = self.request
            tls = False
            if mode == "ssl":
                assert context is not None
                sock, tls = context.wrap_socket(sock, server_side=True), True
            reader: BinaryIO = sock.makefile("rb")

            def say(line: str) -> None:
                sock.sendall(line.encode() + b"\r\n")

            say("220 127.0.0.1 ESMTP secops-test")
            sender, user = "", None
            recipients: list[str] = []
            while raw := reader.readline():
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                state.commands.append("AUTH" if verb == "AUTH" else line)
                if verb in ("EHLO", "HELO"):
                    extensions = ["127.0.0.1", "8BITMIME"]
                    if mode == "starttls" and not tls:
                        extensions.append("STARTTLS")
                    if tls:
                        extensions.append("AUTH PLAIN")
                    say("\r\n".join(f"250-{e}" for e in extensions[:-1]) + f"\r\n250 {extensions[-1]}")
                elif verb == "STARTTLS" and mode == "starttls" and not tls:
                    assert context is not None
                    say("220 2.0.0 ready to start TLS")
                    sock, tls = context.wrap_socket(sock, server_side=True), True
                    reader = sock.makefile("rb")
                elif verb == "AUTH" and tls:
                    parts = line.split()
                    if len(parts) == 2:
                        say("334 ")
                        parts.append(reader.readline().decode().strip())
                    _, name, password = base64.b64decode(parts[2]).decode("utf-8").split("\0")
                    if accounts.get(name) == password:
                        user = name
                        say("235 2.7.0 Authentication successful")
                    else:
                        say("535 5.7.8 Authentication credentials invalid")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                    say("250 2.1.0 OK")
                elif verb == "RCPT":
                    address = line.split(":", 1)[1].strip().strip("<>")
                    if address.startswith("nobody@"):
                        say("550 5.1.1 no such user")
                    else:
                        recipients.append(address)
                        say("250 2.1.5 OK")
                elif verb == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    data = b""
                    while (chunk := reader.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    parsed = message_from_bytes(data, policy=policy.default)
                    assert isinstance(parsed, EmailMessage)
                    state.mails.append(Mail(sender, recipients, user, tls, parsed))
                    say("250 2.0.0 queued")
                elif verb in ("RSET", "NOOP"):
                    say("250 2.0.0 OK")
                elif verb == "QUIT":
                    say("221 2.0.0 bye")
                    return
                else:
                    say("502 5.5.1 not implemented")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with _serving(Server(("127.0.0.1", 0), Handler)) as port:
        state.port = port
        yield state


def no_sleep(_seconds: float) -> None:
    """Retries without waiting."""
