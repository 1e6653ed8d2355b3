"""``secops center upstream``: a county or city center relaying to the center above it."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home
from secops.cli.output import findings, say
from secops.errors import SecopsError
from secops.i18n import _


@click.group(cls=SecopsGroup, short_help="Relay to the center above: alerts and cases up, notices down.")
def upstream() -> None:
    """Relay to the center above (tiers): alerts, cases, school incidents, check-ins, notice status and
    零报告 of this center's schools go up; its 通报, periods and packs come down through this center.

    \b
      # at the upper center:  secops center school add 4111000001 --name 某市中心 --covers 4111010001,4111010002
      secops center upstream setup --url https://province:8600 --code 4111000001 --name 某市中心 \\
          --key-file city.key --center-key ed25519:...
      secops center upstream run --once        # `secops center serve` relays every interval by itself
    """


@upstream.command("setup")
@click.option("--url", required=True, help="The upper center's base URL.")
@click.option("--code", required=True, help="The code the upper center registered this center under.")
@click.option("--name", required=True, help="This center's name.")
@click.option(
    "--key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The key `secops center school add CODE --covers ...` issued at the upper center.",
)
@click.option("--center-key", required=True, help="The upper center's public key (secops center key show there).")
@click.option("--interval", default=60, show_default=True, type=click.IntRange(5, 3600), help="Seconds between runs.")
def setup(url: str, code: str, name: str, key_file: Path, center_key: str, interval: int) -> None:
    """Set where this center relays to (upstream.yaml and upstream.key, 0600, in its home)."""
    from pydantic import ValidationError

    from secops.center.context import prepare_home
    from secops.protocol import signing
    from secops.relay.config import Upstream, save_upstream

    try:
        key = signing.parse_key(key_file.read_text(errors="replace"))
    except ValueError as exc:
        raise SecopsError(_("--key-file {path}: {reason}").format(path=key_file, reason=exc)) from None
    try:
        settings = Upstream(url=url, code=code, name=name, center_key=center_key, interval_seconds=interval)
    except ValidationError as exc:
        first = exc.errors()[0]
        option = f"--{first['loc'][0]}".replace("_", "-")
        raise SecopsError(_("{option}: {reason}").format(option=option, reason=first["msg"])) from None
    save_upstream(prepare_home(center_home()), settings, key)  # replacing the settings is setup's job
    say(
        _("Relaying to {url} as {code} ({name}) every {seconds} s.").format(
            url=settings.url, code=settings.code, name=settings.name, seconds=interval
        )
    )


@upstream.command("run")
@click.option("--once", is_flag=True, help="One run now (the default; the serving center relays by itself).")
def run(once: bool) -> None:
    """Relay now: down first, then every stream up; what could not go is tried again next run."""
    from secops.center.open import open_center
    from secops.relay.config import load_upstream
    from secops.relay.run import relay_once

    ctx = open_center(center_home(), db=center_db())
    try:
        upstream_settings = load_upstream(ctx.home)
        if upstream_settings is None:
            raise SecopsError(_("this center relays nowhere"), hint=_("secops center upstream setup --url ... first"))
        settings, key = upstream_settings
        result = relay_once(ctx, settings, key)
    finally:
        ctx.close()
    say(_("secops center upstream: {result}").format(result=result.text()), err=True)
    findings(bool(result.failed))  # exit 1: something could not go up and waits for the next run
