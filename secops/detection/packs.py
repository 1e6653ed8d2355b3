"""Content packs: Sigma rules, YARA rules and indicator lists a center publishes, checked here
(at the center before signing, and again at the school before installing: a signature proves who
sent a pack, not that its rules are sound) and installed in the workspace under ``packs/<name>/``.

Each installed version is a folder ``packs/<name>/v<version>/`` written whole before the symlink
``packs/<name>/current`` is switched to it, so a detection run sees the old pack or the new one,
never half of either. Indicator lists are not matched by code of their own: at install they become
a generated Sigma rule (IP addresses and domains as keywords, searched in every log line) and a
generated YARA rule (file hashes, through YARA's hash module), so ``detect run`` and ``yara scan``
use them with the rest of the pack.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from secops.content.kinds import kind_named
from secops.content.validate import check_file, iter_content_files
from secops.detection.pack_dirs import CURRENT, MANIFEST, InstalledPack, installed, packs_root
from secops.errors import ContentError, SecopsError
from secops.i18n import _
from secops.protocol.packs import FILE_KINDS, PackBody, PackFile

MAX_INDICATORS = 50_000
GENERATED_YARA = "_indicators.yar"
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HEX = re.compile(r"^[0-9a-f]+$")
_HASHES = {32: "md5", 40: "sha1", 64: "sha256"}
# A pack's YARA file must not reach beyond itself: ``include`` would make the school's compiler
# read (and leak, through error messages and matches) any file the forwarder can read.
_YARA_INCLUDE = re.compile(r"^\s*include\s", re.MULTILINE)
_SIGMA_ID = re.compile(r"^id:[ \t]*['\"]?([^'\"\s#]+)", re.MULTILINE)


@dataclass
class Indicators:
    ips: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    hashes: dict[str, list[str]] = field(default_factory=dict)  # md5 | sha1 | sha256 -> hex digests

    @property
    def count(self) -> int:
        return len(self.ips) + len(self.domains) + sum(len(v) for v in self.hashes.values())

    def extend(self, other: Indicators) -> None:
        self.ips += [i for i in other.ips if i not in self.ips]
        self.domains += [d for d in other.domains if d not in self.domains]
        for algo, values in other.hashes.items():
            known = self.hashes.setdefault(algo, [])
            known += [v for v in values if v not in known]


def parse_indicators(text: str, path: Path) -> tuple[Indicators, list[ContentError]]:
    """One indicator a line (an IP address, a domain, an MD5/SHA-1/SHA-256 hash), ``#`` comments."""
    found = Indicators()
    errors: list[ContentError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.split("#", 1)[0].strip().lower()
        if not value:
            continue
        if len(value) in _HASHES and _HEX.match(value):
            found.hashes.setdefault(_HASHES[len(value)], []).append(value)
            continue
        try:
            found.ips.append(str(ipaddress.ip_address(value)))
            continue
        except ValueError:
            pass
        if _DOMAIN.match(value.rstrip(".")):
            found.domains.append(value.rstrip("."))
            continue
        errors.append(
            ContentError(
                path,
                number,
                _("{value!r} is not an IP address, domain or MD5/SHA-1/SHA-256").format(value=raw.strip()[:80]),
            )
        )
    if found.count > MAX_INDICATORS:
        errors.append(ContentError(path, None, _("more than {count} indicators").format(count=MAX_INDICATORS)))
    return found, errors


def _check_text(kind: str, name: str, text: str, where: Path) -> list[ContentError]:
    """Errors in one pack file whose text sits at ``where`` (reported under ``name``)."""
    if kind == "indicators":
        return parse_indicators(text, Path(name))[1]
    include = _YARA_INCLUDE.search(text) if kind == "yara" else None
    if include is not None:
        line = text.count("\n", 0, include.start()) + 1
        return [ContentError(Path(name), line, _("include is not allowed in a pack (it would read local files)"))]
    content_kind = kind_named("sigma-rule" if kind == "sigma" else "yara-rule")
    errors = check_file(where, content_kind)
    return [ContentError(Path(name) if e.path == where else e.path, e.line, e.message) for e in errors]


def _shipped_sigma_ids() -> dict[str, Path]:
    from secops.content.locate import content_root

    found: dict[str, Path] = {}
    for path in sorted((content_root("rules") / "sigma").rglob("*.yml")):
        for match in _SIGMA_ID.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(match.group(1), path)
    return found


def _id_clashes(named: Sequence[tuple[Path, str]]) -> list[ContentError]:
    """A Sigma rule whose id is a shipped rule's, or another in the pack, would be dropped silently
    by the rule loader (the first of an id wins): refused instead."""
    seen = _shipped_sigma_ids()
    errors = []
    for path, text in named:
        for match in _SIGMA_ID.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            other = seen.get(match.group(1))
            if other is not None:
                message = _("id {id} is already the id of {name}").format(id=match.group(1), name=other.name)
                errors.append(ContentError(path, line, message))
            else:
                seen[match.group(1)] = path
    return errors


def check_files(files: Sequence[PackFile]) -> list[ContentError]:
    """Every problem in a pack's files, as ``name:line: message``: what a school checks on receipt."""
    errors: list[ContentError] = []
    with tempfile.TemporaryDirectory(prefix="secops-pack-") as tmp:
        for item in files:
            where = Path(tmp) / item.kind / item.name
            where.parent.mkdir(exist_ok=True)
            where.write_text(item.text, encoding="utf-8")
            errors.extend(_check_text(item.kind, item.name, item.text, where))
    errors.extend(_id_clashes([(Path(f.name), f.text) for f in files if f.kind == "sigma"]))
    return errors


def collect(sources: dict[str, Sequence[Path]]) -> tuple[list[PackFile], list[ContentError]]:
    """The files under ``sources`` (kind -> files or folders) read and checked where they are, so an
    error names the publisher's own file and line."""
    files: list[PackFile] = []
    errors: list[ContentError] = []
    sigma: list[tuple[Path, str]] = []
    for kind, paths in sources.items():
        for path in paths:
            if not path.exists():
                errors.append(ContentError(path, None, _("no such file or folder")))
                continue
            found = _files_of(kind, path)
            if not found:
                message = _("no {kind} file ({suffixes}) here").format(kind=kind, suffixes=", ".join(FILE_KINDS[kind]))
                errors.append(ContentError(path, None, message))
            for one in found:
                try:
                    text = one.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    errors.append(ContentError(one, None, _("cannot read as UTF-8 text: {reason}").format(reason=exc)))
                    continue
                errors.extend(_check_text(kind, str(one), text, one))
                if kind == "sigma":
                    sigma.append((one, text))
                try:
                    files.append(PackFile(name=one.name, kind=kind, text=text))
                except ValueError as exc:
                    errors.append(ContentError(one, None, str(exc).splitlines()[-1].strip()))
    errors.extend(_id_clashes(sigma))
    return files, errors


def _files_of(kind: str, path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if kind == "indicators":
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(FILE_KINDS[kind]))
    content_kind = kind_named("sigma-rule" if kind == "sigma" else "yara-rule")
    return [p for p, _ in iter_content_files([path], content_kind)]


def _generated_sigma(name: str, version: int, found: Indicators) -> dict[str, str]:
    """File name -> rule (JSON is YAML). One rule per log family: a Sigma log source cannot be
    empty, and one that names a product skips events of another product. A log line that carries
    no log source (a plain JSON export) may be matched by more than one of them."""
    values = [*found.ips, *found.domains]
    if not values:
        return {}
    docs = {}
    families = {"web": {"category": "webserver"}, "linux": {"product": "linux"}, "windows": {"product": "windows"}}
    for family, source in families.items():
        rule_id = uuid.uuid5(uuid.NAMESPACE_URL, f"secops-pack:{name}:{family}")
        docs[f"_indicators_{family}.yml"] = json.dumps(
            {
                "title": f"威胁指标命中（{name} v{version}，{family}）",
                "id": str(rule_id),
                "status": "stable",
                "description": f"Generated from the indicator lists of content pack {name} v{version}.",
                "level": "high",
                "logsource": source,
                "detection": {"keywords": values, "condition": "keywords"},
                "tags": ["attack.command-and-control"],
            },
            ensure_ascii=False,
            indent=1,
        )
    return docs


def _generated_yara(name: str, version: int, found: Indicators) -> str | None:
    checks = [
        f'hash.{algo}(0, filesize) == "{value}"' for algo, values in sorted(found.hashes.items()) for value in values
    ]
    if not checks:
        return None
    ident = "pack_" + re.sub(r"[^A-Za-z0-9_]", "_", name) + "_indicator_hashes"
    condition = "\n        or ".join(checks)
    return (
        'import "hash"\n\n'
        f"rule {ident}\n{{\n    meta:\n"
        f'        description = "File hash listed in content pack {name} v{version}"\n'
        '        author = "secops content pack"\n'
        f'        date = "{datetime.now().date().isoformat()}"\n'
        '        severity = "high"\n'
        f'        reference = "pack:{name}:{version}"\n'
        f"    condition:\n        {condition}\n}}\n"
    )


def install(
    workspace: Path, body: PackBody, *, pack_id: str, issuer: str, issued_at: datetime, now: datetime
) -> InstalledPack:
    """Write ``body`` as ``packs/<name>/v<version>/`` and switch ``current`` to it; the older
    version goes. The caller has checked the files (check_files) and the version."""
    folder = packs_root(workspace) / body.name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
    found = Indicators()
    counts = {"sigma": 0, "yara": 0, "indicators": 0}
    try:
        for item in body.files:
            (staging / item.kind).mkdir(exist_ok=True)
            (staging / item.kind / item.name).write_text(item.text, encoding="utf-8")
            if item.kind == "indicators":
                parsed, _errors = parse_indicators(item.text, Path(item.name))
                found.extend(parsed)
            else:
                counts[item.kind] += 1
        counts["indicators"] = found.count
        generated = [("sigma", n, t) for n, t in _generated_sigma(body.name, body.version, found).items()]
        hashes = _generated_yara(body.name, body.version, found)
        if hashes is not None:
            generated.append(("yara", GENERATED_YARA, hashes))
        for kind, name, text in generated:
            (staging / kind).mkdir(exist_ok=True)
            (staging / kind / name).write_text(text, encoding="utf-8")
        manifest = {
            "name": body.name,
            "version": body.version,
            "pack_id": pack_id,
            "issuer": issuer,
            "issued_at": issued_at.isoformat(),
            "installed_at": now.isoformat(),
            **counts,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        target = folder / f"v{body.version}"
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SecopsError(
            _("cannot install pack {name} v{version}: {reason}").format(
                name=body.name, version=body.version, reason=exc
            )
        ) from None
    link = folder / f".{CURRENT}-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, folder / CURRENT)  # atomic: a run sees the old version or the new one
    for old in folder.glob("v*"):
        if old.name != target.name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return next(p for p in installed(workspace) if p.name == body.name)


def describe(errors: Iterable[ContentError]) -> str:
    """One line for a refusal: the first problem and how many there are."""
    listed = list(errors)
    more = f" (and {len(listed) - 1} more problem(s))" if len(listed) > 1 else ""
    return f"{listed[0]}{more}" if listed else ""
