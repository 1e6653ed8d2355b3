"""Running nmap's NSE scripts for the probes and reading their structured XML output.

Each probe runs nmap on the exact ports it cares about with its scripts forced (``+script``),
so a service on an unusual port is probed too. The XML goes to a file in a private temporary
directory and nmap's normal output to /dev/null: brute scripts echo every guess (password
included) on stdout, and a password must never reach a log, an exception or the facts.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class ScriptResult:
    """The output of one script on one open port: its text and its structured tables."""

    port: int
    script: str
    output: str
    element: ET.Element = field(repr=False)


def nmap_path() -> str | None:
    return shutil.which("nmap")


def run_scripts(
    address: str,
    ports: list[int],
    scripts: list[str],
    *,
    script_args: dict[str, str] | None = None,
    budget: float,
    workdir: Path | None = None,
    sensitive: bool = False,
) -> list[ScriptResult] | None:
    """Run ``scripts`` on ``address``'s ``ports``; the script outputs of the ports found open.

    None when the probe could not run at all (no nmap, nmap failed, the host or every port
    unreachable). ``budget`` caps the run in seconds. ``sensitive`` runs keep nmap's messages
    out of the logs entirely, since they may carry credentials.
    """
    nmap = nmap_path()
    if nmap is None:
        log.warning("nmap is not installed: %s not probed", ",".join(scripts))
        return None
    with tempfile.TemporaryDirectory(prefix="secops-probe-") as scratch:
        output = Path(workdir or scratch) / f"nmap-{'-'.join(scripts)}.xml"
        argv = [nmap, "-n", "-Pn", "-sT", "--max-retries", "1", "-p", ",".join(str(p) for p in sorted(set(ports)))]
        if ":" in address:
            argv.append("-6")
        argv += ["--script", ",".join(f"+{s}" for s in scripts)]
        if script_args:
            argv += ["--script-args", ",".join(f"{k}={v}" for k, v in script_args.items())]
        argv += ["--host-timeout", f"{int(budget)}s", "-oX", str(output), "--", address]
        started = time.monotonic()
        try:
            result = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=budget + 30
            )
        except subprocess.TimeoutExpired:
            log.warning("nmap %s on %s did not finish in %.0f s", ",".join(scripts), address, budget + 30)
            return None
        finally:
            elapsed = time.monotonic() - started
        if result.returncode != 0:
            reason = "" if sensitive else ": " + _first_line(result.stderr.decode(errors="replace"))
            log.warning("nmap %s on %s failed (exit %d)%s", ",".join(scripts), address, result.returncode, reason)
            return None
        try:
            xml = output.read_bytes()
        except OSError:
            log.warning("nmap %s on %s wrote no output", ",".join(scripts), address)
            return None
        finally:
            output.unlink(missing_ok=True)
    log.debug("nmap %s on %s ports %s: %.1f s", ",".join(scripts), address, ports, elapsed)
    return parse_script_results(xml)


def parse_script_results(xml: bytes | str) -> list[ScriptResult] | None:
    """Script outputs by open port from nmap XML; None when no probed port was open."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - nmap's own output, written to our private directory
    except ET.ParseError:
        log.warning("nmap wrote XML that does not parse")
        return None
    results: list[ScriptResult] = []
    open_ports = 0
    for port in root.findall("host/ports/port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        open_ports += 1
        number = int(port.get("portid", "0"))
        for script in port.findall("script"):
            results.append(ScriptResult(number, script.get("id", ""), script.get("output", ""), script))
    return results if open_ports else None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def elems(table: ET.Element | None) -> list[str]:
    """The unnamed ``<elem>`` values of an NSE table (a list in Lua)."""
    if table is None:
        return []
    return [e.text or "" for e in table.findall("elem") if e.get("key") is None]


def elem(table: ET.Element, key: str) -> str | None:
    found = table.find(f"elem[@key='{key}']")
    return found.text if found is not None else None


def table(parent: ET.Element, key: str) -> ET.Element | None:
    return parent.find(f"table[@key='{key}']")
