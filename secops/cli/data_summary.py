"""What ``secops data scan``, ``mask`` and ``unmask`` print: the column headers and the summary of a
mask or unmask run (totals, notes, one row per column; never a value)."""

from __future__ import annotations

from typing import Any

import click

from secops.cli.output import emit
from secops.i18n import N_, _


def column_headers() -> dict[str, str]:
    return {
        "column": _("Column"),
        "label": _("Identified as"),
        "category": _("Category"),
        "level": _("Level"),
        "sensitive": _("Sensitive"),
        "confidence": _("Confidence"),
        "hits": _("Hits"),
        "examples": _("Examples (masked)"),
        "note": _("Note"),
        "operator": _("Operator"),
        "chosen_by": _("Chosen by"),
        "changed": _("Cells changed"),
        "fallbacks": _("Fallbacks"),
    }


# which part of the policy chose a column's operator (secops.data.mask_table.ColumnPlan.reason)
CHOSEN_BY = {
    "column": N_("column name"),
    "kind": N_("identified kind"),
    "category": N_("category"),
    "sensitive": N_("sensitive"),
    "others": N_("other columns"),
    "tokens": N_("its tokens"),
    "named": N_("--column"),
}

OPERATOR_NAMES = {
    "mask": N_("partial masking"),
    "pseudonym": N_("pseudonym (HMAC)"),
    "ff1": N_("format-preserving encryption (FF1)"),
    "encrypt": N_("reversible encryption (SM4)"),
    "decrypt": N_("decrypted (SM4)"),
    "generalize": N_("generalization"),
    "suppress": N_("removed"),
    "keep": N_("kept"),
}


def print_summary(value: dict[str, Any]) -> None:
    """The human summary of a mask or unmask run: totals, notes and one row per column."""
    rate = _(" · {rate:,} rows/s").format(rate=value["rows_per_second"]) if value["rows_per_second"] else ""
    click.echo(
        _("{source} -> {output}: {rows:,} rows · policy {policy}").format(
            source=value["source"], output=value["output"], rows=value["rows"], policy=value["policy"]
        )
        + rate
    )
    if value.get("key_id"):
        shown = _("key id {key_id} (the same key restores encrypted columns)").format(key_id=value["key_id"])
        click.echo(f"  · {shown}")
    notes = []
    if value["minors_under_14_in_sample"]:
        notes.append(_("minors under 14 in the sample: all their personal information is handled as sensitive"))
    if value["ragged_rows"]:
        notes.append(
            _("{count:,} row(s) with the wrong number of columns (padded or cut)").format(count=value["ragged_rows"])
        )
    if value["formula_cells_neutralised"]:
        notes.append(
            _("{count:,} cell(s) looked like formulas and were prefixed with ' against injection").format(
                count=value["formula_cells_neutralised"]
            )
        )
    if value["cells_truncated"]:
        notes.append(_("{count:,} cell(s) longer than XLSX allows were cut").format(count=value["cells_truncated"]))
    for note in notes:
        click.echo(f"  · {note}")
    rows = [
        {
            "column": c["column"],
            "label": c["label"] or "",
            "category": c["category"] or "",
            "operator": _(OPERATOR_NAMES[c["operator"]]) if c["operator"] in OPERATOR_NAMES else c["operator"],
            "chosen_by": _(CHOSEN_BY[c["chosen_by"]]) if c["chosen_by"] in CHOSEN_BY else c["chosen_by"],
            "changed": f"{c['cells_changed']:,}",
            "fallbacks": f"{c['fallbacks']:,}" if c["fallbacks"] else "",
        }
        for c in value["columns"]
    ]
    columns = ["column", "label", "category", "operator", "chosen_by", "changed", "fallbacks"]
    emit(rows, "table", columns, headers=column_headers(), empty=_("No columns."))
