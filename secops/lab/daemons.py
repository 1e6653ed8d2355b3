"""Real daemons inside a campus host's network namespace, for the 等保 probe tests.

Debian's own redis-server and OpenSSH sshd run with generated configurations in a temporary
directory; a small Python TLS server stands in for a legacy web server. sshd gets its test
accounts from generated passwd/shadow/group files bind-mounted over /etc in a private mount
namespace, so the machine's own account files are never touched. Every handle stops its
daemon (terminate, then wait) and removes its directory; handles are context managers.

Run as a script (``python3 daemons.py tls-server CERT KEY PORT legacy|modern``) it is the TLS
server itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shlex
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

CLONE_NEWNET = 0x40000000
SSHD = "/usr/sbin/sshd"
TEST_UID = 61000  # first uid given to generated test accounts; far from Debian's ranges
READY_TIMEOUT = 15.0
TLS_REPLY = b"HTTP/1.1 200 OK\r\nServer: legacy-portal\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


def daemons_unavailable_reason() -> str | None:
    """None when every daemon here can start; otherwise which program is missing."""
    for program, package in (
        (SSHD, "openssh-server"),
        ("redis-server", "redis-server"),
        ("ssh-keygen", "openssh-client"),
    ):
        if shutil.which(program) is None:
            return f"needs `{program}` (scripts/install.sh --dev installs {package})"
    for program in ("openssl", "unshare", "ip"):
        if shutil.which(program) is None:
            return f"needs `{program}`"
    return None


@dataclass
class Daemon:
    """A daemon running in ``netns``; stop() (or leaving the ``with`` block) ends it."""

    name: str
    netns: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log(self) -> Path:
        return self.workdir / "daemon.log"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the daemon and whatever it forked (its own session), wait, clean up."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


# -- network namespaces -----------------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


@contextlib.contextmanager
def inside(netns: str) -> Iterator[None]:
    """Run the body (and the processes and threads it starts) in ``netns``; this thread only."""
    home = os.open(f"/proc/self/task/{threading.get_native_id()}/ns/net", os.O_RDONLY)
    try:
        _setns(f"/var/run/netns/{netns}")
        try:
            yield
        finally:
            if _libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back to the original network namespace")
    finally:
        os.close(home)


def _listening(pid: int, netns: str, port: int) -> bool:
    """Whether a TCP socket listens on ``port`` in ``netns``, seen through ``pid`` once it has
    entered that namespace (before, /proc/PID/net shows the machine's own sockets)."""
    try:
        if os.stat(f"/proc/{pid}/ns/net").st_ino != os.stat(f"/var/run/netns/{netns}").st_ino:
            return False
    except OSError:
        return False
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def _launch(name: str, netns: str, port: int, argv: list[str], workdir: Path) -> Daemon:
    log = (workdir / "daemon.log").open("wb")
    try:
        process = subprocess.Popen(
            ["ip", "netns", "exec", netns, *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    daemon = Daemon(name, netns, port, process, workdir)
    deadline = time.monotonic() + READY_TIMEOUT
    while not _listening(process.pid, netns, port):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = daemon.log_text()[-600:]
            daemon.stop()
            raise RuntimeError(f"{name} did not start listening on {netns}:{port}: {tail.strip()}")
        time.sleep(0.05)
    return daemon


def _workdir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"secops-lab-{name}-"))  # 0700: configs may hold secrets


# -- Redis ----------------------------------------------------------------------------------------
def start_redis(netns: str, *, password: str | None = None, port: int = 6379) -> Daemon:
    """Debian's redis-server listening on every address, without persistence."""
    workdir = _workdir("redis")
    lines = [
        "bind 0.0.0.0 -::",
        f"port {port}",
        "protected-mode no",
        'save ""',
        "appendonly no",
        f"dir {workdir}",
        "daemonize no",
        'logfile ""',
        "databases 1",
    ]
    if password is not None:
        lines.append(f"requirepass {password}")  # in a 0600 file, never on a command line
    config = workdir / "redis.conf"
    config.touch(mode=0o600)
    config.write_text("\n".join(lines) + "\n")
    return _launch("redis", netns, port, [shutil.which("redis-server") or "redis-server", str(config)], workdir)


# -- OpenSSH ------------------------------------------------------------------------------------
def _hashes(passwords: list[str]) -> list[str]:
    """SHA-512 crypt hashes; the passwords go through stdin, never argv."""
    if any("\n" in p for p in passwords):
        raise ValueError("a test password cannot contain a newline")
    if not passwords:
        return []
    result = subprocess.run(
        ["openssl", "passwd", "-6", "-stdin"],
        input="\n".join(passwords) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    hashes = result.stdout.split()
    if len(hashes) != len(passwords):
        raise RuntimeError("openssl passwd returned an unexpected number of hashes")
    return hashes


def _account_files(workdir: Path, accounts: dict[str, str]) -> None:
    """passwd/group: the machine's own entries (sshd needs its privilege separation user) plus
    the test accounts, which replace an entry of the same name. shadow: the test accounts only,
    as hashes, so no machine password hash is copied and no machine account can log in."""
    names = set(accounts)
    homes = workdir / "home"
    passwd = [x for x in Path("/etc/passwd").read_text().splitlines() if x.split(":", 1)[0] not in names]
    group = [x for x in Path("/etc/group").read_text().splitlines() if x.split(":", 1)[0] not in names]
    shadow: list[str] = []
    days = int(time.time() // 86400)
    for offset, (name, hashed) in enumerate(zip(accounts, _hashes(list(accounts.values())), strict=True)):
        uid = TEST_UID + offset
        home = homes / name
        home.mkdir(parents=True)
        os.chown(home, uid, uid)
        passwd.append(f"{name}:x:{uid}:{uid}:secops lab:{home}:/bin/sh")
        group.append(f"{name}:x:{uid}:")
        shadow.append(f"{name}:{hashed}:{days}:0:99999:7:::")
    for filename, lines, mode in (("passwd", passwd, 0o644), ("group", group, 0o644), ("shadow", shadow, 0o600)):
        path = workdir / filename
        path.touch(mode=mode)
        path.write_text("\n".join(lines) + "\n")


def start_sshd(
    netns: str,
    *,
    password_auth: bool,
    accounts: dict[str, str],
    port: int = 22,
    authorized_keys: dict[str, str] | None = None,
    extra_config: list[str] | None = None,
) -> Daemon:
    """OpenSSH's sshd -D with its own config, host keys and accounts (name -> password).

    ``authorized_keys`` maps account names to public key lines; ``extra_config`` adds sshd_config
    lines (e.g. weak algorithms) before the generated ones, where sshd takes the first value.
    """
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    workdir = _workdir("sshd")
    # Test users must reach their home and authorized_keys inside; the keys themselves stay 0600.
    os.chmod(workdir, 0o755)  # noqa: S103
    for kind in ("ed25519", "ecdsa"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "secops-lab", "-f", str(workdir / f"host_{kind}")],
            check=True,
            capture_output=True,
        )
    _account_files(workdir, accounts)
    keys = workdir / "authorized_keys"
    keys.mkdir()
    for name, line in (authorized_keys or {}).items():
        (keys / name).write_text(line.strip() + "\n")
    config = [
        *(extra_config or []),
        f"Port {port}",
        "ListenAddress 0.0.0.0",
        "ListenAddress ::",
        f"HostKey {workdir / 'host_ed25519'}",
        f"HostKey {workdir / 'host_ecdsa'}",
        f"PidFile {workdir / 'sshd.pid'}",
        "UsePAM no",
        f"PasswordAuthentication {'yes' if password_auth else 'no'}",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        f"AuthorizedKeysFile {keys}/%u",
        "PermitRootLogin no",
        "StrictModes no",
        "MaxStartups 100:30:200",
        "LogLevel VERBOSE",
    ]
    (workdir / "sshd_config").write_text("\n".join(config) + "\n")
    w = shlex.quote(str(workdir))
    script = (
        f"mount --bind {w}/passwd /etc/passwd && mount --bind {w}/shadow /etc/shadow && "
        f"mount --bind {w}/group /etc/group && exec {SSHD} -D -e -f {w}/sshd_config"
    )
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    return _launch("sshd", netns, port, argv, workdir)


# -- TLS ------------------------------------------------------------------------------------------
def legacy_tls_context() -> ssl.SSLContext:
    """A server context that also speaks TLS 1.0/1.1 and every cipher OpenSSL still has, NULL
    encryption and anonymous key exchange included."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # serving TLS 1.0 is the point
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:eNULL:@SECLEVEL=0")
    return context


def start_tls_server(netns: str, *, port: int = 443, legacy: bool = True) -> Daemon:
    """A Python TLS server with a fresh self-signed certificate; ``legacy`` also allows TLS 1.0."""
    workdir = _workdir("tls")
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=secops-lab"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    mode = "legacy" if legacy else "modern"
    argv = [sys.executable, str(Path(__file__).resolve()), "tls-server", str(cert), str(key), str(port), mode]
    return _launch("tls", netns, port, argv, workdir)


class _TLSServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    context: ssl.SSLContext


class _TLSHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _TLSServer = self.server  # type: ignore[assignment]
        self.request.settimeout(5)
        with contextlib.suppress(OSError), server.context.wrap_socket(self.request, server_side=True) as tls:
            tls.recv(4096)
            tls.sendall(TLS_REPLY)


def _serve_tls(cert: str, key: str, port: int, mode: str) -> None:
    if mode == "legacy":
        context = legacy_tls_context()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    server = _TLSServer(("0.0.0.0", port), _TLSHandler)  # noqa: S104 - inside a lab namespace
    server.context = context
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


def random_password(length: int = 24) -> str:
    return secrets.token_urlsafe(length)


def tcp_connect(address: str, port: int, timeout: float = 2.0) -> bool:
    """Whether ``address:port`` accepts a connection from the current network namespace."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "tls-server":
        _serve_tls(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit("usage: daemons.py tls-server CERT KEY PORT legacy|modern")
