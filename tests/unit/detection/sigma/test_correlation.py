"""Sigma correlation semantics: sliding windows, group-by, value_count, temporal (ordered), de-duplication.

Correlation rules are parsed by pySigma from real multi-document Sigma YAML (base rules +
correlation); the base matches are built by hand, as the engine would emit them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule

from secops.detection.events import Match
from secops.detection.sigma.correlation import correlate

BASE = datetime(2024, 5, 6, 10, 0, 0, tzinfo=UTC)

SSH_FAILED = """
title: SSH failed password
id: 5a1b8c9e-0001-4000-8000-000000000001
name: ssh_failed
status: test
logsource: {product: linux, service: sshd}
detection:
  selection: {sshd_action: failed_password}
  condition: selection
level: low
"""

SSH_ACCEPTED = """
title: SSH accepted password
id: 5a1b8c9e-0001-4000-8000-000000000002
name: ssh_accepted
status: test
logsource: {product: linux, service: sshd}
detection:
  selection: {sshd_action: accepted_password}
  condition: selection
level: low
"""

SUDO = """
title: sudo to root
name: sudo_root
status: test
logsource: {product: linux, service: sudo}
detection:
  selection: {program: sudo}
  condition: selection
"""


def correlation_yaml(body: str, *, title: str = "Correlation under test", rid: str | None = None) -> str:
    head = f"title: {title}\n" + (f"id: {rid}\n" if rid else "") + "status: test\nlevel: high\n"
    head += "tags: [attack.credential-access, attack.t1110]\n"
    return head + body


def load(*documents: str) -> list[SigmaCorrelationRule]:
    """Parse one multi-document YAML exactly as a rule file would hold it."""
    collection = SigmaCollection.from_yaml("\n---\n".join(doc.strip() for doc in documents))
    assert not collection.errors
    return [rule for rule in collection.rules if isinstance(rule, SigmaCorrelationRule)]


RECORD = iter(range(1, 1_000_000))


def match(rule: str, at: datetime | None, **event: object) -> Match:
    return Match(
        rule_id=rule,
        rule_title=rule,
        level="low",
        tags=[],
        log_file="auth.log",
        record=next(RECORD),
        timestamp=at,
        event=dict(event),
    )


def keyed(rule_id: str, name: str, matches: list[Match]) -> dict[str, list[Match]]:
    """The engine's input shape: the same list under the rule's id and its name."""
    return {rule_id: matches, name: matches}


FAILED_ID = "5a1b8c9e-0001-4000-8000-000000000001"
ACCEPTED_ID = "5a1b8c9e-0001-4000-8000-000000000002"

BRUTE_FORCE = correlation_yaml(
    """correlation:
  type: event_count
  rules: [ssh_failed]
  group-by: [src_ip]
  timespan: 5m
  condition: {gte: 10}
