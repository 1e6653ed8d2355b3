import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from secops.config import Workspace
from secops.forward import outbox
from secops.store import Store
from secops.store.schema import alerts, forward_outbox
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME


def add_alerts(store: Store, n: int, severity: str = "high") -> None:
    rows = [
        {
            "at": NOW - timedelta(minutes=i),
            "source": "sigma",
            "kind": "sigma_detection",
            "severity": severity,
            "title": f"alert {i}",
            "asset_key": "10.20.0.5",
            "detail": {"tags": ["attack.t1110"]},
            "status": "open",
        }
        for i in range(n)
    ]
    with store.engine.begin() as conn:
        conn.execute(alerts.insert(), rows)


def states(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        query = sa.select(forward_outbox.c.state, sa.func.count()).group_by(forward_outbox.c.state)
        return {s: int(n) for s, n in conn.execute(query)}


def test_alerts_enter_once_and_leave_only_with_an_answer(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_alerts(store, 5)
        assert outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW) == 5
        assert outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW) == 0
        add_alerts(store, 2)
        assert outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW) == 2
        due = outbox.due(store, NOW, 4)
        assert [i.alert_id for i in due] == [1, 2, 3, 4]
        assert due[0].payload["organization"]["id"] == SCHOOL_CODE and due[0].payload["secops"]["alert_id"] == 1
        marks = [
            outbox.Mark(1, "created", "c" * 64),
            outbox.Mark(2, "duplicate", "d" * 64),
            outbox.Mark(3, "rejected", None, "message must be a non-empty string"),
        ]
        outbox.record_results(store, marks, NOW)
        assert states(store) == {"sent": 2, "rejected": 1, "pending": 4}
        # Sent and rejected alerts are never due again; the untouched one still is.
        assert [i.alert_id for i in outbox.due(store, NOW, 100)] == [4, 5, 6, 7]
        info = outbox.summary(store, NOW + timedelta(minutes=5))
        assert info["pending"] == 4 and info["sent"] == 2 and info["rejected"] == 1
        assert info["oldest_pending_age_s"] == 300 and info["last_rejection"] == "message must be a non-empty string"


def test_a_failure_backs_off_every_pending_alert_and_new_ones_wait_too(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_alerts(store, 3)
        outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW)
        next_at = outbox.record_failure(store, [1, 2], "center answered 503", NOW, retry_after=120)
        assert next_at >= NOW + timedelta(seconds=120)
        assert outbox.due(store, NOW + timedelta(seconds=60), 10) == []  # alert 3 waits with them
        add_alerts(store, 1)
        outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW + timedelta(seconds=10))
        assert outbox.due(store, NOW + timedelta(seconds=60), 10) == []
        assert [i.alert_id for i in outbox.due(store, next_at, 10)] == [1, 2, 3, 4]
        assert [i.attempts for i in outbox.due(store, next_at, 10)] == [1, 1, 0, 0]
        info = outbox.summary(store, NOW)
        assert info["last_error"] == "center answered 503" and info["next_attempt_at"] == next_at
        # A second failure waits longer on average; attempts keep counting.
        outbox.record_failure(store, [1, 2], "connection refused", next_at)
        assert [i.attempts for i in outbox.due(store, next_at + timedelta(hours=1), 2)] == [2, 2]


def test_refusals_keep_alerts_due_so_a_fixed_key_sends_at_once(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_alerts(store, 2)
        outbox.enqueue_new(store, SCHOOL_CODE, SCHOOL_NAME, NOW)
        outbox.record_error(store, [1, 2], "unknown or revoked key")
        assert len(outbox.due(store, NOW, 10)) == 2
        assert outbox.summary(store, NOW)["last_error"] == "unknown or revoked key"


def test_concurrent_enqueues_copy_each_alert_exactly_once(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        add_alerts(store, 5000)
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            with open_workspace_store(workspace) as own:
                outbox.enqueue_new(own, SCHOOL_CODE, SCHOOL_NAME, datetime.now(UTC))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=enqueue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_workspace_store(workspace) as store:
        assert states(store) == {"pending": 5000}
        with store.engine.connect() as conn:
            ids = conn.execute(sa.select(forward_outbox.c.alert_id).order_by(forward_outbox.c.alert_id)).scalars().all()
        assert ids == list(range(1, 5001))
