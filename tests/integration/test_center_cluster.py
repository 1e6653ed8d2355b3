"""Faults of a provincial center: two real `secops center serve --workers 2` instances on one PostgreSQL
server and one Elasticsearch node, forwarders spread over both.

The PostgreSQL server is this module's own (scripts/postgres.sh on a free port), so one test can
restart it under load without disturbing the rest of the suite. Every test checks the end state in
Elasticsearch: exactly the alerts sent, each once.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from secops.center import leases
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.stores.elasticsearch import ElasticsearchAlertStore
from secops.center.stores.es_mapping import template_name
from secops.protocol import signing
from secops.protocol.alerts import alert_id
from tests.unit.center import alert, body_of

pytestmark = pytest.mark.es
ROOT = Path(__file__).resolve().parents[2]
# what the instances share besides the database (README "省级规模")
HOME_FILES = ("center.secret", "center-signing.key", "audit.key", "center.yaml")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Postgres:
    """A PostgreSQL server of this module's own, which a test may stop and start."""

    folder: Path
    port: int
    url: str

    def _script(self, action: str) -> str:
        env = {**os.environ, "SECOPS_TEST_PG_PORT": str(self.port)}
        done = subprocess.run(
            [str(ROOT / "scripts/postgres.sh"), action, str(self.folder)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def start(self) -> None:
        self.url = self._script("start")

    def stop(self) -> None:
        self._script("stop")

    def new_database(self) -> str:
        name = f"cluster_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    if not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        message = "PostgreSQL is not installed (scripts/install.sh --dev installs it): the cluster fault tests need it"
        if os.environ.get("SECOPS_TEST_POSTGRES_URL"):  # scripts/test.sh ran: it must be there
            pytest.fail(message)
        pytest.skip(message)
    # under /tmp, readable on the way down: initdb runs as the postgres user
    base = Path(tempfile.mkdtemp(prefix="secops-cluster-pg-"))
    base.chmod(0o755)
    server = Postgres(base / "data", free_port(), "")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Instance:
    home: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> set[int]:
        """The pids of this instance's worker processes (children of its supervisor)."""
        assert self.proc is not None
        return {pid for pid in _pids() if _parent(pid) == self.proc.pid and b"spawn_main" in _cmdline(pid)}

    def kill_9(self) -> None:
        """SIGKILL to the supervisor and its workers at once, as a crash of the machine would."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


@dataclass
class Cluster:
    """Two instances of one center: homes sharing secret, signing key and settings; one database."""

    db: str
    es_url: str
    prefix: str
    a: Instance
    b: Instance
    keys: dict[str, signing.SchoolKey] = field(default_factory=dict)

    def start(self, instance: Instance) -> None:
        command = [sys.executable, "-m", "secops", "center", "--home", str(instance.home), "serve"]
        command += ["--db", self.db, "--es", self.es_url, "--es-prefix", self.prefix]
        command += ["--port", str(instance.port), "--workers", "2"]
        with instance.log.open("ab") as out:
            instance.proc = subprocess.Popen(command, stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if instance.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{instance.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the center did not start: {instance.log.read_text()[-3000:]}")

    def stop_all(self) -> None:
        for instance in (self.a, self.b):
            if instance.proc is not None and instance.proc.poll() is None:
                os.killpg(instance.proc.pid, signal.SIGTERM)
                try:
                    instance.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(instance.proc.pid, signal.SIGKILL)
                    instance.proc.wait(timeout=10)

    def count_in_es(self, ids: set[str]) -> tuple[int, int]:
        """(all alerts of this center in Elasticsearch, how many of ``ids`` are among them)."""
        store = ElasticsearchAlertStore.from_url(self.es_url, prefix=self.prefix)
        try:
            store.refresh()
            total = int(store.client.count(index=store.pattern)["count"])
            wanted = sorted(ids)
            found = 0
            for start in range(0, len(wanted), 5000):
                chunk = wanted[start : start + 5000]
                found += int(store.client.count(index=store.pattern, query={"ids": {"values": chunk}})["count"])
            return total, found
        finally:
            store.close()


@pytest.fixture
def cluster(tmp_path: Path, postgres: Postgres, es_url: str, es_prefix: str) -> Iterator[Cluster]:
    db = postgres.new_database()
    home_a, home_b = tmp_path / "center-a", tmp_path / "center-b"
    first = open_center(home_a, db=db)  # creates secret, signing key, settings and the schema
    keys = {}
    try:
        for n in range(4):
            code = f"41110100{n + 1:02d}"
            keys[code] = add_school(first.state, code, f"第{n + 1}中学", first.secret, datetime.now(UTC))
        rated = "4111010099"  # ten requests a minute: the limit the two instances must enforce together
        keys[rated] = add_school(first.state, rated, "限速中学", first.secret, datetime.now(UTC), rate_per_minute=10)
    finally:
        first.close()
    home_b.mkdir(mode=0o700)
    for name in HOME_FILES:
        shutil.copy2(home_a / name, home_b / name)
    made = Cluster(
        db,
        es_url,
        es_prefix,
        Instance(home_a, free_port(), tmp_path / "a.log"),
        Instance(home_b, free_port(), tmp_path / "b.log"),
        keys,
    )
    try:
        yield made
    finally:
        made.stop_all()
        store = ElasticsearchAlertStore.from_url(es_url, prefix=es_prefix)
        store.client.indices.delete(index=f"{es_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        store.client.indices.delete_index_template(name=template_name(es_prefix))
        store.close()


def signed_post(http: httpx.Client, url: str, key: signing.SchoolKey, school: str, body: bytes) -> httpx.Response:
    headers = signing.signed_headers(key, school, body, now=time.time())
    return http.post(f"{url}{signing.ALERTS_PATH}", content=body, headers=headers)


@dataclass
class Sender:
    """A forwarder's delivery loop: a batch is kept until the center answers 200 for it; an instance
    that does not answer is left for the other (what a balancer in front of both would do), and 429
    or 503 are waited out (Retry-After, capped for the test)."""

    school: str
    key: signing.SchoolKey
    batches: list[bytes]
    urls: list[str]
    refused: dict[int, int] = field(default_factory=dict)  # status -> count
    lost_connections: int = 0
    acked: int = 0
    errors: list[str] = field(default_factory=list)

    def run(self, started: threading.Event | None = None) -> None:
        with httpx.Client(timeout=60) as http:
            for batch in self.batches:
                self._deliver(http, batch)
                self.acked += 1
                if started is not None:
                    started.set()

    def _deliver(self, http: httpx.Client, body: bytes) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            url = self.urls[0]
            try:
                response = signed_post(http, url, self.key, self.school, body)
            except httpx.HTTPError:
                self.lost_connections += 1
                self.urls.append(self.urls.pop(0))  # try the other instance
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                outcomes = {r["status"] for r in response.json()["results"]}
                if not outcomes <= {"created", "duplicate"}:
                    self.errors.append(f"outcomes {outcomes}")
                return
            self.refused[response.status_code] = self.refused.get(response.status_code, 0) + 1
            if response.status_code in (429, 503):
                assert int(response.headers["Retry-After"]) >= 1
                time.sleep(min(1.0, float(response.headers["Retry-After"])))
                continue
            self.errors.append(f"{response.status_code}: {response.text[:200]}")
            return
        self.errors.append("not delivered within 120 s")


def make_senders(cluster: Cluster, batches: int, size: int) -> tuple[list[Sender], set[str]]:
    """One sender a school (the rate-limited school aside), half starting on each instance."""
    senders, expected = [], set()
    schools = [code for code in cluster.keys if code != "4111010099"]
    for n, code in enumerate(schools):
        bodies = []
        for b in range(batches):
            docs = [alert(n * 1_000_000 + b * 10_000 + i) for i in range(size)]
            expected |= {alert_id(code, {**doc, "organization": {"id": code}}) for doc in docs}
            bodies.append(body_of(docs))
        urls = [cluster.a.url, cluster.b.url] if n % 2 == 0 else [cluster.b.url, cluster.a.url]
        senders.append(Sender(code, cluster.keys[code], bodies, urls))
    return senders, expected


def run_all(senders: list[Sender]) -> list[threading.Thread]:
    threads = [threading.Thread(target=s.run, daemon=True) for s in senders]
    for thread in threads:
        thread.start()
    return threads


def test_a_replay_on_the_other_instance_is_refused_and_one_rate_limit_holds(cluster: Cluster) -> None:
    cluster.start(cluster.a)
    cluster.start(cluster.b)
    code = "4111010001"
    body = body_of([alert(1)])
    headers = signing.signed_headers(cluster.keys[code], code, body, now=time.time())
    with httpx.Client(timeout=30) as http:
        first = http.post(f"{cluster.a.url}{signing.ALERTS_PATH}", content=body, headers=headers)
        assert first.status_code == 200, first.text
        replayed = http.post(f"{cluster.b.url}{signing.ALERTS_PATH}", content=body, headers=headers)
        assert replayed.status_code == 409 and "replayed" in replayed.json()["error"]
        # ten requests a minute for this school, alternating over two instances of two workers each:
        # ten pass in all, not ten per instance or per worker
        rated = "4111010099"
        codes = []
        for n in range(16):
            url = (cluster.a.url, cluster.b.url)[n % 2]
            codes.append(signed_post(http, url, cluster.keys[rated], rated, body_of([alert(100 + n)])).status_code)
    assert codes.count(200) == 10 and codes.count(429) == 6, codes


def test_kill_9_of_one_instance_mid_batch_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    cluster.start(cluster.a)
    cluster.start(cluster.b)
    senders, expected = make_senders(cluster, batches=6, size=1500)
    threads = run_all(senders)
    # kill instance A (supervisor and workers) while its senders have batches in flight
    deadline = time.monotonic() + 60
    while sum(s.acked for s in senders) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    cluster.a.kill_9()
    for thread in threads:
        thread.join(180)
    assert not any(thread.is_alive() for thread in threads)
    assert [s.errors for s in senders] == [[] for _ in senders]
    assert sum(s.lost_connections for s in senders) >= 1, "the kill interrupted no request"
    assert all(s.acked == 6 for s in senders)
    total, found = cluster.count_in_es(expected)
    assert (total, found) == (len(expected), len(expected))


def test_a_dead_worker_is_replaced_and_its_instance_keeps_answering(cluster: Cluster) -> None:
    cluster.start(cluster.a)
    before = cluster.a.workers()
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = cluster.a.workers()
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.2)
    assert victim not in cluster.a.workers() and len(cluster.a.workers()) == 2
    with httpx.Client(timeout=30) as http:
        for n in range(6):  # whichever worker takes each connection answers
            code = "4111010002"
            answer = signed_post(http, cluster.a.url, cluster.keys[code], code, body_of([alert(500 + n)]))
            assert answer.status_code == 200, answer.text


def _holder_instance(cluster: Cluster, state: sa.Engine) -> Instance | None:
    """The instance whose worker holds the housekeeping lease now (holder: host:pid:random)."""
    with state.connect() as conn:
        row = conn.execute(sa.text("SELECT holder, expires_at FROM center_leases WHERE name = 'housekeeping'")).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    parent = _parent(int(str(row.holder).split(":")[1]))
    for instance in (cluster.a, cluster.b):
        if instance.proc is not None and instance.proc.poll() is None and parent == instance.proc.pid:
            return instance
    return None


def test_the_leader_dies_and_the_other_instance_takes_the_tick_within_two_minutes(cluster: Cluster) -> None:
    state = sa.create_engine(cluster.db)
    try:
        cluster.start(cluster.a)
        deadline = time.monotonic() + 60
        while _holder_instance(cluster, state) is not cluster.a and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _holder_instance(cluster, state) is cluster.a, "A never took the housekeeping lease"
        cluster.start(cluster.b)
        time.sleep(leases.housekeeping_ttl(10).total_seconds() / 3)
        assert _holder_instance(cluster, state) is cluster.a  # one leader: B waits while A renews
        cluster.a.kill_9()
        died = time.monotonic()
        while _holder_instance(cluster, state) is not cluster.b and time.monotonic() - died < 150:
            time.sleep(0.5)
        took = time.monotonic() - died
        assert _holder_instance(cluster, state) is cluster.b, cluster.b.log.read_text()[-3000:]
        assert took <= 120, f"B took over after {took:.0f} s"
    finally:
        state.dispose()


def test_postgresql_restarted_mid_load_answers_503_then_recovers_with_nothing_lost(
    cluster: Cluster, postgres: Postgres
) -> None:
    cluster.start(cluster.a)
    cluster.start(cluster.b)
    senders, expected = make_senders(cluster, batches=40, size=100)
    started = threading.Event()
    threads = [threading.Thread(target=s.run, args=(started,), daemon=True) for s in senders]
    for thread in threads:
        thread.start()
    assert started.wait(60)
    postgres.stop()
    try:
        time.sleep(4)
        with httpx.Client(timeout=10) as http:
            health = http.get(f"{cluster.a.url}/api/v1/health")
        assert health.status_code == 503 and health.json()["checks"]["state"]["status"] == "down"
    finally:
        postgres.start()
    for thread in threads:
        thread.join(240)
    assert not any(thread.is_alive() for thread in threads)
    assert [s.errors for s in senders] == [[] for _ in senders]
    refused: dict[int, int] = {}
    for sender in senders:
        for status, count in sender.refused.items():
            refused[status] = refused.get(status, 0) + count
    assert refused.get(503, 0) >= 1 and set(refused) <= {429, 503}, refused
    total, found = cluster.count_in_es(expected)
    assert (total, found) == (len(expected), len(expected))
    with httpx.Client(timeout=10) as http:
        for instance in (cluster.a, cluster.b):
            assert http.get(f"{instance.url}/api/v1/health").json()["checks"]["state"]["status"] == "ok"
    for instance in (cluster.a, cluster.b):
        assert "Traceback" not in instance.log.read_text()
