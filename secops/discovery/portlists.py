"""Shared port lists (``scanners/ports/*.yml``): each port with its service and why it matters.

Profiles name them (``port_lists: [school-exposure]``) to scan these ports on top of nmap's most
common ones, so that adding a port a school exposes is a content edit, not a code edit.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secops.content.kinds import kind_named
from secops.content.validate import ContentUnit, parse_unit
from secops.errors import ContentError, ContentErrors, SecopsError
from secops.i18n import _

PORT_LIST_KIND = kind_named("port-list")


class ListedPort(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    port: int = Field(ge=1, le=65535)
    proto: Literal["tcp"] = "tcp"
    service: str = Field(min_length=1)
    why: str = Field(min_length=1)


class PortList(ContentUnit):
    description: str
    ports: tuple[ListedPort, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_duplicates(self) -> PortList:
        twice = sorted(port for port, count in Counter(p.port for p in self.ports).items() if count > 1)
        if twice:
            raise ValueError(_("ports listed twice: {ports}").format(ports=", ".join(map(str, twice))))
        return self

    def tcp_ports(self) -> frozenset[int]:
        return frozenset(p.port for p in self.ports if p.proto == "tcp")


def known_port_lists() -> list[str]:
    return [path.name.split(".")[0] for path in PORT_LIST_KIND.shipped_files()]


def load_port_list(name: str) -> PortList:
    """The shipped port list ``name``; a missing or invalid one is a SecopsError naming file:line."""
    path = next((p for p in PORT_LIST_KIND.shipped_files() if p.name.split(".")[0] == name), None)
    if path is None:
        raise SecopsError(
            _("no port list named {name!r}").format(name=name),
            hint=_("known port lists (scanners/ports): {names}").format(names=", ".join(known_port_lists()) or "-"),
        )
    unit, errors = parse_unit(path, PORT_LIST_KIND)
    if errors:
        raise ContentErrors(errors)
    if unit is None:  # pragma: no cover - parse_unit returns errors whenever it returns no unit
        raise ContentErrors([ContentError(path, None, _("could not be read"))])
    port_list: PortList = unit
    return port_list
