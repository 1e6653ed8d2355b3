"""nginx/apache access logs: Sigma web fields, decoded variants of encoded attacks, odd request lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import read_paths
from secops.detection.readers.web import decode, unescape

LOGS = Path(__file__).parent.parent / "fixtures" / "logs"
CST = timezone(timedelta(hours=8))


def read_one(path: Path) -> tuple[EventBatch, ReadStats]:
    stats = ReadStats()
    batches = list(read_paths([path], stats=stats))
    assert len(batches) == 1
    return batches[0], stats


def by_line(batch: EventBatch) -> dict[int, dict[str, object]]:
    return {batch.records[row]: batch.event(row, internal=True) for row in batch.rows()}


def test_nginx_combined_fields_and_logsource() -> None:
    batch, stats = read_one(LOGS / "nginx" / "access.log")
    assert batch.source == "web" and batch.size == 19
    assert stats.malformed == {str(LOGS / "nginx" / "access.log"): 2}  # the plain-text line and the binary one
    events = by_line(batch)
    assert events[2] == {
        "c-ip": "203.0.113.7",
        "date": "12/Mar/2024:08:15:02 +0800",
        "cs-method": "GET",
        "c-uri": "/static/css/site.css?v=20240301",
        "cs-uri-stem": "/static/css/site.css",
        "cs-uri-query": "v=20240301",
        "cs-version": "HTTP/1.1",
        "sc-status": 200,
        "sc-bytes": 18211,
        "cs-referer": "https://www.example.edu.cn/",
        "c-useragent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 Safari/537.36",
        "_category": "webserver",
        "_product": "nginx",
        "_service": ("access",),
    }
    assert batch.timestamps[1] == datetime(2024, 3, 12, 8, 15, 2, tzinfo=CST)
    assert batch.timestamps[1] == datetime(2024, 3, 12, 0, 15, 2, tzinfo=UTC)
    assert batch.raws[1].startswith('203.0.113.7 - - [12/Mar/2024:08:15:02 +0800] "GET /static/css/site.css')
    assert events[11]["cs-username"] == "admin"
    assert events[12]["sc-bytes"] == 4821733
    assert events[18]["c-ip"] == "2001:db8::1"


def test_encoded_attacks_have_decoded_variants() -> None:
    events = by_line(read_one(LOGS / "nginx" / "access.log")[0])
    sqli = events[3]
    assert sqli["cs-uri-query"] == "id=12%27%20UNION%20SELECT%201,username,password%20FROM%20users--%20-"
    assert sqli["cs-uri-query@decoded"] == "id=12' UNION SELECT 1,username,password FROM users-- -"
    assert sqli["c-uri@decoded"] == "/news/list.php?id=12' UNION SELECT 1,username,password FROM users-- -"
    assert "cs-uri-stem@decoded" not in sqli  # nothing to decode in the path
    assert events[4]["cs-uri-query@decoded"] == "id=1' OR 1=1"  # double-encoded
    assert events[5]["cs-uri-query@decoded"] == "q=<script>alert(document.cookie)</script>"
    assert events[6]["cs-uri-query@decoded"] == "q=hello world&lang=zh-CN"  # '+' is a space in the query
    assert events[7]["cs-uri-query@decoded"] == "file=../../../../etc/passwd"
    assert events[8]["cs-uri-stem"] == "/%2e%2e/%2e%2e/%2e%2e/etc/shadow"
    assert events[8]["cs-uri-stem@decoded"] == "/../../../etc/shadow"
    assert events[8]["c-uri@decoded"] == "/../../../etc/shadow"
    assert events[10]["c-uri@decoded"] == "/uploads/avatar/1710202200.php?cmd=cat /etc/passwd|base64"
    assert events[11]["cs-referer@decoded"] == "https://www.example.edu.cn/admin/login.php?redirect=/admin/students.php"
    assert events[21]["cs-uri-stem@decoded"] == "/校园新闻/index.html"
    assert events[21]["cs-referer@decoded"] == "https://www.baidu.com/s?wd=校园"


def test_server_escapes_are_undone() -> None:
    events = by_line(read_one(LOGS / "nginx" / "access.log")[0])
    thinkphp = events[15]  # nginx writes a backslash as \x5C
    assert thinkphp["cs-uri-query"].startswith("s=/Index/\\think\\app/invokefunction&function=call_user_func_array")
    assert thinkphp["cs-method"] == "GET" and thinkphp["cs-version"] == "HTTP/1.1"
    assert events[16]["c-useragent"] == '() { :; }; echo; /bin/bash -c "cat /etc/passwd"'  # shellshock, \x22 = "
    assert unescape(r"caf\xC3\xA9 \"q\" \\ \x") == 'café "q" \\ x'


def test_bad_request_lines_still_give_an_event() -> None:
    events = by_line(read_one(LOGS / "nginx" / "access.log")[0])
    tls = events[13]  # a TLS ClientHello sent to the plain-HTTP port
    assert tls == {
        "c-ip": "45.155.205.233",
        "date": "12/Mar/2024:08:21:10 +0800",
        "sc-status": 400,
        "sc-bytes": 157,
        "_category": "webserver",
        "_product": "nginx",
        "_service": ("access",),
    }
    dash = events[14]
    assert dash["sc-status"] == 400 and "c-uri" not in dash and "c-useragent" not in dash


def test_apache_common_and_vhost_combined() -> None:
    batch, stats = read_one(LOGS / "apache" / "access_log")
    assert not stats.malformed
    events = by_line(batch)
    assert events[1]["_product"] == "apache"
    assert "cs-referer" not in events[1] and "c-useragent" not in events[1]  # common format
    assert events[2]["cs-username"] == "teacher01" and events[2]["sc-bytes"] == 0  # "-" bytes
    assert events[3]["cs-uri-query@decoded"] == 'd=42&q="><svg onload=alert(1)>'
    assert batch.timestamps[0] == datetime(2024, 1, 3, 23, 59, 58, tzinfo=UTC)
    batch, stats = read_one(LOGS / "apache" / "other_vhosts_access.log")
    assert not stats.malformed
    events = by_line(batch)
    assert events[1]["cs-host"] == "jwc.example.edu.cn" and events[1]["c-ip"] == "192.0.2.80"
    assert events[2]["cs-uri-query"] == 'sid=1" or "1"="1'  # apache's \" escapes
    assert events[2]["c-useragent"] == "python-requests/2.31.0"


def test_product_unknown_without_a_server_name_in_the_path(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes((LOGS / "apache" / "access_log").read_bytes())
    batch, _ = read_one(path)
    assert "_product" not in batch.columns
    assert batch.columns["_category"] == ["webserver"] * 3


def test_decode_is_repeated_at_most_three_times() -> None:
    assert decode("%252527", plus=False) == "'"  # three layers
    assert decode("%25252527", plus=False) == "%27"  # a fourth layer stays encoded
    assert decode("a+b%2Bc", plus=True) == "a b c"  # the decoded '+' is decoded again, as a server would
    assert decode("a+b", plus=False) is None  # '+' is literal in a path
    assert decode("%zz%", plus=False) is None  # broken escapes are left alone
    assert decode("%FF%FE", plus=False) == "\ufffd\ufffd"  # invalid UTF-8 is replaced