""",
    title="SSH brute force",
    rid="5a1b8c9e-0001-4000-8000-0000000000aa",
)


def failures(times: list[datetime], ip: str = "203.0.113.7") -> list[Match]:
    return [match(FAILED_ID, t, src_ip=ip, sshd_action="failed_password", user="root") for t in times]


def spread(start: datetime, count: int, over: timedelta) -> list[datetime]:
    step = over / (count - 1)
    return [start + step * i for i in range(count)]


# --- event_count: sliding windows -----------------------------------------------------------------


def test_event_count_alerts_across_a_clock_edge() -> None:
    # 10:02:45 .. 10:07:15: 10 failures in 4.5 min, straddling the 10:05 edge of 5-minute buckets,
    # so neither bucket [10:00,10:05) nor [10:05,10:10) holds 10; a sliding window does.
    times = spread(BASE + timedelta(minutes=2, seconds=45), 10, timedelta(minutes=4, seconds=30))
    base = failures(times)
    alerts = correlate(load(SSH_FAILED, BRUTE_FORCE), keyed(FAILED_ID, "ssh_failed", base))
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.rule_type == "correlation"
    assert alert.rule_id == "5a1b8c9e-0001-4000-8000-0000000000aa"
    assert alert.rule_title == "SSH brute force"
    assert alert.level == "high"
    assert alert.tags == ["attack.credential-access", "attack.t1110"]
    assert alert.event == {"src_ip": "203.0.113.7"}
    assert alert.members == base  # the window, in time order, counted once despite id+name keys
    assert alert.timestamp == times[-1]
    assert alert.record == base[-1].record
    assert alert.log_file == "auth.log"
    as_dict = alert.as_dict()
    assert as_dict["type"] == "correlation" and len(as_dict["members"]) == 10


def test_event_count_spread_over_45_minutes_does_not_alert() -> None:
    base = failures(spread(BASE, 10, timedelta(minutes=45)))
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), keyed(FAILED_ID, "ssh_failed", base)) == []


def test_nine_failures_in_one_minute_do_not_reach_gte_10() -> None:
    base = failures(spread(BASE, 9, timedelta(minutes=1)))
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), keyed(FAILED_ID, "ssh_failed", base)) == []


def test_window_is_inclusive_of_the_timespan() -> None:
    exactly = failures(spread(BASE, 10, timedelta(minutes=5)))
    assert len(correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": exactly})) == 1
    just_over = failures(spread(BASE, 10, timedelta(minutes=5, seconds=1)))
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": just_over}) == []


def test_unsorted_input_and_mixed_timezones_are_ordered_by_time() -> None:
    times = spread(BASE, 10, timedelta(minutes=4))
    base = failures(times)
    # The same instants, some written in UTC+8 and some naive (taken as UTC), shuffled.
    china = timezone(timedelta(hours=8))
    for i, item in enumerate(base):
        assert item.timestamp is not None
        if i % 3 == 0:
            item.timestamp = item.timestamp.astimezone(china)
        elif i % 3 == 1:
            item.timestamp = item.timestamp.replace(tzinfo=None)
    shuffled = base[5:] + base[:5]
    alerts = correlate(load(SSH_FAILED, BRUTE_FORCE), {FAILED_ID: shuffled})
    assert len(alerts) == 1
    assert alerts[0].members == base


def test_one_alert_per_burst_and_a_new_alert_for_a_new_wave() -> None:
    # 40 failures in 4 minutes: one burst -> one alert with the first window as members.
    first = failures(spread(BASE, 40, timedelta(minutes=4)))
    # An hour later a second wave of 12 in 2 minutes: a new burst -> a second alert.
    second = failures(spread(BASE + timedelta(hours=1), 12, timedelta(minutes=2)))
    alerts = correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": first + second})
    assert len(alerts) == 2
    assert alerts[0].members == first[:10]  # alerted as soon as the window held 10
    assert alerts[1].members == second[:10]
    assert alerts[0].timestamp == first[9].timestamp


def test_slow_trickle_after_a_burst_is_not_re_alerted() -> None:
    burst = failures(spread(BASE, 10, timedelta(minutes=1)))
    # One attempt every 4 minutes afterwards: never 10 within 5 minutes again.
    trickle = failures([BASE + timedelta(minutes=1 + 4 * i) for i in range(1, 30)])
    alerts = correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": burst + trickle})
    assert len(alerts) == 1


def test_group_by_separates_sources() -> None:
    times = spread(BASE, 10, timedelta(minutes=2))
    mixed = [
        match(FAILED_ID, t, src_ip="198.51.100.1" if i % 2 else "198.51.100.2", sshd_action="failed_password")
        for i, t in enumerate(times)
    ]
    # 5 per source: no alert although 10 failures happened.
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": mixed}) == []
    one_source = failures(times, ip="198.51.100.9")
    alerts = correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": mixed + one_source})
    assert [a.event for a in alerts] == [{"src_ip": "198.51.100.9"}]
    assert alerts[0].members == one_source


def test_matches_without_group_field_or_timestamp_are_not_correlated() -> None:
    times = spread(BASE, 10, timedelta(minutes=1))
    no_ip = [match(FAILED_ID, t, sshd_action="failed_password") for t in times]
    no_time = failures([None] * 10)  # type: ignore[list-item]
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), {"ssh_failed": no_ip + no_time}) == []


def test_without_group_by_all_matches_form_one_group() -> None:
    rule = correlation_yaml(
        """correlation:
  type: event_count
  rules: ssh_failed
  timespan: 1m
  condition: {gt: 3}
