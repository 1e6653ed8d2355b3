"""Weak credentials: a small built-in dictionary tried against SSH and MySQL (nmap's brute
scripts), FTP (ftplib) and Redis (AUTH).

Only account names leave this module. The dictionary goes to nmap in a 0600 file inside a 0700
temporary directory that is removed afterwards; nmap's output goes to a file there too, and its
messages are never logged. Guessing is rate limited (at most ``rate`` guesses per second per
service) and capped at ``MAX_GUESSES_PER_ACCOUNT`` per account so a lockout policy is not tripped.
"""

from __future__ import annotations

import contextlib
import ftplib
import logging
import re
import socket
import ssl
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from secops.discovery import nmap_runner
from secops.discovery.probes.unauth import redis_reply, resp_command

log = logging.getLogger(__name__)

DICTIONARY = "weak_credentials.txt"
MAX_GUESSES_PER_ACCOUNT = 3
REDIS_ACCOUNT = "default"  # the user AUTH <password> logs in as (Redis 6 ACL name)
# service -> (nmap script, default port)
BRUTE_SCRIPTS = {"ssh": ("ssh-brute", 22), "mysql": ("mysql-brute", 3306)}
DEFAULT_PORTS = {"ssh": 22, "mysql": 3306, "ftp": 21, "redis": 6379}
BRUTE_THREADS = 3  # nmap guesses side by side (each waits threads/rate): servers that delay failures
TLS_REQUIRED = re.compile(r"TLS|SSL|encrypt", re.IGNORECASE)


@dataclass(frozen=True)
class Pair:
    account: str
    password: str

    def __repr__(self) -> str:  # a Pair in a traceback or log shows no password
        return f"Pair(account={self.account!r}, password=***)"


def load_dictionary(text: str | None = None) -> list[Pair]:
    """The built-in account/password pairs (or ``text`` in the same format)."""
    if text is None:
        text = resources.files("secops.discovery.probes").joinpath(DICTIONARY).read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "/" not in line:
            continue
        account, password = line.split("/", 1)
        pairs.append(Pair(account, password))
    return pairs


