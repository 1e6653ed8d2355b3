"""The sync client: workspace alerts -> outbox -> signed batches -> the provincial center.

At-least-once: an alert leaves the outbox only after the center answered for it, and the answer
is recorded in one transaction. Killed between the center storing a batch and that transaction,
the next run sends the batch again and the center answers ``duplicate`` (same payload, same id):
exactly once in effect. Transient trouble (center down, 429/503/5xx, timeouts) backs off and keeps
everything; a refusal only a person can fix (wrong or revoked key, clock skew, wrong school) is a
SecopsError that says which, with the outbox untouched.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from secops.config import CENTER_KEY_FILE, Workspace
from secops.errors import SecopsError
from secops.forward import outbox
from secops.forward.backoff import parse_retry_after
from secops.forward.compliance import send_summary as post_summary
from secops.forward.drills import send_drill_results as post_drill_results
from secops.forward.heartbeat import send_heartbeat as post_heartbeat
from secops.forward.inbox import pull as pull_inbox
from secops.forward.incidents import send_incidents as post_incidents
from secops.forward.periods import zero_reports_step
from secops.forward.target import Target
from secops.i18n import N_, _
from secops.keyseal import CENTER, read_secret_text
from secops.protocol import signing
from secops.store import Store

log = logging.getLogger(__name__)
DEFAULT_BATCH = 500
DEFAULT_INTERVAL = 60.0
SUMMARY_EVERY = timedelta(days=1)  # a long-running forwarder refreshes the compliance summary daily
HEALTH_PATH = "/api/v1/health"
_NTP_HINT = N_("sync this machine's clock (timedatectl set-ntp true, or chrony) and run again")
_SETUP_HINT = N_("ask the center for a new key and run secops forward setup --center URL --key-file FILE")


def load_target(workspace: Workspace) -> Target:
    """The center URL from secops.yaml and the key from center.key; a clear error until set up."""
    config = workspace.config.forward
    key_file = workspace.path / CENTER_KEY_FILE
    if config is None or not key_file.exists():
        raise SecopsError(
            _("forwarding to the provincial center is not set up in this workspace"),
            hint=_("run secops forward setup --center URL --key-file FILE with the key the center issued"),
        )
    if key_file.stat().st_mode & 0o077:
        raise SecopsError(_("{path} is readable by others").format(path=key_file), hint=f"chmod 600 {key_file}")
    try:
        key = signing.parse_key(read_secret_text(key_file, CENTER))
    except ValueError as exc:
        raise SecopsError(
            _("{path} does not hold a school key: {reason}").format(path=key_file, reason=exc), hint=_(_SETUP_HINT)
        ) from None
    school = workspace.config.school
    return Target(
        center=config.center,
        school=school.code,
        school_name=school.name,
        key=key,
        checkin_every=timedelta(minutes=config.checkin_minutes),
        center_key=config.center_key,
        workspace=workspace.path,
    )


def save_key(workspace_path: Path, key: signing.SchoolKey) -> Path:
    """Write center.key owner-only; the key never goes into secops.yaml or the database."""
    path = workspace_path / CENTER_KEY_FILE
    tmp = path.with_name(f".{CENTER_KEY_FILE}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.text + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


class Transient(Exception):
    """The center cannot take the batch now; back off and keep it."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(Exception):
    """413: the batch must be split."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CenterClient:
    """One keep-alive HTTP connection pool to the center, with bounded timeouts."""

    def __init__(self, target: Target, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.target = target
        self.http = httpx.Client(
            base_url=target.center,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            headers={"User-Agent": "secops-forwarder/1"},
            transport=transport,
        )

    def __enter__(self) -> CenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _url_path(self, path: str) -> str:
        """The path the center sees (a URL prefix such as /center is part of what is signed)."""
        return httpx.URL(self.target.center + path).path

    def post_alerts(self, payloads: Sequence[dict[str, Any]]) -> httpx.Response:
        body = json.dumps({"alerts": list(payloads)}, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signing.signed_headers(
            self.target.key, self.target.school, body, now=time.time(), path=self._url_path(signing.ALERTS_PATH)
        )
        return self.http.post(signing.ALERTS_PATH, content=body, headers=headers)

    def audit_anchors(self) -> list[tuple[int, str, datetime]]:
        """The audit heads of this school the center has seen: (entries, hash of the last, received)."""
        from secops.protocol.incidents import AUDIT_ANCHORS_PATH, AnchorList

        headers = signing.signed_headers(
            self.target.key,
            self.target.school,
            b"",
            now=time.time(),
            method="GET",
            path=self._url_path(AUDIT_ANCHORS_PATH),
        )
        try:
            response = self.http.get(AUDIT_ANCHORS_PATH, headers=headers)
        except httpx.HTTPError as exc:
            raise SecopsError(_unreachable(self.target.center, exc)) from None
        if response.status_code == 404:
            raise SecopsError(
                _("{url} does not keep audit anchors (404)").format(url=self.target.center),
                hint=_("the center needs a newer secops"),
            )
        if response.status_code != 200:
            raise _refusal(response, self.target.center)
        try:
            answer = AnchorList.model_validate_json(response.content)
        except ValueError as exc:
            raise SecopsError(
                _("the center's answer could not be read: {reason}").format(reason=_reason(exc))
            ) from None
        return [(a.entries, a.last_hash, a.received_at) for a in answer.anchors]

    def check_key(self) -> None:
        """A signed empty batch: proves key, school code and clock without storing anything."""
        try:
            response = self.post_alerts([])
        except httpx.HTTPError as exc:
            raise SecopsError(_unreachable(self.target.center, exc)) from None
        if response.status_code != 200:
            raise _refusal(response, self.target.center)

    def health(self) -> dict[str, Any]:
        try:
            response = self.http.get(HEALTH_PATH)
        except httpx.HTTPError as exc:
            raise SecopsError(
                _unreachable(self.target.center, exc),
                hint=_("check the URL, the network and that the center is running"),
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code not in (200, 503) or not isinstance(data, dict):
            raise SecopsError(
                _("{url} answered {status} on {path}: not a secops center").format(
                    url=self.target.center, status=response.status_code, path=HEALTH_PATH
                ),
                hint=_("check the --center URL"),
            )
        return data


def _unreachable(center: str, exc: Exception) -> str:
    return _("cannot reach the center at {url}: {reason}").format(url=center, reason=_reason(exc))


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])[:300]
    return response.reason_phrase


def _refusal(response: httpx.Response, center: str) -> SecopsError:
    """What a 4xx that only a person can fix means, and what to do."""
    status, text = response.status_code, _error_text(response)
    lowered = text.lower()
    if status == 401 and ("clock" in lowered or "timestamp" in lowered):
        return SecopsError(
            _("the center refused the request: {reason} (clock skew)").format(reason=text), hint=_(_NTP_HINT)
        )
    if status == 401 and ("revoked" in lowered or "unknown" in lowered):
        return SecopsError(
            _("the center does not know this school key or revoked it: {reason}").format(reason=text),
            hint=_(_SETUP_HINT),
        )
    if status == 401 and "signature" in lowered:
        return SecopsError(
            _("the center refused the signature: {reason} (wrong key for this key id)").format(reason=text),
            hint=_(_SETUP_HINT),
        )
    if status == 403:
        return SecopsError(
            _("the center refused the school: {reason}").format(reason=text),
            hint=_("the key was issued for another school code; check secops init --show and the key file"),
        )
    if status == 404:
        return SecopsError(
            _("{url} has no alert API ({status})").format(url=center, status=status),
            hint=_("check the --center URL in secops forward setup"),
        )
    return SecopsError(
        _("the center refused the batch ({status}): {reason}").format(status=status, reason=text),
        hint=_("run again with -v; outbox kept"),
    )


def send_batch(client: CenterClient, items: Sequence[outbox.OutboxItem]) -> list[outbox.Mark]:
    """POST one batch; per-alert marks, or Transient / TooLarge / SecopsError."""
    try:
        response = client.post_alerts([item.payload for item in items])
    except httpx.HTTPError as exc:  # connection refused, reset, timeout: the batch may or may not be stored
        raise Transient(_("cannot reach the center: {reason}").format(reason=_reason(exc))) from None
    status = response.status_code
    if status == 413:
        raise TooLarge(_error_text(response))
    if status in (409, 429) or status >= 500:  # 409: a nonce collision; the next request has a new one
        retry_after = parse_retry_after(response.headers.get("Retry-After"), _utcnow())
        raise Transient(
            _("center answered {status}: {reason}").format(status=status, reason=_error_text(response)), retry_after
        )
    if status != 200:
        raise _refusal(response, client.target.center)
    try:
        results = response.json()["results"]
        if not isinstance(results, list) or len(results) != len(items):
            raise ValueError("one result per alert expected")
        by_index = {int(r["index"]): r for r in results}
        marks = []
        for index, item in enumerate(items):
            result = by_index[index]
            if result["status"] not in ("created", "duplicate", "rejected"):
                raise ValueError(f"unknown status {result['status']!r}")
            marks.append(outbox.Mark(item.alert_id, result["status"], result.get("id"), result.get("error")))
    except (ValueError, KeyError, TypeError) as exc:
        # Stored or not, we cannot tell: resend later; the center's dedup makes that safe.
        raise Transient(_("the center's answer could not be read: {reason}").format(reason=_reason(exc))) from None
    return marks


@dataclass
class PassResult:
    enqueued: int = 0
    batches: int = 0
    created: int = 0
    duplicate: int = 0
    rejected: int = 0
    deferred: str | None = None  # why the pass stopped early with alerts still pending
    next_attempt_at: datetime | None = None
    summary: str | None = None  # the compliance summary: "sent" or why not; None: not tried this pass
    heartbeat: str | None = None  # the check-in: "sent" or why not; None: not tried this pass
    incidents: str | None = None  # the school's incident changes and audit head: what was sent or why not
    inbox: str | None = None  # what the center sent down (通报 ...) and the status report
    zero_reports: str | None = None  # the 零报告 of important periods: recorded, sent, or why not

    @property
    def sent(self) -> int:
        return self.created + self.duplicate


def forward_once(
    target: Target,
    store: Store,
    client: CenterClient,
    *,
    batch: int = DEFAULT_BATCH,
    now: Callable[[], datetime] = _utcnow,
    stop: Callable[[], bool] = lambda: False,
    send_summary: bool = True,
    send_heartbeat: bool = True,
    checkin_every: timedelta | None = None,
    send_incidents: bool = True,
    pull: bool = True,
) -> PassResult:
    """Enqueue new alerts, then send due batches until none is due, the center pushes back, or stop().
    With ``send_summary`` the school's compliance summary follows the alerts, unless the center pushed back.
    With ``send_heartbeat`` the pass ends with a check-in, whatever became of the alerts, promising
    the next one within ``checkin_every`` (default: the target's). With ``send_incidents`` the
    school's incident changes and audit head go first: a 1-hour clock must not wait behind a
    backlog of alerts."""
    result = PassResult(enqueued=outbox.enqueue_new(store, target.school, target.school_name, now()))
    if pull:  # first: a 通报 opens its incident, which then goes up with the others
        result.inbox = pull_inbox(client.http, client.target, store, now()).text()
        # then the 零报告 of any period day past its deadline (a period just received counts)
        result.zero_reports = zero_reports_step(client.http, client.target, store, now())
        if result.zero_reports != "up to date":
            result.inbox = f"{result.inbox}; 零报告: {result.zero_reports}"
    if send_incidents:
        result.incidents = post_incidents(client.http, client.target, store, now())
        drills = post_drill_results(client.http, client.target, store, now())  # drills: never as incidents
        if drills != "up to date":
            result.incidents = f"{result.incidents}; 演练: {drills}"
    size = max(1, batch)
    while not stop():
        items = outbox.due(store, now(), size)
        if not items:
            break
        try:
            marks = send_batch(client, items)
        except TooLarge as exc:
            if size == 1:
                outbox.record_error(store, [items[0].alert_id], str(exc))
                raise SecopsError(
                    _("the center refuses even a single alert as too large: {reason}").format(reason=exc),
                    hint=_("ask the center to raise its limit"),
                ) from None
            size = max(1, size // 2)
            log.info("center said 413; batches of %d from now on", size)
            continue
        except Transient as exc:
            ids = [item.alert_id for item in items]
            result.next_attempt_at = outbox.record_failure(store, ids, str(exc), now(), retry_after=exc.retry_after)
            result.deferred = str(exc)
            break
        except SecopsError as exc:
            outbox.record_error(store, [item.alert_id for item in items], str(exc))
            raise
        outbox.record_results(store, marks, now())
        result.batches += 1
        for mark in marks:
            if mark.status == "created":
                result.created += 1
            elif mark.status == "duplicate":
                result.duplicate += 1
            else:
                result.rejected += 1
    if send_summary and result.deferred is None:
        result.summary = post_summary(client.http, client.target, store, now())
    if send_heartbeat:
        every = checkin_every or target.checkin_every
        result.heartbeat = post_heartbeat(client.http, client.target, store, now(), every)
    return result


def run_loop(
    target: Target,
    store: Store,
    client: CenterClient,
    *,
    batch: int = DEFAULT_BATCH,
    interval: float = DEFAULT_INTERVAL,
    stopping: threading.Event,
    report: Callable[[PassResult], None] = lambda _r: None,
    now: Callable[[], datetime] = _utcnow,
    checkin_every: timedelta | None = None,
) -> None:
    """Forward until ``stopping`` is set (SIGTERM/Ctrl-C): the current batch always completes.
    The compliance summary goes once per run (on the first pass) and then once a day; the check-in
    on the first pass and then every ``checkin_every`` (or the pass interval, if longer)."""
    summary_due = heartbeat_due = now()
    every = max(checkin_every or target.checkin_every, timedelta(seconds=interval))
    while not stopping.is_set():
        send_summary = now() >= summary_due
        send_heartbeat = now() >= heartbeat_due
        result = forward_once(
            target,
            store,
            client,
            batch=batch,
            now=now,
            stop=stopping.is_set,
            send_summary=send_summary,
            send_heartbeat=send_heartbeat,
            checkin_every=every,
        )
        if result.summary is not None:  # tried (a center that pushed back gets it on a later pass)
            summary_due = now() + SUMMARY_EVERY
        if result.heartbeat is not None:
            # a check-in the center did not take is tried again on the next pass
            heartbeat_due = now() + every if result.heartbeat == "sent" else now()
        report(result)
        wait = interval
        if result.next_attempt_at is not None:  # backing off: nothing is due before then
            wait = max(wait, (result.next_attempt_at - now()).total_seconds())
        stopping.wait(max(0.05, wait))
