"""Fingerprints (``scanners/fingerprints/*.yml``): ports, banners and MAC vendors -> asset type.

A fingerprint matches when any of its ``when`` clauses matches; a clause matches when all of
its conditions do. The matching fingerprint with the highest ``priority`` names the type.
Each file carries examples (hosts that must and must not match) that CI runs.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _
from secops.models import ASSET_TYPES, ObservedHost


class HostFacts(BaseModel):
    """What a clause can look at; also the shape of a fingerprint's examples."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ports: tuple[int, ...] = ()
    vendor: str = ""
    hostname: str = ""
    products: tuple[str, ...] = ()  # "name product version extrainfo" per service
    banners: tuple[str, ...] = ()

    @classmethod
    def of(cls, host: ObservedHost) -> HostFacts:
        return cls(
            ports=tuple(sorted(s.port for s in host.services)),
            vendor=host.vendor,
            hostname=host.hostname,
            products=tuple(" ".join(filter(None, (s.name, s.product, s.version, s.extrainfo))) for s in host.services),
            banners=tuple(s.banner for s in host.services if s.banner),
        )


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ports_any: tuple[int, ...] = ()
    ports_all: tuple[int, ...] = ()
    vendor: str | None = None  # regular expressions, case-insensitive
    hostname: str | None = None
    product: str | None = None
    banner: str | None = None

    @field_validator("vendor", "hostname", "product", "banner")
    @classmethod
    def _check_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(_("invalid regular expression: {reason}").format(reason=exc)) from None
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Clause:
        if not any((self.ports_any, self.ports_all, self.vendor, self.hostname, self.product, self.banner)):
            raise ValueError(_("a clause needs at least one condition"))
        return self

    def matches(self, facts: HostFacts) -> bool:
        def search(pattern: str | None, texts: tuple[str, ...]) -> bool:
            return pattern is None or any(re.search(pattern, text, re.IGNORECASE) for text in texts)

        ports = set(facts.ports)
        return (
            (not self.ports_any or bool(ports.intersection(self.ports_any)))
            and set(self.ports_all) <= ports
            and search(self.vendor, (facts.vendor,))
            and search(self.hostname, (facts.hostname,))
            and search(self.product, facts.products)
            and search(self.banner, facts.banners)
        )


class FingerprintExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: tuple[HostFacts, ...] = Field(min_length=1)
    no_match: tuple[HostFacts, ...] = Field(min_length=1)


class Fingerprint(ContentUnit):
    description: str
    asset_type: str
    priority: int = Field(50, ge=0, le=100)
    when: tuple[Clause, ...] = Field(min_length=1)
    examples: FingerprintExamples

    @field_validator("asset_type")
    @classmethod
    def _check_type(cls, value: str) -> str:
        if value not in ASSET_TYPES:
            raise ValueError(_("asset_type must be one of {names}").format(names=", ".join(ASSET_TYPES)))
        return value

    @model_validator(mode="after")
    def _check_examples(self) -> Fingerprint:
        for index, facts in enumerate(self.examples.match):
            if not self.matches(facts):
                raise ValueError(_("examples.match[{index}] does not match this fingerprint").format(index=index))
        for index, facts in enumerate(self.examples.no_match):
            if self.matches(facts):
                raise ValueError(_("examples.no_match[{index}] matches this fingerprint").format(index=index))
        return self

    def matches(self, facts: HostFacts) -> bool:
        return any(clause.matches(facts) for clause in self.when)


class Classifier:
    """Picks an asset type for a host from a set of fingerprints."""

    def __init__(self, fingerprints: list[Fingerprint]) -> None:
        self.fingerprints = sorted(fingerprints, key=lambda f: (-f.priority, f.id))
        # Hosts on one network repeat the same few service sets: decide each set once.
        self._decided: dict[tuple[object, ...], tuple[str, str | None]] = {}

    @cached_property
    def ids(self) -> list[str]:
        return [f.id for f in self.fingerprints]

    def classify(self, host: ObservedHost) -> tuple[str, str | None]:
        """(asset type, id of the fingerprint that decided it, or None for unknown)."""
        key = (
            host.vendor,
            host.hostname,
            tuple(
                (s.port, s.name, s.product, s.version, s.extrainfo, s.banner)
                for s in sorted(host.services, key=lambda s: (s.port, s.proto))
            ),
        )
        decided = self._decided.get(key)
        if decided is None:
            facts = HostFacts.of(host)
            decided = next(((f.asset_type, f.id) for f in self.fingerprints if f.matches(facts)), ("unknown", None))
            self._decided[key] = decided
        return decided


def load_classifier() -> Classifier:
    from secops.content.validate import load_units

    return Classifier(load_units("fingerprint"))
