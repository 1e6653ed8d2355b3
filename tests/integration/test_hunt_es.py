"""Sigma hunts on the real Elasticsearch node find exactly what the local engine finds on the same events."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from elasticsearch import Elasticsearch

from secops.config import Workspace
from secops.detection.es_index import connect, index_logs
from secops.detection.events import Match, ReadStats
from secops.detection.hunt import run_hunt
from secops.detection.hunt_alerts import run_hunt_job
from secops.detection.sigma import Engine, load_rules
from secops.errors import SecopsError
from secops.store.schema import alerts
from secops.workspace import open_workspace_store

pytestmark = pytest.mark.es

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "rules" / "sigma"
SAMPLES = [ROOT / "tests" / "content" / "sigma_samples", ROOT / "secops" / "lab" / "samples"]
FIXTURE_LOGS = ROOT / "tests" / "unit" / "detection" / "fixtures" / "logs"
SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", ROOT.parent / "shared" / "data" / "sigmahq"))
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

Key = tuple[str, str, int, str]


def keys(matches: list[Match]) -> set[Key]:
    return {(m.rule_id, m.log_file, m.record, m.rule_type) for m in matches}


def local_matches(rules: list[Path], logs: list[Path]) -> list[Match]:
    return list(Engine(load_rules(rules)).run(logs, stats=ReadStats()))


@pytest.fixture
def es(es_url: str) -> Elasticsearch:
    return connect(es_url)


@pytest.fixture
def index(es: Elasticsearch, es_prefix: str) -> Iterator[str]:
    yield f"{es_prefix}-events"
    es.options(ignore_status=404).indices.delete(index=f"{es_prefix}-*")


def test_the_education_pack_hunts_the_same_matches_as_the_local_engine(es: Elasticsearch, index: str) -> None:
    outcome = index_logs(es, SAMPLES, index)
    assert outcome.rejected == 0 and outcome.indexed == outcome.stats.events > 1000

    local = local_matches([PACK], SAMPLES)
    result = run_hunt(es, index, [PACK], *EVER)

    assert not result.failed and not result.problems
    assert all(m.timestamp is not None for m in local)  # every sample event has a time: none falls outside
    assert keys(result.matches) == keys(local)
    correlations = {m.rule_id for m in result.matches if m.rule_type == "correlation"}
    assert len(correlations) >= 5  # event_count, value_count and temporal_ordered rules of the pack
    exact = [r for r in result.rules if r.kind == "rule" and r.exact]
    confirmed = [r for r in result.rules if r.kind == "rule" and not r.exact]
    assert exact and confirmed  # plain Lucene rules, and regex rules confirmed by the engine
    assert all(any(k.endswith("|re") or k.endswith("|cidr") for k in r.relaxed) for r in confirmed)
    assert result.requests < 10  # first pages of every rule go out together


CUSTOM_RULES = {
    "sqli.yml": """\
title: SQL injection in the query
id: 3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01
level: high
logsource: {category: webserver}
detection:
  sel:
    cs-uri-query|contains: 'union select'
  condition: sel
""",
    "whoami.yml": """\
title: whoami
id: 6a1c0d2e-3b4f-4a5b-8c6d-7e8f9a0b1c2d
level: medium
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
""",
    "keyword.yml": """\
title: a keyword
id: 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
level: low
logsource: {product: linux}
detection:
  keywords:
    - 'SUSPICIOUS-Token'
  condition: keywords
""",
    "ssh.yml": """\
title: SSH failed password
id: 9b1c7a52-5e0d-4d6a-8f3b-2c4e6a8d0f11
name: ssh_failed
level: low
logsource: {product: linux, service: sshd}
detection:
  sel:
    sshd_action: failed_password
  condition: sel
---
title: SSH accepted
id: 2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f
name: ssh_accepted
level: low
logsource: {product: linux, service: sshd}
detection:
  sel:
    sshd_action|startswith: accepted_
  condition: sel
---
title: SSH users sprayed from one address
id: 1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5
level: high
correlation:
  type: value_count
  rules: [ssh_failed]
  group-by: [src_ip]
  timespan: 5m
  condition: {gte: 3, field: user}
