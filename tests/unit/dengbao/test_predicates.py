"""The predicate language of 等保 checks: every op, the combinators, missing paths, evidence and
validation of malformed predicates."""

from __future__ import annotations

from typing import Any

import pytest

from secops.dengbao.predicates import OPS, PredicateError, evaluate, has_path, lookup, validate

FACTS: dict[str, Any] = {
    "address": "10.77.1.5",
    "ssh": {
        "port": 22,
        "password_auth": True,
        "auth_methods": ["publickey", "password"],
        "weak_algorithms": [],
        "banner": "SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.8",
    },
    "linux": {
        "login_defs": {"pass_max_days": 99999, "pass_min_len": 5},
        "session_timeout": 0,
        "accounts": {"uid0": ["root"], "empty_password": []},
        "antivirus": {"installed": False, "name": None},
    },
    "services": [
        {"port": 22, "name": "ssh", "product": "OpenSSH", "version": "7.2p2"},
        {"port": 23, "name": "telnet"},
        {"port": 6379, "name": "redis", "product": "Redis key-value store", "version": "4.0.9"},
    ],
    "tls": [],
}


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        # eq / ne
        ({"ssh.port": {"eq": 22}}, True),
        ({"ssh.port": {"eq": 2222}}, False),
        ({"ssh.password_auth": {"eq": True}}, True),
        ({"linux.antivirus.name": {"eq": None}}, True),
        ({"ssh.port": {"ne": 2222}}, True),
        ({"ssh.port": {"ne": 22}}, False),
        # lt / le / gt / ge, at and around the bound
        ({"linux.login_defs.pass_min_len": {"lt": 8}}, True),
        ({"linux.login_defs.pass_min_len": {"lt": 5}}, False),
        ({"linux.login_defs.pass_min_len": {"le": 5}}, True),
        ({"linux.login_defs.pass_min_len": {"le": 4}}, False),
        ({"linux.login_defs.pass_max_days": {"gt": 90}}, True),
        ({"linux.login_defs.pass_max_days": {"gt": 99999}}, False),
        ({"linux.login_defs.pass_max_days": {"ge": 99999}}, True),
        ({"linux.login_defs.pass_max_days": {"ge": 100000}}, False),
        ({"address": {"lt": 5}}, False),  # incomparable types are false, not an error
        ({"linux.antivirus.name": {"gt": 0}}, False),
        # in / not_in
        ({"ssh.port": {"in": [22, 2222]}}, True),
        ({"ssh.port": {"in": [2222]}}, False),
        ({"ssh.port": {"not_in": [2222]}}, True),
        ({"ssh.port": {"not_in": [22, 2222]}}, False),
        # contains: list membership or substring
        ({"ssh.auth_methods": {"contains": "password"}}, True),
        ({"ssh.auth_methods": {"contains": "keyboard-interactive"}}, False),
        ({"ssh.banner": {"contains": "OpenSSH_7"}}, True),
        ({"ssh.banner": {"contains": "Dropbear"}}, False),
        ({"ssh.port": {"contains": 2}}, False),  # neither list nor string
        # intersects: a list fact shares an element with the given list
        ({"ssh.auth_methods": {"intersects": ["password", "keyboard-interactive"]}}, True),
        ({"ssh.auth_methods": {"intersects": ["hostbased"]}}, False),
        ({"ssh.banner": {"intersects": ["OpenSSH"]}}, False),  # a string is not a list
        ({"ssh.weak_algorithms": {"intersects": ["3des-cbc"]}}, False),
        # matches: regular expression search on strings only
        ({"ssh.banner": {"matches": r"OpenSSH_[0-6]\."}}, False),
        ({"ssh.banner": {"matches": r"(?i)openssh_7\.\d"}}, True),
        ({"ssh.port": {"matches": "22"}}, False),
        # empty
        ({"ssh.weak_algorithms": {"empty": True}}, True),
        ({"ssh.weak_algorithms": {"empty": False}}, False),
        ({"ssh.auth_methods": {"empty": False}}, True),
        ({"linux.session_timeout": {"empty": True}}, True),  # 0 counts as empty
        ({"tls": {"empty": True}}, True),
        # version_lt: dotted numeric compare
        ({"services.0.version": {"version_lt": "7.4"}}, False),  # paths index dicts only, not lists
        ({"ssh.banner": {"version_lt": "3"}}, True),  # numbers in the banner: 2.0… < 3
        # exists
        ({"ssh.port": {"exists": True}}, True),
        ({"ssh.port": {"exists": False}}, False),
        ({"linux.antivirus.name": {"exists": True}}, True),  # present with value null still exists
        ({"linux.auditd": {"exists": True}}, False),
        ({"linux.auditd": {"exists": False}}, True),
        # several entries in one mapping: all must hold
        ({"ssh.port": {"eq": 22}, "ssh.password_auth": {"eq": True}}, True),
        ({"ssh.port": {"eq": 22}, "ssh.password_auth": {"eq": False}}, False),
        ({"linux.login_defs.pass_min_len": {"ge": 1, "lt": 8}}, True),
        ({"linux.login_defs.pass_min_len": {"ge": 6, "lt": 8}}, False),
    ],
)
def test_ops(predicate: dict[str, Any], expected: bool) -> None:
    validate(predicate)
    assert evaluate(predicate, FACTS) is expected


