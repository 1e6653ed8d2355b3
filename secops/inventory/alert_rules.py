"""Alert rules (``scanners/alerts/*.yml``): which inventory changes a person must look at.

A rule fires on changes of the kinds in ``triggers``; with ``services`` it fires only for a service
that matches (port, or service name), once per such service.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _
from secops.models import Alert, Change, ObservedService
from secops.store.alert_identity import DISCOVERY, discovery_identity

ChangeKind = Literal[
    "host_new", "host_gone", "host_back", "port_opened", "port_closed", "version_changed", "address_changed"
]


class ServiceMatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ports: tuple[int, ...] = ()
    names: tuple[str, ...] = ()  # nmap service names, exact
    product: str | None = None  # regular expression over "product version"

    def matches(self, service: ObservedService) -> bool:
        by_port = service.port in self.ports
        by_name = service.name in self.names
        by_product = bool(self.product and re.search(self.product, f"{service.product} {service.version}", re.I))
        return by_port or by_name or by_product


class ServiceExample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    port: int
    name: str = ""
    product: str = ""
    version: str = ""

    def service(self) -> ObservedService:
        return ObservedService(port=self.port, name=self.name, product=self.product, version=self.version)


class AlertExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: tuple[ServiceExample, ...] = Field(min_length=1)
    no_match: tuple[ServiceExample, ...] = Field(min_length=1)


class LocalizedTitle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class AlertRule(ContentUnit):
    title: LocalizedTitle
    severity: Literal["info", "low", "medium", "high", "critical"]
    triggers: tuple[ChangeKind, ...] = Field(min_length=1)
    services: ServiceMatch | None = None
    remediation: str = ""
    examples: AlertExamples | None = None

    @model_validator(mode="after")
    def _check_examples(self) -> AlertRule:
        if self.services is None:
            return self
        if self.examples is None:
            raise ValueError(_("a rule that matches services needs examples (match and no_match)"))
        for index, example in enumerate(self.examples.match):
            if not self.services.matches(example.service()):
                raise ValueError(_("examples.match[{index}] does not match this rule").format(index=index))
        for index, example in enumerate(self.examples.no_match):
            if self.services.matches(example.service()):
                raise ValueError(_("examples.no_match[{index}] matches this rule").format(index=index))
        return self


def alerts_for(
    rules: list[AlertRule],
    change: Change,
    services: list[ObservedService],
    at: datetime,
    lang: str = "zh",
    *,
    run_id: int | None = None,
) -> list[Alert]:
    """Alerts one change raises; ``services`` are the services the change concerns, ``run_id`` the
    scan run that saw it (part of each alert's identity)."""

    def alert(title: str, detail: dict[str, Any]) -> Alert:
        return Alert(
            at=at,
            source=DISCOVERY,
            kind=rule.id,
            severity=rule.severity,
            title=title,
            asset_key=change.asset_key,
            detail=detail,
            identity=discovery_identity(run_id, change.asset_key, rule.id, detail),
        )

    raised = []
    for rule in rules:
        if change.kind not in rule.triggers:
            continue
        title = rule.title.zh if lang == "zh" else rule.title.en
        detail = {"change": change.kind, **change.detail, "rule": rule.id}
        if rule.services is None:
            raised.append(alert(f"{title}: {change.asset_key}", detail))
            continue
        for service in services:
            if rule.services.matches(service):
                raised.append(
                    alert(
                        f"{title}: {change.asset_key} {service.port}/{service.proto}",
                        {
                            **detail,
                            "port": service.port,
                            "proto": service.proto,
                            "product": " ".join(filter(None, (service.product, service.version))),
                        },
                    )
                )
    return raised
