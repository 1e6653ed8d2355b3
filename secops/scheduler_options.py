"""What a scheduled job of each kind runs with: its options checked now (not at 2 a.m.), its default id
and the keyword arguments stored with it (``secops.scheduler.add_job`` pairs them with the runner)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from secops.config import Workspace
from secops.errors import SecopsError
from secops.i18n import _

_SINCE = re.compile(r"^[1-9][0-9]{0,5}[smhdw]$")


def discover_options(workspace: Workspace, profile: str, targets: list[str]) -> tuple[str, dict[str, Any]]:
    # Check now what the job would check at 2 a.m.: profile and targets.
    from secops.discovery.targets import resolve_targets
    from secops.inventory.job import load_profile

    load_profile(profile)
    resolve_targets(targets, workspace.config.networks())
    return f"discover-{profile}", {"profile": profile, "targets": targets}


def forward_options(workspace: Workspace, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from secops.forward.sync import load_target

    load_target(workspace)  # set up now, not discovered broken at the first run
    return "forward", {"batch": int(options.get("batch") or 500)}


def rule_paths(options: dict[str, Any]) -> str:
    """The job's --rules checked now and joined with os.pathsep (default: the shipped Sigma pack)."""
    paths: list[Path] = []
    for given in options.get("rules") or ():
        path = Path(str(given)).expanduser().resolve()
        if not path.exists():
            raise SecopsError(
                _("--rules {path} does not exist").format(path=given), hint=_("a Sigma rule file or folder")
            )
        paths.append(path)
    if not paths:
        from secops.content.locate import content_root

        paths = [content_root("rules") / "sigma"]
    return os.pathsep.join(str(p) for p in paths)


def detect_options(options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    given = [Path(str(p)).expanduser() for p in options.get("paths") or ()]
    if not given:
        raise SecopsError(
            _("a detect job needs --paths"),
            hint=_("e.g. {example}").format(example="--paths /var/log/nginx --paths /var/log/auth.log"),
        )
    missing = [str(p) for p in given if not p.exists()]
    if missing:
        raise SecopsError(
            _("--paths {paths} does not exist").format(paths=", ".join(missing)), hint=_("a log file or folder")
        )
    paths = os.pathsep.join(str(p.resolve()) for p in given)
    return "detect", {"paths": paths, "rules": rule_paths(options)}


def hunt_options(options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    es_url, index = options.get("es_url"), options.get("index")
    if not es_url or not index:
        raise SecopsError(
            _("a hunt job needs --es URL and --index PATTERN"),
            hint=_("e.g. {example}").format(example="--es http://127.0.0.1:9200 --index 'logs-*'"),
        )
    if not str(es_url).startswith(("http://", "https://")):
        raise SecopsError(
            _("--es {url!r} is not an http(s) URL").format(url=es_url),
            hint=_("e.g. {example}").format(example="http://127.0.0.1:9200"),
        )
    since = str(options.get("since") or "24h")
    if not _SINCE.match(since):
        raise SecopsError(
            _("--since {since!r} is not a duration").format(since=since),
            hint=_("a number and s, m, h, d or w, e.g. 24h"),
        )
    kwargs = {"es_url": str(es_url), "index": str(index), "rules": rule_paths(options), "since": since}
    return "hunt", kwargs


def assess_options(workspace: Workspace, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # Check now what the job would find at night: the system, its targets, something to gather.
    from secops.dengbao.systems import get_system
    from secops.discovery.targets import resolve_targets
    from secops.workspace import open_workspace_store

    name = str(options.get("system") or "")
    if not name:
        raise SecopsError(_("an assess job needs --system NAME"), hint=_("see secops dengbao system list"))
    targets = [str(t) for t in options.get("targets") or ()]
    ssh_hosts = [str(h) for h in options.get("ssh_hosts") or ()]
    with open_workspace_store(workspace) as store:
        system = get_system(store, name)
    if targets:
        resolve_targets(targets, workspace.config.networks())  # refuses out-of-scope targets now
    if not (targets or ssh_hosts or options.get("local") or system.asset_tag):
        raise SecopsError(
            _("system {name!r} has nothing to assess automatically").format(name=system.name),
            hint=_("give --target, --local or --ssh, or tag its assets and set the system's --asset-tag"),
        )
    kwargs = {
        "system": system.name,
        "targets": targets,
        "local": bool(options.get("local")),
        "ssh_hosts": ssh_hosts,
        "ssh_user": options.get("ssh_user"),
        "ssh_identity": str(options["ssh_identity"]) if options.get("ssh_identity") else None,
        "credentials": bool(options.get("credentials", True)),
    }
    scanned_from = options.get("scanned_from")
    if scanned_from is not None:
        if scanned_from not in ("outside", "inside"):
            raise SecopsError(
                _("--scanned-from {value!r} is not valid").format(value=scanned_from), hint=_("use outside or inside")
            )
        kwargs["scanned_from"] = str(scanned_from)
    return f"assess-{system.id}", kwargs  # job ids are ASCII; system names often are not


def drill_options(options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A recurring 应急演练: the scenario and speed checked now."""
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.drill.store import check_speed

    name = options.get("scenario")
    if not name:
        raise SecopsError(
            _("a drill job needs --scenario"), hint=_("see secops drill scenarios, e.g. --scenario webshell-portal")
        )
    scenario = scenario_named(str(name))
    speed = check_speed(float(options.get("speed") or 1.0))
    return f"drill-{scenario.id}", {"scenario": scenario.id, "speed": speed, "notify": bool(options.get("notify"))}
