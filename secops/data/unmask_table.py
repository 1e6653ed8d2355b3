"""``secops data unmask``: the key holder restores the columns the ``encrypt`` operator encrypted.

Which columns: the ones named with ``columns``; otherwise every column whose sampled values are all
SM4 tokens (they say what they are), and every column a policy rule encrypts in shape
(``form: preserve``), planned on the encrypted table as ``data mask`` planned the original: the
ciphertexts keep the shape the scan recognises, so the rule picks the same column. A token that
fails its check (a modified cell, or another key's) stops the run before the output is committed:
a restored table is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa

from secops.data.column_cipher import TOKEN_PREFIX
from secops.data.mask_operators import Decrypt, Encrypt, Keep
from secops.data.mask_policy import MaskPolicy
from secops.data.mask_table import ColumnPlan, MaskReport, key_id, plan_columns, sample_column, transform_table
from secops.data.table_base import CHUNK_ROWS, Table
from secops.errors import SecopsError
from secops.i18n import _

RULES = ("column", "kind", "category")  # a policy rule chose the operator (not sensitive/others)


def _all_tokens(values: list[str]) -> bool:
    present = [v for v in values if v.strip()]
    return bool(present) and all(v.startswith(TOKEN_PREFIX) for v in present)


def plan_unmask(
    table: Table,
    first: pa.RecordBatch | None,
    policy: MaskPolicy,
    key: bytes,
    columns: Sequence[str],
    today: date,
) -> list[ColumnPlan]:
    if columns:
        unknown = sorted(set(columns) - set(table.header))
        if unknown:
            raise SecopsError(
                _("{source}: no column {names}").format(source=table.shown, names=", ".join(unknown)),
                hint=_("the columns are: {names}").format(names=", ".join(table.header)),
            )
    planned, _minors = plan_columns(table, first, policy, key, today)
    samples = [sample_column(c) for c in first.columns] if first is not None else [[] for _ in table.header]
    if not columns and not any(_all_tokens(values) for values in samples):
        # in-shape ciphertexts look like plaintext: without the tokens an encrypted table always
        # has, "decrypting" a plain table would scramble its IDs and report success
        raise SecopsError(
            _("{source}: no encrypted column found (no SM4:… tokens); it does not look encrypted").format(
                source=table.shown
            ),
            hint=_("a table from data mask --policy encrypt has token columns; name in-shape columns with --column"),
        )
    plans = []
    for plan, values in zip(planned, samples, strict=True):
        if columns:
            chosen, reason = plan.name in columns, "named"
        elif _all_tokens(values):
            chosen, reason = True, "tokens"
        else:  # token-form columns were found by their values; the policy names the in-shape ones
            operator = plan.operator
            chosen = isinstance(operator, Encrypt) and operator.form == "preserve" and plan.reason in RULES
            reason = plan.reason
        operator = Decrypt(plan.kind, key) if chosen else Keep(plan.kind)
        plans.append(ColumnPlan(plan.name, plan.kind, plan.label, plan.category, plan.sensitive, operator, reason))
    return plans


def _check(plans: list[ColumnPlan]) -> None:
    """Before the output is committed: a forged or foreign token, or a column with nothing of this
    key's to decrypt, stops the run."""
    decrypting = [(p, p.operator) for p in plans if isinstance(p.operator, Decrypt)]
    failed = [(p.name, op.failed_checks) for p, op in decrypting if op.failed_checks]
    if failed:
        raise SecopsError(
            _("{cells} encrypted cells failed their check ({columns}): modified, or encrypted with another key").format(
                cells=f"{sum(count for _name, count in failed):,}",
                columns=", ".join(f"{name}: {count:,}" for name, count in failed),
            ),
            hint=_("check --key-file; nothing was written"),
        )
    empty = [p.name for p, op in decrypting if not p.changed and op.fallbacks]
    if empty:
        raise SecopsError(
            _("no ciphertext of this key in column {names}").format(names="、".join(empty)),
            hint=_("check --column and --key-file; nothing was written"),
        )


def unmask_table(
    source: str,
    output: str,
    *,
    policy: MaskPolicy,
    key: bytes,
    columns: Sequence[str] = (),
    today: date | None = None,
    encoding: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_xlsx_mb: float | None = None,
) -> MaskReport:
    """Decrypt ``source``'s encrypted columns into ``output``; nothing is written when any token
    fails its check."""

    def planner(table: Table, first: pa.RecordBatch | None) -> tuple[list[ColumnPlan], int]:
        return plan_unmask(table, first, policy, key, columns, today or date.today()), 0

    report = transform_table(
        source,
        output,
        planner,
        policy.id,
        encoding=encoding,
        chunk_rows=chunk_rows,
        max_xlsx_mb=max_xlsx_mb,
        check=_check,
        permissions=0o600,  # the restored table is plaintext student data again
    )
    report.key_id = key_id(key)
    return report
