"""``secops keys``: the workspace's SM2 encryption keys and its recipients' public keys."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, force_option, format_option, localize, refuse_overwrite, say, text_output
from secops.errors import SecopsError
from secops.i18n import _

_PASSPHRASE_HELP = (
    "a file whose first line is the passphrase (or $SECOPS_KEY_PASSPHRASE, $SECOPS_KEY_PASSPHRASE_FILE; - reads stdin)"  # noqa: S105
)


def read_passphrase(path: Path | None, *, required: bool = False) -> str | None:
    """The passphrase from --passphrase-file (``-`` for stdin) or the environment, never an argument
    (it would show in the process list and the shell history)."""
    text: str | None = None
    if path is not None:
        try:
            raw = sys.stdin.readline() if str(path) == "-" else path.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror), param_hint="--passphrase-file"
            ) from None
        text = raw.splitlines()[0] if raw.splitlines() else ""
    else:
        from secops.keyseal.unlock import passphrase_from_env

        text = passphrase_from_env()  # $SECOPS_KEY_PASSPHRASE, or the file $SECOPS_KEY_PASSPHRASE_FILE names
    if text is not None and len(text) < 8:
        raise click.BadParameter(_("the passphrase must be at least 8 characters"), param_hint="--passphrase-file")
    if required and text is None:
        raise click.BadParameter(_("give the passphrase"), param_hint="--passphrase-file")
    return text


@click.group(cls=SecopsGroup)
def keys() -> None:
    """Encryption keys (SM2): this school's key pairs and its recipients' public keys.

    \b
      secops keys new 本校                      # a key pair; the private half in keys/ (0600)
      secops keys export-public 本校 -o school.pub.pem
      secops keys import-public 区教育局 district.pub.pem
      secops data encrypt roster.xlsx -o roster.xlsx.seal --recipient 区教育局
      secops keys seal --passphrase-file /root/secops.pass   # the workspace's own keys, sealed at rest
    """


@keys.command("new")
@click.argument("name")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_PASSPHRASE_HELP)
@pass_app
def new(app: AppContext, name: str, passphrase_file: Path | None) -> None:
    """A new SM2 key pair named NAME: files encrypted to it open only here. The private half is
    keys/<key id>.sm2 in the workspace (0600), sealed with a passphrase when one is given."""
    from secops.data.seal.keys import new_key, private_path

    passphrase = read_passphrase(passphrase_file)
    workspace = app.workspace()
    with app.store(workspace) as store:
        key = new_key(store, workspace.path, name, app.now(), passphrase=passphrase)
    say(_("key {name} made: id {key_id}").format(name=key.name, key_id=key.key_id))
    say("  " + _("private half: {path}").format(path=private_path(workspace.path, key.key_id)))
    say("  " + _("give recipients' senders the public half: secops keys export-public {name}").format(name=key.name))


@keys.command("list")
@format_option()
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """This workspace's keys: its own (it can decrypt) and its recipients' (it can encrypt to)."""
    from secops.data.seal.keys import OWN, list_keys

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = list_keys(store)
    rows = localize(
        [
            {
                "name": key.name,
                "key_id": key.key_id,
                "kind": _("own") if key.kind == OWN else _("recipient"),
                "created_at": key.created_at,
                "revoked": key.revoked_at or "",
            }
            for key in found
        ],
        workspace.config.timezone,
    )
    headers = {
        "name": _("name"),
        "key_id": _("key id"),
        "kind": _("kind"),
        "created_at": _("created"),
        "revoked": _("revoked"),
    }
    emit(rows, fmt, headers=headers, empty=_("no keys yet: secops keys new NAME"))


@keys.command("export-public")
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="PEM file (default: stdout)")
@force_option()
@pass_app
def export_public(app: AppContext, name: str, output: Path | None, force: bool) -> None:
    """Print or write the public half of key NAME as PEM (OpenSSL and GmSSL read it)."""
    from secops.data.seal import spki
    from secops.data.seal.keys import named

    if output is not None:
        refuse_overwrite(output, force)
    workspace = app.workspace()
    with app.store(workspace) as store:
        key = named(store, name)
    with text_output(output) as out:
        out.write(spki.to_pem(key.public))


@keys.command("import-public")
@click.argument("name")
@click.argument("pem", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_public(app: AppContext, name: str, pem: Path) -> None:
    """Record a recipient's public key (PEM SubjectPublicKeyInfo on sm2p256v1, or its point in hex)
    under NAME, e.g. 区教育局; files can then be encrypted to it."""
    from secops.data.seal import spki
    from secops.data.seal.keys import import_public as record

    try:
        raw = pem.read_bytes()[: 64 * 1024]
    except OSError as exc:
        raise SecopsError(_("cannot read {path}: {reason}").format(path=pem, reason=exc.strerror)) from None
    try:
        public = spki.from_pem(raw)
    except ValueError as exc:
        raise SecopsError(
            _("{path} is not an SM2 public key: {reason}").format(path=pem, reason=exc),
            hint=_("ask the recipient for the PEM that `secops keys export-public` or `openssl pkey -pubout` writes"),
        ) from None
    workspace = app.workspace()
    with app.store(workspace) as store:
        key = record(store, name, public, app.now())
    say(_("public key {name} recorded: id {key_id}").format(name=key.name, key_id=key.key_id))


@keys.command("revoke")
@click.argument("name")
@pass_app
def revoke(app: AppContext, name: str) -> None:
    """Encrypt nothing new to key NAME (a lost or replaced key); files already made still name it."""
    from secops.data.seal.keys import revoke as mark_revoked

    workspace = app.workspace()
    with app.store(workspace) as store:
        key = mark_revoked(store, name, app.now())
    say(_("key {name} ({key_id}) revoked").format(name=key.name, key_id=key.key_id))


def _secret_files(app: AppContext, files: tuple[str, ...]) -> list[tuple[Path, str]]:
    """(path, purpose) of each FILE: a bare name is the workspace's file, anything else a path (so
    a center home's upstream.key is sealed by its path, with no workspace needed)."""
    from secops.keyseal import PURPOSES

    if not files:
        folder = app.workspace().path
        return [(folder / name, name) for name in PURPOSES]
    found = []
    for name in files:
        path = Path(name)
        if path.name not in PURPOSES:
            raise click.BadParameter(
                _("{name} is not a key secops seals; give {names}").format(name=name, names=", ".join(PURPOSES)),
                param_hint="FILE",
            )
        if len(path.parts) == 1:
            path = app.workspace().path / path
        if not path.exists():
            raise SecopsError(_("{path} does not exist").format(path=path))
        found.append((path, path.name))
    return found


