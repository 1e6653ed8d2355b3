"""Build and tear down a campus of real hosts in Linux network namespaces.

Layout: a switch namespace with a bridge; a scanner namespace and N host namespaces, each with
one veth into the bridge (created directly in the namespaces: the machine's own interfaces are
never touched). 10.77.0.0/24 and fd77::/64, fixed MACs, no default route anywhere. Every scan
runs inside the scanner namespace. Teardown removes exactly what this campus created.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secops.i18n import _

SUBNET4, SUBNET6 = "10.77.0.0/24", "fd77::/64"
SCANNER4, SCANNER6 = "10.77.0.1", "fd77::1"
SCANNER_MAC = "02:77:ff:00:00:01"
SERVICES_SCRIPT = Path(__file__).with_name("services.py")
PORTS = {"ftp": 21, "ssh": 22, "telnet": 23, "http": 80, "smb": 445, "mysql": 3306, "redis": 6379, "vnc": 5900}
# Rotation of service sets by host index: mixed services, some hosts with nothing open.
ROTATION: list[dict[int, str]] = [
    {80: "http", 22: "ssh"},
    {6379: "redis"},
    {21: "ftp", 23: "telnet"},
    {3306: "mysql", 22: "ssh"},
    {},
    {445: "smb"},
    {80: "http"},
    {5900: "vnc", 22: "ssh"},
]


def default_services(index: int) -> dict[int, str]:
    return dict(ROTATION[index % len(ROTATION)])


@dataclass
class CampusHost:
    name: str
    namespace: str
    index: int
    ipv4: str
    ipv6: str
    mac: str
    services: dict[int, str] = field(default_factory=dict)


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=check)


def _batch(commands: list[str], namespace: str | None = None) -> None:
    """Many `ip` commands in one process (`ip -batch`), which is what keeps 250 hosts fast."""
    if not commands:
        return
    argv = ["ip", *(["-n", namespace] if namespace else []), "-batch", "-"]
    result = subprocess.run(argv, input="\n".join(commands) + "\n", capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ip -batch ({namespace or 'root'}) failed: {result.stderr.strip()}")


def campus_unavailable_reason() -> str | None:
    """None when a campus can be built here; otherwise why not, loudly."""
    if os.geteuid() != 0:
        return _("needs root and network namespaces (runs in CI as root); euid is {euid}").format(euid=os.geteuid())
    for tool in ("ip", "nmap"):
        if shutil.which(tool) is None:
            return _("needs `{tool}` (scripts/install.sh installs iproute2 and nmap)").format(tool=tool)
    probe = f"scprobe{secrets.token_hex(3)}"
    made = _run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return _("cannot create network namespaces here: {reason}").format(reason=made.stderr.strip())
    _run("ip", "netns", "delete", probe, check=False)
    return None


class Campus:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.switch_ns = f"{prefix}-sw"
        self.scanner_ns = f"{prefix}-scan"
        self.hosts: dict[str, CampusHost] = {}
        self.namespaces: list[str] = []
        self.pids: dict[str, int] = {}  # host name (or "batch-N") -> services process
        self._spec_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        self._next_index = 0
        atexit.register(self.teardown)

    # -- building ---------------------------------------------------------------------------
    def _create_namespaces(self, names: list[str]) -> None:
        _batch([f"netns add {name}" for name in names])
        self.namespaces += names

    def _setup_switch_and_scanner(self) -> None:
        self._create_namespaces([self.switch_ns, self.scanner_ns])
        sw, scan = self.switch_ns, self.scanner_ns
        _run("ip", "netns", "exec", sw, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        _batch(
            [
                "link add br0 type bridge",
                "link set br0 up",
                f"link add scan0 type veth peer name eth0 netns {scan}",
                "link set scan0 master br0 up",
            ],
            sw,
        )
        _batch(
            [
                "link set lo up",
                f"link set eth0 address {SCANNER_MAC}",
                f"addr add {SCANNER4}/24 dev eth0",
                f"addr add {SCANNER6}/64 dev eth0 nodad",
                "link set eth0 up",
            ],
            scan,
        )

    @staticmethod
    def _switch_commands(host: CampusHost) -> list[str]:
        port = f"p{host.index}"
        return [f"link add {port} type veth peer name eth0 netns {host.namespace}", f"link set {port} master br0 up"]

    @staticmethod
    def _host_commands(host: CampusHost) -> list[str]:
        return [
            "link set lo up",
            f"link set eth0 address {host.mac}",
            f"addr add {host.ipv4}/24 dev eth0",
            f"addr add {host.ipv6}/64 dev eth0 nodad",
            "link set eth0 up",
            # Every host answering ARP/ND for the scanner at once overflows queues: pin the entry.
            f"neigh add {SCANNER4} lladdr {SCANNER_MAC} dev eth0 nud permanent",
            f"neigh add {SCANNER6} lladdr {SCANNER_MAC} dev eth0 nud permanent",
        ]

    def _new_host(self, services: dict[int, str]) -> CampusHost:
        self._next_index += 1
        index = self._next_index
        if index > 250:
            raise RuntimeError("a campus holds at most 250 hosts (10.77.0.2-251)")
        name = f"h{index:03d}"
        return CampusHost(
            name,
            f"{self.prefix}-{name}",
            index,
            f"10.77.0.{index + 1}",
            f"fd77::{index + 1:x}",
            f"02:77:00:00:{index // 256:02x}:{index % 256:02x}",
            dict(services),
        )

    def _start_services(self, hosts: list[CampusHost], label: str) -> None:
        spec = [
            {"netns": h.namespace, "address": address, "port": port, "kind": kind}
            for h in hosts
            for port, kind in sorted(h.services.items())
            for address in (h.ipv4, h.ipv6)
        ]
        if not spec:
            return
        path = self._spec_dir / f"{label}.json"
        path.write_text(json.dumps(spec))
        process = subprocess.Popen(
            [sys.executable, str(SERVICES_SCRIPT), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.pids[label] = process.pid
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready":
            raise RuntimeError(f"campus services did not start: {process.stderr.read() if process.stderr else ''}")

    def add_hosts(self, services_for: list[dict[int, str]]) -> list[CampusHost]:
        hosts = [self._new_host(s) for s in services_for]
        self._create_namespaces([h.namespace for h in hosts])
        _batch([c for h in hosts for c in self._switch_commands(h)], self.switch_ns)
        for host in hosts:
            _batch(self._host_commands(host), host.namespace)
        for host in hosts:
            self.hosts[host.name] = host
        for host in hosts:
            self._start_services([host], host.name)
        return hosts

    def add_host(self, services: dict[int, str] | None = None) -> CampusHost:
        return self.add_hosts([services if services is not None else {80: "http"}])[0]

    # -- changing ---------------------------------------------------------------------------
    def _restart_services(self, host: CampusHost) -> None:
        self._stop_process(host.name)
        self._start_services([host], host.name)

    def open_port(self, name: str, port: int, kind: str) -> None:
        self.hosts[name].services[port] = kind
        self._restart_services(self.hosts[name])

    def close_port(self, name: str, port: int) -> None:
        del self.hosts[name].services[port]
        self._restart_services(self.hosts[name])

    def remove_host(self, name: str) -> None:
        host = self.hosts.pop(name)
        self._stop_process(name)
        _run("ip", "netns", "delete", host.namespace, check=False)
        self.namespaces.remove(host.namespace)

    # -- using --------------------------------------------------------------------------------
    def run_in_scanner(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        routes = _run("ip", "-n", self.scanner_ns, "route", "show", "default").stdout.strip()
        routes6 = _run("ip", "-n", self.scanner_ns, "-6", "route", "show", "default").stdout.strip()
        if routes or routes6:
            raise RuntimeError(f"refusing to scan: the scanner namespace has a default route ({routes or routes6})")
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run(["ip", "netns", "exec", self.scanner_ns, *argv], check=False, **kwargs)

    def truth(self) -> dict[str, dict[str, Any]]:
        return {h.ipv4: {"ipv6": h.ipv6, "mac": h.mac, "ports": dict(h.services)} for h in self.hosts.values()}

    # -- teardown -------------------------------------------------------------------------------
    def _stop_process(self, label: str) -> None:
        pid = self.pids.pop(label, None)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)

    def teardown(self) -> None:
        for label in list(self.pids):
            self._stop_process(label)
        _batch([f"netns delete {name}" for name in self.namespaces if Path(f"/var/run/netns/{name}").exists()])
        self.namespaces = []
        self.hosts = {}
        shutil.rmtree(self._spec_dir, ignore_errors=True)


def build_campus(
    n_hosts: int, *, prefix: str | None = None, services: Callable[[int], dict[int, str]] = default_services
) -> Campus:
    campus = Campus(prefix or f"sc{secrets.token_hex(2)}")
    try:
        campus._setup_switch_and_scanner()
        campus.add_hosts([services(i) for i in range(n_hosts)])
    except BaseException:
        campus.teardown()
        raise
    return campus
