"""``secops center``: run the provincial center and manage the schools that may send to it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import headers, labelled
from secops.cli.center_complete import complete_all_schools, complete_schools
from secops.cli.context import AppContext
from secops.cli.output import emit, emit_object, findings, format_option, localize, say
from secops.errors import SecopsError
from secops.i18n import N_, _

if TYPE_CHECKING:
    from secops.center.context import CenterContext
    from secops.store import Store

TIMEZONE = "Asia/Shanghai"


@dataclass
class CenterCli:
    """What the ``center`` group hands its commands (found with ``ctx.find_object(CenterCli)``)."""

    home: Path
    db: str | None = None  # --db / SECOPS_CENTER_DB; None: center.yaml's database:, else center.db

    def now(self) -> datetime:
        """The root's clock (SECOPS_NOW fixes it), the same rules when the group runs standalone."""
        app = click.get_current_context().find_object(AppContext)
        return (app or AppContext(Path())).now()

    def state(self) -> Store:
        """The center database, once this home's keys are known to be its keys (made on a first open)."""
        from secops.center.context import open_state, prepare_home
        from secops.center.home_keys import bind_home_keys

        state = open_state(self.home, self.db)
        try:
            bind_home_keys(prepare_home(self.home), state)
        except BaseException:
            state.dispose()
            raise
        return state

    def secret(self) -> bytes:
        from secops.center.context import load_secret, prepare_home

        with self.state():  # a home with another secret is refused before the secret seals anything
            pass
        return load_secret(prepare_home(self.home))


pass_center = click.make_pass_decorator(CenterCli)


def _default_home() -> str:
    from secops.center.context import default_home

    return str(default_home())


@click.group(cls=SecopsGroup)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SECOPS_CENTER_HOME",
    default=_default_home,
    show_default="~/.secops-center, or $SECOPS_CENTER_HOME",
    help="Center home folder (center.yaml, center.db, center.secret).",
)
@click.option(
    "--db",
    envvar="SECOPS_CENTER_DB",
    metavar="URL",
    help="The center's state database, e.g. postgresql+psycopg://USER@HOST/DB (default: database: in "
    "center.yaml, else center.db in the home; $SECOPS_CENTER_DB).",
)
@click.pass_context
def center(ctx: click.Context, home: Path, db: str | None) -> None:
    """Provincial monitoring center: signed alert ingestion, schools and their keys, the dashboard (/) for
    the staff accounts of `secops center user`.

    \b
      secops center school add 4111010001 --name 郑州市第一中学 --key-file school.key
      secops center serve --port 8600                      # alerts in center.db (SQLite)
      secops center serve --es http://127.0.0.1:9200       # alerts in Elasticsearch
    """
    home = Path(home).expanduser()
    ctx.obj = CenterCli(home=home, db=db)
    ctx.meta["secops.center.home"] = home
    ctx.meta["secops.center.db"] = db


