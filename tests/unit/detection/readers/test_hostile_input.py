"""Each field conversion the fuzzing found fragile: the line is counted (with its number) or keeps
its place with what could be read; nothing raises, nothing hangs."""

from __future__ import annotations

import io
from datetime import UTC
from pathlib import Path

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers._batch import count_malformed, small_int
from secops.detection.readers._files import iter_lines
from secops.detection.readers.auditd import read_auditd
from secops.detection.readers.jsonl import MAX_DEPTH, read_jsonl
from secops.detection.readers.sshd import sshd_fields
from secops.detection.readers.syslog import Clock, read_syslog
from secops.detection.readers.web import read_web

WEB = '203.0.113.5 - - [{stamp}] "GET / HTTP/1.1" {status} {size} "-" "curl/8"'
STAMP = "23/Nov/2026:08:00:00 +0000"


def read(reader: str, text: str) -> tuple[list[EventBatch], ReadStats]:
    stats = ReadStats()
    lines = iter_lines(io.BytesIO(text.encode("utf-8", "surrogatepass")))
    path = Path("/logs/x.log")
    if reader == "web":
        batches = list(read_web(path, lines, 100, stats))
    elif reader == "syslog":
        batches = list(read_syslog(path, lines, 100, stats, 1.7e9, UTC))
    elif reader == "auditd":
        batches = list(read_auditd(path, lines, 100, stats))
    else:
        batches = list(read_jsonl(path, lines, 100, stats, UTC))
    return batches, stats


def test_small_int_takes_ascii_digits_only() -> None:
    assert small_int("3012") == 3012
    assert small_int("30²12") is None and small_int("٣") is None and small_int("０") is None
    assert small_int("9" * 20) == int("9" * 20) and small_int("9" * 21) is None and small_int("") is None


def test_count_malformed_keeps_the_first_five_line_numbers() -> None:
    stats = ReadStats()
    for number in range(1, 9):
        count_malformed(stats, "f", record=number)
    count_malformed(stats, "f")  # a record without a number (a broken EVTX chunk) is counted too
    assert stats.malformed == {"f": 9} and stats.malformed_lines == {"f": [1, 2, 3, 4, 5]}


def test_web_byte_counts_and_statuses_in_other_digits_are_malformed() -> None:
    good = WEB.format(stamp=STAMP, status=200, size=512)
    lines = [
        good,
        WEB.format(stamp=STAMP, status=200, size="30²12"),
        WEB.format(stamp=STAMP, status="٢٠٠", size=512),
        WEB.format(stamp=STAMP, status=200, size="9" * 5000),
        good,
    ]
    batches, stats = read("web", "\n".join(lines) + "\n")
    assert [b.records for b in batches] == [[1, 5]]
    assert batches[0].columns["sc-bytes"] == [512, 512]
    assert stats.malformed_lines == {"/logs/x.log": [2, 3, 4]}


def test_web_times_out_of_range_are_bad_times() -> None:
    stamps = ["23/Nov/20260000000000000000:08:00:00 +0000", "31/Dec/9999:23:59:60 +0000", "23/Nov/2026:08:00:00 +9999"]
    text = "".join(WEB.format(stamp=stamp, status=200, size=1) + "\n" for stamp in stamps)
    batches, stats = read("web", text)
    assert batches[0].records == [1, 2, 3] and batches[0].timestamps == [None, None, None]
    assert stats.bad_time_lines == {"/logs/x.log": [1, 2, 3]} and not stats.malformed


def test_syslog_priorities_pids_and_ports_in_other_digits() -> None:
    lines = [
        "<²>Nov 23 08:00:00 host app: x",
        "Nov 23 08:00:00 host sshd[12²4]: Failed password for root from 203.0.113.7 port ٣٣ ssh2",
        "<34>1 2026-11-23T08:00:00Z host app ²² - - message",
        "Nov 23 08:00:00 host sshd[1]: " + "message repeated 2 times: [ " * 3000 + "x",
    ]
    batches, stats = read("syslog", "\n".join(lines) + "\n")
    assert batches[0].records == [2, 3, 4] and stats.malformed_lines == {"/logs/x.log": [1]}
    assert batches[0].columns["pid"][:2] == ["12²4", "²²"]
    assert batches[0].columns["src_port"][0] == "٣٣"  # kept as written: no port a server writes


def test_a_forged_mtime_past_9999_does_not_stop_syslog() -> None:
    clock = Clock(1e18)
    assert clock.bsd("Nov 23 08:00:00") is not None


def test_auditd_epochs_that_are_no_time() -> None:
    text = "".join(
        f'type=SYSCALL msg=audit({stamp}:1): arch=c000003e syscall=59 exe="/bin/id"\n'
        for stamp in ("1e999", "nan", "-1e300", "1700000000.1")
    )
    batches, stats = read("auditd", text)
    assert batches[0].records == [1, 2, 3, 4] and not stats.malformed
    assert batches[0].timestamps[:3] == [None, None, None] and batches[0].timestamps[3] is not None


def test_json_lines_that_attack_the_reader() -> None:
    lines = [
        '{"@timestamp": Infinity}',  # used to loop for ever dividing infinity by 1000
        '{"@timestamp": NaN, "time": 1}',
        '{"@timestamp": 1' + "0" * 400 + "}",
        '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        '{"x": "\\ud800 and \\udfff", "\\udc00": 1}',
        '{"EventID": "²", "Channel": "Security"}',
        '{"EventID": [4625, 1], "Channel": ["Security"]}',
        '{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH,
    ]
    batches, stats = read("jsonl", "\n".join(lines) + "\n")
    batch = batches[0]
    assert batch.records == [1, 2, 3, 6, 7, 8, 9]
    assert stats.malformed_lines == {"/logs/x.log": [4, 5]}
    assert stats.bad_time_lines == {"/logs/x.log": [1, 2, 3]}
    event = batch.event(3)
    assert event["x"] == "\ufffd and \ufffd" and event["\ufffd"] == 1
    assert batch.columns["EventID"][4:6] == ["²", [4625, 1]]
    "".join(str(value) for values in batch.columns.values() for value in values).encode("utf-8")  # writable


def test_an_sshd_fold_of_a_fold_is_unfolded_once() -> None:
    fields = sshd_fields(
        "message repeated 2 times: [ message repeated 3 times: [ Failed password for a from b port 1 ]]"
    )
    assert fields == {}
    assert sshd_fields("message repeated 2 times: [ Failed password for a from 1.2.3.4 port 22 ssh2]") == {
        "sshd_action": "failed_password",
        "user": "a",
        "src_ip": "1.2.3.4",
        "src_port": 22,
        "auth_method": "password",
        "repeat_count": 2,
    }