@pytest.mark.parametrize(
    ("actual", "bound", "expected"),
    [
        ("7.3p1", "7.4", True),
        ("7.4", "7.4", False),
        ("7.4p1", "7.4", False),
        ("9.2p1", "7.4", False),
        ("2.4.9", "2.4.49", True),  # numeric, not lexical
        ("2.4.49", "2.4.9", False),
        ("4.0.9", "5.0", True),
        ("10.0", "9.9", False),
        ("1.2.3.4.5", "1.2.3.5", True),
        ("unknown", "1.0", False),  # no numbers: never "older"
        ("", "1.0", False),
    ],
)
def test_version_lt(actual: str, bound: str, expected: bool) -> None:
    assert evaluate({"v": {"version_lt": bound}}, {"v": actual}) is expected


def test_every_op_is_covered_here() -> None:
    assert set(OPS) == {
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "in",
        "not_in",
        "contains",
        "intersects",
        "matches",
        "empty",
        "version_lt",
    }


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("eq", None),
        ("eq", 1),
        ("ne", 1),  # even "not equal" is false on a missing path
        ("lt", 10),
        ("le", 10),
        ("gt", 0),
        ("ge", 0),
        ("in", [None, 1]),
        ("not_in", [1]),
        ("contains", "x"),
        ("intersects", ["x"]),
        ("matches", ".*"),
        ("empty", True),
        ("empty", False),
        ("version_lt", "99"),
        ("exists", True),
    ],
)
@pytest.mark.parametrize("path", ["nothing", "ssh.nothing", "ssh.port.deeper", "linux.accounts.uid0.root"])
def test_missing_path_is_false(op: str, value: Any, path: str) -> None:
    predicate = {path: {op: value}}
    validate(predicate)
    assert evaluate(predicate, FACTS) is False


@pytest.mark.parametrize("path", ["nothing", "ssh.nothing", "ssh.port.deeper"])
def test_missing_path_exists_false_holds(path: str) -> None:
    assert evaluate({path: {"exists": False}}, FACTS) is True


def test_lookup_and_has_path() -> None:
    assert lookup(FACTS, "linux.accounts.uid0") == ["root"]
    assert has_path(FACTS, "linux.antivirus.name")
    assert not has_path(FACTS, "linux.auditd")
    assert not has_path(FACTS, "services.port")  # a list is not walked by a dotted path
    assert not has_path("a string", "x")


# ── combinators ───────────────────────────────────────────────────────────────

