"""Turn the output of ``linux.sh`` into the ``linux`` facts object of a host (see the dengbao SPEC).

Absent versus default: a sub-key is left out when its source could not be read (the checks then say
``not_evidenced``); when the source was read but a setting is not configured, the value is the one the
software applies by itself. The defaults used here:

- ``login_defs``: PASS_MAX_DAYS 99999 (never expires; -1 also means this), PASS_MIN_DAYS 0, PASS_MIN_LEN 5
  (the value distributions ship; PAM enforces length nowadays), PASS_WARN_AGE 0 (shadow-utils writes no
  warning period when the key is unset).
- ``pwquality``: libpwquality's built-ins (minlen 8, minclass 0, every credit 0); with pam_cracklib its
  own (minlen 9, every credit 1). pwquality.conf, then pwquality.conf.d/*.conf, then the module's
  arguments on the PAM line, each overriding the previous.
- ``faillock``: pam_faillock's built-ins (deny 3, unlock_time 600); pam_tally2 has deny 0 (no lockout).
- ``sshd``: OpenSSH 9.x compiled-in defaults (PermitRootLogin prohibit-password, PasswordAuthentication
  yes, MaxAuthTries 6, ClientAliveInterval 0, ClientAliveCountMax 3, X11Forwarding no, the 9.x algorithm
  lists). ``sshd -T`` (root only) gives the effective values and is preferred; otherwise sshd_config is
  read with its Include files, first value wins, and only the global part before any Match block counts.
- ``accounts``: from passwd (names, uids, shells); ``empty_password`` needs shadow (left out when shadow
  was unreadable, unless passwd itself shows an empty password); ``shared_or_default`` lists the accounts
  named in DEFAULT_ACCOUNT_NAMES that can log in.
- ``session_timeout``: TMOUT in seconds, 0 when no profile file assigns it. A readonly value sticks,
  otherwise the last assignment in the order /etc/profile, /etc/profile.d/*, /etc/bash.bashrc, /etc/bashrc.
- ``auditd``: ``rules`` 0 when auditctl is not installed, left out when ``auditctl -l`` needed root.
- ``log_retention_days``: rotate count x rotation period (daily 1, weekly 7, monthly 30, yearly 365) capped
  by maxage, for the logrotate block that covers /var/log/syslog or /var/log/messages (the smallest if
  several); unset directives come from logrotate.conf, and without those from logrotate itself (daily,
  rotate 0); rotate -1 removes nothing and counts as 99999. Only when no such block exists does journald
  decide: MaxRetentionSec, or 0 for Storage=volatile|none; with neither the key is absent, because such a
  journal is limited by size, not time. The syslog file is the durable system log where rsyslog is
  installed, so a shorter journal retention does not lower the result.
- ``time_sync``: active when chrony, systemd-timesyncd or an ntpd runs, or timedatectl reports a
  synchronised clock (``service`` is then null).
- ``risky_services``: running units (or, without systemd, processes) named in RISKY_SERVICES; [] when none.
- ``firewall``: the fuller of ``nft list ruleset`` and ``iptables -S`` (both need root). ``active`` when ufw
  or firewalld is active, the input policy drops, or the input hook has rules at all; ``rules`` counts
  every rule. ``default_input_policy`` is "accept" when no input chain exists.
- ``updates``: ``apt-get -s upgrade`` (Inst lines; security = from a -security suite) against the package
  lists as last refreshed on the host; ``dnf -C check-update`` on RPM systems.
- ``antivirus``: ClamAV only; ``signature_age_days`` from the newest database file's mtime.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from typing import Any

_HEADER = re.compile(r"^==== secops:(?P<name>.+?)(?: unavailable (?P<reason>\S+))? ====$")

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

# Names of accounts that come with images and appliances or that people share; reported only when the
# account can log in (a real shell and, when shadow was readable, a password that is not locked).
DEFAULT_ACCOUNT_NAMES = frozenset(
    {
        "admin", "administrator", "centos", "debian", "default", "demo", "guest", "kali", "pi", "public",
        "share", "shared", "student", "teacher", "temp", "test", "test1", "testuser", "tmp", "ubuntu", "user",
        "user1",
    }
)  # fmt: skip
_NO_LOGIN_SHELLS = frozenset({"nologin", "false", "sync", "shutdown", "halt"})

LOGIN_DEFS_DEFAULTS: dict[str, int] = {
    "pass_max_days": 99999,
    "pass_min_days": 0,
    "pass_min_len": 5,
    "pass_warn_age": 0,
}
PWQUALITY_DEFAULTS: dict[str, int] = {
    "minlen": 8,
    "minclass": 0,
    "dcredit": 0,
    "ucredit": 0,
    "lcredit": 0,
    "ocredit": 0,
}
CRACKLIB_DEFAULTS: dict[str, int] = {"minlen": 9, "minclass": 0, "dcredit": 1, "ucredit": 1, "lcredit": 1, "ocredit": 1}
FAILLOCK_DEFAULTS: dict[str, int] = {"deny": 3, "unlock_time": 600}
TALLY2_DEFAULTS: dict[str, int] = {"deny": 0, "unlock_time": 0}

SSHD_DEFAULTS: dict[str, Any] = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "permitemptypasswords": "no",
    "maxauthtries": 6,
    "clientaliveinterval": 0,
    "clientalivecountmax": 3,
    "x11forwarding": "no",
    "ciphers": [
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
    ],
    "macs": [
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com",
        "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
    ],
    "kexalgorithms": [
        "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256",
    ],
}  # fmt: skip
_SSHD_INT_KEYS = frozenset({"maxauthtries", "clientalivecountmax"})
_SSHD_TIME_KEYS = frozenset({"clientaliveinterval"})
_SSHD_LIST_KEYS = frozenset({"ciphers", "macs", "kexalgorithms"})

PASSWORD_STACKS = ("/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
AUTH_STACKS = ("/etc/pam.d/common-auth", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
SYSTEM_LOGS = ("/var/log/syslog", "/var/log/messages")
UNLIMITED_DAYS = 99999  # log retention when nothing ever removes old logs (logrotate rotate -1 without maxage)
TIME_SYNC_UNITS = ("chrony", "chronyd", "systemd-timesyncd", "ntp", "ntpd", "ntpsec", "openntpd")
_PERIOD_DAYS = {"hourly": 1 / 24, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
_LOGROTATE_SCRIPTS = frozenset({"postrotate", "prerotate", "firstaction", "lastaction", "preremove"})


def parse_sections(text: str) -> dict[str, str]:
    """Section name -> content for every section the script could read; unavailable ones are left out."""
    sections: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "==== secops:end-of-input unavailable eof ===="]:
        match = _HEADER.match(line)
        if match is None:
            if name is not None:
                lines.append(line)
            continue
        if name is not None:
            sections[name] = "\n".join(lines)
        name, lines = (None if match["reason"] else match["name"]), []
    return sections


def linux_facts(sections: dict[str, str]) -> dict[str, Any]:
    """The ``linux`` facts object; each key only when its source was read (see the module docstring)."""
    facts: dict[str, Any] = {
        "login_defs": _login_defs(sections),
        "pwquality": _pwquality(sections),
        "faillock": _faillock(sections),
        "sshd": _sshd(sections),
        "accounts": _accounts(sections),
        "session_timeout": _session_timeout(sections),
        "auditd": _auditd(sections),
        "log_retention_days": _log_retention_days(sections),
        "time_sync": _time_sync(sections),
        "risky_services": _risky_services(sections),
        "firewall": _firewall(sections),
        "updates": _updates(sections),
        "antivirus": _antivirus(sections),
    }
    return {key: value for key, value in facts.items() if value is not None}


# -- helpers ------------------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[str]:
    """Stripped lines without blank lines and whole-line comments."""
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def _int(value: str) -> int | None:
    try:
        return int(value.strip().strip("\"'"))
    except ValueError:
        return None


def _files(sections: dict[str, str], prefix: str = "file:") -> list[str]:
    return [name[len(prefix) :] for name in sections if name.startswith(prefix)]


def _file(sections: dict[str, str], path: str) -> str | None:
    return sections.get(f"file:{path}")


def _glob(sections: dict[str, str], pattern: str) -> list[str]:
    """Contents of the files read whose path matches ``pattern``, in the shell's (sorted) glob order."""
    return [sections[f"file:{path}"] for path in sorted(_files(sections)) if fnmatch.fnmatchcase(path, pattern)]


