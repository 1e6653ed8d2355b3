"""Building rules and batches by hand for the Sigma engine tests."""

from __future__ import annotations

import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from secops.detection.events import BatchBuilder, EventBatch
from secops.detection.sigma import Engine, load_rules

SYSMON = {"_product": "windows", "_service": "sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational"}
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def rule_yaml(detection: str, logsource: str = "product: windows\n  category: process_creation", **extra: str) -> str:
    rule_id = extra.pop("id", str(uuid.uuid4()))
    head = (
        f"title: {extra.pop('title', 'test rule')}\nid: {rule_id}\nstatus: test\nlevel: {extra.pop('level', 'high')}\n"
    )
    return head + f"logsource:\n  {logsource}\ndetection:\n" + textwrap.indent(textwrap.dedent(detection).strip(), "  ")


def engine_for(tmp_path: Path, *rules: str) -> Engine:
    folder = tmp_path / f"rules-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    for index, text in enumerate(rules):
        (folder / f"r{index}.yml").write_text(text, encoding="utf-8")
    ruleset = load_rules([folder])
    assert not ruleset.errors, [str(e) for e in ruleset.errors]
    engine = Engine(ruleset)
    assert not engine.errors, [str(e) for e in engine.errors]
    return engine


def batch_of(
    *events: dict[str, Any], source: str = "evtx", base: dict[str, Any] | None = None, raws: list[str] | None = None
) -> EventBatch:
    builder = BatchBuilder(source, f"test.{source}")
    defaults = SYSMON | {"EventID": 1} if base is None else base
    for index, fields in enumerate(events):
        raw = raws[index] if raws else repr(fields)
        builder.add(index + 1, T0 + timedelta(seconds=index), raw, defaults | fields)
    return builder.take()


def matched(engine: Engine, batch: EventBatch) -> list[int]:
    """Records of the batch that any rule matched."""
    return sorted({m.record for m in engine.match(batch, include_hidden=True)})