@center.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8600, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--store", "store_url", metavar="sqlite:///PATH", help="Keep alerts in their own SQLite database.")
@click.option(
    "--db",
    metavar="URL",
    help="The center's state database (as `secops center --db`); instances sharing one PostgreSQL database act as one.",
)
@click.option("--es", "es_url", metavar="URL", help="Keep alerts in Elasticsearch (8.x) at URL.")
@click.option("--es-prefix", default="secops-alerts", show_default=True, help="Index prefix: PREFIX-YYYY.MM.")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDR[/BITS]",
    help="A reverse proxy whose X-Forwarded-For is believed (repeatable; adds to center.yaml trusted_proxies).",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDR,...",
    envvar="FORWARDED_ALLOW_IPS",
    help="Comma-separated reverse proxies (addresses or networks, * for any) whose X-Forwarded-For and "
    "X-Forwarded-Proto are believed, as uvicorn's option; the same list as --trusted-proxy.",
)
@click.option(
    "--certfile",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PEM",
    help="Serve HTTPS with this certificate (chain), PEM; needs --keyfile.",
)
@click.option(
    "--keyfile",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PEM",
    help="The private key (PEM, unencrypted) of --certfile.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes sharing the port (about one per core); a worker that dies is replaced.",
)
@pass_center
def serve(
    center_cli: CenterCli,
    host: str,
    port: int,
    workers: int,
    store_url: str | None,
    es_url: str | None,
    es_prefix: str,
    trusted_proxies: tuple[str, ...],
    forwarded_allow_ips: str | None,
    certfile: Path | None,
    keyfile: Path | None,
    db: str | None,
) -> None:
    """Serve the ingestion API (POST /api/v1/alerts), its docs (/docs), the dashboard, GET /api/v1/health
    and GET /metrics (Prometheus).

    Alerts go to the center database unless --store or --es says otherwise. Stops on Ctrl-C or
    SIGTERM after the requests in flight.
    """
    from secops.center.open import open_center
    from secops.center.server import check_tls
    from secops.center.server import serve as run_server

    tls = check_tls(certfile, keyfile)
    trusted_proxies = (*trusted_proxies, *_allow_list(forwarded_allow_ips))
    if trusted_proxies:
        import ipaddress

        for item in trusted_proxies:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                message = _("{item} is not an address or network").format(item=repr(item))
                raise click.BadParameter(message, param_hint="--trusted-proxy / --forwarded-allow-ips") from None
    # opened here in every case: a bad URL or an unreachable database is one error before any worker
    # starts, and the migrations run once, not once per worker
    ctx = open_center(
        center_cli.home, db=db or center_cli.db, store_url=store_url, es_url=es_url, es_prefix=es_prefix, server=True
    )
    from secops.cli.center_workers import relay_of, with_trusted_proxies

    with_trusted_proxies(ctx, list(trusted_proxies))
    from secops.store import redact_url

    state_at = (
        ctx.state.url.removeprefix("sqlite:///")
        if ctx.state.url.startswith("sqlite:///")
        else redact_url(ctx.state.url)
    )
    where = f"Elasticsearch {es_url} ({es_prefix}-*)" if es_url else (store_url or state_at)
    # Ctrl-C: uvicorn stops after the requests in flight and raises KeyboardInterrupt again, which the
    # root turns into one line and exit 130.
    scheme = "https" if tls else "http"
    say(
        _("secops center on {url} (docs /docs), alerts in {where}").format(
            url=f"{scheme}://{host}:{port}", where=where
        ),
        err=True,
    )
    from secops.relay.config import load_upstream

    upstream = load_upstream(ctx.home)
    if upstream is not None:
        settings, _key = upstream
        say(
            _("relaying to {url} as {code} every {seconds} s").format(
                url=settings.url, code=settings.code, seconds=settings.interval_seconds
            ),
            err=True,
        )
    if workers > 1:
        _serve_workers(ctx, workers, host, port, tls, store_url, es_url, es_prefix, trusted_proxies)
        return
    relay = relay_of(ctx)
    if relay is None:
        run_server(ctx, host=host, port=port, tls=tls)
    else:
        run_server(ctx, host=host, port=port, relay=relay[0], relay_every=relay[1], tls=tls)


METRICS_PREFIX = "secops-center-metrics-"


def _forget_dead_metrics(folder: Path) -> None:
    """Remove the metrics folders of supervisors that were killed (-9) before they could."""
    import shutil

    for path in folder.glob(f"{METRICS_PREFIX}*-*"):
        pid = path.name.removeprefix(METRICS_PREFIX).split("-", 1)[0]
        try:
            ours = path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if not pid.isdigit() or not ours:
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            continue


