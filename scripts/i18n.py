#!/usr/bin/env python3
"""Keep the one message catalog (secops/locale/zh_CN/LC_MESSAGES/secops.po) complete and compiled.

    scripts/i18n.py update    add every message the code and the command tree show, drop gone ones,
                              keep translations; then compile the .mo
    scripts/i18n.py compile   compile the .po into the .mo the package ships
    scripts/i18n.py check     exit 1 naming what is untranslated, stale or inconsistent (the test runs it)
    scripts/i18n.py merge F…  take the translations of other copies of the .po (e.g. from a branch) where
                              this one has none, then update

Messages come from three places: ``_()``, ``N_()`` and ``ngettext()`` calls with literal strings in
secops/; every help text of the click command tree (imported and walked, so the ids are exactly what
click holds at run time); and click's own messages, which secops routes through the same catalog.
Needs Babel (a development dependency): the package itself reads the .mo with the standard gettext.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "secops" / "locale" / "zh_CN" / "LC_MESSAGES" / "secops.po"
MO = PO.with_suffix(".mo")
_CALLS = {"_": 1, "N_": 1, "ngettext": 2}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%\([a-z_]+\)[sdr]")

Message = tuple[str, str]  # (msgid, where)


def _literal_calls(path: Path, display: str) -> Iterator[Message]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id not in _CALLS:
            continue
        for argument in node.args[: _CALLS[node.func.id]]:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value:
                yield argument.value, f"{display}:{node.lineno}"


def code_messages() -> Iterator[Message]:
    for path in sorted((ROOT / "secops").rglob("*.py")):
        yield from _literal_calls(path, str(path.relative_to(ROOT)))


def click_messages() -> Iterator[Message]:
    import click

    folder = Path(click.__file__).parent
    for path in sorted(folder.glob("*.py")):
        if path.name != "_winconsole.py":
            yield from _literal_calls(path, f"click/{path.name}")


def help_messages() -> Iterator[Message]:
    """Every help text of the command tree, as click holds it."""
    sys.path.insert(0, str(ROOT))
    import click

    from secops.cli.base import HELP_OPTION_HELP
    from secops.cli.main import cli

    yield HELP_OPTION_HELP, "click help option"

    def walk(command: click.Command, path: str) -> Iterator[Message]:
        for attribute in ("help", "short_help", "epilog"):
            value = getattr(command, attribute, None)
            if isinstance(value, str) and value:
                yield value, path
        for param in command.params:
            for attribute in ("help", "show_default"):
                value = getattr(param, attribute, None)
                if isinstance(value, str) and value:
                    yield value, f"{path} {param.name}"
        if isinstance(command, click.Group):
            lazy = getattr(command, "lazy", {})
            for name, (_target, short) in lazy.items():
                yield short, f"{path} {name}"
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None:
                    yield from walk(sub, f"{path} {name}")

    yield from walk(cli, "secops")


def all_messages() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for source in (code_messages(), help_messages(), click_messages()):
        for msgid, where in source:
            found.setdefault(msgid, []).append(where)
    return found


def placeholders(text: str) -> set[str]:
    return {re.sub(r"![rsa]|:.*", "", match).strip("{}") for match in _PLACEHOLDER.findall(text)}


def _read_po() -> object:
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="secops")


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    old = _read_po() if PO.exists() else Catalog(locale="zh_CN", domain="secops")
    new = Catalog(locale="zh_CN", domain="secops", project="secops", charset="utf-8")
    for msgid, places in sorted(all_messages().items()):
        previous = old.get(msgid)  # type: ignore[attr-defined]
        new.add(msgid, previous.string if previous is not None else "", locations=[(p, None) for p in places[:3]])
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, new, width=0, sort_output=True, omit_header=False, include_lineno=False)
    compile_mo()


def merge(others: list[Path]) -> None:
    from babel.messages.pofile import read_po, write_po

    ours = _read_po()
    for other in others:
        with other.open("rb") as handle:
            theirs = read_po(handle, locale="zh_CN", domain="secops")
        for message in theirs:
            if not message.id or not message.string:
                continue
            mine = ours.get(message.id)  # type: ignore[attr-defined]
            if mine is None:
                ours.add(message.id, message.string)  # type: ignore[attr-defined]
            elif not mine.string:
                mine.string = message.string
    with PO.open("wb") as handle:
        write_po(handle, ours, width=0, sort_output=True, include_lineno=False)  # type: ignore[arg-type]
    update()


def compile_mo() -> None:
    """Write the .mo beside it and rename it into place, so a running secops never reads half a file."""
    import os

    from babel.messages.mofile import write_mo

    partial = MO.with_suffix(".mo.partial")
    with partial.open("wb") as handle:
        write_mo(handle, _read_po())  # type: ignore[arg-type]
    os.replace(partial, MO)


def problems() -> list[str]:
    """What keeps the catalog from being complete and consistent, one line each."""
    import gettext

    from babel.messages.mofile import write_mo

    if not PO.exists():
        return [f"{PO} is missing: run scripts/i18n.py update"]
    catalog = _read_po()
    out: list[str] = []
    wanted = all_messages()
    for msgid, places in sorted(wanted.items()):
        entry = catalog.get(msgid)  # type: ignore[attr-defined]
        if entry is None:
            out.append(f"not in the catalog ({places[0]}): {msgid[:80]!r}; run scripts/i18n.py update")
        elif not entry.string:
            out.append(f"untranslated ({places[0]}): {msgid[:80]!r}")
        elif placeholders(msgid) != placeholders(entry.string):
            out.append(f"placeholders differ ({places[0]}): {msgid[:60]!r} -> {entry.string[:60]!r}")
    stale = [m.id for m in catalog if m.id and m.id not in wanted]  # type: ignore[attr-defined]
    out += [f"no longer used: {msgid[:80]!r}; run scripts/i18n.py update" for msgid in stale]
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # type: ignore[arg-type]
    shipped = gettext.GNUTranslations(MO.open("rb")) if MO.exists() else None
    expected = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
    if shipped is None or shipped._catalog != expected._catalog:  # type: ignore[attr-defined]
        out.append(f"{MO.name} is not compiled from the current .po: run scripts/i18n.py compile")
    return out


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    command = args[0] if args else "check"
    if command == "update":
        update()
    elif command == "merge":
        merge([Path(arg) for arg in args[1:]])
    elif command == "compile":
        compile_mo()
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