---
title: SSH login after failures
id: 7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b
level: critical
correlation:
  type: temporal_ordered
  rules: [ssh_failed, ssh_accepted]
  group-by: [src_ip]
  timespan: 10m
---
title: SSH failures and a login, any order
id: 4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e
level: high
correlation:
  type: temporal
  rules: [ssh_failed, ssh_accepted]
  group-by: [src_ip]
  timespan: 10m
---
title: SSH burst
id: 5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f
level: high
correlation:
  type: event_count
  rules: [ssh_failed]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 4}
""",
}


def custom_logs(folder: Path, base: datetime) -> list[Path]:
    """Mixed-case values, URL-encoded payloads, a Security-log alias and an SSH spray, around ``base``."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = base.strftime("%d/%b/%Y:%H:%M:%S +0000")
    (folder / "access.log").write_text(
        f'203.0.113.5 - - [{stamp}] "GET /n.php?id=1%20UnIoN%20SeLeCt%20pwd HTTP/1.1" 200 512 "-" "x"\n'
        f'198.51.100.9 - - [{stamp}] "GET /index.php?q=unions HTTP/1.1" 200 5120 "-" "Mozilla/5.0"\n'
    )
    iso = base.strftime("%Y-%m-%dT%H:%M:%SZ")
    (folder / "win.jsonl").write_text(
        f'{{"TimeCreated": "{iso}", "Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, '
        f'"EventRecordID": 7, "Image": "C:\\\\WINDOWS\\\\System32\\\\WHOAMI.EXE"}}\n'
        f'{{"TimeCreated": "{iso}", "Channel": "Security", "EventID": 4688, "EventRecordID": 8, '
        f'"NewProcessName": "C:\\\\Windows\\\\System32\\\\WhoAmI.exe"}}\n'
        f'{{"TimeCreated": "{iso}", "Channel": "Security", "EventID": 4688, "EventRecordID": 9, '
        f'"NewProcessName": "C:\\\\Windows\\\\System32\\\\whoami.exe.bak"}}\n'
    )
    lines = []
    for i, user in enumerate(["root", "Admin", "oracle", "test", "guest"]):
        when = (base + timedelta(seconds=10 * i)).strftime("%b %d %H:%M:%S")
        lines.append(f"{when} web01 sshd[1234]: Failed password for {user} from 198.51.100.7 port {50000 + i} ssh2")
    when = (base + timedelta(minutes=2)).strftime("%b %d %H:%M:%S")
    lines.append(f"{when} web01 sshd[1234]: Accepted password for root from 198.51.100.7 port 51000 ssh2")
    lines.append(f"{when} web01 sshd[1234]: Failed password for root from 192.0.2.1 port 40000 ssh2")
    lines.append(f"{when} web01 app[99]: token suspicious-TOKEN seen")
    auth = folder / "auth.log"
    auth.write_text("\n".join(lines) + "\n")
    mtime = (base + timedelta(hours=1)).timestamp()  # syslog lines take their year from the file
    os.utime(auth, (mtime, mtime))
    return [folder / "access.log", folder / "win.jsonl", auth]


