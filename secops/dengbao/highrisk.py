"""Whether a high-risk case of the guide is lowered by a mitigation.

Only a mitigation the guide names for the case lowers it, and the questionnaire names it by ID
(``rules/dengbao/highrisk``: ``<case>-<slug>``). Free text in the mitigation column is kept as a
note for the report and never lowers a case; a case the guide marks ``mitigable: false`` cannot
be lowered at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from secops.dengbao.catalog import HighRiskCase
from secops.records.highrisk import HighRiskProblem

# a mitigation ID anywhere in a cell: 6.4.1.2-mgmt-vpn (separated by spaces, commas, 、 or ；)
_ID_IN_TEXT = re.compile(r"(?<![\w.])\d+(?:\.\d+){3}-[a-z0-9]+(?:-[a-z0-9]+)*(?![\w-])")
_SEPARATORS = " \t\r\n,，、;；/|"


def split_mitigation(text: str) -> tuple[tuple[str, ...], str]:
    """(mitigation IDs named in a questionnaire cell, the remaining free text)."""
    ids = tuple(dict.fromkeys(_ID_IN_TEXT.findall(text)))
    rest = _ID_IN_TEXT.sub(" ", text)
    rest = re.sub(r"\s+", " ", rest).strip(_SEPARATORS)
    return ids, rest


def mitigation_choices(case: HighRiskCase) -> list[dict[str, str]]:
    return [{"id": m.id, "summary": m.summary} for m in case.mitigations]


def judge_mitigation(case: HighRiskCase, cells: Iterable[str]) -> dict[str, Any]:
    """The mitigation fields of a high-risk problem, from the mitigation cells of the case's items.

    ``unmitigated`` is false only when a cell names a mitigation the guide allows for this case.
    """
    named: list[str] = []
    notes: list[str] = []
    for cell in cells:
        ids, rest = split_mitigation(cell or "")
        named.extend(i for i in ids if i not in named)
        if rest and rest not in notes:
            notes.append(rest)
    applied = [m for m in case.mitigations if m.id in named]
    ignored = [i for i in named if i not in case.mitigation_ids]
    return {
        "mitigable": case.mitigable,
        "mitigations_collected": case.mitigations_collected,
        "allowed_mitigations": mitigation_choices(case),
        "mitigations_applied": [m.id for m in applied],
        "mitigation": "；".join(f"{m.id} {m.summary}" for m in applied),
        "mitigation_note": "；".join(notes),
        "mitigations_ignored": ignored,  # named, but not one this case allows
        "unmitigated": not applied,
    }


def mitigation_state(problem: HighRiskProblem) -> str:
    """One line for a report's status column."""
    if not problem.unmitigated:
        return f"已采取指引认可的缓解措施：{problem.mitigation}"
    if problem.mitigable is False:
        return "未缓解（高风险；指引规定此案例不可缓解）"
    if problem.mitigations_collected is False:
        return "未缓解（高风险；本库尚未收录指引认可的缓解措施，待核实）"
    return "未缓解（高风险）"
