"""``secops forward``: deliver this school's alerts to its provincial center through a durable outbox."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit_object, findings, format_option, localize, safe_text, say, warn
from secops.i18n import N_, _

if TYPE_CHECKING:
    from secops.forward.sync import PassResult

# The backlog's fields as people read them (English and JSON keep the keys).
STATUS_LABELS = {
    "center": N_("CENTER"),
    "pending": N_("PENDING"),
    "not_enqueued": N_("NOT_ENQUEUED"),
    "sent": N_("SENT"),
    "rejected": N_("REJECTED"),
    "oldest_pending_age_s": N_("OLDEST_PENDING_AGE_S"),
    "next_attempt_at": N_("NEXT_ATTEMPT_AT"),
    "attempts": N_("ATTEMPTS"),
    "last_error": N_("LAST_ERROR"),
    "last_rejection": N_("LAST_REJECTION"),
    "last_sent_at": N_("LAST_SENT_AT"),
}


@click.group(cls=SecopsGroup)
def forward() -> None:
    """Signed delivery of the workspace's alerts to the provincial center.

    \b
      secops forward setup --center https://center.example:8600 --key-file school.key --check
      secops forward run --once          # one pass (the scheduler job does the same)
      secops forward run                 # keep forwarding; SIGTERM/Ctrl-C stops after the batch
      secops forward status              # the backlog
    """


@forward.command()
@click.option("--center", "center_url", required=True, help="The center's base URL, e.g. https://center.example:8600.")
@click.option(
    "--key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File holding the key `secops center school add` printed (copied to center.key, 0600).",
)
@click.option(
    "--check", is_flag=True, help="First ask the center whether it is up and takes the key (nothing is stored)."
)
@click.option(
    "--checkin-minutes",
    type=click.IntRange(1, 1440),
    help="Check in with the center at least this often (default 15; the center calls the forwarder "
    "silent after twice as long). Scheduled forward jobs should run at least this often.",
)
@click.option(
    "--center-key",
    help="The center's public signing key (ed25519:..., from secops center key show): notices and packs "
    "the center sends down are accepted only when signed with it.",
)
@pass_app
def setup(
    app: AppContext, center_url: str, key_file: Path, check: bool, checkin_minutes: int | None, center_key: str | None
) -> None:
    """Set the center URL and this school's key."""
    from secops.config import ForwardConfig, check_center_url, save_config
    from secops.errors import SecopsError
    from secops.forward.sync import CenterClient, save_key
    from secops.forward.target import Target
    from secops.protocol import signing

    workspace = app.workspace()
    try:
        url = check_center_url(center_url)
    except ValueError as exc:
        raise SecopsError(_("--center: {reason}").format(reason=exc)) from None
    try:
        key = signing.parse_key(key_file.read_text(errors="replace"))
    except ValueError as exc:
        raise SecopsError(_("--key-file {path}: {reason}").format(path=key_file, reason=exc)) from None
    pinned_id = None
    if center_key is not None:  # its shape first: no network call for a key that cannot be one
        from secops.protocol import envelope

        try:
            pinned_id = envelope.key_id(envelope.parse_public(center_key))
        except ValueError as exc:
            raise SecopsError(
                _("--center-key is not the center's public key: {reason}").format(reason=exc),
                hint=_("copy the line secops center key show prints at the center"),
            ) from None
    if check:
        school = workspace.config.school
        with CenterClient(Target(url, school.code, school.name, key), timeout=10.0) as client:
            health = client.health()
            if health.get("status") not in ("ok", "degraded"):  # degraded (e.g. low disk) still takes alerts
                raise SecopsError(
                    _("the center at {url} is up but not healthy: {reason}").format(
                        url=url, reason=health.get("error") or health.get("status")
                    ),
                    hint=_("nothing was changed; try again later or tell the center"),
                )
            client.check_key()
        served = health.get("signing_key")
        if pinned_id is not None and served is not None and served != pinned_id:
            raise SecopsError(
                _(
                    "--center-key (fingerprint {pinned}) is not the signing key of {url} (fingerprint {served}): "
                    "every notice that center sends would be refused"
                ).format(pinned=pinned_id, url=url, served=served),
                hint=_("check with the center what secops center key show prints there; nothing was changed"),
            )
        say(
            _("Center {url} is up (store {store}) and accepts this school's key.").format(
                url=url, store=health.get("store", "?")
            )
        )
    save_key(workspace.path, key)
    previous = workspace.config.forward
    if checkin_minutes is None:
        checkin_minutes = previous.checkin_minutes if previous is not None else 15
    if center_key is None:
        center_key = previous.center_key if previous is not None else None
    forward = ForwardConfig(center=url, checkin_minutes=checkin_minutes, center_key=center_key)
    config = workspace.config.model_copy(update={"forward": forward})
    save_config(workspace.path, config)
    say(
        _("Forwarding to {url} as school {code} (key {key_id}), checking in at least every {minutes} min.").format(
            url=url, code=workspace.config.school.code, key_id=key.key_id, minutes=checkin_minutes
        )
    )
    if center_key is None:
        warn(_("No center key pinned: notices from the center will not be accepted (add --center-key)."))