def _sealing_passphrase(path: Path | None) -> str:
    """--passphrase-file, the environment, or (on a terminal) typed twice."""
    text = read_passphrase(path)
    if text is None and sys.stdin.isatty():
        text = str(click.prompt(_("passphrase to seal with"), hide_input=True, confirmation_prompt=True, err=True))
        if len(text) < 8:
            raise click.BadParameter(_("the passphrase must be at least 8 characters"), param_hint="--passphrase-file")
    if text is None:
        raise click.BadParameter(
            _("give the passphrase with --passphrase-file FILE or $SECOPS_KEY_PASSPHRASE, or seal with --keyring"),
            param_hint="--passphrase-file",
        )
    return text


@keys.command("seal")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_PASSPHRASE_HELP)
@click.option("--keyring", "use_keyring", is_flag=True, help="keep the wrapping key in the OS keyring instead")
@pass_app
def seal(app: AppContext, files: tuple[str, ...], passphrase_file: Path | None, use_keyring: bool) -> None:
    """Seal the workspace's own keys at rest (FILE: data.key, audit.key, center.key, upstream.key, or
    a path to one such as a center home's upstream.key; default every one present): SM4-GCM under a
    passphrase (scrypt) or a key in the OS keyring. Every command still reads them, given
    $SECOPS_KEY_PASSPHRASE or $SECOPS_KEY_PASSPHRASE_FILE."""
    from secops.keyseal import PLAIN, seal_file, state

    if use_keyring and passphrase_file is not None:
        raise click.UsageError(_("give --passphrase-file or --keyring, not both"))
    targets = [(path, purpose) for path, purpose in _secret_files(app, files) if path.exists()]
    plain = [(path, purpose) for path, purpose in targets if state(path).state == PLAIN]
    for path in sorted({path for path, _purpose in targets} - {path for path, _purpose in plain}):
        say(_("{path} is sealed already; unchanged").format(path=path))
    if not plain:
        if not targets:
            say(_("no workspace keys to seal here"))
        return
    passphrase = None if use_keyring else _sealing_passphrase(passphrase_file)
    for path, purpose in plain:
        seal_file(path, purpose, passphrase=passphrase)
        how = _("the OS keyring") if use_keyring else _("a passphrase")
        say(_("{path} sealed with {how}").format(path=path, how=how))
    if not use_keyring:
        say(_("services and the scheduler read them with SECOPS_KEY_PASSPHRASE_FILE=<a 0600 file holding it>"))


@keys.command("unseal")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path), help=_PASSPHRASE_HELP)
@pass_app
def unseal(app: AppContext, files: tuple[str, ...], passphrase_file: Path | None) -> None:
    """Make sealed workspace keys plain again (hex or key text, 0600), with the passphrase or the OS keyring."""
    from secops.keyseal import unseal_file

    passphrase = read_passphrase(passphrase_file) if passphrase_file is not None else None
    targets = [(path, purpose) for path, purpose in _secret_files(app, files) if path.exists()]
    for path, purpose in targets:
        if unseal_file(path, purpose, passphrase=passphrase):
            say(_("{path} is plain again").format(path=path))
        else:
            say(_("{path} is plain already; unchanged").format(path=path))


@keys.command("status")
@format_option()
@pass_app
def status(app: AppContext, fmt: str) -> None:
    """Whether each workspace key file is plain, sealed (and with what) or missing, and its mode."""
    from secops.keyseal import MISSING, PLAIN, PURPOSES, SEALED, state
    from secops.keyseal.box import KEYRING, PASSPHRASE

    folder = app.workspace().path
    labels = {
        MISSING: _("not present"),
        PLAIN: _("plain"),
        PASSPHRASE: _("sealed (passphrase)"),
        KEYRING: _("sealed (keyring)"),
        SEALED: _("sealed (damaged)"),  # a sealed file whose protector cannot be read
    }
    rows = []
    for name in PURPOSES:
        found = state(folder / name)
        shown = labels[found.protector or found.state] if fmt == "table" else found.state
        mode = f"{found.mode:04o}" if found.mode is not None else ""
        rows.append({"file": name, "state": shown, "protector": found.protector or "", "mode": mode})
    headers = {"file": _("file"), "state": _("state"), "protector": _("protector"), "mode": _("mode")}
    emit(rows, fmt, columns=None if fmt != "table" else ["file", "state", "mode"], headers=headers)


from secops.cli.keys_private_cmd import export_private, import_private  # noqa: E402 - after `keys`

keys.add_command(export_private)
keys.add_command(import_private)