def write_rules(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in CUSTOM_RULES.items():
        (folder / name).write_text(text)
    return folder


def test_mixed_case_aliases_keywords_and_every_correlation_type(es: Elasticsearch, index: str, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    logs = custom_logs(tmp_path / "logs", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    assert index_logs(es, logs, index).rejected == 0

    local = local_matches([rules], logs)
    result = run_hunt(es, index, [rules], *EVER)

    assert keys(result.matches) == keys(local)
    by_rule: dict[str, list[Match]] = {}
    for match in result.matches:
        by_rule.setdefault(match.rule_title, []).append(match)
    assert [m.record for m in by_rule["SQL injection in the query"]] == [1]  # decoded, mixed case
    assert sorted(m.record for m in by_rule["whoami"]) == [1, 2]  # lines: WHOAMI.EXE, Security NewProcessName
    assert len(by_rule["a keyword"]) == 1
    for title in ("SSH users sprayed from one address", "SSH login after failures", "SSH burst"):
        assert [m.event for m in by_rule[title]] == [{"src_ip": "198.51.100.7"}], title
    assert len(by_rule["SSH failures and a login, any order"]) == 1
    event = next(m.event for m in by_rule["whoami"] if m.record == 2)
    assert "Image" not in event and event["NewProcessName"].endswith("WhoAmI.exe")  # the event as read

    # the window: nothing before the events; a burst that began before --since is still seen whole
    assert not run_hunt(es, index, [rules], EVER[0], datetime(2026, 11, 20, 7, 0, tzinfo=UTC)).matches
    late = run_hunt(es, index, [rules], datetime(2026, 11, 20, 8, 0, 35, tzinfo=UTC), EVER[1])
    assert "SSH login after failures" in {m.rule_title for m in late.matches}
    assert "SSH burst" not in {m.rule_title for m in late.matches}  # alerted at 08:00:30, before --since


def test_rules_that_cannot_be_hunted_are_reported_with_the_reason(
    es: Elasticsearch, index: str, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    (rules / "ssh.yml").write_text(
        CUSTOM_RULES["ssh.yml"].replace("sshd_action: failed_password", "sshd_action|expand: '%failures%'")
    )
    index_logs(es, custom_logs(tmp_path / "logs", datetime(2026, 11, 20, 8, 0, tzinfo=UTC)), index)
    result = run_hunt(es, index, [rules], *EVER)
    failed = {r.title: r.error or "" for r in result.failed}
    assert "placeholder" in failed["SSH failed password"]
    for title in ("SSH users sprayed from one address", "SSH login after failures", "SSH burst"):
        assert "ssh_failed" in failed[title]
    assert {m.rule_title for m in result.matches} >= {"whoami", "SQL injection in the query"}


def test_faults_are_one_clear_error(es: Elasticsearch, index: str, es_url: str, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(SecopsError, match="not reachable"):
        connect(f"http://127.0.0.1:{closed}")
    with pytest.raises(SecopsError, match="no Elasticsearch index matches"):
        run_hunt(es, f"{index}-missing-*", [PACK], *EVER)
    with pytest.raises(SecopsError, match="no such rule file"):
        run_hunt(es, index, [tmp_path / "nowhere"], *EVER)


def test_the_scheduled_hunt_stores_new_alerts_once_and_never_raises(
    es: Elasticsearch, es_url: str, index: str, tmp_path: Path, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    rules = write_rules(tmp_path / "rules")
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    index_logs(es, custom_logs(tmp_path / "logs", recent), index)

    caplog.set_level(logging.WARNING)
    run_hunt_job(str(workspace.path), es_url, index, str(rules), "24h")
    run_hunt_job(str(workspace.path), es_url, index, str(rules), "24h")  # the same hours again
    with open_workspace_store(workspace) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(alerts.c.source, alerts.c.kind, alerts.c.detail)).all()
    assert rows and {row.source for row in rows} == {"sigma-hunt"}
    identities = [(r.detail["rule"]["id"], r.detail["log"]["file"]["path"], r.detail["log"]["record"]) for r in rows]
    assert len(identities) == len(set(identities))  # the second run added nothing
    assert {row.kind for row in rows} == {"sigma_detection", "sigma_correlation"}
    assert all(row.detail["sigma"]["hunt"] == {"index": index} for row in rows)
    assert "new alert(s)" in caplog.text

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    run_hunt_job(str(workspace.path), f"http://127.0.0.1:{closed}", index, str(rules), "24h")  # logs, no raise
    assert "scheduled hunt over" in caplog.text and "failed" in caplog.text


def test_a_sigmahq_subset_hunts_like_the_local_engine(es: Elasticsearch, index: str) -> None:
    rules = [SIGMAHQ / "rules" / part for part in ("windows/builtin/security", "linux", "web")]
    if not all(path.is_dir() for path in rules):
        pytest.skip(f"SigmaHQ corpus not found at {SIGMAHQ} (shared/data is provided beside the checkout)")
    outcome = index_logs(es, [FIXTURE_LOGS], index)
    assert outcome.rejected == 0  # syslog's host and ECS host.name in one index
    local = local_matches(rules, [FIXTURE_LOGS])
    result = run_hunt(es, index, rules, *EVER)
    assert keys(result.matches) == keys(local)
    assert len(result.rules) > 300
    assert all(r.error for r in result.failed)  # whatever cannot be hunted says why