"""
    )
    base = [match(FAILED_ID, BASE + timedelta(seconds=i), src_ip=f"192.0.2.{i}") for i in range(4)]
    alerts = correlate(load(SSH_FAILED, rule), {"ssh_failed": base})
    assert len(alerts) == 1
    assert alerts[0].event == {}
    assert alerts[0].rule_id == "Correlation under test"  # no id, no name: the title


def test_lt_condition_is_judged_on_whole_windows_not_on_the_first_event() -> None:
    rule = correlation_yaml(
        """correlation:
  type: event_count
  rules: ssh_failed
  group-by: [src_ip]
  timespan: 5m
  condition: {lt: 3}
"""
    )
    flood = failures(spread(BASE, 10, timedelta(minutes=1)), ip="192.0.2.1")
    quiet = failures([BASE, BASE + timedelta(minutes=1)], ip="192.0.2.2")
    alerts = correlate(load(SSH_FAILED, rule), {"ssh_failed": flood + quiet})
    assert [a.event for a in alerts] == [{"src_ip": "192.0.2.2"}]
    assert alerts[0].members == quiet


# --- value_count ----------------------------------------------------------------------------------

PASSWORD_SPRAY = correlation_yaml(
    """correlation:
  type: value_count
  rules: [ssh_failed]
  group-by: [src_ip]
  timespan: 10m
  condition:
    gte: 4
    field: user
"""
)


def test_value_count_counts_distinct_users_per_source() -> None:
    times = spread(BASE, 8, timedelta(minutes=5))
    spray = [match(FAILED_ID, t, src_ip="203.0.113.50", user=f"student{i % 4}") for i, t in enumerate(times)]
    same_user = [match(FAILED_ID, t, src_ip="203.0.113.60", user="admin") for t in times]
    alerts = correlate(load(SSH_FAILED, PASSWORD_SPRAY), {"ssh_failed": spray + same_user})
    assert len(alerts) == 1
    assert alerts[0].event == {"src_ip": "203.0.113.50"}
    assert alerts[0].members == spray[:4]  # distinct users reached 4 at the fourth attempt


def test_value_count_ignores_events_without_the_field_and_old_values() -> None:
    users = ["a", "b", "c"]
    early = [match(FAILED_ID, BASE + timedelta(minutes=i), src_ip="192.0.2.5", user=u) for i, u in enumerate(users)]
    # 'd' arrives after the first three left the 10-minute window: never 4 distinct at once.
    late = [match(FAILED_ID, BASE + timedelta(minutes=15), src_ip="192.0.2.5", user="d")]
    missing = [match(FAILED_ID, BASE + timedelta(minutes=3), src_ip="192.0.2.5")]
    assert correlate(load(SSH_FAILED, PASSWORD_SPRAY), {"ssh_failed": early + late + missing}) == []


# --- temporal and temporal_ordered ----------------------------------------------------------------

SUCCESS_AFTER_FAILURES_ORDERED = correlation_yaml(
    """correlation:
  type: temporal_ordered
  rules: [ssh_failed, ssh_accepted]
  group-by: [src_ip]
  timespan: 10m
""",
    title="SSH success after failure",
)

BOTH_SEEN = correlation_yaml(
    """correlation:
  type: temporal
  rules: [ssh_failed, ssh_accepted]
  group-by: [src_ip]
  timespan: 10m
