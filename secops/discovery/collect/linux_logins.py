"""Facts about passwords, lockout, sshd, accounts and session timeouts (see ``linux`` for the defaults)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from typing import Any

from secops.discovery.collect.linux_sections import file_text, files_in, glob_files, key_values, lines_of, to_int

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


# -- passwords and logins -----------------------------------------------------------------------------


def read_login_defs(sections: dict[str, str]) -> dict[str, int] | None:
    text = file_text(sections, "/etc/login.defs")
    if text is None:
        return None
    facts = dict(LOGIN_DEFS_DEFAULTS)
    for line in lines_of(text):
        parts = line.split()
        if len(parts) >= 2 and parts[0].lower() in facts and (number := to_int(parts[1])) is not None:
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
        for line in lines_of(file_text(sections, path) or ""):
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
        if key in facts and (number := to_int(value)) is not None:
            facts[key] = number


def read_pwquality(sections: dict[str, str]) -> dict[str, Any] | None:
    if not any(file_text(sections, path) is not None for path in PASSWORD_STACKS):
        return None
    modules = _pam_modules(sections, PASSWORD_STACKS, "password")
    pwquality = [args for module, args in modules if module == "pam_pwquality"]
    cracklib = [args for module, args in modules if module == "pam_cracklib"]
    if cracklib and not pwquality:
        values = dict(CRACKLIB_DEFAULTS)
        _int_settings(values, cracklib[0])
    else:
        values = dict(PWQUALITY_DEFAULTS)
        for text in [file_text(sections, "/etc/security/pwquality.conf") or ""]:
            _int_settings(values, key_values(text))
        for text in glob_files(sections, "/etc/security/pwquality.conf.d/*.conf"):
            _int_settings(values, key_values(text))
        if pwquality:
            _int_settings(values, pwquality[0])
    return {"enabled": bool(pwquality or cracklib), **values}


def read_faillock(sections: dict[str, str]) -> dict[str, Any] | None:
    if not any(file_text(sections, path) is not None for path in AUTH_STACKS):
        return None
    modules = _pam_modules(sections, AUTH_STACKS, "auth")
    faillock = [args for module, args in modules if module == "pam_faillock"]
    tally = [args for module, args in modules if module in ("pam_tally2", "pam_tally")]
    if tally and not faillock:
        values = dict(TALLY2_DEFAULTS)
        arguments = tally
    else:
        values = dict(FAILLOCK_DEFAULTS)
        _int_settings(values, key_values(file_text(sections, "/etc/security/faillock.conf") or ""))
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
    text = file_text(sections, path)
    if text is None or depth > 8:
        return
    for line in lines_of(text):
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
                for included in sorted(p for p in files_in(sections) if fnmatch.fnmatchcase(p, absolute)):
                    yield from _sshd_directives(sections, included, depth + 1)
            continue
        yield key, value.strip("\"'")


def read_sshd(sections: dict[str, str]) -> dict[str, Any] | None:
    settings: dict[str, str] = {}
    effective = sections.get("sshd_effective")
    if effective is not None:
        for line in lines_of(effective):
            key, _, value = line.partition(" ")
            settings.setdefault(key.lower(), value.strip())
    elif file_text(sections, "/etc/ssh/sshd_config") is not None:
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
            number = to_int(setting) if key in _SSHD_INT_KEYS else _sshd_time(setting)
            facts[key] = default if number is None else number
        else:
            facts[key] = setting.lower()
    if facts["permitrootlogin"] == "without-password":  # the old spelling, still printed by sshd -T
        facts["permitrootlogin"] = "prohibit-password"
    return facts


# -- accounts and sessions ----------------------------------------------------------------------------


def read_accounts(sections: dict[str, str]) -> dict[str, list[str]] | None:
    passwd = sections.get("passwd")
    if passwd is None:
        return None
    users: list[tuple[str, str, str, str]] = []
    for line in lines_of(passwd):
        fields = line.split(":")
        if len(fields) == 4:
            users.append((fields[0], fields[1], fields[2], fields[3]))
    shadow_text = sections.get("shadow")
    shadow = dict(line.split(":", 1) for line in lines_of(shadow_text or "") if ":" in line)
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


def read_session_timeout(sections: dict[str, str]) -> int | None:
    """TMOUT in seconds as a login shell ends up with it: a readonly value sticks, otherwise the last one."""
    first = ["/etc/profile"]
    later = ["/etc/bash.bashrc", "/etc/bashrc"]
    profile_d = sorted(path for path in files_in(sections, "tmout:") if path.startswith("/etc/profile.d/"))
    texts = [sections[f"tmout:{path}"] for path in [*first, *profile_d, *later] if f"tmout:{path}" in sections]
    if not texts:
        return None
    timeout, frozen = 0, False
    for text in texts:
        for line in lines_of(text):
            match = _TMOUT.search(line)
            if match and not frozen:
                timeout = int(match[1])
            if _READONLY.search(line) and (match or timeout):
                frozen = True
    return timeout
