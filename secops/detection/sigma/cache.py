"""Compiled Sigma rule sets kept between runs: loading and compiling ~2,400 SigmaHQ Windows rules
takes seconds, every run and every scheduled job; reading them back from the cache takes a tenth
of a second.

The cache key is a SHA-256 over everything the compiled form depends on: each rule file's path,
size and modification time, the placeholders, the secops and pySigma versions and this format's
number; any change misses the cache and compiles afresh. Entries are written to a temporary file and renamed into
place (two runs racing both write whole files; either wins), and only the newest few are kept.

What is stored is plain data (tuples, strings, numbers, address networks): the atoms, the
log-source specs and each rule's tree and metadata, not pySigma's objects, which take longer to
unpickle than to parse; only the correlation rules (a handful) are kept parsed. A rule set that
failed to load or compile anywhere is not cached (its errors must be shown again). The
cache is in the workspace (0700): whoever can write there can change the rules anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, is_dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from secops import __version__
from secops.detection.sigma.atoms import Atom, AtomTable, Glob, Regex
from secops.detection.sigma.engine import CompiledRule, Engine
from secops.detection.sigma.logsource import LogsourceSpec
from secops.detection.sigma.ruleset import iter_rule_files

FORMAT = 4
KEEP = 4  # compiled sets kept (a few rule sources in use at once: shipped, packs, --rules)
_ARGS: dict[str, type[Glob] | type[Regex]] = {"Glob": Glob, "Regex": Regex}


def _pysigma() -> str:
    try:
        return version("pySigma")
    except PackageNotFoundError:
        return "?"


def digest(paths: Sequence[Path], placeholders: Mapping[str, Sequence[str]] | None) -> str:
    """The cache key of the rules under ``paths`` with ``placeholders``: each rule file's path,
    size, inode and modification time (in nanoseconds), not its bytes: reading 2,400 files took a
    third of a warm start, and an edit, a copy or an install changes the modification time."""
    hasher = hashlib.sha256(f"secops-sigma-cache:{FORMAT}:{__version__}:{_pysigma()}".encode())
    for path in iter_rule_files(paths):
        info = path.stat()
        hasher.update(f"\n{os.path.abspath(path)}\0{info.st_size}\0{info.st_ino}\0{info.st_mtime_ns}".encode())
    hasher.update(json.dumps(placeholders or {}, sort_keys=True, ensure_ascii=False).encode())
    return hasher.hexdigest()


def _flat_atom(atom: Atom) -> tuple[Any, ...]:
    arg = atom.arg
    if is_dataclass(arg) and not isinstance(arg, type):
        arg = ("\0" + type(arg).__name__, astuple(arg))
    return (atom.field, atom.op, arg, atom.cased)


def _atom(field: str | None, op: str, arg: Any, cased: bool) -> Atom:
    if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str) and arg[0].startswith("\0"):
        arg = _ARGS[arg[0][1:]](*arg[1])
    return Atom(field, op, arg, cased)


def _dump(engine: Engine) -> bytes:
    rules = [
        (r.key, r.title, r.level, r.tags, r.tree, r.spec, r.hidden, str(r.origin[0]) if r.origin else "?",
         r.origin[1] if r.origin else 0, r.name, r.title_zh)
        for r in engine.rules
    ]  # fmt: skip
    specs = [astuple(spec) for spec in engine.specs]
    ruleset = engine.ruleset
    # correlations stay parsed (they reference their base rules, which come along): a handful at most
    correlations = [(c, ruleset.origin(c)) for c in ruleset.correlations]
    keys = (engine.base_keys, engine.generated)
    payload = (FORMAT, [_flat_atom(a) for a in engine.table.atoms], specs, rules, engine.warnings, correlations, keys)
    return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


def _load(data: bytes) -> Engine | None:
    payload = pickle.loads(data)  # noqa: S301 - our own file in the owner-only workspace
    if not isinstance(payload, tuple) or payload[0] != FORMAT:
        return None
    _, atoms, specs, rules, warnings, correlations, (base_keys, generated) = payload
    table = AtomTable()
    table.atoms = [_atom(*flat) for flat in atoms]
    table.index = {atom: index for index, atom in enumerate(table.atoms)}
    compiled = [
        CompiledRule(
            None, key, title, level, tags, tree, spec, hidden, origin=(Path(path), line), name=name, title_zh=title_zh
        )
        for key, title, level, tags, tree, spec, hidden, path, line, name, title_zh in rules
    ]
    return Engine.from_compiled(
        table,
        [LogsourceSpec(*s) for s in specs],
        compiled,
        [],
        list(warnings),
        correlations=correlations,
        base_keys=set(base_keys),
        generated=set(generated),
    )


def _save(engine: Engine, path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sigma-")
        with os.fdopen(fd, "wb") as out:
            out.write(_dump(engine))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink()
    except (OSError, pickle.PicklingError, TypeError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)  # a cache that cannot be written only costs the next run a compile


def load_engine(
    paths: Iterable[Path],
    *,
    placeholders: Mapping[str, Sequence[str]] | None = None,
    cache_dir: Path | None = None,
) -> tuple[Engine, bool]:
    """The engine for the rules under ``paths``, from the cache when it holds them (and True)."""
    paths = list(paths)
    entry = None
    if cache_dir is not None:
        try:
            entry = cache_dir / f"{digest(paths, placeholders)}.pickle"
        except OSError:
            entry = None  # an unreadable rule file: load_rules reports it
    if entry is not None and entry.is_file():
        try:
            engine = _load(entry.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, TypeError, ValueError, KeyError, AttributeError):
            engine = None  # truncated, or written by another version: compile afresh
        if engine is not None:
            return engine, True
    from secops.detection.sigma.rules import load_rules  # pySigma: only when compiling

    ruleset = load_rules(paths)
    engine = Engine(ruleset, placeholders=placeholders)
    if entry is not None and not engine.errors and (engine.rules or ruleset.correlations):
        _save(engine, entry)
    return engine, False
