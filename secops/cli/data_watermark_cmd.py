"""``secops data watermark``: mark a copy per recipient, record the release, trace a leaked copy."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, emit_object, format_option, localize

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
) -> None:
    """Write OUTPUT: SOURCE (CSV, XLSX, JSON, JSON lines, Parquet or a SQL URL such as
    sqlite:///x.db#table) marked for RECIPIENT, in OUTPUT's format, and record the release."""
    from secops.data.watermark.keys import workspace_key
    from secops.data.watermark.release import EmbedOptions, release

    workspace = app.workspace()
    key, _ = workspace_key(workspace.path, key_file)
    options = EmbedOptions(identity, carrier, gamma, pseudonymize)
    with app.store(workspace) as store:
        result = release(store, source, output, key=key, recipient=recipient, now=app.now(), options=options)
    value = result.as_dict()
    if fmt != "table":
        emit_object(value, fmt)
        return
    stats = result.stats
    changed = sum(stats.changed.values())
    click.echo(f"已为「{result.recipient}」生成带水印副本 {output}（发放记录 #{result.release_id}）")
    click.echo(f"  行数 {stats.rows:,} · 行标识 {'+'.join(result.scheme.identity)} · 水印编号 {result.mark_id}")
    click.echo(
        f"  载体列 {', '.join(c.column for c in result.scheme.carriers)} · 标记 {sum(stats.marked.values()):,} 格"
        f" · 改动 {changed:,} 格（载体单元格的 {stats.changed_share:.2%}，仅末位）"
    )
    if result.pseudonymized:
        click.echo(f"  假名化列 {', '.join(result.pseudonymized)}（按接收方密钥生成，可单行溯源）")
    if stats.unaddressable:
        click.echo(f"  {stats.unaddressable:,} 行缺少行标识，未加水印")
    click.echo(f"  密钥指纹 {result.key_id}")


@watermark.command()
@click.argument("suspect")
@click.option("--key-file", type=click.Path(path_type=Path), help=_KEY_HELP)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_app
def detect(app: AppContext, suspect: str, key_file: Path | None, fmt: str) -> None:
    """Name the recipient whose copy SUSPECT is, with the false-accusation bound; exit 1 when no
    recipient can be named (no mark, ambiguous, or another key)."""
    from secops.data.watermark.keys import workspace_key
    from secops.data.watermark.ledger import list_releases
    from secops.data.watermark.trace import trace_table

    workspace = app.workspace()
    key, _ = workspace_key(workspace.path, key_file)
    with app.store(workspace) as store:
        releases = list_releases(store)
    trace = trace_table(suspect, key=key, releases=releases)
    verdict = trace.verdict
    if fmt == "json":
        emit_object(trace.as_dict(), "json")
    else:
        _print_trace(trace.as_dict(), len(releases))
    if verdict.named is None:
        raise SystemExit(1)


def _print_trace(value: dict[str, object], releases: int) -> None:
    reason = value["verdict"]
    others = value["releases_with_other_keys"]
    key_id = value["key_id"]
    if reason == "named":
        click.echo(
            f"水印指向接收方「{value['recipient']}」：{value['matches']}/{value['total']} 个指纹位相符，"
            f"误判概率上界 {value['candidates'][0]['bound_text']}"  # type: ignore[index]
        )
        return
    if not value["releases_tested"] and others:
        click.echo(f"no mark found with this key (key fingerprint {key_id})")
        listed = ", ".join(f"{k} ({n} 次发放)" for k, n in others.items())  # type: ignore[attr-defined]
        click.echo(f"hint: 台账中的发放使用的是其他密钥：{listed}；请用当时的 --key-file 重试", err=True)
        return
    if not releases:
        click.echo("no mark found: 本工作区的发放台账为空")
        return
    if reason == "ambiguous":
        click.echo("no mark found: 证据同时指向多个接收方，不作认定（可能为合谋或混合副本）")
    else:
        click.echo(f"no mark found (key fingerprint {key_id})：未发现足以认定任何接收方的水印")
    if value["releases_without_identity"]:
        click.echo(f"  {value['releases_without_identity']} 次发放的行标识列不在此文件中", err=True)
    best = value["candidates"][:3]  # type: ignore[index]
    if best:
        emit(best, "table", ["recipient", "matches", "total", "bound_text"])


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
    emit(rows, fmt, columns)
