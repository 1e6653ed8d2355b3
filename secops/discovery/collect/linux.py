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

from typing import Any

from secops.discovery.collect.linux_logins import (
    DEFAULT_ACCOUNT_NAMES,
    SSHD_DEFAULTS,
    read_accounts,
    read_faillock,
    read_login_defs,
    read_pwquality,
    read_session_timeout,
    read_sshd,
)
from secops.discovery.collect.linux_sections import parse_sections
from secops.discovery.collect.linux_system import (
    RISKY_SERVICES,
    read_antivirus,
    read_auditd,
    read_firewall,
    read_log_retention_days,
    read_risky_services,
    read_time_sync,
    read_updates,
)

__all__ = ["DEFAULT_ACCOUNT_NAMES", "RISKY_SERVICES", "SSHD_DEFAULTS", "linux_facts", "parse_sections"]


def linux_facts(sections: dict[str, str]) -> dict[str, Any]:
    """The ``linux`` facts object; each key only when its source was read (see the module docstring)."""
    facts: dict[str, Any] = {
        "login_defs": read_login_defs(sections),
        "pwquality": read_pwquality(sections),
        "faillock": read_faillock(sections),
        "sshd": read_sshd(sections),
        "accounts": read_accounts(sections),
        "session_timeout": read_session_timeout(sections),
        "auditd": read_auditd(sections),
        "log_retention_days": read_log_retention_days(sections),
        "time_sync": read_time_sync(sections),
        "risky_services": read_risky_services(sections),
        "firewall": read_firewall(sections),
        "updates": read_updates(sections),
        "antivirus": read_antivirus(sections),
    }
    return {key: value for key, value in facts.items() if value is not None}