def _key_values(text: str, separator: str | None = "=") -> dict[str, str]:
    """``key = value`` (or ``KEY value`` when separator is None); later lines override earlier ones."""
    values: dict[str, str] = {}
    for line in _lines(text):
        if separator is None:
            key, _, value = line.partition(" ") if " " in line else line.partition("\t")
        else:
            key, _, value = line.partition(separator)
        values[key.strip().lower()] = value.strip()
    return values


# -- passwords and logins -----------------------------------------------------------------------------


def _login_defs(sections: dict[str, str]) -> dict[str, int] | None:
    text = _file(sections, "/etc/login.defs")
    if text is None:
        return None
    facts = dict(LOGIN_DEFS_DEFAULTS)
    for line in _lines(text):
        parts = line.split()
        if len(parts) >= 2 and parts[0].lower() in facts and (number := _int(parts[1])) is not None:
            facts[parts[0].lower()] = number
    # -1 switches the limits off, which is what the unset defaults mean too.
    if facts["pass_max_days"] < 0:
        facts["pass_max_days"] = LOGIN_DEFS_DEFAULTS["pass_max_days"]
    facts["pass_min_days"] = max(facts["pass_min_days"], 0)
    facts["pass_warn_age"] = max(facts["pass_warn_age"], 0)
    return facts