TRUE = {"ssh.port": {"eq": 22}}
FALSE = {"ssh.port": {"eq": 2222}}
MISSING = {"nothing": {"eq": 1}}


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ({"all": [TRUE]}, True),
        ({"all": [TRUE, TRUE]}, True),
        ({"all": [TRUE, FALSE]}, False),
        ({"all": [TRUE, MISSING]}, False),
        ({"any": [FALSE, TRUE]}, True),
        ({"any": [FALSE, FALSE]}, False),
        ({"any": [MISSING, FALSE]}, False),
        ({"not": TRUE}, False),
        ({"not": FALSE}, True),
        ({"not": MISSING}, True),  # a comparison on a missing path is false, so its negation holds
        ({"not": {"not": TRUE}}, True),
        ({"all": [{"any": [FALSE, TRUE]}, {"not": FALSE}]}, True),
        ({"any": [{"all": [TRUE, FALSE]}, {"not": TRUE}]}, False),
        ({"all": [TRUE], "ssh.password_auth": {"eq": False}}, False),  # keys of one mapping combine with and
        ({"any": [TRUE], "ssh.password_auth": {"eq": True}}, True),
    ],
)
def test_combinators(predicate: dict[str, Any], expected: bool) -> None:
    validate(predicate)
    assert evaluate(predicate, FACTS) is expected


TELNET = {"some": {"in": "services", "where": {"port": {"eq": 23}}}}
REDIS = {"some": {"in": "services", "where": {"name": {"eq": "redis"}}}}
NO_MATCH = {"some": {"in": "services", "where": {"port": {"eq": 3389}}}}


@pytest.mark.parametrize(
    ("predicate", "expected", "evidence"),
    [
        (TELNET, True, [{"port": 23, "name": "telnet"}]),
        (NO_MATCH, False, []),
        (
            {"some": {"in": "services", "where": {"port": {"in": [22, 23]}}}},
            True,
            [{"port": 22, "name": "ssh", "product": "OpenSSH", "version": "7.2p2"}, {"port": 23, "name": "telnet"}],
        ),
        (
            {
                "some": {
                    "in": "services",
                    "where": {"all": [{"product": {"matches": "(?i)redis"}}, {"version": {"version_lt": "5.0"}}]},
                }
            },
            True,
            [{"port": 6379, "name": "redis", "product": "Redis key-value store", "version": "4.0.9"}],
        ),
        ({"some": {"in": "tls", "where": {"port": {"exists": True}}}}, False, []),  # empty list
        ({"some": {"in": "ssh", "where": {"port": {"eq": 22}}}}, False, []),  # not a list
        ({"some": {"in": "nothing", "where": {"port": {"eq": 22}}}}, False, []),  # missing
        ({"some": {"in": "ssh.auth_methods", "where": {"x": {"exists": False}}}}, True, ["publickey", "password"]),
    ],
)
def test_some_matches_elements_and_keeps_them_as_evidence(
    predicate: dict[str, Any], expected: bool, evidence: list[Any]
) -> None:
    validate(predicate)
    found: list[Any] = []
    assert evaluate(predicate, FACTS, found) is expected
    assert found == evidence


@pytest.mark.parametrize(
    "predicate",
    [
        {"all": [TELNET, FALSE]},  # a failed all containing some
        {"all": [TELNET, REDIS, MISSING]},
        {"all": [{"any": [TELNET, REDIS]}, FALSE]},
        {"any": [{"all": [TELNET, FALSE]}, {"all": [REDIS, MISSING]}]},
        {**TELNET, "ssh.port": {"eq": 2222}},  # some plus a failing comparison in one mapping
        {"not": TELNET},
    ],
)
def test_failed_predicates_leave_no_evidence(predicate: dict[str, Any]) -> None:
    validate(predicate)
    found: list[Any] = ["kept"]
    assert evaluate(predicate, FACTS, found) is False
    assert found == ["kept"]  # nothing added


def test_evidence_only_from_branches_that_hold() -> None:
    # the first any-branch fails after its some matched: only the second branch's elements count
    predicate = {"any": [{"all": [TELNET, FALSE]}, REDIS]}
    found: list[Any] = []
    assert evaluate(predicate, FACTS, found) is True
    assert [element["port"] for element in found] == [6379]


def test_any_collects_evidence_of_every_holding_branch() -> None:
    found: list[Any] = []
    assert evaluate({"any": [TELNET, NO_MATCH, REDIS]}, FACTS, found) is True
    assert [element["port"] for element in found] == [23, 6379]


