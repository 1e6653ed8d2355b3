"""The Prometheus text exposition the center writes by hand: families, escaping, histogram buckets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from secops.center.metrics import Metrics, parse_exposition


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(name, tuple(sorted(labels.items()))): value for name, labels, value in parse_exposition(text)}


def test_every_family_has_help_and_type_before_its_samples() -> None:
    metrics = Metrics()
    metrics.request("/api/v1/alerts", 200, api=True)
    text = metrics.render(2, {"一般": 3, "重大": 0})
    assert text.endswith("\n")
    seen: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in seen
        elif line.startswith("# TYPE "):
            _hash, _type, name, kind = line.split()
            assert kind in ("counter", "gauge", "histogram")
            seen.add(name)
        else:
            name = re.split(r"[{ ]", line, maxsplit=1)[0]
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in seen or base in seen, line
    found = samples(text)
    assert found[("secops_center_silent_forwarders", ())] == 2
    assert found[("secops_center_open_cases", (("grade", "一般"),))] == 3
    assert found[("secops_center_requests_total", (("route", "/api/v1/alerts"), ("status", "200")))] == 1


def test_refusals_are_counted_by_reason() -> None:
    metrics = Metrics()
    for status in (401, 401, 409, 413, 429, 400, 403, 503, 200, 404):
        metrics.request("/api/v1/alerts", status, api=True)
    metrics.request("/login", 429, api=False)  # the login throttle
    metrics.request("/login", 401, api=False)  # a wrong password is not a refusal of the center's
    found = samples(metrics.render(0, {}))
    refusals = {labels[0][1]: value for (name, labels), value in found.items() if name.endswith("refusals_total")}
    assert refusals == {
        "signature": 2,
        "replay": 1,
        "size": 1,
        "rate_limit": 2,
        "malformed": 1,
        "wrong_school": 1,
        "unavailable": 1,
    }


def test_label_values_and_help_are_escaped() -> None:
    metrics = Metrics()
    nasty = 'a"b\\c\nd'
    metrics.request(nasty, 200, api=False)
    text = metrics.render(0, {})
    assert 'route="a\\"b\\\\c\\nd"' in text
    assert all("\n" not in line for line in text.splitlines())
    assert samples(text)[("secops_center_requests_total", (("route", nasty), ("status", "200")))] == 1


def test_the_store_histogram_is_cumulative_with_sum_and_count() -> None:
    metrics = Metrics()
    for seconds in (0.001, 0.02, 0.3, 20.0):
        metrics.store_write_took(seconds)
    found = samples(metrics.render(0, {}))
    name = "secops_center_store_write_seconds"
    bucket = {dict(labels)["le"]: value for (n, labels), value in found.items() if n == f"{name}_bucket"}
    assert bucket["0.005"] == 1 and bucket["0.025"] == 2 and bucket["0.5"] == 3 and bucket["10.0"] == 3
    assert bucket["+Inf"] == 4 == found[(f"{name}_count", ())]
    assert abs(found[(f"{name}_sum", ())] - 20.321) < 1e-9
    values = [bucket[key] for key in bucket]
    assert values == sorted(values)


def test_waiting_batches_go_up_and_down() -> None:
    metrics = Metrics()
    metrics.waiting_changed(+1)
    metrics.waiting_changed(+1)
    metrics.waiting_changed(-1)
    assert samples(metrics.render(0, {}))[("secops_center_store_writes_waiting", ())] == 1


def test_worker_processes_answer_the_sum_of_what_each_published(tmp_path: Path) -> None:
    """Several workers of one instance: the one scraped adds the others' published counts; a worker
    that stopped keeps its counts (counters never go down) but no longer adds to the waiting gauge."""
    scraped = Metrics(share_dir=tmp_path)
    scraped.request("/api/v1/alerts", 200, api=True)
    scraped.store_write_took(0.02)
    other = {
        "pid": 2**22 + 7,  # beyond pid_max: a worker that has stopped
        "requests": [["/api/v1/alerts", "200", 4], ["/api/v1/alerts", "429", 2]],
        "refusals": {"rate_limit": 2},
        "store_write": {"counts": [0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0], "sum": 0.06, "count": 3},
        "waiting": 5,
    }
    (tmp_path / "worker-4194311.json").write_text(json.dumps(other))
    (tmp_path / "worker-9.json").write_text("{torn")  # mid-write by a reader's clock: skipped
    scraped.waiting_changed(+1)
    found = samples(scraped.render(0, {}))
    alerts = (("route", "/api/v1/alerts"),)
    assert found[("secops_center_requests_total", (*alerts, ("status", "200")))] == 5
    assert found[("secops_center_requests_total", (*alerts, ("status", "429")))] == 2
    assert found[("secops_center_refusals_total", (("reason", "rate_limit"),))] == 2
    assert found[("secops_center_store_write_seconds_count", ())] == 4
    assert found[("secops_center_store_write_seconds_bucket", (("le", "0.025"),))] == 4
    assert found[("secops_center_store_writes_waiting", ())] == 1
    scraped.publish()
    assert json.loads((tmp_path / f"worker-{scraped.worker}.json").read_text())["requests"] == [
        ["/api/v1/alerts", "200", 1]
    ]
    assert not list(tmp_path.glob(".*.tmp"))


def test_scrapes_answered_by_different_workers_never_go_down(tmp_path: Path) -> None:
    """Two workers of one instance, scraped in turn while both keep counting: every answer is at
    least the one before (a counter that went down would read as a reset to Prometheus)."""
    first, second = Metrics(share_dir=tmp_path), Metrics(share_dir=tmp_path)
    second.worker = first.worker + 1  # one process here; two workers' files there
    totals = []
    for step in range(12):
        for _ in range(step % 3 + 1):
            first.request("/api/v1/alerts", 200, api=True)
        second.request("/api/v1/alerts", 200, api=True)
        if step % 4 == 0:
            first.publish()  # the periodic publishing, at its own pace
        scraped = (first, second)[step % 2]
        found = samples(scraped.render(0, {}))
        totals.append(found[("secops_center_requests_total", (("route", "/api/v1/alerts"), ("status", "200")))])
    assert totals == sorted(totals), totals
    first.publish()  # once every worker has published, the answer is the whole count
    found = samples(second.render(0, {}))
    assert found[("secops_center_requests_total", (("route", "/api/v1/alerts"), ("status", "200")))] == 24 + 12
