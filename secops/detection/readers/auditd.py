"""Linux audit logs (``/var/log/audit/audit.log``): one event per record line.

``type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 ... exe="/usr/bin/id" key="x"``
gives every ``key=value`` as a field (values as strings, quotes removed), the timestamp and ``serial``
from ``msg=audit(EPOCH:SERIAL)``, and the inner ``msg='op=... res=failed'`` of user-space records as
fields too. Values auditd hex-encodes (untrusted strings containing spaces or odd bytes: proctitle,
EXECVE arguments, comm, exe, cwd, name, acct, cmd, ...) are decoded; proctitle's NUL separators become
spaces. ``SYSCALL`` (the syscall name) comes from the enriched log format when present, else from the
x86_64 number for the common syscalls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import LINE_ERRORS, RowBatcher, count_malformed, from_epoch

_PAIR = re.compile(r"""([A-Za-z_][\w-]*(?:\[\d+\])?)=("[^"]*"|'[^']*'|[^\s\x1d]*)""")
_PLAIN_PAIR = re.compile(r"([^ =]+)=([^ ]*)")
_HEX = re.compile(r"(?:[0-9A-F]{2})+")
_ARG = re.compile(r"a\d+(?:\[\d+\])?")
# Fields whose unquoted value is hex-encoded text (auditd's untrusted-string encoding).
HEX_FIELDS = frozenset(
    ("proctitle", "comm", "exe", "cwd", "name", "acct", "cmd", "data", "path", "old-path", "new-path", "key")
)  # fmt: skip
X86_64_SYSCALLS = {
    "0": "read", "1": "write", "2": "open", "3": "close", "9": "mmap", "10": "mprotect", "16": "ioctl",
    "21": "access", "32": "dup", "33": "dup2", "41": "socket", "42": "connect", "43": "accept", "44": "sendto",
    "49": "bind", "50": "listen", "56": "clone", "57": "fork", "58": "vfork", "59": "execve", "62": "kill",
    "76": "truncate", "77": "ftruncate", "82": "rename", "83": "mkdir", "84": "rmdir", "85": "creat",
    "86": "link", "87": "unlink", "88": "symlink", "90": "chmod", "91": "fchmod", "92": "chown", "93": "fchown",
    "94": "lchown", "101": "ptrace", "103": "syslog", "105": "setuid", "106": "setgid", "113": "setreuid",
    "114": "setregid", "117": "setresuid", "119": "setresgid", "133": "mknod", "135": "personality",
    "157": "prctl", "159": "adjtimex", "161": "chroot", "165": "mount", "166": "umount2", "169": "reboot",
    "175": "init_module", "176": "delete_module", "188": "setxattr", "200": "tkill", "227": "clock_settime",
    "231": "exit_group", "257": "openat", "258": "mkdirat", "259": "mknodat", "260": "fchownat",
    "263": "unlinkat", "264": "renameat", "265": "linkat", "266": "symlinkat", "268": "fchmodat",
    "272": "unshare", "288": "accept4", "304": "open_by_handle_at", "308": "setns", "313": "finit_module",
    "316": "renameat2", "319": "memfd_create", "321": "bpf", "322": "execveat", "99": "sysinfo",
    "425": "io_uring_setup", "434": "pidfd_open", "435": "clone3",
}  # fmt: skip
X86_64 = "c000003e"


def read_auditd(
    path: Path, lines: Iterable[tuple[int, str | None]], batch_size: int, stats: ReadStats
) -> Iterator[EventBatch]:
    log_file = str(path)
    batcher = RowBatcher("auditd", log_file, batch_size, {"_product": "linux", "_service": ("auditd",)})
    for number, line in lines:
        if line is None:
            count_malformed(stats, log_file, record=number)
            continue
        if not line.strip():
            continue
        try:
            parsed = parse_record(line)
        except LINE_ERRORS:
            parsed = None
        if parsed is None:
            count_malformed(stats, log_file, record=number)
            continue
        epoch, fields = parsed
        batch = batcher.add(number, from_epoch(epoch), line, fields)
        if batch is not None:
            yield batch
    yield from batcher.flush()


def parse_record(line: str) -> tuple[float, dict[str, Any]] | None:
    start = line.find("msg=audit(")
    if start < 0:
        return None
    close = line.find("):", start)
    if close < 0:
        return None
    stamp, _, serial = line[start + 10 : close].partition(":")
    try:
        epoch = float(stamp)
    except ValueError:
        return None
    fields: dict[str, Any] = {}
    _pairs(line[:start], fields, record_type=None)
    if "type" not in fields:
        return None
    fields["serial"] = serial
    body, _, enriched = line[close + 2 :].partition("\x1d")
    _pairs(body, fields, record_type=fields["type"])
    if enriched:  # the ENRICHED format appends translated values with upper-case names (UID="root", SYSCALL=...)
        _pairs(enriched, fields, record_type=None)
    if fields["type"] == "SYSCALL" and "SYSCALL" not in fields and fields.get("arch") == X86_64:
        name = X86_64_SYSCALLS.get(fields.get("syscall", ""))
        if name:
            fields["SYSCALL"] = name
    return epoch, fields


def _pairs(text: str, fields: dict[str, Any], record_type: str | None) -> None:
    if "'" in text:  # a nested msg='...' holds spaces: only the full pattern splits that right
        _nested_pairs(text, fields)
        return
    # auditd hex-encodes every value with a space or a double quote in it, so dropping the quotes and
    # splitting on spaces is exact (and several times faster than a quote-aware pattern)
    raw = dict(_PLAIN_PAIR.findall(text.replace('"', "")))
    if record_type == "EXECVE":
        candidates: Iterable[str] = [key for key in raw if key in HEX_FIELDS or _ARG.fullmatch(key)]
    else:
        candidates = HEX_FIELDS.intersection(raw)
    for key in candidates:
        value = raw[key]
        if value and len(value) % 2 == 0 and _HEX.fullmatch(value) and f' {key}="' not in f" {text}":
            raw[key] = decode_hex(value)
    fields.update(raw)


def _nested_pairs(text: str, fields: dict[str, Any]) -> None:
    for key, value in _PAIR.findall(text):
        first = value[:1]
        if first == '"':
            fields[key] = value[1:-1]
        elif first == "'":
            inner = value[1:-1]
            fields.setdefault(key, inner)
            _pairs(inner, fields, record_type=None)  # user-space records nest their own key=value list
        elif value and key in HEX_FIELDS and len(value) % 2 == 0 and _HEX.fullmatch(value):
            fields[key] = decode_hex(value)
        else:
            fields[key] = value


def decode_hex(value: str) -> str:
    """auditd's hex-encoded text; NUL separates proctitle's arguments (shown as spaces)."""
    text = bytes.fromhex(value).decode("utf-8", "replace")
    return text.replace("\x00", " ").rstrip(" ") if "\x00" in text else text