"""
)


def accepted(at: datetime, ip: str = "203.0.113.7") -> Match:
    return match(ACCEPTED_ID, at, src_ip=ip, sshd_action="accepted_password", user="root")


def test_temporal_needs_every_rule_in_the_window_in_any_order() -> None:
    rules = load(SSH_FAILED, SSH_ACCEPTED, BOTH_SEEN)
    success_first = {
        "ssh_accepted": [accepted(BASE)],
        "ssh_failed": failures([BASE + timedelta(minutes=3)]),
    }
    alerts = correlate(rules, success_first)
    assert len(alerts) == 1
    assert [m.rule_id for m in alerts[0].members] == [ACCEPTED_ID, FAILED_ID]
    too_far = {"ssh_accepted": [accepted(BASE)], "ssh_failed": failures([BASE + timedelta(minutes=11)])}
    assert correlate(rules, too_far) == []
    only_one = {"ssh_failed": failures(spread(BASE, 5, timedelta(minutes=2)))}
    assert correlate(rules, only_one) == []


def test_temporal_ordered_requires_the_listed_order() -> None:
    rules = load(SSH_FAILED, SSH_ACCEPTED, SUCCESS_AFTER_FAILURES_ORDERED)
    fails = failures(spread(BASE, 3, timedelta(minutes=1)))
    success = accepted(BASE + timedelta(minutes=2))
    both = {**keyed(FAILED_ID, "ssh_failed", fails), **keyed(ACCEPTED_ID, "ssh_accepted", [success])}
    alerts = correlate(rules, both)
    assert len(alerts) == 1
    assert alerts[0].rule_title == "SSH success after failure"
    assert alerts[0].members == [*fails, success]
    assert alerts[0].timestamp == success.timestamp
    # Success before the failures: wrong order, no alert (temporal would have alerted).
    early_success = accepted(BASE - timedelta(minutes=1))
    assert correlate(rules, {"ssh_failed": fails, "ssh_accepted": [early_success]}) == []
    # Different sources do not chain.
    other = accepted(BASE + timedelta(minutes=2), ip="198.51.100.77")
    assert correlate(rules, {"ssh_failed": fails, "ssh_accepted": [other]}) == []


def test_temporal_ordered_chain_must_fit_in_the_window() -> None:
    rules = load(SSH_FAILED, SSH_ACCEPTED, SUCCESS_AFTER_FAILURES_ORDERED)
    fails = failures([BASE])
    late = accepted(BASE + timedelta(minutes=30))
    assert correlate(rules, {"ssh_failed": fails, "ssh_accepted": [late]}) == []
    # A later failure restarts the chain inside the window.
    refail = failures([BASE + timedelta(minutes=25)])
    alerts = correlate(rules, {"ssh_failed": fails + refail, "ssh_accepted": [late]})
    assert len(alerts) == 1
    assert alerts[0].members == [*refail, late]


def test_three_step_ordered_chain_and_aliases() -> None:
    # Aliases: the source address is src_ip in sshd events but rhost in sudo events.
    rule = correlation_yaml(
        """correlation:
  type: temporal_ordered
  rules: [ssh_failed, ssh_accepted, sudo_root]
  group-by: [source]
  aliases:
    source:
      ssh_failed: src_ip
      ssh_accepted: src_ip
      sudo_root: rhost
  timespan: 15m
"""
    )
    rules = load(SSH_FAILED, SSH_ACCEPTED, SUDO, rule)
    fail = failures([BASE])
    ok = accepted(BASE + timedelta(minutes=1))
    sudo = match("sudo_root", BASE + timedelta(minutes=2), rhost="203.0.113.7", program="sudo")
    alerts = correlate(rules, {"ssh_failed": fail, "ssh_accepted": [ok], "sudo_root": [sudo]})
    assert len(alerts) == 1
    assert alerts[0].event == {"source": "203.0.113.7"}
    assert alerts[0].members == [*fail, ok, sudo]
    # sudo before the login: the chain is incomplete.
    early_sudo = match("sudo_root", BASE - timedelta(minutes=1), rhost="203.0.113.7", program="sudo")
    assert correlate(rules, {"ssh_failed": fail, "ssh_accepted": [ok], "sudo_root": [early_sudo]}) == []


def test_extended_temporal_condition_with_not() -> None:
    rule = correlation_yaml(
        """correlation:
  type: temporal
  rules: [ssh_accepted, ssh_failed]
  group-by: [src_ip]
  timespan: 10m
  condition: ssh_accepted and not ssh_failed
