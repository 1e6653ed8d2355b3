"""syslog: RFC 3164 (year from the file's mtime, Dec->Jan rollover), rsyslog ISO, RFC 5424, and the
sshd/sudo fields of Linux auth.log."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import read_paths

LOGS = Path(__file__).parent.parent / "fixtures" / "logs"


def local_epoch(*parts: int) -> float:
    return datetime(*parts).astimezone().timestamp()  # type: ignore[arg-type]


def copy_with_mtime(name: str, target: Path, *when: int) -> Path:
    shutil.copy(LOGS / "linux" / name, target)
    os.utime(target, (local_epoch(*when), local_epoch(*when)))
    return target


def read_one(path: Path, log_format: str | None = None) -> tuple[EventBatch, ReadStats]:
    stats = ReadStats()
    batches = list(read_paths([path], stats=stats, log_format=log_format))
    assert len(batches) == 1
    return batches[0], stats


def events_of(batch: EventBatch) -> list[dict[str, object]]:
    return [batch.event(row, internal=True) for row in batch.rows()]


SSHD_FIELDS = ("sshd_action", "user", "src_ip", "src_port", "auth_method", "invalid_user", "repeat_count")


def test_auth_log_sshd_fields(tmp_path: Path) -> None:
    path = copy_with_mtime("auth.log", tmp_path / "auth.log", 2024, 3, 12, 9, 0, 0)
    batch, stats = read_one(path)
    assert not stats.malformed and batch.size == 24
    sshd = [
        (batch.records[row], {k: v for k, v in event.items() if k in SSHD_FIELDS})
        for row, event in enumerate(events_of(batch))
        if "sshd_action" in event
    ]
    assert sshd == [
        (2, {"sshd_action": "invalid_user", "user": "admin", "invalid_user": True, "src_ip": "203.0.113.50",
             "src_port": 51122}),
        (3, {"sshd_action": "failed_password", "user": "admin", "invalid_user": True, "src_ip": "203.0.113.50",
             "src_port": 51122, "auth_method": "password"}),
        (4, {"sshd_action": "failed_password", "user": "root", "src_ip": "203.0.113.50", "src_port": 51140,
             "auth_method": "password"}),
        (5, {"sshd_action": "auth_failure", "user": "root", "src_ip": "203.0.113.50"}),
        (6, {"sshd_action": "failed_password", "user": "root", "src_ip": "203.0.113.50", "src_port": 51140,
             "auth_method": "password", "repeat_count": 5}),
        (7, {"sshd_action": "max_auth_exceeded", "user": "root", "src_ip": "203.0.113.50", "src_port": 51140}),
        (8, {"sshd_action": "disconnect", "user": "root", "src_ip": "203.0.113.50", "src_port": 51140}),
        (9, {"sshd_action": "auth_failure", "user": "root", "src_ip": "203.0.113.50", "repeat_count": 5}),
        (10, {"sshd_action": "disconnect", "user": "root", "src_ip": "203.0.113.50", "src_port": 51188}),
        (11, {"sshd_action": "accepted_password", "user": "root", "src_ip": "203.0.113.50", "src_port": 51230,
              "auth_method": "password"}),
        (12, {"sshd_action": "session_opened", "user": "root"}),
        (14, {"sshd_action": "accepted_publickey", "user": "deploy", "src_ip": "10.20.0.5", "src_port": 40022,
              "auth_method": "publickey"}),
        (17, {"sshd_action": "disconnect", "src_ip": "10.20.0.5", "src_port": 40022}),
        (18, {"sshd_action": "disconnect", "user": "deploy", "src_ip": "10.20.0.5", "src_port": 40022}),
        (19, {"sshd_action": "no_identification", "src_ip": "198.51.100.9", "src_port": 60211}),
        (20, {"sshd_action": "negotiation_failed", "src_ip": "198.51.100.9", "src_port": 60230}),
        (23, {"sshd_action": "failed_publickey", "user": "git", "src_ip": "192.0.2.200", "src_port": 33010,
              "auth_method": "publickey"}),
        (24, {"sshd_action": "accepted_keyboard_interactive", "user": "git", "src_ip": "192.0.2.200",
              "src_port": 33010, "auth_method": "keyboard-interactive/pam"}),
    ]  # fmt: skip


def test_auth_log_services_and_common_fields(tmp_path: Path) -> None:
    path = copy_with_mtime("auth.log", tmp_path / "auth.log", 2024, 3, 12, 9, 0, 0)
    batch, _ = read_one(path)
    events = events_of(batch)
    assert events[0] == {
        "host": "web01",
        "program": "CRON",
        "pid": 20311,
        "message": "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        "_product": "linux",
        "_service": ("cron", "auth"),
    }
    assert events[1]["_service"] == ("sshd", "auth")
    assert events[12]["_service"] == ("systemd-logind", "auth")
    assert events[22]["_service"] == ("sshd-session", "sshd", "auth")  # OpenSSH 9.8+ logs logins as sshd-session
    assert events[14] | {"_service": None} == {
        "host": "web01",
        "program": "sudo",
        "message": "  deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl reload nginx",
        "user": "deploy",
        "sudo_tty": "pts/1",
        "sudo_pwd": "/home/deploy",
        "sudo_user": "root",
        "sudo_command": "/usr/bin/systemctl reload nginx",
        "sudo_action": "command",
        "_product": "linux",
        "_service": None,
    }
    assert "sudo_action" not in events[15]  # the pam_unix(sudo:session) line
    assert events[20]["message"].startswith("new user: name=backup2")
    assert batch.raws[1] == "Mar 12 08:02:11 web01 sshd[20410]: Invalid user admin from 203.0.113.50 port 51122"


def test_year_comes_from_the_file_mtime(tmp_path: Path) -> None:
    path = copy_with_mtime("auth.log", tmp_path / "auth.log", 2024, 3, 12, 9, 0, 0)
    batch, _ = read_one(path)
    assert batch.timestamps[0] == datetime(2024, 3, 12, 7, 59, 1).astimezone()
    assert batch.timestamps[-1] == datetime(2024, 3, 12, 8, 16, 5).astimezone()
    older = copy_with_mtime("auth.log", tmp_path / "secure", 2021, 6, 1, 0, 0, 0)
    batch, _ = read_one(older)
    assert batch.timestamps[0] == datetime(2021, 3, 12, 7, 59, 1).astimezone()
    assert batch.columns["_service"][1] == ("sshd", "auth")  # RHEL's "secure" is an auth file too


def test_december_to_january_rollover(tmp_path: Path) -> None:
    path = copy_with_mtime("syslog", tmp_path / "syslog", 2025, 1, 1, 0, 5, 0)
    batch, stats = read_one(path)
    assert stats.malformed == {str(path): 1}  # the garbage line
    assert [t.replace(tzinfo=None) for t in batch.timestamps if t] == [
        datetime(2024, 12, 31, 23, 59, 58),
        datetime(2024, 12, 31, 23, 59, 59),
        datetime(2025, 1, 1, 0, 0, 1),
        datetime(2025, 1, 1, 0, 0, 2),
        datetime(2025, 1, 1, 0, 0, 5),
    ]
    assert batch.records == [1, 2, 3, 4, 6]
    events = events_of(batch)
    assert events[0]["program"] == "kernel" and "pid" not in events[0]
    assert events[0]["_service"] == ("kernel", "syslog")
    assert events[3]["_service"] == ("xmrig", "syslog")
    assert events[4]["program"] == "rsyslogd" and events[4]["message"].startswith("[origin software=")


def test_gzip_header_mtime_sets_the_year() -> None:
    batch, _ = read_one(LOGS / "linux" / "auth.log.2.gz")  # header mtime 2024-03-11, whatever the file's own
    assert batch.timestamps[0] is not None and batch.timestamps[0].year == 2024
    assert [e["sshd_action"] for e in events_of(batch)] == ["failed_password", "failed_password", "disconnect"]


def test_rsyslog_iso_timestamps() -> None:
    batch, stats = read_one(LOGS / "linux" / "messages.iso")
    assert not stats.malformed
    cst = timezone(timedelta(hours=8))
    assert batch.timestamps == [
        datetime(2024, 3, 12, 8, 30, 0, 123456, tzinfo=cst),
        datetime(2024, 3, 12, 8, 30, 1, 1, tzinfo=cst),
    ]
    first, second = events_of(batch)
    assert first["program"] == "mysqld" and first["host"] == "db01" and first["_service"] == ("mysqld", "syslog")
    assert second["sshd_action"] == "failed_password" and second["_service"] == ("sshd", "syslog")


def test_rfc5424() -> None:
    batch, stats = read_one(LOGS / "linux" / "remote-5424.log")
    assert not stats.malformed
    events = events_of(batch)
    assert events[0] == {
        "facility": 4,
        "severity": 2,
        "host": "mymachine.example.com",
        "program": "su",
        "msgid": "ID47",
        "message": "'su root' failed for lonvick on /dev/pts/8",  # the BOM is dropped
        "_product": "linux",
        "_service": ("su", "syslog"),
    }
    assert batch.timestamps[0] == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
    assert events[1]["pid"] == 8710 and "msgid" not in events[1]
    assert events[1]["message"] == "%% It's time to make the do-nuts."
    assert events[2]["structured_data"] == (
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
        '[examplePriority@32473 class="high \\"x\\" [y\\]"]'
    )
    assert events[2]["message"] == "An application event log entry..."
    assert events[3]["sshd_action"] == "accepted_password" and events[3]["user"] == "root"
    assert events[3]["_service"] == ("sshd", "syslog")


def test_lines_that_are_not_syslog_are_malformed(tmp_path: Path) -> None:
    path = tmp_path / "messages"
    path.write_text(
        "Mar 12 08:00:00 host app[1]: fine\n"
        "<999999>1 broken priority\n"
        "<13>1 not-a-time host app - - - msg\n"
        "<13>1 2024-01-01T00:00:00Z host app - - [unterminated sd\n"
        "Foo 12 08:00:00 host app: bad month\n"
        "\n"
        "Mar 12 08:00:01 host no tag here at all\n"
        "plain text, not a log line\n",
        encoding="utf-8",
    )
    assert list(read_paths([path], stats=ReadStats())) == []  # most lines are not syslog: not detected as such
    batch, stats = read_one(path, "syslog")
    assert stats.malformed == {str(path): 4}
    # a time that cannot be read is counted with its line; the event keeps its place, with no time
    assert stats.bad_times == {str(path): 1} and stats.bad_time_lines == {str(path): [3]}
    assert batch.records == [1, 3, 7]
    assert batch.timestamps[1] is None and batch.event(1)["message"] == "msg"
    assert batch.event(2) == {"host": "host", "message": "no tag here at all"}
    assert batch.columns["_service"][2] == ("syslog",)
