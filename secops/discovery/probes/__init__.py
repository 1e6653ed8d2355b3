"""Network probes that gather 等保 evidence about one host: TLS, SSH, weak credentials and
services open without authentication.

``probe_host`` only ever contacts the address it is given (the caller enforces the workspace
scope) and only the ports of the services it is given. Each fact key is absent when its probe
could not run at all (nmap missing, host unreachable), an empty list when it ran and found
nothing. Weak-credential findings carry service, port and account, never a password.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from secops.discovery import nmap_runner
from secops.discovery.probes.ssh import WEAK_SSH_ALGORITHMS, probe_ssh, ssh_port
from secops.discovery.probes.tls import probe_tls
from secops.discovery.probes.unauth import probe_unauthenticated
from secops.discovery.probes.weak import load_dictionary, probe_weak_credentials
from secops.errors import SecopsError
from secops.i18n import _

log = logging.getLogger(__name__)

DEFAULT_RATE = 2.0  # dictionary guesses per second per service
DEFAULT_TIMEOUT = 5.0  # seconds to wait for any one connection or answer
REACHABILITY_PORTS = 3  # how many of the host's ports to try before calling it unreachable

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_TIMEOUT",
    "WEAK_SSH_ALGORITHMS",
    "load_dictionary",
    "probe_host",
]


def probe_host(
    address: str,
    services: list[dict[str, Any]],
    *,
    credentials: bool = True,
    rate: float = DEFAULT_RATE,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """The network facts of one host: ``tls``, ``ssh``, ``weak_credentials``, ``unauthenticated``.

    ``services`` are the host's open services from the inventory ({port, proto, name, product,
    version, banner}). ``credentials=False`` skips dictionary guessing. The probes run side by
    side; weak-credential guessing waits for the others so a service is not hit by all at once.
    """
    try:
        canonical = str(ipaddress.ip_address(address))
    except ValueError:
        raise SecopsError(
            _("not an IP address: {address!r}").format(address=address), hint=_("probe a single IPv4 or IPv6 address")
        ) from None
    if rate <= 0 or timeout <= 0:
        raise SecopsError(
            _("rate and timeout must be positive"),
            hint=_("got rate={rate}, timeout={timeout}").format(rate=rate, timeout=timeout),
        )
    started = time.monotonic()
    if not _reachable(canonical, services, timeout):
        log.info("%s does not answer on any of its services: nothing probed", canonical)
        return {}
    jobs: dict[str, Callable[[], Any]] = {
        "tls": lambda: probe_tls(canonical, services, timeout=timeout),
        "ssh": lambda: probe_ssh(canonical, services, timeout=timeout),
        "unauthenticated": lambda: probe_unauthenticated(canonical, services, timeout=timeout),
    }
    facts: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="probe") as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        for key, future in futures.items():
            value = _result(key, canonical, future.result)
            if value is not None:
                facts[key] = value
    if credentials:
        port = ssh_port(services)
        ssh_facts = {port: facts.get("ssh")} if port is not None and _nmap_installed() else None
        value = _result(
            "weak_credentials",
            canonical,
            lambda: probe_weak_credentials(canonical, services, rate=rate, timeout=timeout, ssh_facts=ssh_facts),
        )
        if value is not None:
            facts["weak_credentials"] = value
    log.info(
        "probed %s in %.1f s: %s", canonical, time.monotonic() - started, ", ".join(sorted(facts)) or "nothing ran"
    )
    return facts


def _nmap_installed() -> bool:
    try:
        nmap_runner.nmap_path()
    except SecopsError:
        return False  # the nmap probes were skipped: their facts are absent
    return True


def _reachable(address: str, services: list[dict[str, Any]], timeout: float) -> bool:
    """Whether the host answers at all: a connection, or a refusal, on one of its first ports.

    A host that is down would otherwise read as "probed, found nothing" for the probes that had
    nothing to send it (e.g. ``tls: []`` for a host without TLS ports)."""
    ports = sorted({int(s["port"]) for s in services if s.get("proto", "tcp") == "tcp"})[:REACHABILITY_PORTS]
    if not ports:
        return True
    for port in ports:
        try:
            with socket.create_connection((address, port), timeout=timeout):
                return True
        except ConnectionRefusedError:
            return True
        except TimeoutError:
            continue  # this port may be filtered; try another
        except OSError:
            return False  # no route, host unreachable: no other port will do better
    return False


def _result(key: str, address: str, get: Callable[[], Any]) -> Any:
    """A probe's value; a probe that crashed counts as not run (its key stays absent)."""
    try:
        return get()
    except Exception as exc:
        # Type only: the message of an exception raised while guessing could quote a guess.
        log.warning("%s probe of %s failed: %s", key, address, type(exc).__name__)
        return None
