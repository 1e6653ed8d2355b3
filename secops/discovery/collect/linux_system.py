"""Facts about audit, log retention, time sync, services, firewall, updates and anti-malware."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

from secops.discovery.collect.linux_sections import file_text, glob_files, key_values, lines_of, to_int

# Services a school server should not run unless someone decided it must: clear-text remote logins
# (telnet, the r-commands), unauthenticated file transfer (tftp), super-servers that start such things
# (inetd, xinetd), clear-text FTP, zero-configuration and printing daemons that advertise the host (avahi,
# cups), NFS/RPC and NIS exports, and SNMP (v1/v2c community strings). The key is the systemd unit name
# without .service/.socket; the values are the process names (/proc/PID/comm) used where systemd is not.
RISKY_SERVICES: dict[str, tuple[str, ...]] = {
    "telnet": ("in.telnetd", "telnetd"),
    "telnetd": ("in.telnetd", "telnetd"),
    "rsh": ("in.rshd", "rshd"),
    "rlogin": ("in.rlogind", "rlogind"),
    "rexec": ("in.rexecd", "rexecd"),
    "tftp": ("in.tftpd", "tftpd"),
    "tftpd-hpa": ("in.tftpd",),
    "atftpd": ("atftpd",),
    "xinetd": ("xinetd",),
    "inetd": ("inetd",),
    "openbsd-inetd": ("inetd",),
    "inetutils-inetd": ("inetutils-inetd",),
    "vsftpd": ("vsftpd",),
    "proftpd": ("proftpd",),
    "pure-ftpd": ("pure-ftpd",),
    "avahi-daemon": ("avahi-daemon",),
    "cups": ("cupsd",),
    "cups-browsed": ("cups-browsed",),
    "nfs-server": ("nfsd", "rpc.mountd"),
    "nfs-kernel-server": ("nfsd", "rpc.mountd"),
    "rpcbind": ("rpcbind",),
    "snmpd": ("snmpd",),
    "ypserv": ("ypserv",),
    "ypbind": ("ypbind",),
    "ntalk": ("in.ntalkd", "ntalkd"),
    "talk": ("in.talkd", "talkd"),
}

SYSTEM_LOGS = ("/var/log/syslog", "/var/log/messages")
UNLIMITED_DAYS = 99999  # log retention when nothing ever removes old logs (logrotate rotate -1 without maxage)
TIME_SYNC_UNITS = ("chrony", "chronyd", "systemd-timesyncd", "ntp", "ntpd", "ntpsec", "openntpd")
_PERIOD_DAYS = {"hourly": 1 / 24, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
_LOGROTATE_SCRIPTS = frozenset({"postrotate", "prerotate", "firstaction", "lastaction", "preremove"})


# -- audit and logs -----------------------------------------------------------------------------------


def _service_states(sections: dict[str, str]) -> dict[str, str] | None:
    text = sections.get("services")
    if text is None:
        return None
    states: dict[str, str] = {}
    for line in lines_of(text):
        unit, _, state = line.partition(" ")
        if unit != "method":
            states[unit] = state.strip()
    return states


def read_auditd(sections: dict[str, str]) -> dict[str, Any] | None:
    text = sections.get("auditd")
    if text is None:
        return None
    values = key_values(text, separator=None)
    installed = values.get("installed") == "yes"
    facts: dict[str, Any] = {"installed": installed}
    states = _service_states(sections)
    if states is not None and "auditd" in states:
        facts["active"] = states["auditd"] == "active"
    if not installed:
        facts["rules"] = 0
    elif (rules := to_int(values.get("rules", ""))) is not None:
        facts["rules"] = rules  # absent when auditctl -l needed root we did not have
    return facts


def _logrotate_blocks(text: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """(paths, directives) per block; the paths before ``{`` may span lines. Global directives get []."""
    pending: list[str] = []
    block: dict[str, str] | None = None
    paths: list[str] = []
    in_script = False
    global_directives: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if in_script:
            in_script = line != "endscript"
            continue
        if block is None:
            if line.endswith("{"):
                paths = pending + line[:-1].split()
                pending, block = [], {}
            elif line[:1] in "/\"'*~":
                pending += line.split()
            else:
                key, _, value = line.partition(" ")
                _logrotate_directive(global_directives, key, value)
            continue
        if line == "}":
            yield [p.strip("\"'") for p in paths], block
            block = None
            continue
        key, _, value = line.partition(" ")
        if key in _LOGROTATE_SCRIPTS:
            in_script = True
            continue
        _logrotate_directive(block, key, value)
    yield [], global_directives


def _logrotate_directive(directives: dict[str, str], key: str, value: str) -> None:
    if key in _PERIOD_DAYS:
        directives["period"] = key
    elif key in ("rotate", "maxage"):
        directives[key] = value.strip()


def _logrotate_days(sections: dict[str, str]) -> int | None:
    main = file_text(sections, "/etc/logrotate.conf")
    included = [file_text(sections, f"/etc/logrotate.d/{name}") for name in ("rsyslog", "syslog", "syslog-ng")]
    texts = [text for text in [main, *included] if text is not None]
    defaults: dict[str, str] = {"period": "daily", "rotate": "0"}  # logrotate's own when nothing is set
    if main is not None:
        for paths, directives in _logrotate_blocks(main):
            if not paths:
                defaults.update(directives)
    days: list[int] = []
    for text in texts:
        for paths, directives in _logrotate_blocks(text):
            if not paths or not any(fnmatch.fnmatchcase(log, p) for log in SYSTEM_LOGS for p in paths):
                continue
            settings = {**defaults, **directives}
            rotate = to_int(settings["rotate"]) or 0
            max_age = to_int(settings.get("maxage", ""))
            # rotate -1 removes no old log at all (only maxage still does)
            total = UNLIMITED_DAYS if rotate < 0 else rotate * _PERIOD_DAYS[settings["period"]]
            if max_age is not None and max_age >= 0:
                total = min(total, max_age)
            days.append(int(total))
    return min(days) if days else None


_SYSTEMD_SPAN = {
    "": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800, "M": 2629800, "month": 2629800, "months": 2629800,
    "y": 31557600, "year": 31557600, "years": 31557600, "ms": 0.001, "us": 0.000001,
}  # fmt: skip


def _systemd_seconds(value: str) -> float | None:
    """systemd time spans such as 180d, 6month, 1y 2M, or plain seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([A-Za-z]*)", value)
    if not parts or re.sub(r"[\d.\sA-Za-z]", "", value):
        return None
    total = 0.0
    for number, unit in parts:
        scale = _SYSTEMD_SPAN.get(unit) or _SYSTEMD_SPAN.get(unit.lower())
        if scale is None:
            return None
        total += float(number) * scale
    return total


def _journald_days(sections: dict[str, str]) -> int | None:
    texts = [
        file_text(sections, "/etc/systemd/journald.conf"),
        *glob_files(sections, "/etc/systemd/journald.conf.d/*.conf"),
    ]
    settings: dict[str, str] = {}
    for text in texts:
        section = ""
        for line in lines_of(text or ""):
            if line.startswith("["):
                section = line
            elif section == "[Journal]":
                key, _, value = line.partition("=")
                settings[key.strip()] = value.strip()
    if settings.get("Storage", "").lower() in ("volatile", "none"):
        return 0  # nothing survives a reboot
    seconds = _systemd_seconds(settings.get("MaxRetentionSec", ""))
    return int(seconds // 86400) if seconds else None


def read_log_retention_days(sections: dict[str, str]) -> int | None:
    days = _logrotate_days(sections)
    return days if days is not None else _journald_days(sections)


# -- services -----------------------------------------------------------------------------------------


def read_time_sync(sections: dict[str, str]) -> dict[str, Any] | None:
    states = _service_states(sections)
    if states is None:
        return None
    active = [unit for unit in TIME_SYNC_UNITS if states.get(unit) == "active"]
    if active:
        return {"active": True, "service": active[0]}
    # No known daemon runs, but systemd still reports a synchronised clock (another NTP client).
    timedate = key_values(sections.get("timedatectl", ""))
    if timedate.get("ntpsynchronized") == "yes":
        return {"active": True, "service": None}
    return {"active": False, "service": None}


def read_risky_services(sections: dict[str, str]) -> list[str] | None:
    text = sections.get("running")
    if text is None:
        return None
    by_process = {process for processes in RISKY_SERVICES.values() for process in processes}
    if text.startswith("# processes"):
        return sorted({name for name in lines_of(text) if name in by_process})
    found: set[str] = set()
    for line in lines_of(text):
        unit = line.split()[0]
        base, _, kind = unit.rpartition(".")
        if kind in ("service", "socket") and base.split("@", 1)[0] in RISKY_SERVICES:
            found.add(unit)
    return sorted(found)


def _nft_rules(text: str) -> tuple[int, int, str]:
    """(rules, rules in input hooks, input policy) from ``nft list ruleset``."""
    rules = input_rules = 0
    policy = "accept"
    in_chain = is_input = False
    for line in lines_of(text):
        if re.match(r"^chain \S+ \{$", line):
            in_chain, is_input = True, False
        elif in_chain and line == "}":
            in_chain = False
        elif in_chain and line.startswith("type "):
            is_input = " hook input " in f" {line} "
            match = re.search(r"\bpolicy (\w+)", line)
            # A packet must pass every input base chain, so one dropping chain decides.
            if is_input and match and match[1] != "accept":
                policy = match[1]
        elif in_chain and not line.startswith(("policy ", "comment ", "devices ")):
            rules += 1
            input_rules += is_input
    return rules, input_rules, policy


def _iptables_rules(text: str) -> tuple[int, int, str]:
    rules = input_rules = 0
    policy = "accept"
    for line in lines_of(text):
        parts = line.split()
        if parts[:2] == ["-P", "INPUT"] and len(parts) > 2:
            policy = parts[2].lower()
        elif parts[:1] == ["-A"]:
            rules += 1
            input_rules += parts[1:2] == ["INPUT"]
    return rules, input_rules, policy


def read_firewall(sections: dict[str, str]) -> dict[str, Any] | None:
    sources = (("nft", _nft_rules), ("iptables", _iptables_rules))
    tables = [parse(sections[name]) for name, parse in sources if name in sections]
    ufw = sections.get("ufw")
    states = _service_states(sections) or {}
    if not tables and ufw is None and states.get("firewalld") != "active":
        return None
    managed = bool(ufw and re.search(r"^Status:\s*active", ufw, re.M)) or states.get("firewalld") == "active"
    facts: dict[str, Any] = {"active": managed}
    if tables:
        # iptables-nft shows the same rules through both tools; the fuller view is the one to trust.
        rules, input_rules, policy = max(tables, key=lambda table: table[0])
        facts.update(rules=rules, default_input_policy=policy)
        facts["active"] = managed or policy in ("drop", "reject") or input_rules > 0
    return facts


def read_updates(sections: dict[str, str]) -> dict[str, int] | None:
    apt = sections.get("apt_upgrade")
    if apt is not None:
        installs = [line for line in apt.splitlines() if line.startswith("Inst ")]
        return {"pending": len(installs), "security": sum("-security" in line.lower() for line in installs)}
    dnf = sections.get("dnf_check_update")
    if dnf is None:
        return None
    pending = 0
    for line in lines_of(dnf):
        if line.lower().startswith(("obsoleting", "security:", "last metadata")):
            break
        pending += len(line.split()) == 3
    facts = {"pending": pending}
    if (security := sections.get("dnf_security")) is not None:
        facts["security"] = len(list(lines_of(security)))
    return facts


def read_antivirus(sections: dict[str, str]) -> dict[str, Any] | None:
    text = sections.get("antivirus")
    if text is None:
        return None
    now: int | None = None
    installed = False
    newest: int | None = None
    for line in lines_of(text):
        parts = line.split()
        if parts[0] == "now" and len(parts) > 1:
            now = to_int(parts[1])
        elif parts[0] == "binary":
            installed = True
        elif parts[0] == "db" and len(parts) > 2 and (mtime := to_int(parts[2])) is not None:
            newest = mtime if newest is None else max(newest, mtime)
    age = max((now - newest) // 86400, 0) if now is not None and newest is not None else None
    return {"installed": installed, "name": "clamav" if installed else None, "signature_age_days": age}