def brute_targets(services: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Ports per service kind the dictionary is tried against (ssh, mysql, ftp, redis)."""
    targets: dict[str, list[int]] = {}
    for service in services:
        if service.get("proto", "tcp") != "tcp":
            continue
        port = int(service["port"])
        name = str(service.get("name") or "").lower()
        kind = next((k for k, p in DEFAULT_PORTS.items() if name == k or port == p), None)
        if kind is not None and port not in targets.setdefault(kind, []):
            targets[kind].append(port)
    return targets


def probe_weak_credentials(
    address: str,
    services: list[dict[str, Any]],
    *,
    rate: float,
    timeout: float,
    pairs: list[Pair] | None = None,
    ssh_facts: dict[int, dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]] | None:
    """The ``weak_credentials`` fact; None when no candidate service could be tried at all.

    ``ssh_facts`` (port -> the ssh probe's fact, None when it got no answer) spares guessing
    where the SSH probe already knows the outcome: no password logins, or not SSH at all.
    """
    pairs = load_dictionary() if pairs is None else pairs
    targets = brute_targets(services)
    if not targets:
        return []
    found: list[dict[str, Any]] = []
    tried = 0
    for kind, ports in targets.items():
        for port in sorted(ports):
            accounts: list[str] | None
            if kind == "ssh" and ssh_facts is not None and port in ssh_facts:
                fact = ssh_facts[port]
                if fact is None:
                    continue  # did not answer as SSH: nothing to guess against
                if fact.get("password_auth") is False:
                    tried += 1  # no password can log in
                    continue
            if kind == "redis":
                accounts = redis_auth(address, port, pairs, rate=rate, timeout=timeout)
            elif kind == "ftp":
                accounts = ftp_login(address, port, pairs, rate=rate, timeout=timeout)
            else:
                accounts = nmap_brute(address, port, kind, pairs, rate=rate, timeout=timeout)
            if accounts is None:
                continue
            tried += 1
            found += [{"service": kind, "port": port, "account": a} for a in accounts]
    return found if tried else None


def nmap_brute(
    address: str, port: int, kind: str, pairs: list[Pair], *, rate: float, timeout: float
) -> list[str] | None:
    """Accounts that logged in, via nmap's ``<kind>-brute`` script; None when it did not run."""
    script = BRUTE_SCRIPTS[kind][0]
    threads = min(BRUTE_THREADS, max(1, len(pairs)))
    delay = threads / rate
    with tempfile.TemporaryDirectory(prefix="secops-brute-") as workdir:
        credfile = Path(workdir) / "pairs"
        credfile.touch(mode=0o600)
        credfile.write_text("".join(f"{p.account}/{p.password}\n" for p in pairs), encoding="utf-8")
        args = {
            "brute.credfile": str(credfile),
            "brute.threads": str(threads),
            "brute.start": str(threads),
            "brute.delay": f"{delay:.3f}",
            "brute.guesses": str(MAX_GUESSES_PER_ACCOUNT),
            "brute.retries": "1",
            f"{script}.timeout": f"{max(1, round(timeout))}s",
        }
        # Room for every guess at the rate limit, plus servers that stall each failure (PAM: ~2 s).
        budget = len(pairs) * (1 / rate + 2.5) / threads + 6 * timeout + 10
        results = nmap_runner.run_scripts(
            address, [port], [script], script_args=args, budget=budget, workdir=Path(workdir), sensitive=True
        )
    if results is None:
        return None
    outputs = [r for r in results if r.script == script and r.port == port]
    if not outputs:
        return None
    return parse_brute_accounts(outputs[0])


def parse_brute_accounts(result: nmap_runner.ScriptResult) -> list[str]:
    """Account names with "Valid credentials" in a brute script's output; passwords dropped."""
    accounts: list[str] = []
    for table in result.element.iter("table"):
        state = nmap_runner.elem(table, "state") or ""
        username = nmap_runner.elem(table, "username")
        if username is not None and state.lower().startswith("valid") and username not in accounts:
            accounts.append(username)
    return accounts


def ftp_login(address: str, port: int, pairs: list[Pair], *, rate: float, timeout: float) -> list[str] | None:
    """Accounts an FTP server let in (one connection per guess, TLS when the server demands it);
    None when it never behaved like FTP."""
    accounts: list[str] = []
    guesses: dict[str, int] = {}
    tls = False
    tried = 0
    for pair in pairs:
        if pair.account in accounts or guesses.get(pair.account, 0) >= MAX_GUESSES_PER_ACCOUNT:
            continue
        if tried:
            time.sleep(1 / rate)
        outcome = _ftp_try(address, port, pair, timeout, tls=tls)
        if outcome == "tls" and not tls:
            tls = True
            outcome = _ftp_try(address, port, pair, timeout, tls=True)
        if outcome is None:
            return accounts if tried else None
        tried += 1
        guesses[pair.account] = guesses.get(pair.account, 0) + 1
        if outcome == "ok":
            accounts.append(pair.account)
    return accounts


def _ftp_try(address: str, port: int, pair: Pair, timeout: float, *, tls: bool) -> str | None:
    """One login: ok, fail, tls (the server wants TLS first) or None (no FTP conversation)."""
    if tls:
        # Only whether the login works matters here, not the server's certificate.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        client: ftplib.FTP = ftplib.FTP_TLS(context=context)  # noqa: S321 - probing FTP servers
    else:
        client = ftplib.FTP()  # noqa: S321 - probing FTP servers
    try:
        client.connect(address, port, timeout=timeout)
        client.login(pair.account, pair.password)
        return "ok"
    except ftplib.error_perm as exc:
        return "tls" if TLS_REQUIRED.search(str(exc)) else "fail"
    except (ftplib.Error, OSError, EOFError):
        return None
    finally:
        with contextlib.suppress(OSError):
            client.close()


def redis_auth(address: str, port: int, pairs: list[Pair], *, rate: float, timeout: float) -> list[str] | None:
    """["default"] when a dictionary password opens Redis; [] when none does or no password is set
    (that is the unauthenticated probe's finding); None when Redis could not be asked."""
    passwords = list(dict.fromkeys(p.password for p in pairs if p.password))
    delay = 1.0 / rate if rate > 0 else 0.0
    try:
        with socket.create_connection((address, port), timeout=timeout) as sock:
            for index, password in enumerate(passwords):
                if index and delay:
                    time.sleep(delay)
                sock.sendall(resp_command("AUTH", password))
                answer = redis_reply(sock)
                if not answer:
                    return None if index == 0 else []
                if answer.startswith(b"+OK"):
                    return [REDIS_ACCOUNT]
                lowered = answer.lower()
                if b"no password is set" in lowered or b"without any password" in lowered:
                    return []  # open to anyone: reported as unauthenticated, not as a weak password
                if not (answer.startswith(b"-WRONGPASS") or b"invalid" in lowered):
                    return []  # not Redis, or refused outright (protected mode)
    except OSError as exc:
        # The exception text names the peer, never what was sent.
        log.debug("redis %s:%d not tried: %s", address, port, type(exc).__name__)
        return None
    return []