_PAM_LINE = re.compile(r"^-?(?P<type>[A-Za-z]+)\s+(?P<control>\[[^\]]*\]|\S+)\s+(?P<module>\S+)(?P<args>.*)$")


def _pam_modules(sections: dict[str, str], stacks: Iterable[str], kind: str) -> list[tuple[str, dict[str, str]]]:
    """(module name without .so, its arguments) for the ``kind`` lines of the PAM files that were read."""
    modules: list[tuple[str, dict[str, str]]] = []
    for path in stacks:
        for line in _lines(_file(sections, path) or ""):
            match = _PAM_LINE.match(line)
            if match is None or match["type"].lower() != kind:
                continue
            module = match["module"].rsplit("/", 1)[-1].removesuffix(".so")
            args: dict[str, str] = {}
            for token in match["args"].split():
                key, _, value = token.partition("=")
                args[key.lower()] = value
            modules.append((module, args))
    return modules


def _int_settings(facts: dict[str, int], settings: dict[str, str]) -> None:
    for key, value in settings.items():
        if key in facts and (number := _int(value)) is not None:
            facts[key] = number


def _pwquality(sections: dict[str, str]) -> dict[str, Any] | None:
    if not any(_file(sections, path) is not None for path in PASSWORD_STACKS):
        return None
    modules = _pam_modules(sections, PASSWORD_STACKS, "password")
    pwquality = [args for module, args in modules if module == "pam_pwquality"]
    cracklib = [args for module, args in modules if module == "pam_cracklib"]
    if cracklib and not pwquality:
        values = dict(CRACKLIB_DEFAULTS)
        _int_settings(values, cracklib[0])
    else:
        values = dict(PWQUALITY_DEFAULTS)
        for text in [_file(sections, "/etc/security/pwquality.conf") or ""]:
            _int_settings(values, _key_values(text))
        for text in _glob(sections, "/etc/security/pwquality.conf.d/*.conf"):
            _int_settings(values, _key_values(text))
        if pwquality:
            _int_settings(values, pwquality[0])
    return {"enabled": bool(pwquality or cracklib), **values}


