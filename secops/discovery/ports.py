"""Port specifications as profiles write them, and as nmap reports what it scanned."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from secops.errors import SecopsError
from secops.i18n import _


def parse_port_spec(spec: str) -> tuple[str, int | None, frozenset[int] | None]:
    """``top:N`` -> ("top", N, None); ``all`` -> ("list", None, 1..65535); ``22,80-90`` -> ("list", None, ports)."""
    spec = spec.strip()
    if spec.startswith("top:"):
        count = spec.removeprefix("top:")
        if not count.isdigit() or not 1 <= int(count) <= 65535:
            raise ValueError(_("ports {spec!r}: top:N needs N between 1 and 65535").format(spec=spec))
        return ("top", int(count), None)
    if spec == "all":
        return ("list", None, frozenset(range(1, 65536)))
    return ("list", None, parse_port_list(spec))


def parse_port_list(text: str) -> frozenset[int]:
    """Expand nmap's port list syntax (``22,80,8000-8100``); ``T:``/``U:`` prefixes are dropped."""
    ports: set[int] = set()
    for part in text.replace("T:", "").replace("U:", "").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(_("ports: {part!r} is not a port or a range like 8000-8100").format(part=part))
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= 65535:
            raise ValueError(_("ports: {part!r} is outside 1-65535").format(part=part))
        ports.update(range(first, last + 1))
    if not ports:
        raise ValueError(_("ports: empty port list"))
    return frozenset(ports)


def check_port_list(text: str) -> frozenset[int]:
    try:
        return parse_port_list(text)
    except ValueError as exc:
        raise SecopsError(str(exc), hint=_("write ports like 22,80,8000-8100")) from None


def format_port_list(ports: Iterable[int]) -> str:
    """nmap's port list syntax, runs of three or more written as ranges: ``21,22,80-82``."""
    ordered = sorted(set(ports))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        if end - start >= 2:
            parts.append(f"{first}-{last}")
        else:
            parts.extend(str(port) for port in ordered[start : end + 1])
        start = end + 1
    return ",".join(parts)


def port_arguments(spec: str, added: frozenset[int], top_ports: Callable[[int], frozenset[int]]) -> list[str]:
    """nmap's port options for a profile's ``ports`` plus the ports it adds.

    nmap cannot take ``--top-ports`` and ``-p`` together (with both, it picks the top N *among*
    the ``-p`` ports), so a top-N list with additions becomes one ``-p`` list: nmap's own top N
    (``top_ports``) united with the additions.
    """
    kind, top, listed = parse_port_spec(spec)
    if kind == "top" and top is not None:
        if not added:
            return ["--top-ports", str(top)]
        return ["-p", format_port_list(top_ports(top) | added)]
    return ["-p", format_port_list((listed or frozenset()) | added)]