"""
    )
    rules = load(SSH_FAILED, SSH_ACCEPTED, rule)
    clean = accepted(BASE, ip="192.0.2.10")
    after_failure = accepted(BASE + timedelta(minutes=1), ip="192.0.2.11")
    fail = failures([BASE], ip="192.0.2.11")
    alerts = correlate(rules, {"ssh_accepted": [clean, after_failure], "ssh_failed": fail})
    assert [a.event for a in alerts] == [{"src_ip": "192.0.2.10"}]


# --- chained correlations and the other value types -------------------------------------------------


def test_correlation_of_a_correlation() -> None:
    brute = correlation_yaml(
        """name: brute
correlation:
  type: event_count
  rules: [ssh_failed]
  group-by: [src_ip]
  timespan: 5m
  condition: {gte: 10}
""",
        title="brute force",
    )
    then_success = correlation_yaml(
        """correlation:
  type: temporal_ordered
  rules: [brute, ssh_accepted]
  group-by: [src_ip]
  timespan: 30m
""",
        title="brute force then success",
    )
    rules = load(SSH_FAILED, SSH_ACCEPTED, then_success, brute)  # user before dependency on purpose
    fails = failures(spread(BASE, 10, timedelta(minutes=2)))
    success = accepted(BASE + timedelta(minutes=10))
    alerts = correlate(rules, {"ssh_failed": fails, "ssh_accepted": [success]})
    assert [a.rule_title for a in alerts] == ["brute force", "brute force then success"]
    assert alerts[1].members[-1] is success
    assert alerts[1].members[0].rule_type == "correlation"


def test_value_sum_judges_the_whole_window() -> None:
    rule = correlation_yaml(
        """correlation:
  type: value_sum
  rules: [export]
  group-by: [c-ip]
  timespan: 1h
  condition:
    gt: 1000000
    field: sc-bytes
"""
    )
    export = """
title: student record export
name: export
status: test
logsource: {category: webserver}
detection:
  selection: {cs-uri-stem|contains: /export}
  condition: selection
"""
    rules = load(export, rule)
    big = [match("export", BASE + timedelta(minutes=i), **{"c-ip": "10.0.0.5", "sc-bytes": 300_000}) for i in range(4)]
    small = [match("export", BASE + timedelta(minutes=i), **{"c-ip": "10.0.0.6", "sc-bytes": "2000"}) for i in range(4)]
    alerts = correlate(rules, {"export": big + small})
    assert [a.event for a in alerts] == [{"c-ip": "10.0.0.5"}]
    assert alerts[0].members == big


@pytest.mark.parametrize(
    ("op", "count", "expected"),
    [("gte", 10, 1), ("gt", 10, 0), ("eq", 10, 1), ("neq", 10, 0), ("lte", 9, 0)],
)
def test_condition_operators(op: str, count: int, expected: int) -> None:
    rule = correlation_yaml(
        f"""correlation:
  type: event_count
  rules: ssh_failed
  group-by: src_ip
  timespan: 5m
  condition: {{{op}: {count}}}
"""
    )
    base = failures(spread(BASE, 10, timedelta(minutes=3)))
    assert len(correlate(load(SSH_FAILED, rule), {"ssh_failed": base})) == expected


def test_the_same_matches_under_id_and_name_count_once_even_as_separate_lists() -> None:
    nine = failures(spread(BASE, 9, timedelta(minutes=1)))
    copies = {FAILED_ID: list(nine), "ssh_failed": list(nine)}
    assert correlate(load(SSH_FAILED, BRUTE_FORCE), copies) == []


def test_equal_timestamps_keep_line_order_for_temporal_ordered() -> None:
    rules = load(SSH_FAILED, SSH_ACCEPTED, SUCCESS_AFTER_FAILURES_ORDERED)
    # auth.log stamps have whole seconds: the line number decides which came first.
    fail = match(FAILED_ID, BASE, src_ip="192.0.2.30", sshd_action="failed_password")
    success = match(ACCEPTED_ID, BASE, src_ip="192.0.2.30", sshd_action="accepted_password")
    fail.record, success.record = 10, 11
    assert len(correlate(rules, {"ssh_failed": [fail], "ssh_accepted": [success]})) == 1
    fail.record, success.record = 11, 10
    assert correlate(rules, {"ssh_failed": [fail], "ssh_accepted": [success]}) == []
