"""``secops data encrypt|decrypt``: files encrypted with SM4 for named recipients (SM2) or a passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, cast

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.keys_cmd import _PASSPHRASE_HELP, read_passphrase
from secops.cli.output import emit, force_option, format_option, localize, refuse_overwrite, say
from secops.errors import SecopsError
from secops.i18n import _


def _open_input(path: Path) -> None:
    if not path.is_file():
        raise SecopsError(_("{path} is not a file").format(path=path), hint=_("give the file to encrypt or decrypt"))


@click.command("encrypt", cls=SecopsCommand)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the encrypted file"
)
@click.option("--recipient", "recipients", multiple=True, help="a key name from `secops keys list` (repeatable)")
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also open with a passphrase: " + _PASSPHRASE_HELP,
)
@force_option()
@pass_app
def encrypt(
    app: AppContext, source: Path, output: Path, recipients: tuple[str, ...], passphrase_file: Path | None, force: bool
) -> None:
    """Encrypt SOURCE (any file: a roster, an export, an archive) into OUTPUT for each RECIPIENT:
    SM4-GCM content, its key wrapped with each recipient's SM2 public key. Only they decrypt it,
    any modified byte is detected, and the release is recorded (recipients, size, SM3 of OUTPUT)."""
    from secops.data.seal.envelope import seal, sm3_file
    from secops.data.seal.keys import recipient
    from secops.data.seal.ledger import record_release
    from secops.fsutil import atomic_output

    _open_input(source)
    _file_only(output)
    refuse_overwrite(output, force)
    if output.resolve() == source.resolve():
        raise SecopsError(_("the output would replace the file being encrypted"), hint=_("choose another -o"))
    passphrase = read_passphrase(passphrase_file) if passphrase_file is not None else None
    workspace = app.workspace()
    with app.store(workspace) as store:
        chosen = [recipient(store, name) for name in dict.fromkeys(recipients)]
        with source.open("rb") as reader, atomic_output(output, "wb") as writer:
            size = seal(reader, cast(BinaryIO, writer), chosen, passphrase)
        release = record_release(
            store, chosen, source.name, output.name, size, sm3_file(output), app.now(), passphrase is not None
        )
    names = ", ".join([key.name for key in chosen] + ([_("passphrase")] if passphrase is not None else []))
    say(
        _("{output} written for {names} (release #{release}, {size:,} bytes encrypted)").format(
            output=output, names=names, release=release, size=size
        )
    )


@click.command("decrypt", cls=SecopsCommand)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the decrypted file (0600)"
)
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_PASSPHRASE_HELP)
@force_option()
@pass_app
def decrypt(app: AppContext, source: Path, output: Path, passphrase_file: Path | None, force: bool) -> None:
    """Decrypt SOURCE (written by `secops data encrypt`) into OUTPUT with this workspace's own key
    (or the passphrase). OUTPUT appears only when every byte authenticated: a wrong key, a modified
    or a truncated file leaves nothing behind."""
    from secops.data.seal.envelope import content_key_for, read_header, unseal
    from secops.data.seal.keys import OWN, list_keys, needs_passphrase, private_key
    from secops.fsutil import atomic_output

    _open_input(source)
    _file_only(output)
    refuse_overwrite(output, force)
    if output.resolve() == source.resolve():
        raise SecopsError(_("the output would replace the file being decrypted"), hint=_("choose another -o"))
    passphrase = read_passphrase(passphrase_file)
    workspace = app.workspace()
    with source.open("rb") as reader:
        header = read_header(reader, str(source))
        wanted = {str(entry.get("key_id")) for entry in header.recipients}
        with app.store(workspace) as store:
            own = [key for key in list_keys(store) if key.kind == OWN and key.key_id in wanted]
        holders = [
            (
                key,
                private_key(workspace.path, key, passphrase if needs_passphrase(workspace.path, key.key_id) else None),
            )
            for key in own
        ]
        content_key = content_key_for(header, holders, passphrase)
        with atomic_output(output, "wb", permissions=0o600) as writer:
            size = unseal(reader, cast(BinaryIO, writer), header, content_key)
    say(_("{output} decrypted ({size:,} bytes, authenticated)").format(output=output, size=size))


@click.command("releases", cls=SecopsCommand)
@format_option()
@pass_app
def releases(app: AppContext, fmt: str) -> None:
    """Every release of student data from this workspace, oldest first: watermarked copies (who got
    which marked copy) and encrypted files (for whom, their size and the SM3 of the file sent)."""
    from secops.data.seal.ledger import list_releases as encrypted_releases
    from secops.data.watermark.ledger import list_releases as marked_releases

    workspace = app.workspace()
    with app.store(workspace) as store:
        marked = [r.as_dict() for r in marked_releases(store)]
        sealed = encrypted_releases(store)
    rows = [
        {
            "kind": "watermarked",
            "created_at": r["created_at"],
            "recipient": r["recipient"],
            "file": r["output"],
            "detail": _("{rows:,} rows, mark {mark}").format(rows=r["rows"], mark=r["mark_id"]),
        }
        for r in marked
    ] + [
        {
            "kind": "encrypted",
            "created_at": r["created_at"],
            "recipient": ", ".join(str(x["name"]) for x in r["recipients"]),
            "file": r["output_name"],
            "detail": _("{size:,} bytes, SM3 {digest}").format(size=r["plain_bytes"], digest=r["digest"][:16]),
        }
        for r in sealed
    ]
    rows = localize(rows, workspace.config.timezone)
    rows.sort(key=lambda row: row["created_at"])
    if fmt == "table":
        for row in rows:
            row["kind"] = _("watermarked") if row["kind"] == "watermarked" else _("encrypted")
    headers = {
        "kind": _("kind"),
        "created_at": _("Released at"),
        "recipient": _("Recipient"),
        "file": _("file"),
        "detail": _("detail"),
    }
    emit(rows, fmt, list(headers), headers=headers, empty=_("No releases recorded."))


def _file_only(output: Path) -> None:
    """``-o -`` would make a file named ``-``: refused (neither ciphertext nor plaintext goes to a terminal)."""
    from secops.errors import SecopsError

    if str(output) == "-":
        raise SecopsError(_("-o - is not supported here: the result is written to a file"), hint=_("give a file name"))
