"""CACAO v2.0 (OASIS) JSON import and export of playbooks.

Steps become a chain of ``action`` steps with manual commands between a ``start`` and an ``end``
step. CACAO has no deadline, role or evidence field, so they travel in an extension property
(``extension-definition--`` below), as the standard intends; the playbook-level extension keeps
the GB/T 20986 category, alert matching and examples so an export imports back unchanged.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import yaml

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident.playbooks import Playbook

EXTENSION = "extension-definition--3c0e0e6a-7a43-5f45-9c1e-5ec0b5e2a001"
_NAMESPACE = uuid.UUID("6f1d7c8e-2f6b-4a59-9a0e-5ec0b5e2a000")


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


def to_cacao(playbook: Playbook, *, now: datetime) -> dict[str, Any]:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    start, end = _id("start", playbook.id, "start"), _id("end", playbook.id, "end")
    step_ids = [_id("action", playbook.id, s.id) for s in playbook.steps]
    workflow: dict[str, Any] = {start: {"type": "start", "on_completion": step_ids[0]}}
    for index, (step, step_id) in enumerate(zip(playbook.steps, step_ids, strict=True)):
        workflow[step_id] = {
            "type": "action",
            "name": step.name,
            "description": step.instructions,
            "commands": [{"type": "manual", "command": step.instructions}],
            "on_completion": step_ids[index + 1] if index + 1 < len(step_ids) else end,
            "extensions": {
                EXTENSION: {
                    "step_id": step.id,
                    "role": step.role,
                    "evidence": list(step.evidence),
                    "deadline": step.deadline,
                }
            },
        }
    workflow[end] = {"type": "end"}
    return {
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": _id("playbook", playbook.id),
        "name": playbook.name.zh,
        "description": playbook.name.en,
        "playbook_types": ["remediation"],
        "created_by": "identity--" + str(uuid.uuid5(_NAMESPACE, "secops")),
        "created": stamp,
        "modified": stamp,
        "industry_sectors": ["education"],
        "workflow_start": start,
        "workflow": workflow,
        "extension_definitions": {
            EXTENSION: {
                "type": "extension-definition",
                "name": "secops incident deadlines",
                "description": "Step deadline (ISO-8601 duration from detection), role and evidence; "
                "playbook category (GB/T 20986-2023) and alert matching.",
                "created_by": "identity--" + str(uuid.uuid5(_NAMESPACE, "secops")),
                "schema": "https://secops.invalid/cacao/deadline-extension",
                "version": "1.0.0",
            }
        },
        "extensions": {
            EXTENSION: {
                "playbook_id": playbook.id,
                "name_en": playbook.name.en,
                "category": playbook.category,
                "subcategory": playbook.subcategory,
                "default_grade": playbook.default_grade,
                "notified": playbook.notified,
                "applies_to": playbook.applies_to.model_dump(),
                "examples": {"match": list(playbook.examples.match), "no_match": list(playbook.examples.no_match)},
            }
        },
    }


def from_cacao(data: dict[str, Any]) -> Playbook:
    """A playbook from CACAO JSON; steps follow the workflow from workflow_start (errors say where)."""
    if data.get("type") != "playbook" or data.get("spec_version") != "cacao-2.0":
        raise SecopsError(_("not a CACAO 2.0 playbook (type: playbook, spec_version: cacao-2.0 expected)"))
    workflow = data.get("workflow") or {}
    current = data.get("workflow_start")
    steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    while current and current in workflow and current not in seen:
        seen.add(current)
        step = workflow[current]
        if step.get("type") == "action":
            ext = (step.get("extensions") or {}).get(EXTENSION)
            if not ext or "deadline" not in ext:
                raise SecopsError(
                    _("workflow step {step} has no deadline extension").format(step=current),
                    hint=_("add {extension}").format(extension=EXTENSION),
                )
            steps.append(
                {
                    "id": ext.get("step_id") or current.split("--")[-1][:8],
                    "name": step.get("name", ""),
                    "role": ext.get("role", "值班人员"),
                    "instructions": step.get("description") or "",
                    "evidence": list(ext.get("evidence", [])),
                    "deadline": ext["deadline"],
                }
            )
        elif step.get("type") not in ("start", "end"):
            raise SecopsError(
                _("workflow step {step}: type {type!r} is not supported yet (only a chain)").format(
                    step=current, type=step.get("type")
                )
            )
        current = step.get("on_completion")
    meta = (data.get("extensions") or {}).get(EXTENSION) or {}
    try:
        return Playbook.model_validate(
            {
                "id": meta.get("playbook_id") or str(data.get("id", "")).split("--")[-1][:12],
                "name": {
                    "zh": data.get("name", ""),
                    "en": meta.get("name_en") or data.get("description") or "imported",
                },
                "category": meta.get("category", "10"),
                "subcategory": meta.get("subcategory", "其他"),
                "default_grade": meta.get("default_grade", "一般"),
                "notified": bool(meta.get("notified", False)),
                "applies_to": meta.get("applies_to", {}),
                "steps": steps,
                "examples": meta.get("examples", {"match": [], "no_match": []}),
            }
        )
    except ValueError as error:
        raise SecopsError(
            _("the CACAO playbook does not make a valid secops playbook: {error}").format(error=error)
        ) from None


def playbook_yaml(playbook: Playbook) -> str:
    data = playbook.model_dump(mode="json", by_alias=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def load_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SecopsError(_("not JSON: line {line}: {error}").format(line=error.lineno, error=error.msg)) from None
    if not isinstance(value, dict):
        raise SecopsError(_("a CACAO playbook is a JSON object"))
    return value
