"""Scan profiles (``scanners/profiles/*.yml``): nmap options, rate limits and time windows.

A profile cannot widen what is scanned: targets always come from the workspace scope, and
options that pick targets or write files are refused by the schema.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Options that choose targets, read target lists, write files or run arbitrary scripts.
FORBIDDEN_OPTIONS = (
    "-iL",
    "-iR",
    "--resume",
    "-oX",
    "-oA",
    "-oN",
    "-oG",
    "-oS",
    "--excludefile",
    "--script",
    "--datadir",
    "--servicedb",
    "--versiondb",
    "--stylesheet",
    "--proxies",
    "-6",
)
# Options that choose ports: a profile says that with ports, port_lists and extra_ports.
PORT_OPTIONS = ("-p", "-F", "--top-ports", "--port-ratio", "--exclude-ports")


class TimeWindow(BaseModel):
    """Scans may start on these days between ``start`` and ``end`` (local time; may wrap midnight)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = DAYS  # type: ignore[assignment]
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        clock, day = moment.time().replace(tzinfo=None), DAYS[moment.weekday()]
        if self.start <= self.end:
            return day in self.days and self.start <= clock < self.end
        # Wrapping window (22:00-06:00): the early part belongs to the previous evening's day.
        previous_day = DAYS[(moment.weekday() - 1) % 7]
        return (day in self.days and clock >= self.start) or (previous_day in self.days and clock < self.end)


class WindowExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    allowed: tuple[datetime, ...] = ()
    refused: tuple[datetime, ...] = ()


class ScanProfile(ContentUnit):
    description: str
    families: tuple[Literal[4, 6], ...] = (4,)
    ports: str = Field("top:100", description="top:N, a port list like 22,80,8000-8100, or all")
    port_lists: tuple[str, ...] = Field((), description="shared lists in scanners/ports scanned on top of ports")
    extra_ports: str | None = Field(None, description="more ports scanned on top of ports, e.g. 6379,27017")
    narrow: bool = False  # deliberately scans few ports (fragile devices, the lab): exempt from coverage checks
    version_detection: bool = False
    timing: Literal[0, 1, 2, 3, 4, 5] = 4
    max_rate: int | None = Field(None, gt=0, description="packets per second, nmap --max-rate")
    max_parallelism: int | None = Field(None, gt=0)
    scan_delay_ms: int | None = Field(None, ge=0)
    ipv6_multicast: bool = False
    banners: bool = False  # nmap's own `banner` script: raw first bytes of each service
    nmap_args: tuple[str, ...] = ()
    windows: tuple[TimeWindow, ...] = ()
    examples: WindowExamples = WindowExamples()

    @field_validator("ports")
    @classmethod
    def _check_ports(cls, value: str) -> str:
        from secops.discovery.ports import parse_port_spec

        parse_port_spec(value)
        return value

    @field_validator("extra_ports")
    @classmethod
    def _check_extra_ports(cls, value: str | None) -> str | None:
        from secops.discovery.ports import parse_port_list

        if value is not None:
            parse_port_list(value)
        return value

    @field_validator("port_lists")
    @classmethod
    def _check_port_lists(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from secops.discovery.portlists import load_port_list
        from secops.errors import SecopsError

        for name in value:
            try:
                load_port_list(name)
            except SecopsError as error:  # the list's own file:line problems, one per line
                raise ValueError(
                    _("port list {name!r}: {problems}").format(name=name, problems="; ".join(str(error).splitlines()))
                ) from None
        return value

    @field_validator("nmap_args")
    @classmethod
    def _check_nmap_args(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for arg in value:
            name = arg.split("=", 1)[0]
            if name in FORBIDDEN_OPTIONS or any(name.startswith(f) for f in ("-o", "-i")):
                raise ValueError(
                    _(
                        "option {option!r} is not allowed in a profile (targets, files and scripts are secops's job)"
                    ).format(option=arg)
                )
            if name in PORT_OPTIONS or (name.startswith("-p") and name[2:3].isdigit()):
                raise ValueError(
                    _("option {option!r} is not allowed in a profile (use ports, port_lists or extra_ports)").format(
                        option=arg
                    )
                )
            if not arg.startswith("-"):
                raise ValueError(
                    _(
                        "{option!r} looks like a target; targets come from the workspace scope "
                        "(write options as --name=value)"
                    ).format(option=arg)
                )
        return value

    @model_validator(mode="after")
    def _check_examples(self) -> ScanProfile:
        for moment in self.examples.allowed:
            if not self.allowed_at(moment):
                raise ValueError(
                    _("examples.allowed: {moment} falls outside the profile's windows").format(
                        moment=moment.isoformat()
                    )
                )
        for moment in self.examples.refused:
            if self.allowed_at(moment):
                raise ValueError(
                    _("examples.refused: {moment} falls inside the profile's windows").format(moment=moment.isoformat())
                )
        return self

    def added_ports(self) -> frozenset[int]:
        """Ports scanned on top of ``ports``: the named port lists and ``extra_ports``."""
        from secops.discovery.portlists import load_port_list
        from secops.discovery.ports import parse_port_list

        added: set[int] = set(parse_port_list(self.extra_ports)) if self.extra_ports else set()
        for name in self.port_lists:
            added |= load_port_list(name).tcp_ports()
        return frozenset(added)

    def listed_ports(self) -> frozenset[int]:
        """Every port the profile names itself (nmap's top-N list, which nmap picks, is not among them)."""
        from secops.discovery.ports import parse_port_spec

        _kind, _top, listed = parse_port_spec(self.ports)
        return (listed or frozenset()) | self.added_ports()

    def allowed_at(self, moment: datetime) -> bool:
        return not self.windows or any(window.contains(moment) for window in self.windows)

    def window_text(self) -> str:
        if not self.windows:
            return "any time"
        return "; ".join(f"{','.join(w.days)} {w.start:%H:%M}-{w.end:%H:%M}" for w in self.windows)