def _describe(result: PassResult) -> str:
    """One pass in one line. The parts after ';' are the forwarder's own words (reasons from the
    network among them) and are shown as they come."""
    line = _("enqueued {enqueued}, sent {sent} ({duplicate} already there)").format(
        enqueued=result.enqueued, sent=result.sent, duplicate=result.duplicate
    )
    if result.rejected:
        line += _(", rejected {count} (see secops forward status)").format(count=result.rejected)
    if result.deferred:
        line += _("; deferred: {reason}").format(reason=result.deferred)
        if result.next_attempt_at:
            line += _(", next attempt {at}").format(at=safe_text(result.next_attempt_at))
    if result.summary:
        line += _("; compliance summary: {outcome}").format(outcome=result.summary)
    if result.incidents and result.incidents != "up to date":
        line += _("; incidents: {outcome}").format(outcome=result.incidents)
    if result.inbox and result.inbox != "nothing new":
        line += _("; from the center: {outcome}").format(outcome=result.inbox)
    if result.heartbeat:
        line += _("; check-in: {outcome}").format(outcome=result.heartbeat)
    return _("secops forward: {line}").format(line=line)


@forward.command()
@click.option(
    "--once",
    is_flag=True,
    help="One pass: send what is due, then exit (1 if alerts stay pending or the center could not be reached).",
)
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 5000), help="Alerts per request.")
@click.option(
    "--interval", default=60.0, show_default=True, type=click.FloatRange(0.05), help="Seconds between passes."
)
@pass_app
def run(app: AppContext, once: bool, batch: int, interval: float) -> None:
    """Send new alerts to the center (pending ones survive restarts)."""
    import signal
    import threading

    from secops.forward.sync import CenterClient, forward_once, load_target, run_loop

    workspace = app.workspace()
    target = load_target(workspace)
    with app.store(workspace) as store, CenterClient(target) as client:
        if once:
            result = forward_once(target, store, client, batch=batch)
            say(_describe(result), err=True)
            unreachable = (result.heartbeat or "").startswith("not sent")  # the center did not hear from us
            findings(bool(result.deferred or unreachable))
            return
        stopping = threading.Event()
        received: list[int] = []

        def _stop(signum: int, _frame: Any) -> None:
            received.append(signum)
            stopping.set()  # the batch in flight finishes and is recorded

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        say(
            _("secops forward: to {center} every {seconds} s; SIGTERM/Ctrl-C to stop").format(
                center=target.center, seconds=f"{interval:g}"
            ),
            err=True,
        )

        def _report(result: PassResult) -> None:
            if result.enqueued or result.batches or result.deferred:
                say(_describe(result), err=True)

        try:
            run_loop(target, store, client, batch=batch, interval=interval, stopping=stopping, report=_report)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if signal.SIGINT in received:
        # Ctrl-C: the batch was finished and recorded; the root says so in one line and exits 130
        raise KeyboardInterrupt
    say(_("secops forward: stopped"), err=True)


def _field(key: str) -> str:
    msgid = STATUS_LABELS.get(key)
    text = _(msgid) if msgid else key
    return key if text == msgid else text


@forward.command()
@format_option()
@pass_app
def status(app: AppContext, fmt: str) -> None:
    """The backlog: pending, sent, rejected, the oldest pending alert, the last error."""
    from secops.forward.outbox import summary

    workspace = app.workspace()
    with app.store(workspace) as store:
        info: dict[str, Any] = summary(store, app.now())
    forward_config = workspace.config.forward
    info = {"center": forward_config.center if forward_config else None, **info}
    if fmt == "table":
        info = localize([info], workspace.config.timezone)[0]
        info = {_field(k): v for k, v in info.items()}
    emit_object(info, fmt)