def _faillock(sections: dict[str, str]) -> dict[str, Any] | None:
    if not any(_file(sections, path) is not None for path in AUTH_STACKS):
        return None
    modules = _pam_modules(sections, AUTH_STACKS, "auth")
    faillock = [args for module, args in modules if module == "pam_faillock"]
    tally = [args for module, args in modules if module in ("pam_tally2", "pam_tally")]
    if tally and not faillock:
        values = dict(TALLY2_DEFAULTS)
        arguments = tally
    else:
        values = dict(FAILLOCK_DEFAULTS)
        _int_settings(values, _key_values(_file(sections, "/etc/security/faillock.conf") or ""))
        arguments = faillock
    for args in arguments:
        # unlock_time=never: only an administrator unlocks, the strictest setting; 0 means the same.
        _int_settings(values, {k: ("0" if v == "never" else v) for k, v in args.items()})
    return {"enabled": bool(faillock or tally), **values}


# -- sshd ---------------------------------------------------------------------------------------------


def _sshd_time(value: str) -> int | None:
    """sshd time format: 300, 5m, 1h30m (s m h d w, case-insensitive)."""
    parts = re.findall(r"(\d+)([smhdw]?)", value.lower())
    if not parts or "".join(n + u for n, u in parts) != value.lower():
        return None
    scale = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return sum(int(number) * scale[unit] for number, unit in parts)


def _sshd_list(value: str, default: list[str]) -> list[str]:
    """Algorithm lists: a plain list replaces the default; +, - and ^ append, remove (patterns) or prepend."""
    items = [item for item in value[1:].split(",") if item] if value[:1] in "+-^" else value.split(",")
    if value.startswith("+"):
        return default + [item for item in items if item not in default]
    if value.startswith("-"):
        return [algo for algo in default if not any(fnmatch.fnmatchcase(algo, pattern) for pattern in items)]
    if value.startswith("^"):
        return items + [algo for algo in default if algo not in items]
    return [item for item in items if item]


