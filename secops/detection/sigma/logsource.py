"""Which events a rule may look at: Sigma log sources mapped to what readers put in a batch.

Readers set ``_product``, ``_service`` (a tuple, or one name) and ``_category`` where they know
them; Windows events carry ``Channel`` and ``EventID`` instead of a category. A rule's
``product``/``service``/``category`` therefore map as follows (the tables come from
pySigma-pipeline-windows and pySigma-pipeline-sysmon, plus the Security-log equivalents of the
windows-audit pipeline):

- ``product`` must equal ``_product`` when the event has one.
- ``service`` must be one of ``_service``, or for Windows the event's Channel must be that
  service's channel (``security`` -> ``Security``, ``sysmon`` -> ``Microsoft-Windows-Sysmon/Operational``).
- ``category`` must equal ``_category`` when the event has one; otherwise a Windows category
  becomes Channel/EventID conditions: ``process_creation`` is Sysmon 1 or Security 4688,
  ``registry_set`` Sysmon 13 or Security 4657, ``ps_script`` PowerShell 4104, and so on.

An event that carries no logsource information at all (a plain JSON export) is not excluded by
product/service, and a category's EventID condition applies only when the event has an EventID:
such logs are checked by every rule whose fields they have, which is what people expect from them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secops.detection.events import EventBatch

if TYPE_CHECKING:
    from sigma.rule import SigmaLogSource

SYSMON_CHANNEL = "microsoft-windows-sysmon/operational"
SECURITY_CHANNEL = "security"
POWERSHELL_CHANNELS = frozenset({"microsoft-windows-powershell/operational", "powershellcore/operational"})
POWERSHELL_CLASSIC = frozenset({"windows powershell"})
DEFENDER_CHANNEL = "microsoft-windows-windows defender/operational"
LINUX_SYSMON_CHANNEL = "linux-sysmon/operational"

Alternative = tuple[frozenset[str] | None, frozenset[int]]  # (channels, or None for any; event ids)


def _channels(value: str | Sequence[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in ([value] if isinstance(value, str) else value))


def _ids(value: Any) -> frozenset[int]:
    return frozenset([value] if isinstance(value, int) else value)


@functools.cache
def service_channels() -> dict[str, frozenset[str]]:
    """service -> Windows channel names (lowercase), from pySigma's Windows pipeline."""
    from sigma.pipelines.common import windows_logsource_mapping

    return {service: _channels(source) for service, source in windows_logsource_mapping.items()}


@functools.cache
def category_events() -> dict[tuple[str, str], tuple[Alternative, ...]]:
    """(product, category) -> alternatives; an event qualifies when one alternative holds."""
    from sigma.pipelines.sysmon.sysmon import sysmon_generic_logsource_eventid_mapping

    table: dict[tuple[str, str], tuple[Alternative, ...]] = {
        ("windows", category): ((frozenset({SYSMON_CHANNEL}), _ids(ids)),)
        for category, ids in sysmon_generic_logsource_eventid_mapping.items()
    }
    # Security-log equivalents (pySigma's windows-audit pipeline)
    for category, event_id in (("process_creation", 4688), ("registry_event", 4657), ("registry_set", 4657)):
        table["windows", category] += ((frozenset({SECURITY_CHANNEL}), frozenset({event_id})),)
    table["windows", "registry_add"] += ((frozenset({SECURITY_CHANNEL}), frozenset({4657})),)
    table.update(
        {
            ("windows", "ps_module"): ((POWERSHELL_CHANNELS, frozenset({4103})),),
            ("windows", "ps_script"): ((POWERSHELL_CHANNELS, frozenset({4104})),),
            ("windows", "ps_classic_start"): ((POWERSHELL_CLASSIC, frozenset({400})),),
            ("windows", "ps_classic_provider_start"): ((POWERSHELL_CLASSIC, frozenset({600})),),
            ("windows", "ps_classic_script"): ((POWERSHELL_CLASSIC, frozenset({800})),),
            # Defender detections (what SigmaHQ's antivirus rules describe on Windows)
            ("windows", "antivirus"): (
                (frozenset({DEFENDER_CHANNEL}), frozenset({1006, 1007, 1008, 1015, 1116, 1117})),
            ),
            ("linux", "process_creation"): ((frozenset({LINUX_SYSMON_CHANNEL}), frozenset({1})),),
            ("linux", "network_connection"): ((frozenset({LINUX_SYSMON_CHANNEL}), frozenset({3})),),
            ("linux", "file_event"): ((frozenset({LINUX_SYSMON_CHANNEL}), frozenset({11})),),
            ("linux", "file_delete"): ((frozenset({LINUX_SYSMON_CHANNEL}), frozenset({23})),),
        }
    )
    return table


