"""Sigma semantics of the local engine, one behaviour per test, on hand-built batches."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from secops.detection.sigma import Engine, load_rules
from tests.unit.detection.sigma_helpers import batch_of, engine_for, matched, rule_yaml

WEB = {"_category": "webserver", "_product": "nginx", "_service": ("access",)}


def check(
    tmp_path: Path, detection: str, events: list[dict], expected: list[int], event_id: int = 1, **kwargs: str
) -> None:
    engine = engine_for(tmp_path, rule_yaml(detection, **kwargs))
    assert matched(engine, batch_of(*({"EventID": event_id} | e for e in events))) == expected


# --- strings ----------------------------------------------------------------------------------


def test_plain_string_is_whole_value_and_case_insensitive(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  Image: 'C:\\Windows\\System32\\whoami.exe'\ncondition: sel",
        [{"Image": "c:\\windows\\system32\\WHOAMI.EXE"}, {"Image": "C:\\Windows\\System32\\whoami.exe.bak"}],
        [1],
    )


def test_wildcards_star_and_question_mark(tmp_path: Path) -> None:
    check(
        tmp_path,
        # a backslash before a wildcard escapes it, so a path separator before one is written twice
        "sel:\n  Image: 'C:\\Users\\\\*\\AppData\\\\?emp\\\\*.exe'\ncondition: sel",
        [
            {"Image": "C:\\Users\\bob\\AppData\\Temp\\x.exe"},
            {"Image": "C:\\Users\\bob\\AppData\\temp\\sub\\y.EXE"},
            {"Image": "C:\\Users\\bob\\AppData\\Tempo\\x.exe"},
            {"Image": "C:\\Users\\bob\\AppData\\Temp\\x.dll"},
        ],
        [1, 2],
    )


def test_escaped_wildcard_is_literal(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|contains: 'dir \\*.txt'\ncondition: sel",
        [{"CommandLine": "cmd /c dir *.txt"}, {"CommandLine": "cmd /c dir a.txt"}],
        [1],
    )


def test_backslash_escapes(tmp_path: Path) -> None:
    """A backslash before an ordinary character stays; two backslashes are one backslash."""
    check(
        tmp_path,
        "sel:\n  CommandLine|contains: '\\Windows\\Temp\\'\ncondition: sel",
        [{"CommandLine": "C:\\windows\\temp\\x.exe"}, {"CommandLine": "C:/windows/temp/x.exe"}],
        [1],
    )
    check(
        tmp_path,
        "sel:\n  CommandLine|startswith: '\\\\\\\\server'\ncondition: sel",
        [{"CommandLine": "\\\\SERVER\\share"}, {"CommandLine": "\\server\\share"}],
        [1],
    )


def test_contains_startswith_endswith(tmp_path: Path) -> None:
    detection = """
    a:
      CommandLine|contains: 'mimikatz'
    b:
      Image|startswith: 'C:\\Temp\\'
    c:
      Image|endswith: '\\rundll32.exe'
    condition: 1 of them
    """
    events = [
        {"CommandLine": "x MimiKatz.exe y", "Image": "C:\\a.exe"},
        {"CommandLine": "x", "Image": "c:\\temp\\evil.exe"},
        {"CommandLine": "x", "Image": "C:\\Windows\\System32\\RUNDLL32.exe"},
        {"CommandLine": "x", "Image": "D:\\c:\\temp\\rundll32.exe.old"},
    ]
    check(tmp_path, detection, events, [1, 2, 3])


def test_list_is_or_and_all_is_and(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|contains: [' -enc ', ' -e ']\ncondition: sel",
        [{"CommandLine": "powershell -e AAA"}, {"CommandLine": "powershell -enc AAA"}, {"CommandLine": "ps"}],
        [1, 2],
    )
    check(
        tmp_path,
        "sel:\n  CommandLine|contains|all: ['vssadmin', 'delete', 'shadows']\ncondition: sel",
        [{"CommandLine": "vssadmin delete shadows /all"}, {"CommandLine": "vssadmin list shadows"}],
        [1],
    )


def test_cased_is_case_sensitive(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|contains|cased: 'AbC'\ncondition: sel",
        [{"CommandLine": "xx AbC yy"}, {"CommandLine": "xx abc yy"}],
        [1],
    )


def test_empty_string_matches_only_empty(tmp_path: Path) -> None:
    check(tmp_path, "sel:\n  User: ''\ncondition: sel", [{"User": ""}, {"User": "bob"}, {}], [1])


# --- regular expressions ------------------------------------------------------------------------


def test_re_is_case_sensitive_search(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|re: 'Invoke-[A-Z]\\w+'\ncondition: sel",
        [{"CommandLine": "x Invoke-Mimikatz"}, {"CommandLine": "x invoke-mimikatz"}],
        [1],
    )


def test_re_flags(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|re|i: '^invoke-[a-z]+$'\ncondition: sel",
        [{"CommandLine": "INVOKE-Thing"}, {"CommandLine": "x INVOKE-Thing"}],
        [1],
    )
    check(
        tmp_path,
        "sel:\n  ScriptBlockText|re|m: '^iex'\ncondition: sel",
        [{"ScriptBlockText": "$a = 1\niex $a"}, {"ScriptBlockText": "$a = 1 iex"}],
        [1],
    )
    check(
        tmp_path,
        "sel:\n  ScriptBlockText|re|s: 'begin.+end'\ncondition: sel",
        [{"ScriptBlockText": "begin\nmiddle\nend"}, {"ScriptBlockText": "beginend"}],
        [1],
    )


def test_re_anchors_apply_to_each_value(tmp_path: Path) -> None:
    """Values are scanned joined; anchors and lookarounds must still see one value only."""
    events = [{"Image": f"C:\\bin\\tool{i}.exe"} for i in range(20)] + [{"Image": "evil.exe"}]
    check(tmp_path, "sel:\n  Image|re: '^evil\\.exe$'\ncondition: sel", events, [21])
    check(tmp_path, "sel:\n  Image|re: '(?<!\\\\)evil'\ncondition: sel", events, [21])
    check(tmp_path, "sel:\n  Image|re: 'exe\\Z'\ncondition: sel", events, list(range(1, 22)))


# --- encodings ----------------------------------------------------------------------------------


def test_base64_and_base64offset(tmp_path: Path) -> None:
    encoded = base64.b64encode(b"http://evil.example/x").decode()
    check(
        tmp_path,
        "sel:\n  CommandLine|base64|contains: 'http://evil.'\ncondition: sel",  # 12 bytes: no padding
        [{"CommandLine": f"-enc {encoded}"}, {"CommandLine": "-enc aGVsbG8="}],
        [1],
    )
    events = [
        {"CommandLine": "x " + base64.b64encode(prefix + b"Invoke-Expression tail").decode()}
        for prefix in (b"", b"a", b"ab")
    ]
    check(tmp_path, "sel:\n  CommandLine|base64offset|contains: 'Invoke-Expression'\ncondition: sel", events, [1, 2, 3])


@pytest.mark.parametrize(
    ("modifier", "encoding"), [("wide", "utf-16le"), ("utf16le", "utf-16le"), ("utf16be", "utf-16be")]
)
def test_utf16_encodings_with_base64offset(tmp_path: Path, modifier: str, encoding: str) -> None:
    events = [
        {"CommandLine": "powershell -enc " + base64.b64encode((prefix + "IEX (New-Object").encode(encoding)).decode()}
        for prefix in ("", "a", "ab")
    ] + [{"CommandLine": "powershell -enc " + base64.b64encode(b"IEX (New-Object").decode()}]
    check(tmp_path, f"sel:\n  CommandLine|{modifier}|base64offset|contains: 'IEX ('\ncondition: sel", events, [1, 2, 3])


def test_windash(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  CommandLine|windash|contains: ' -decode '\ncondition: sel",
        [
            {"CommandLine": "certutil -decode a b"},
            {"CommandLine": "certutil /decode a b"},
            {"CommandLine": "certutil \u2013decode a b"},
            {"CommandLine": "certutil decode a b"},
        ],
        [1, 2, 3],
    )


# --- other value types --------------------------------------------------------------------------


def test_cidr(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  DestinationIp|cidr: ['10.0.0.0/8', 'fd00::/8']\ncondition: sel",
        [
            {"DestinationIp": "10.1.2.3"},
            {"DestinationIp": "11.1.2.3"},
            {"DestinationIp": "fd12::1"},
            {"DestinationIp": "not an ip"},
        ],
        [1, 3],
        logsource="product: windows\n  category: network_connection",
        event_id=3,
    )


def test_numeric_comparisons(tmp_path: Path) -> None:
    events = [{"Size": 5}, {"Size": "10"}, {"Size": 15}, {"Size": "x"}, {}]
    check(tmp_path, "sel:\n  Size|gt: 10\ncondition: sel", events, [3])
    check(tmp_path, "sel:\n  Size|gte: 10\ncondition: sel", events, [2, 3])
    check(tmp_path, "sel:\n  Size|lt: 10\ncondition: sel", events, [1])
    check(tmp_path, "sel:\n  Size|lte: 10\ncondition: sel", events, [1, 2])


def test_numbers_and_their_text_match_each_other(tmp_path: Path) -> None:
    base = {"_product": "windows", "_service": "security", "Channel": "Security"}
    for value in ("4625", "'4625'"):
        engine = engine_for(
            tmp_path, rule_yaml(f"sel:\n  EventID: {value}\ncondition: sel", "product: windows\n  service: security")
        )
        batch = batch_of({"EventID": 4625}, {"EventID": "4625"}, {"EventID": 4624}, base=base)
        assert matched(engine, batch) == [1, 2]


def test_exists(tmp_path: Path) -> None:
    events = [{"Hashes": "SHA1=1"}, {}, {"Hashes": ""}]
    check(tmp_path, "sel:\n  Hashes|exists: true\ncondition: sel", events, [1, 3])
    check(tmp_path, "sel:\n  Hashes|exists: false\ncondition: sel", events, [2])


def test_null_matches_absent_or_empty(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  OriginalFileName: null\ncondition: sel",
        [{"OriginalFileName": "x.exe"}, {}, {"OriginalFileName": ""}],
        [2, 3],
    )
    check(
        tmp_path,
        "sel:\n  Image|endswith: '.exe'\nfilter:\n  OriginalFileName: null\ncondition: sel and not filter",
        [{"Image": "a.exe", "OriginalFileName": "a.exe"}, {"Image": "b.exe"}],
        [1],
    )


def test_missing_field_never_matches_and_is_no_error(tmp_path: Path) -> None:
    check(tmp_path, "sel:\n  NoSuchField|contains: 'x'\ncondition: sel", [{"Image": "x"}], [])
    check(tmp_path, "sel:\n  Image: 'x'\nf:\n  NoSuchField: 'y'\ncondition: sel and not f", [{"Image": "x"}], [1])


def test_fieldref(tmp_path: Path) -> None:
    events = [
        {"ParentImage": "C:\\a.exe", "Image": "c:\\A.exe"},
        {"ParentImage": "C:\\a.exe", "Image": "C:\\b.exe"},
        {"Image": "C:\\b.exe"},
    ]
    check(tmp_path, "sel:\n  Image|fieldref: ParentImage\ncondition: sel", events, [1])
    check(tmp_path, "sel:\n  Image|fieldref|endswith: ParentImage\ncondition: sel", events, [1])


def test_expand_placeholders(tmp_path: Path) -> None:
    text = rule_yaml("sel:\n  Image|endswith: '.exe'\nf:\n  Computer|expand: '%admin_hosts%'\ncondition: sel and not f")
    (tmp_path / "r.yml").write_text(text)
    batch = batch_of({"Image": "a.exe", "Computer": "ADMIN1"}, {"Image": "a.exe", "Computer": "pc7"})
    undefined = Engine(load_rules([tmp_path / "r.yml"]))
    assert undefined.warnings and "admin_hosts" in undefined.warnings[0]
    assert matched(undefined, batch) == [1, 2]  # the filter value is unknown: it filters nothing
    defined = Engine(load_rules([tmp_path / "r.yml"]), placeholders={"admin_hosts": ["admin1", "admin2"]})
    assert matched(defined, batch) == [2]


def test_list_valued_field_matches_any_element(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  Tags: 'secret'\ncondition: sel",
        [{"Tags": ["public", "SECRET"]}, {"Tags": ["public"]}],
        [1],
    )


def test_decoded_variant_is_tried(tmp_path: Path) -> None:
    engine = engine_for(
        tmp_path, rule_yaml("sel:\n  cs-uri-query|contains: 'union select'\ncondition: sel", "category: webserver")
    )
    batch = batch_of(
        {"cs-uri-query": "id=1%20UNION%20SELECT", "cs-uri-query@decoded": "id=1 UNION SELECT"},
        {"cs-uri-query": "id=1", "cs-uri-query@decoded": "id=1"},
        source="web",
        base=WEB,
    )
    assert matched(engine, batch) == [1]


# --- keywords ---------------------------------------------------------------------------------


def test_keywords_search_the_raw_event(tmp_path: Path) -> None:
    engine = engine_for(
        tmp_path,
        rule_yaml(
            "keywords:\n  - 'Accepted password'\n  - 'sudo:*COMMAND=/bin/bash'\ncondition: keywords", "product: linux"
        ),
    )
    base = {"_product": "linux", "_service": ("sshd", "auth")}
    raws = [
        "Nov 23 08:00:01 h sshd[1]: accepted PASSWORD for bob",
        "Nov 23 08:00:02 h sudo: bob : TTY=pts/0 ; COMMAND=/bin/bash",
        "Nov 23 08:00:03 h sshd[1]: Failed password for bob",
    ]
    batch = batch_of(
        {"program": "sshd"}, {"program": "sudo"}, {"program": "sshd"}, source="syslog", base=base, raws=raws
    )
    assert matched(engine, batch) == [1, 2]


def test_keywords_see_url_decoded_web_lines(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, rule_yaml("keywords:\n  - '<script>'\ncondition: keywords", "category: webserver"))
    raws = [
        '1.2.3.4 - - [23/Nov/2026:08:00:00 +0000] "GET /?q=%3Cscript%3Ealert(1) HTTP/1.1" 200 5 "-" "x"',
        '1.2.3.4 - - [23/Nov/2026:08:00:01 +0000] "GET /?q=%253Cscript%253E HTTP/1.1" 200 5 "-" "x"',
        '1.2.3.4 - - [23/Nov/2026:08:00:02 +0000] "GET /?q=script HTTP/1.1" 200 5 "-" "x"',
    ]
    batch = batch_of({"sc-status": 200}, {"sc-status": 200}, {"sc-status": 200}, source="web", base=WEB, raws=raws)
    assert matched(engine, batch) == [1, 2]


def test_keywords_and_fields_together(tmp_path: Path) -> None:
    engine = engine_for(
        tmp_path,
        rule_yaml(
            "keywords:\n  - 'ptrace'\nsel:\n  type: SYSCALL\ncondition: keywords and sel",
            "product: linux\n  service: auditd",
        ),
    )
    base = {"_product": "linux", "_service": ("auditd",)}
    raws = ["type=SYSCALL comm=ptrace", "type=PATH name=ptrace", "type=SYSCALL comm=ls"]
    batch = batch_of({"type": "SYSCALL"}, {"type": "PATH"}, {"type": "SYSCALL"}, source="auditd", base=base, raws=raws)
    assert matched(engine, batch) == [1]


# --- conditions -------------------------------------------------------------------------------


def test_condition_operators_and_selectors(tmp_path: Path) -> None:
    detection = """
    sel_a:
      CommandLine|contains: 'aaa'
    sel_b:
      CommandLine|contains: 'bbb'
    filter_x:
      CommandLine|contains: 'xxx'
    condition: {condition}
    """
    events = [
        {"CommandLine": "aaa"},
        {"CommandLine": "bbb"},
        {"CommandLine": "aaa bbb"},
        {"CommandLine": "aaa xxx"},
        {"CommandLine": "zzz"},
    ]
    cases = {
        "1 of sel_*": [1, 2, 3, 4],
        "all of sel_*": [3],
        "1 of sel_* and not 1 of filter_*": [1, 2, 3],
        "all of them": [],
        "1 of them": [1, 2, 3, 4],
        "sel_a and not (sel_b or filter_x)": [1],
        "not sel_a": [2, 5],
        "sel_a or sel_b and filter_x": [1, 3, 4],  # and binds tighter
    }
    for condition, expected in cases.items():
        check(tmp_path, detection.replace("{condition}", condition), events, expected)


def test_several_conditions_are_alternatives(tmp_path: Path) -> None:
    detection = "a:\n  Image: 'a'\nb:\n  Image: 'b'\ncondition:\n  - a\n  - b"
    check(tmp_path, detection, [{"Image": "a"}, {"Image": "b"}, {"Image": "c"}], [1, 2])


def test_list_of_maps_is_or_and_map_is_and(tmp_path: Path) -> None:
    detection = """
    sel:
      - Image|endswith: '\\a.exe'
        CommandLine|contains: 'x'
      - Image|endswith: '\\b.exe'
    condition: sel
    """
    events = [
        {"Image": "C:\\a.exe", "CommandLine": "x"},
        {"Image": "C:\\a.exe", "CommandLine": "y"},
        {"Image": "C:\\b.exe", "CommandLine": "y"},
    ]
    check(tmp_path, detection, events, [1, 3])


# --- engine behaviour -------------------------------------------------------------------------


def test_atoms_shared_between_rules_are_evaluated_once(tmp_path: Path) -> None:
    one = rule_yaml("sel:\n  Image|endswith: '\\cmd.exe'\n  CommandLine|contains: 'x'\ncondition: sel")
    two = rule_yaml("sel:\n  Image|endswith: '\\CMD.EXE'\n  CommandLine|contains: 'y'\ncondition: sel")
    engine = engine_for(tmp_path, one, two)
    assert engine.atom_count == 3


def test_match_carries_rule_and_event(tmp_path: Path) -> None:
    rule = rule_yaml(
        "sel:\n  Image|endswith: '\\whoami.exe'\ncondition: sel",
        id="7fd4e2a2-1f3b-4c7d-9c55-0b7d2f6a3e10",
        title="Whoami",
        level="medium",
    )
    engine = engine_for(
        tmp_path, rule.replace("status: test", "status: test\ntags:\n  - attack.discovery\n  - attack.t1033")
    )
    [match] = engine.match(batch_of({"Image": "C:\\whoami.exe", "User": "bob"}))
    data = match.as_dict()
    assert data["rule_id"] == "7fd4e2a2-1f3b-4c7d-9c55-0b7d2f6a3e10"
    assert (data["rule_title"], data["level"], data["tags"]) == (
        "Whoami",
        "medium",
        ["attack.discovery", "attack.t1033"],
    )
    assert data["record"] == 1 and data["log_file"] == "test.evtx" and data["timestamp"].startswith("2026-11-23T08:00")
    assert data["event"]["User"] == "bob" and "_product" not in data["event"]


def test_large_batch_with_repeated_values(tmp_path: Path) -> None:
    engine = engine_for(
        tmp_path,
        rule_yaml("sel:\n  CommandLine|contains: 'evil'\n  Image|endswith: '\\x.exe'\ncondition: sel"),
        rule_yaml("sel:\n  CommandLine|re: 'ev[i]l$'\ncondition: sel"),
    )
    events = [{"Image": f"C:\\{i % 7}\\x.exe", "CommandLine": "benign " * (i % 5)} for i in range(3000)]
    events[1234] = {"Image": "C:\\x.exe", "CommandLine": "run EVIL"}
    events[2999] = {"Image": "C:\\y.exe", "CommandLine": "evil"}
    assert matched(engine, batch_of(*events)) == [1235, 3000]


def test_timestamp_part_modifiers(tmp_path: Path) -> None:
    events = [{"UtcTime": "2026-11-23 03:15:00.000"}, {"UtcTime": "2026-11-23T14:15:00Z"}, {"UtcTime": "bad"}]
    check(tmp_path, "sel:\n  UtcTime|hour: 3\ncondition: sel", events, [1])
    check(tmp_path, "sel:\n  UtcTime|minute: 15\ncondition: sel", events, [1, 2])


def test_neq_negates_a_value(tmp_path: Path) -> None:
    check(
        tmp_path,
        "sel:\n  Image|endswith: '.exe'\n  User|neq: 'SYSTEM'\ncondition: sel",
        [{"Image": "a.exe", "User": "system"}, {"Image": "a.exe", "User": "bob"}],
        [2],
    )


def test_keyword_regex_and_keyword_lists_with_all(tmp_path: Path) -> None:
    base = {"_product": "linux", "_service": ("syslog",)}
    raws = ["kernel: Out of memory: Killed process 42 (xmrig)", "kernel: Killed process 7 (bash)", "nothing"]
    batch = batch_of(
        {"program": "kernel"}, {"program": "kernel"}, {"program": "x"}, source="syslog", base=base, raws=raws
    )
    engine = engine_for(
        tmp_path, rule_yaml("kw:\n  '|re': 'Killed process \\d+ \\(xm'\ncondition: kw", "product: linux")
    )
    assert matched(engine, batch) == [1]
    engine = engine_for(
        tmp_path, rule_yaml("kw:\n  '|contains|all': ['killed', 'bash']\ncondition: kw", "product: linux")
    )
    assert matched(engine, batch) == [2]