def test_not_never_contributes_evidence() -> None:
    found: list[Any] = []
    assert evaluate({"all": [TELNET, {"not": NO_MATCH}]}, FACTS, found) is True
    assert [element["port"] for element in found] == [23]


def test_nested_some_in_where_does_not_leak_inner_elements() -> None:
    facts = {"hosts": [{"name": "a", "ports": [{"n": 23}]}, {"name": "b", "ports": [{"n": 22}]}]}
    predicate = {"some": {"in": "hosts", "where": {"some": {"in": "ports", "where": {"n": {"eq": 23}}}}}}
    validate(predicate)
    found: list[Any] = []
    assert evaluate(predicate, facts, found) is True
    assert found == [{"name": "a", "ports": [{"n": 23}]}]  # the outer element, not the inner one


def test_evaluate_without_an_evidence_list() -> None:
    assert evaluate(TELNET, FACTS) is True
    assert evaluate(TELNET, FACTS, None) is True


# ── validation ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "predicate",
    [
        TRUE,
        TELNET,
        {"all": [TRUE, {"not": TELNET}]},
        {"any": [{"x": {"exists": False}}, {"y": {"in": [1, 2]}}]},
        {"x": {"matches": "^(a|b)+$", "not_in": ["c"]}},
        {"some": {"in": "services", "where": {"any": [{"port": {"eq": 23}}, {"name": {"eq": "telnet"}}]}}},
    ],
)
def test_validate_accepts_well_formed_predicates(predicate: dict[str, Any]) -> None:
    validate(predicate)


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        ({}, "non-empty mapping"),
        ([TRUE], "non-empty mapping"),
        ("ssh.port == 22", "non-empty mapping"),
        ({"ssh.port": {"equals": 22}}, "unknown op 'equals'"),
        ({"ssh.port": {"eq": 22, "bigger": 1}}, "unknown op 'bigger'"),
        ({"ssh.port": 22}, "expected {op: value}"),
        ({"ssh.port": {}}, "expected {op: value}"),
        ({"x": {"matches": "(unclosed"}}, "bad regular expression"),
        ({"x": {"matches": "*start"}}, "bad regular expression"),
        ({"x": {"exists": "yes"}}, "exists: expected true or false"),
        ({"x": {"in": 22}}, "x.in: expected a list"),
        ({"x": {"not_in": "abc"}}, "x.not_in: expected a list"),
        ({"x": {"intersects": "abc"}}, "x.intersects: expected a list"),
        ({"all": []}, "non-empty list"),
        ({"any": TRUE}, "non-empty list"),
        ({"all": [TRUE, {"x": {"like": 1}}]}, "fail_if.all.1.x: unknown op 'like'"),
        ({"not": {}}, "non-empty mapping"),
        ({"not": {"x": {"nope": 1}}}, "fail_if.not.x: unknown op"),
        ({"some": {"in": "services"}}, "expected {in: list-path, where: predicate}"),
        ({"some": {"where": TRUE}}, "expected {in: list-path, where: predicate}"),
        ({"some": {"in": "services", "where": TRUE, "limit": 1}}, "expected {in: list-path, where: predicate}"),
        ({"some": {"in": ["services"], "where": TRUE}}, "expected {in: list-path, where: predicate}"),
        ({"some": "services"}, "expected {in: list-path, where: predicate}"),
        ({"some": {"in": "services", "where": {"port": {"eq": 23, "regex": "x"}}}}, "fail_if.some.where.port"),
        ({"some": {"in": "services", "where": {}}}, "fail_if.some.where: a predicate"),
    ],
)
def test_validate_rejects_malformed_predicates(predicate: Any, message: str) -> None:
    with pytest.raises(PredicateError) as caught:
        validate(predicate)
    assert message in str(caught.value)


def test_validate_names_the_place() -> None:
    with pytest.raises(PredicateError, match=r"^when\.any\.0\.x: unknown op 'eqq'"):
        validate({"any": [{"x": {"eqq": 1}}]}, where="when")
