"""A school's compliance summary as the center takes it: validated for the school whose key signed it.

The summary's shape is ``secops.protocol.compliance``; it is kept by ``secops.center.compliance_store``.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from secops.protocol.compliance import ComplianceSummary


class ForeignSummary(ValueError):
    """The summary names another school than the key's."""


def parse_summary(body: bytes, school: str, covers: frozenset[str] = frozenset()) -> ComplianceSummary:
    """Validate a posted summary for ``school`` (or, from a lower center, a school it ``covers``):
    ValueError (what is wrong) or ForeignSummary."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed JSON: {exc}") from None
    try:
        summary = ComplianceSummary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValueError(f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None
    if summary.school.code != school and summary.school.code not in covers:
        raise ForeignSummary(f"the summary is for school {summary.school.code}, the key for {school}")
    return summary