def _sshd_directives(sections: dict[str, str], path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Global directives in file order, Include files expanded where they appear; stops at Match."""
    text = _file(sections, path)
    if text is None or depth > 8:
        return
    for line in _lines(text):
        match = re.match(r"^(\S+?)(?:\s*=\s*|\s+)(.*)$", line)
        if match is None:
            continue
        key, value = match[1].lower(), match[2].strip()
        if key == "match":
            return
        if key == "include":
            for pattern in value.split():
                pattern = pattern.strip("\"'")
                absolute = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                for included in sorted(p for p in _files(sections) if fnmatch.fnmatchcase(p, absolute)):
                    yield from _sshd_directives(sections, included, depth + 1)
            continue
        yield key, value.strip("\"'")


def _sshd(sections: dict[str, str]) -> dict[str, Any] | None:
    settings: dict[str, str] = {}
    effective = sections.get("sshd_effective")
    if effective is not None:
        for line in _lines(effective):
            key, _, value = line.partition(" ")
            settings.setdefault(key.lower(), value.strip())
    elif _file(sections, "/etc/ssh/sshd_config") is not None:
        for key, value in _sshd_directives(sections, "/etc/ssh/sshd_config"):
            settings.setdefault(key, value)  # the first value obtained is the one sshd uses
    else:
        return None
    facts: dict[str, Any] = {}
    for key, default in SSHD_DEFAULTS.items():
        setting = settings.get(key)
        if setting is None:
            facts[key] = list(default) if isinstance(default, list) else default
        elif key in _SSHD_LIST_KEYS:
            facts[key] = _sshd_list(setting, list(default))
        elif key in _SSHD_INT_KEYS or key in _SSHD_TIME_KEYS:
            number = _int(setting) if key in _SSHD_INT_KEYS else _sshd_time(setting)
            facts[key] = default if number is None else number
        else:
            facts[key] = setting.lower()
    if facts["permitrootlogin"] == "without-password":  # the old spelling, still printed by sshd -T
        facts["permitrootlogin"] = "prohibit-password"
    return facts


# -- accounts and sessions ----------------------------------------------------------------------------


def _accounts(sections: dict[str, str]) -> dict[str, list[str]] | None:
    passwd = sections.get("passwd")
    if passwd is None:
        return None
    users: list[tuple[str, str, str, str]] = []
    for line in _lines(passwd):
        fields = line.split(":")
        if len(fields) == 4:
            users.append((fields[0], fields[1], fields[2], fields[3]))
    shadow_text = sections.get("shadow")
    shadow = dict(line.split(":", 1) for line in _lines(shadow_text or "") if ":" in line)
    facts: dict[str, list[str]] = {"uid0": [name for name, uid, _, _ in users if uid == "0"]}
    empty_in_passwd = [name for name, _, _, marker in users if marker == "empty" and name not in shadow]
    empty_in_shadow = [name for name, state in shadow.items() if state == "empty"]
    # Without shadow, only a positive finding (an empty password field in passwd itself) is evidence.
    if shadow_text is not None or empty_in_passwd:
        facts["empty_password"] = sorted(set(empty_in_passwd + empty_in_shadow))

    def can_log_in(name: str, shell: str) -> bool:
        return shell.rsplit("/", 1)[-1] not in _NO_LOGIN_SHELLS and shadow.get(name) not in ("locked", "disabled")

    facts["shared_or_default"] = sorted(
        name for name, _, shell, _ in users if name.lower() in DEFAULT_ACCOUNT_NAMES and can_log_in(name, shell)
    )
    return facts


_TMOUT = re.compile(r"(?:^|[\s;&|(])TMOUT=[\"']?(\d+)")
_READONLY = re.compile(r"\b(?:readonly|declare\s+-\w*r\w*|typeset\s+-\w*r\w*)\b.*\bTMOUT\b")


def _session_timeout(sections: dict[str, str]) -> int | None:
    """TMOUT in seconds as a login shell ends up with it: a readonly value sticks, otherwise the last one."""
    first = ["/etc/profile"]
    later = ["/etc/bash.bashrc", "/etc/bashrc"]
    profile_d = sorted(path for path in _files(sections, "tmout:") if path.startswith("/etc/profile.d/"))
    texts = [sections[f"tmout:{path}"] for path in [*first, *profile_d, *later] if f"tmout:{path}" in sections]
    if not texts:
        return None
    timeout, frozen = 0, False
    for text in texts:
        for line in _lines(text):
            match = _TMOUT.search(line)
            if match and not frozen:
                timeout = int(match[1])
            if _READONLY.search(line) and (match or timeout):
                frozen = True
    return timeout


# -- audit and logs -----------------------------------------------------------------------------------


def _service_states(sections: dict[str, str]) -> dict[str, str] | None:
    text = sections.get("services")
    if text is None:
        return None
    states: dict[str, str] = {}
    for line in _lines(text):
        unit, _, state = line.partition(" ")
        if unit != "method":
            states[unit] = state.strip()
    return states


def _auditd(sections: dict[str, str]) -> dict[str, Any] | None:
    text = sections.get("auditd")
    if text is None:
        return None
    values = _key_values(text, separator=None)
    installed = values.get("installed") == "yes"
    facts: dict[str, Any] = {"installed": installed}
    states = _service_states(sections)
    if states is not None and "auditd" in states:
        facts["active"] = states["auditd"] == "active"
    if not installed:
        facts["rules"] = 0
    elif (rules := _int(values.get("rules", ""))) is not None:
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
    main = _file(sections, "/etc/logrotate.conf")
    included = [_file(sections, f"/etc/logrotate.d/{name}") for name in ("rsyslog", "syslog", "syslog-ng")]
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
            rotate = _int(settings["rotate"]) or 0
            max_age = _int(settings.get("maxage", ""))
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
    texts = [_file(sections, "/etc/systemd/journald.conf"), *_glob(sections, "/etc/systemd/journald.conf.d/*.conf")]
    settings: dict[str, str] = {}
    for text in texts:
        section = ""
        for line in _lines(text or ""):
            if line.startswith("["):
                section = line
            elif section == "[Journal]":
                key, _, value = line.partition("=")
                settings[key.strip()] = value.strip()
    if settings.get("Storage", "").lower() in ("volatile", "none"):
        return 0  # nothing survives a reboot
    seconds = _systemd_seconds(settings.get("MaxRetentionSec", ""))
    return int(seconds // 86400) if seconds else None


def _log_retention_days(sections: dict[str, str]) -> int | None:
    days = _logrotate_days(sections)
    return days if days is not None else _journald_days(sections)


# -- services -----------------------------------------------------------------------------------------


def _time_sync(sections: dict[str, str]) -> dict[str, Any] | None:
    states = _service_states(sections)
    if states is None:
        return None
    active = [unit for unit in TIME_SYNC_UNITS if states.get(unit) == "active"]
    if active:
        return {"active": True, "service": active[0]}
    # No known daemon runs, but systemd still reports a synchronised clock (another NTP client).
    timedate = _key_values(sections.get("timedatectl", ""))
    if timedate.get("ntpsynchronized") == "yes":
        return {"active": True, "service": None}
    return {"active": False, "service": None}


def _risky_services(sections: dict[str, str]) -> list[str] | None:
    text = sections.get("running")
    if text is None:
        return None
    by_process = {process for processes in RISKY_SERVICES.values() for process in processes}
    if text.startswith("# processes"):
        return sorted({name for name in _lines(text) if name in by_process})
    found: set[str] = set()
    for line in _lines(text):
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
    for line in _lines(text):
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
    for line in _lines(text):
        parts = line.split()
        if parts[:2] == ["-P", "INPUT"] and len(parts) > 2:
            policy = parts[2].lower()
        elif parts[:1] == ["-A"]:
            rules += 1
            input_rules += parts[1:2] == ["INPUT"]
    return rules, input_rules, policy


def _firewall(sections: dict[str, str]) -> dict[str, Any] | None:
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


def _updates(sections: dict[str, str]) -> dict[str, int] | None:
    apt = sections.get("apt_upgrade")
    if apt is not None:
        installs = [line for line in apt.splitlines() if line.startswith("Inst ")]
        return {"pending": len(installs), "security": sum("-security" in line.lower() for line in installs)}
    dnf = sections.get("dnf_check_update")
    if dnf is None:
        return None
    pending = 0
    for line in _lines(dnf):
        if line.lower().startswith(("obsoleting", "security:", "last metadata")):
            break
        pending += len(line.split()) == 3
    facts = {"pending": pending}
    if (security := sections.get("dnf_security")) is not None:
        facts["security"] = len(list(_lines(security)))
    return facts


def _antivirus(sections: dict[str, str]) -> dict[str, Any] | None:
    text = sections.get("antivirus")
    if text is None:
        return None
    now: int | None = None
    installed = False
    newest: int | None = None
    for line in _lines(text):
        parts = line.split()
        if parts[0] == "now" and len(parts) > 1:
            now = _int(parts[1])
        elif parts[0] == "binary":
            installed = True
        elif parts[0] == "db" and len(parts) > 2 and (mtime := _int(parts[2])) is not None:
            newest = mtime if newest is None else max(newest, mtime)
    age = max((now - newest) // 86400, 0) if now is not None and newest is not None else None
    return {"installed": installed, "name": "clamav" if installed else None, "signature_age_days": age}
