"""Port specifications as profiles write them, and as nmap reports what it scanned."""

from __future__ import annotations

from secops.errors import SecopsError


def parse_port_spec(spec: str) -> tuple[str, int | None, frozenset[int] | None]:
    """``top:N`` -> ("top", N, None); ``all`` -> ("list", None, 1..65535); ``22,80-90`` -> ("list", None, ports)."""
    spec = spec.strip()
    if spec.startswith("top:"):
        count = spec.removeprefix("top:")
        if not count.isdigit() or not 1 <= int(count) <= 65535:
            raise ValueError(f"ports {spec!r}: top:N needs N between 1 and 65535")
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
            raise ValueError(f"ports: {part!r} is not a port or a range like 8000-8100")
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= 65535:
            raise ValueError(f"ports: {part!r} is outside 1-65535")
        ports.update(range(first, last + 1))
    if not ports:
        raise ValueError("ports: empty port list")
    return frozenset(ports)


def check_port_list(text: str) -> frozenset[int]:
    try:
        return parse_port_list(text)
    except ValueError as exc:
        raise SecopsError(str(exc), hint="write ports like 22,80,8000-8100") from None
