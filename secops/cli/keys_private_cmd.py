"""``secops keys export-private|import-private``: an own SM2 key pair as PKCS#8 PEM, so it can move to
or from OpenSSL 3, GmSSL or another workspace (a new machine, a key made by the provincial CA's tool).

The private key never reaches a terminal by accident: ``-o`` is required and ``-o -`` (stdout) has
to be asked for. Written files are owner-only (0600) and replace nothing without ``--force``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import force_option, refuse_overwrite, say
from secops.errors import SecopsError
from secops.i18n import _

_STORE_HELP = (
    "unlock (export) or seal (import) the key in this workspace: a file whose first line is the passphrase"
    " (or $SECOPS_KEY_PASSPHRASE; - reads stdin)"
)
PASSPHRASE_ENV = "SECOPS_KEY_PASSPHRASE"  # noqa: S105 - the name of a variable
_FILE_HELP = "a file whose first line is the passphrase of the PEM file (- reads stdin)"


def _passphrase(path: Path | None, option: str, *, environment: bool = False, new: bool = True) -> str | None:
    """The first line of ``path`` (``-``: stdin); with ``environment``, $SECOPS_KEY_PASSPHRASE when no
    file is given, as `keys_cmd.read_passphrase` reads the workspace key's passphrase (not imported
    from there: keys_cmd imports this module). A PEM file's own passphrase comes only from its own
    option, and one made elsewhere (``new`` False) may be shorter than the 8 characters asked here."""
    text: str | None = None
    if path is not None:
        try:
            raw = sys.stdin.readline() if str(path) == "-" else path.read_text(encoding="utf-8")[:4096]
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise click.BadParameter(
                _("cannot read {path}: {reason}").format(path=path, reason=reason), param_hint=option
            ) from None
        lines = raw.splitlines()
        text = lines[0] if lines else ""
    elif environment and os.environ.get(PASSPHRASE_ENV):
        text = os.environ[PASSPHRASE_ENV]
    if text is not None and new and len(text) < 8:
        raise click.BadParameter(_("the passphrase must be at least 8 characters"), param_hint=option)
    if text == "":
        raise click.BadParameter(_("give the passphrase"), param_hint=option)
    return text


def _one_stdin(**options: Path | None) -> None:
    reading = [name for name, path in options.items() if path is not None and str(path) == "-"]
    if len(reading) > 1:
        raise click.UsageError(_("only one passphrase can come from stdin (-)"))


@click.command("export-private", cls=SecopsCommand)
@click.argument("name")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the PEM file (0600); - writes to stdout, which must be asked for explicitly",
)
@force_option()
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_STORE_HELP)
@click.option(
    "--out-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="encrypt the PEM with this passphrase (8 characters or more): " + _FILE_HELP,
)
@click.option(
    "--gmssl",
    is_flag=True,
    help="GmSSL 3's layout: the curve also inside the key, and encrypted with PBKDF2-HMAC-SM3 and SM4-CBC"
    " (GmSSL reads only that; OpenSSL 3.0 cannot decrypt it)",
)
@pass_app
def export_private(
    app: AppContext,
    name: str,
    output: Path,
    force: bool,
    passphrase_file: Path | None,
    out_passphrase_file: Path | None,
    gmssl: bool,
) -> None:
    """Write the private key of own key NAME as PKCS#8 PEM that OpenSSL 3 and GmSSL read:
    ``PRIVATE KEY`` (unencrypted), or with --out-passphrase-file ``ENCRYPTED PRIVATE KEY``
    (PBES2: scrypt and SM4-CBC; `openssl pkey -passin file:F` opens it; with --gmssl
    PBKDF2-HMAC-SM3 and SM4-CBC, as GmSSL 3 writes and reads). Whoever holds the file decrypts
    every file sent to NAME: keep it like the key itself.

    \b
      secops keys export-private 本校 -o 本校.key.pem --out-passphrase-file 口令.txt
      openssl pkey -in 本校.key.pem -passin file:口令.txt -text -noout
    """
    from secops.data.seal import pkcs8
    from secops.data.seal.keys import OWN, named, needs_passphrase, private_key
    from secops.fsutil import atomic_output

    _one_stdin(passphrase_file=passphrase_file, out_passphrase_file=out_passphrase_file)
    to_stdout = str(output) == "-"
    if not to_stdout:
        refuse_overwrite(output, force)
    passphrase = _passphrase(passphrase_file, "--passphrase-file", environment=True)
    out_passphrase = _passphrase(out_passphrase_file, "--out-passphrase-file")
    workspace = app.workspace()
    with app.store(workspace) as store:
        key = named(store, name)
    if key.kind != OWN:
        raise SecopsError(
            _("{name} is a recipient's public key; this workspace has no private half of it").format(name=key.name),
            hint=_("only own keys (`secops keys list`, kind own) can be exported"),
        )
    private = private_key(workspace.path, key, passphrase if needs_passphrase(workspace.path, key.key_id) else None)
    if out_passphrase is None:
        pem = pkcs8.to_pem(private, gmssl=gmssl)
    else:
        pem = pkcs8.to_encrypted_pem(private, out_passphrase, gmssl=gmssl)
    if to_stdout:
        click.echo(pem, nl=False)
        return
    with atomic_output(output, "w", permissions=0o600) as handle:
        handle.write(pem)
    shown = _("encrypted") if out_passphrase is not None else _("NOT encrypted")
    say(_("private key {name} ({key_id}) written to {path} ({state})").format(
        name=key.name, key_id=key.key_id, path=output, state=shown
    ))  # fmt: skip


@click.command("import-private", cls=SecopsCommand)
@click.argument("name")
@click.argument("pem", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--in-passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_FILE_HELP)
@pass_app
def import_private(
    app: AppContext, name: str, pem: Path, passphrase_file: Path | None, in_passphrase_file: Path | None
) -> None:
    """Take an SM2 private key from PEM as own key NAME (stored like `secops keys new`): PKCS#8
    ``PRIVATE KEY`` (`openssl genpkey -algorithm SM2`), ``ENCRYPTED PRIVATE KEY`` (PBES2: scrypt
    or PBKDF2, SM4-CBC or AES-CBC; give --in-passphrase-file) or SEC1 ``EC PRIVATE KEY``. The curve
    must be sm2p256v1 and the key consistent; otherwise nothing is written.

    \b
      openssl genpkey -algorithm SM2 -out office.key.pem
      secops keys import-private 区教育局 office.key.pem [--passphrase-file 口令.txt]
    """
    from secops.data.seal import pkcs8
    from secops.data.seal.keys import import_private as record
    from secops.data.seal.keys import private_path

    _one_stdin(passphrase_file=passphrase_file, in_passphrase_file=in_passphrase_file)
    try:
        with pem.open("rb") as handle:
            raw = handle.read(pkcs8.MAX_FILE + 1)  # at most 64 KiB (and a byte to tell it was more)
    except OSError as exc:
        raise SecopsError(
            _("cannot read {path}: {reason}").format(path=pem, reason=exc.strerror),
            hint=_("give the PEM file of the private key"),
        ) from None
    in_passphrase = _passphrase(in_passphrase_file, "--in-passphrase-file", new=False)
    passphrase = _passphrase(passphrase_file, "--passphrase-file", environment=True)  # to seal it here
    try:
        private = pkcs8.from_pem(raw, in_passphrase)
    except pkcs8.PassphraseNeeded as exc:
        raise SecopsError(
            _("{path}: {reason}").format(path=pem, reason=exc),
            hint=_("give its passphrase with --in-passphrase-file FILE"),
        ) from None
    except pkcs8.WrongPassphrase as exc:
        raise SecopsError(
            _("{path}: {reason}").format(path=pem, reason=exc),
            hint=_("check the file given to --in-passphrase-file; nothing was imported"),
        ) from None
    except pkcs8.KeyFileError as exc:
        raise SecopsError(
            _("{path} is not a usable SM2 private key: {reason}").format(path=pem, reason=exc),
            hint=_("give the PEM of `openssl genpkey -algorithm SM2` or `secops keys export-private`"),
        ) from None
    workspace = app.workspace()
    with app.store(workspace) as store:
        key = record(store, workspace.path, name, private, app.now(), passphrase=passphrase)
    say(_("key {name} imported: id {key_id}").format(name=key.name, key_id=key.key_id))
    say("  " + _("private half: {path}").format(path=private_path(workspace.path, key.key_id)))