# Event key: (_product, _service tuple, _category, channel lowercase, EventID)
EventKey = tuple[str | None, tuple[str, ...], str | None, str | None, int | None]


@dataclass(frozen=True)
class LogsourceSpec:
    """A rule's log source with the mapping tables it needs resolved when it is built, so that
    matching (and a spec read back from the compiled cache) needs no table and no pySigma."""

    product: str | None
    category: str | None
    service: str | None
    channels: frozenset[str] = frozenset()  # the service's Windows channels (lowercase)
    # the category's alternatives by product (windows, linux): the event's product picks one
    alternatives: tuple[tuple[str, tuple[Alternative, ...]], ...] = ()

    @classmethod
    def of(cls, logsource: SigmaLogSource) -> LogsourceSpec:
        return cls.named(logsource.product, logsource.category, logsource.service)

    @classmethod
    def named(cls, product: str | None, category: str | None, service: str | None) -> LogsourceSpec:
        def norm(value: str | None) -> str | None:
            return value.strip().lower() if value else None

        product, category, service = norm(product), norm(category), norm(service)
        channels = service_channels().get(service, frozenset()) if service else frozenset()
        alternatives = (
            tuple((name, alts) for (name, cat), alts in sorted(category_events().items()) if cat == category)
            if category
            else ()
        )
        return cls(product, category, service, channels, alternatives)

    def _alternatives(self, product: str) -> tuple[Alternative, ...] | None:
        for name, alternatives in self.alternatives:
            if name == product:
                return alternatives
        return None

    def accepts(self, key: EventKey) -> bool:
        product, services, category, channel, event_id = key
        if self.product and product and self.product != product:
            return False
        if self.service:
            known = bool(services) or channel is not None
            in_service = self.service in services or (channel is not None and channel in self.channels)
            if known and not in_service:
                return False
        if self.category:
            if category:
                return category == self.category
            alternatives = self._alternatives(self.product or product or "windows")
            if alternatives is None:
                alternatives = self._alternatives("windows") if self.product is None else None
            if alternatives is not None and (product in (None, "windows", self.product)):
                if event_id is None:
                    return channel is None  # no EventID at all: a plain export, not excluded
                return any(
                    event_id in ids and (channel is None or channels is None or channel in channels)
                    for channels, ids in alternatives
                )
            # a category the event does not name and that has no Windows mapping
            return product is None and not services
        return True


def _event_id(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _services(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.lower(),)
    if isinstance(value, tuple | list):
        return tuple(str(v).lower() for v in value)
    return (str(value).lower(),)  # a JSON line's own "_service": 5


def _hashable(value: Any) -> Any:
    """A logsource value as a dict key: a JSON line may hold a list or an object where a name belongs."""
    if isinstance(value, tuple | list):
        return tuple(_hashable(item) for item in value)
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def event_keys(batch: EventBatch) -> dict[EventKey, int]:
    """Rows of the batch grouped by logsource key, each as a bitmask of rows."""
    n = batch.size
    none: list[Any] = [None] * n
    cols = batch.columns
    products = cols.get("_product", none)
    services = cols.get("_service", none)
    categories = cols.get("_category", none)
    channels = cols.get("Channel", none)
    event_ids = cols.get("EventID", none)
    rows: dict[tuple[Any, ...], list[int]] = {}
    for row, raw_key in enumerate(
        zip(
            products,
            (tuple(s) if isinstance(s, list) else s for s in services),
            categories,
            channels,
            event_ids,
            strict=True,
        )
    ):
        try:
            found = rows.get(raw_key)
        except TypeError:  # "EventID": [4625, 1] in a JSON line: grouped by its text, matched by no EventID
            raw_key = _hashable(raw_key)
            found = rows.get(raw_key)
        if found is None:
            rows[raw_key] = [row]
        else:
            found.append(row)
    keys: dict[EventKey, int] = {}
    for (product, service, category, channel, event_id), members in rows.items():
        key: EventKey = (
            str(product).lower() if product is not None else None,
            _services(service),
            str(category).lower() if category is not None else None,
            str(channel).lower() if channel is not None else None,
            _event_id(event_id),
        )
        mask = 0
        for row in members:
            mask |= 1 << row
        keys[key] = keys.get(key, 0) | mask
    return keys


def logsource_masks(specs: Sequence[LogsourceSpec], batch: EventBatch) -> list[int]:
    """For each spec, the rows of the batch it accepts (as a bitmask)."""
    keys = event_keys(batch)
    result = []
    for spec in specs:
        mask = 0
        for key, rows in keys.items():
            if spec.accepts(key):
                mask |= rows
        result.append(mask)
    return result
