"""``secops data watermark``: mark a copy per recipient, record the release, trace a leaked copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.data_output import refuse_table_overwrite
from secops.cli.output import emit, emit_object, findings, force_option, format_option, localize, say, warn
from secops.i18n import _

_KEY_HELP = "key file (32 random bytes); default: the workspace's data key, created on first use (0600)"


@click.group(cls=SecopsGroup)
def watermark() -> None:
    """Leak-tracing watermarks: a per-recipient fingerprint in the low digits of a few numeric and
    date cells (never IDs, names or scores), a release ledger, and detection with its
    false-accusation bound."""


@watermark.command()
@click.argument("source")
@click.option(
    "-o", "--output", required=True, help="the marked copy: .csv .tsv .xlsx .json .jsonl .parquet or a SQL URL"
)
@click.option("--recipient", required=True, help="who receives this copy (recorded in the ledger)")
@click.option("--key-file", type=click.Path(path_type=Path), help=_KEY_HELP)
@click.option("--identity", multiple=True, help="column(s) that identify a row (default: 身份证号, 学籍号, 学号, ...)")
@click.option("--carrier", multiple=True, help="only these columns carry marks (naming a score column allows it)")
@click.option("--gamma", type=int, default=10, show_default=True, help="about one cell in GAMMA of each carrier")
@click.option("--pseudonymize", is_flag=True, help="also replace identifier columns by per-recipient keyed tokens")
@format_option()
@force_option()
@pass_app
def embed(
    app: AppContext,
    source: str,
    output: str,
    recipient: str,
    key_file: Path | None,
    identity: tuple[str, ...],
    carrier: tuple[str, ...],
    gamma: int,
    pseudonymize: bool,
    fmt: str,
    force: bool,
) -> None:
    """Write OUTPUT: SOURCE (CSV, XLSX, JSON, JSON lines, Parquet or a SQL URL such as
    sqlite:///x.db#table) marked for RECIPIENT, in OUTPUT's format, and record the release.
    An existing OUTPUT file is replaced only with --force."""
    from secops.data.watermark.keys import workspace_key
    from secops.data.watermark.release import EmbedOptions, release

    refuse_table_overwrite(source, output, force)
    workspace = app.workspace()
    key, _created = workspace_key(workspace.path, key_file)
    options = EmbedOptions(identity, carrier, gamma, pseudonymize)
    with app.store(workspace) as store:
        result = release(store, source, output, key=key, recipient=recipient, now=app.now(), options=options)
    value = result.as_dict()
    if fmt != "table":
        emit_object(value, fmt)
        return
    stats = result.stats
    changed = sum(stats.changed.values())
    click.echo(
        _("Marked copy {output} written for {recipient} (release #{release})").format(
            output=output, recipient=result.recipient, release=result.release_id
        )
    )
    click.echo(
        "  "
        + _("rows {rows:,} · row identity {identity} · mark {mark}").format(
            rows=stats.rows, identity="+".join(result.scheme.identity), mark=result.mark_id
        )
    )
    click.echo(
        "  "
        + _(
            "carrier columns {carriers} · {marked:,} cells marked · {changed:,} cells changed "
            "({share:.2%} of carrier cells, last digit only)"
        ).format(
            carriers=", ".join(c.column for c in result.scheme.carriers),
            marked=sum(stats.marked.values()),
            changed=changed,
            share=stats.changed_share,
        )
    )
    if result.pseudonymized:
        click.echo(
            "  "
            + _("pseudonymised columns {columns} (keyed per recipient: a single row traces back)").format(
                columns=", ".join(result.pseudonymized)
            )
        )
    if stats.unaddressable:
        click.echo(
            "  " + _("{count:,} row(s) without a row identity were not marked").format(count=stats.unaddressable)
        )
    click.echo("  " + _("key fingerprint {key}").format(key=result.key_id))
    _warn_if_untraceable(sum(stats.marked.values()))


def _warn_if_untraceable(marked: int) -> None:
    """A copy whose every marked cell survives still names no one when there are too few of them:
    say so now, not when the leak is found."""
    import math

    from secops.data.watermark.detect import THRESHOLD
    from secops.data.watermark.stats import log10_tail, show_bound

    best = log10_tail(marked, marked) if marked else 0.0
    if best < math.log10(THRESHOLD):
        return
    warn(
        _(
            "this copy cannot be traced: even intact, its {marked} marked cell(s) leave a {bound} chance of "
            "a false accusation, above the {threshold} detect requires; add carrier columns (--carrier) or "
            "lower --gamma (more cells marked), or share a larger table"
        ).format(marked=marked, bound=show_bound(best), threshold=f"{THRESHOLD:g}")
    )


@watermark.command()
@click.argument("suspect")
@click.option("--key-file", type=click.Path(path_type=Path), help=_KEY_HELP)
@format_option()
@pass_app
def detect(app: AppContext, suspect: str, key_file: Path | None, fmt: str) -> None:
    """Name the recipient whose copy SUSPECT is, with the false-accusation bound. A check: exits 1
    when a recipient is named (a leak traced), 0 when none can be (no mark, ambiguous, or another key)."""
    from secops.data.watermark.keys import workspace_key
    from secops.data.watermark.ledger import list_releases
    from secops.data.watermark.trace import trace_table

    workspace = app.workspace()
    key, _created = workspace_key(workspace.path, key_file)
    with app.store(workspace) as store:
        releases = list_releases(store)
    trace = trace_table(suspect, key=key, releases=releases)
    verdict = trace.verdict
    if fmt != "table":
        emit_object(trace.as_dict(), fmt)
    else:
        _print_trace(trace.as_dict(), len(releases))
    findings(verdict.named is not None)


def _print_trace(value: dict[str, Any], releases: int) -> None:
    reason = value["verdict"]
    others = value["releases_with_other_keys"]
    key_id = value["key_id"]
    if reason == "named":
        click.echo(
            _(
                "The mark points to recipient {recipient}: {matches}/{total} fingerprint bits agree; "
                "the chance of a false accusation is at most {bound}"
            ).format(
                recipient=value["recipient"],
                matches=value["matches"],
                total=value["total"],
                bound=value["candidates"][0]["bound_text"],
            )
        )
        return
    if not value["releases_tested"] and others:
        click.echo(_("no mark found with this key (key fingerprint {key})").format(key=key_id))
        listed = _(", ").join(_("{key} ({count} release(s))").format(key=k, count=n) for k, n in others.items())
        click.echo(
            _("hint: the releases in the ledger used other keys: {keys}; try again with that --key-file").format(
                keys=listed
            ),
            err=True,
        )
        return
    if not releases:
        click.echo(_("no mark found: the release ledger of this workspace is empty"))
        return
    if reason == "ambiguous":
        click.echo(
            _("no mark found: the evidence points to several recipients; none is named (collusion or a mixed copy?)")
        )
    else:
        click.echo(
            _("no mark found (key fingerprint {key}): no recipient can be named from the marks").format(key=key_id)
        )
    if value["releases_without_identity"]:
        say(
            "  "
            + _("{count} release(s) have row identity columns that are not in this file").format(
                count=value["releases_without_identity"]
            ),
            err=True,
        )
    best = value["candidates"][:3]
    if best:
        headers = {
            "recipient": _("Recipient"),
            "matches": _("Bits agreeing"),
            "total": _("Bits"),
            "bound_text": _("False-accusation bound"),
        }
        emit(best, "table", ["recipient", "matches", "total", "bound_text"], headers=headers)


@watermark.command()
@click.option("--recipient", help="only this recipient's releases")
@format_option()
@pass_app
def releases(app: AppContext, recipient: str | None, fmt: str) -> None:
    """The release ledger: who received which marked copy, when, with which carriers and key."""
    from secops.data.watermark.ledger import list_releases

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = [r.as_dict() for r in list_releases(store, recipient=recipient)]
    rows = localize(rows, workspace.config.timezone)
    columns = ["id", "created_at", "recipient", "output", "rows", "carriers", "changed_cells", "mark_id", "key_id"]
    if fmt == "table":
        for row in rows:
            row["carriers"] = ",".join(row["carriers"])
    headers = {
        "id": _("ID"),
        "created_at": _("Released at"),
        "recipient": _("Recipient"),
        "output": _("Marked copy"),
        "rows": _("Rows"),
        "carriers": _("Carrier columns"),
        "changed_cells": _("Cells changed"),
        "mark_id": _("Mark"),
        "key_id": _("Key fingerprint"),
    }
    emit(rows, fmt, columns, headers=headers, empty=_("No releases recorded."))