def _serve_workers(
    ctx: CenterContext,
    workers: int,
    host: str,
    port: int,
    tls: dict[str, str],
    store_url: str | None,
    es_url: str | None,
    es_prefix: str,
    trusted_proxies: tuple[str, ...],
) -> None:
    import shutil
    import tempfile

    from secops.center.server import serve_workers
    from secops.cli.center_workers import APP_FACTORY, WORKER_SPEC, logging_of_this_process

    settings = ctx.settings
    _forget_dead_metrics(Path(tempfile.gettempdir()))
    # owner-only (mkdtemp); the supervisor's pid in the name tells a later start whose it was
    metrics_dir = Path(tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-"))
    spec = logging_of_this_process(
        ctx.home,
        metrics_dir=str(metrics_dir),
        supervisor=os.getpid(),
        db=ctx.state.url,
        store_url=store_url,
        es_url=es_url,
        es_prefix=es_prefix,
        trusted_proxies=list(trusted_proxies),
    )
    ctx.close()  # each worker opens its own (a database pool is not shared across processes)
    say(_("{count} worker processes").format(count=workers), err=True)
    os.environ[WORKER_SPEC] = spec.to_env()
    try:
        interrupted = serve_workers(APP_FACTORY, settings, workers=workers, host=host, port=port, tls=tls)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    if interrupted:
        raise KeyboardInterrupt  # Ctrl-C: the root's one line and exit 130, as with one process


def _allow_list(text: str | None) -> tuple[str, ...]:
    """``--forwarded-allow-ips``: comma-separated, ``*`` for every address (uvicorn's meaning)."""
    items = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    if "*" in items:
        return ("0.0.0.0/0", "::/0")
    return items


@center.group()
def school() -> None:
    """Schools allowed to send alerts, each with its own key."""


def _write_key_file(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SecopsError(
            _("{path} already exists").format(path=path),
            hint=_("choose another --key-file; keys are never overwritten"),
        ) from None
    except OSError as exc:
        raise SecopsError(_("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    with os.fdopen(fd, "w") as out:
        out.write(text + "\n")


@school.command("add")
@click.argument("code", shell_complete=complete_all_schools)
@click.option("--name", required=True, help="The school's name.")
@click.option("--rotate", is_flag=True, help="Replace the key of a registered school (the old key stops working).")
@click.option("--rate", "rate_per_minute", type=click.IntRange(1), help="Requests per minute for this school.")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the key to this new file (0600) instead of printing it.",
)
@click.option(
    "--covers",
    help="CODE is a lower (county or city) center reporting for these school codes (comma-separated); "
    "they are listed here through it.",
)
@pass_center
def school_add(
    center_cli: CenterCli,
    code: str,
    name: str,
    rotate: bool,
    rate_per_minute: int | None,
    key_file: Path | None,
    covers: str | None,
) -> None:
    """Register school CODE (its 10-digit 学校标识码), or a lower center with --covers, and issue its
    key, shown only this once."""
    from secops.center.schools import add_school

    covered = [c.strip() for c in (covers or "").replace("，", ",").split(",") if c.strip()]
    with center_cli.state() as state:
        key = add_school(
            state,
            code,
            name,
            center_cli.secret(),
            center_cli.now(),
            rotate=rotate,
            rate_per_minute=rate_per_minute,
            covers=covered,
        )
    code, name = code.strip(), name.strip()
    # Without --key-file the key itself goes to stdout (it is the data); the guidance around it to stderr.
    to_err = key_file is None
    if covered:
        say(
            _("{code} is a lower center for {count} schools: {codes}").format(
                code=code, count=len(covered), codes=", ".join(covered)
            ),
            err=to_err,
        )
    done = (
        _("New key for school {code} ({name}), key id {key_id}.")
        if rotate
        else _("Registered school {code} ({name}), key id {key_id}.")
    )
    say(done.format(code=code, name=name, key_id=key.key_id), err=to_err)
    if key_file is not None:
        _write_key_file(key_file, key.text)
        say(_("The key is in {path} (0600). Send it to the school over a trusted channel.").format(path=key_file))
        shown = str(key_file)
    else:
        say(_("The key (shown once; the center keeps only a sealed derivative):"), err=True)
        click.echo(key.text)
        shown = "school.key"
        say(_("Save it at the school as {path} (chmod 600), then run there:").format(path=shown), err=True)
    if covered:
        next_step = f"  secops center upstream setup --url https://CENTER:8600 --code {code} --key-file {shown}"
    else:
        next_step = f"  secops forward setup --center https://CENTER:8600 --key-file {shown} --check " + _(
            "--center-key <what secops center key show prints here>"
        )
    say(next_step, err=to_err)


STATUS_WORDS = {
    "active": N_("active"),
    "revoked": N_("revoked"),
    "ok": N_("ok"),
    "silent": N_("silent"),
    "never": N_("never"),
}


@school.command("list")
@format_option()
@click.option("--check", is_flag=True, help="Exit 1 when a school's forwarder has gone silent (a check for cron).")
@pass_center
def school_list(center_cli: CenterCli, fmt: str, check: bool) -> None:
    """Registered schools, their key ids, whether the key is revoked and whether their forwarder
    checks in (ok, silent: past twice its promised interval, never)."""
    from secops.center.heartbeats import latest_checkins
    from secops.center.schools import list_schools

    now = center_cli.now()
    with center_cli.state() as state:
        found = list_schools(state)
        checkins = latest_checkins(state)

    def forwarder(code: str) -> str:
        checkin = checkins.get(code)
        if checkin is None:
            return "never"
        return "silent" if checkin.silent_for(now) is not None else "ok"

    table = fmt == "table"

    rows = []
    for s in found:
        status, seen = "revoked" if s.revoked_at else "active", forwarder(s.code)
        rows.append(
            {
                "code": s.code,
                "name": s.name,
                "key_id": s.key_id,
                "created_at": s.created_at,
                "revoked_at": s.revoked_at,
                "rate_per_minute": s.rate_per_minute,
                # words for people in a table; the codes for machines
                "status": _(STATUS_WORDS[status]) if table else status,
                "forwarder": _(STATUS_WORDS[seen]) if table else seen,
                "last_checkin": checkins[s.code].received_at if s.code in checkins else None,
            }
        )
    columns = ["code", "name", "key_id", "status", "forwarder", "last_checkin", "created_at", "revoked_at"]
    emit(
        localize(rows, TIMEZONE) if table else rows,
        fmt,
        [*columns, "rate_per_minute"],
        headers=headers(),
        empty=_("No schools registered: secops center school add CODE --name NAME"),
    )
    if check:
        silent = [s.code for s in found if not s.revoked_at and forwarder(s.code) == "silent"]
        if silent:
            say(_("{count} forwarder(s) silent: {codes}").format(count=len(silent), codes=", ".join(silent)), err=True)
        findings(bool(silent))


@school.command("revoke")
@click.argument("code", shell_complete=complete_schools)
@pass_center
def school_revoke(center_cli: CenterCli, code: str) -> None:
    """Revoke school CODE's key: its requests are refused from now on (within a second on a running center)."""
    from secops.center.schools import revoke_school

    with center_cli.state() as state:
        found = revoke_school(state, code, center_cli.now())
    record = {"school": found.code, "name": found.name, "key_id": found.key_id, "revoked_at": found.revoked_at}
    emit_object(labelled(record), "table")


def _attach_user_group() -> None:
    from secops.cli.center_user_cmd import user

    center.add_command(user)


def _attach_incident_group() -> None:
    from secops.cli.center_incident_cmd import incident

    center.add_command(incident)


def _attach_notice_groups() -> None:
    from secops.cli.center_notice_cmd import group, key, notice

    for command in (notice, group, key):
        center.add_command(command)


def _attach_pack_group() -> None:
    from secops.cli.center_pack_cmd import pack

    center.add_command(pack)


_attach_user_group()
_attach_incident_group()
_attach_notice_groups()


def _attach_period_group() -> None:
    from secops.cli.center_period_cmd import period

    center.add_command(period)


_attach_period_group()
_attach_pack_group()


def _attach_upstream_group() -> None:
    from secops.cli.center_upstream_cmd import upstream

    center.add_command(upstream)


_attach_upstream_group()


def _attach_drill_group() -> None:
    from secops.cli.center_drill_cmd import drill

    center.add_command(drill)


_attach_drill_group()
