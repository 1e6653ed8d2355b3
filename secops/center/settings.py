"""The center's settings: ``center.yaml`` in its home (optional; defaults suit a small province).

```yaml
limits:
  max_body_bytes: 5242880    # a larger request is refused with 413
  max_batch: 5000            # alerts per request
  rate_per_minute: 600       # signed requests per school per minute (429 beyond)
  header_timeout_seconds: 10 # a client must finish its request line and headers within this
  body_timeout_seconds: 30   # ... and its body within this (408 and the connection closed)
  max_connections: 1000      # open connections at once; requests beyond answer 503
trusted_proxies: []          # reverse proxies whose X-Forwarded-For / Forwarded / X-Real-IP count
metrics_token: null          # GET /metrics beyond loopback with Authorization: Bearer <token> (16+ characters)
auto_incidents:
  enabled: true
  min_severity: high         # alerts at or above open a case with the matching playbook
  cases_window_hours: 24     # ... or join the open case of their school, asset and kind active this recently
  max_new_cases_per_school_hour: 20  # beyond: one 告警激增 case per school takes the rest
silent_after_hours: 24       # a school that sent nothing for longer is listed as silent
database: postgresql+psycopg://secops@db.example/center   # the state database (default: center.db here)
```
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from secops.content.yamlload import line_of, load_yaml
from secops.errors import ContentError

SETTINGS_FILE = "center.yaml"


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 5 * 1024 * 1024
    max_batch: Annotated[int, Field(ge=1, le=50_000)] = 5000
    rate_per_minute: Annotated[int, Field(ge=1)] = 600
    header_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    body_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    max_connections: Annotated[int, Field(ge=10, le=100_000)] = 1000


class AutoIncidents(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    min_severity: Literal["low", "medium", "high", "critical"] = "high"
    # an alert joins the open case of its school, asset and kind that took an alert this recently
    cases_window_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    # beyond this many new cases a school an hour, its further alerts join one 告警激增 case
    max_new_cases_per_school_hour: Annotated[int, Field(ge=1, le=10_000)] = 20


class CenterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limits: Limits = Field(default_factory=lambda: Limits())
    auto_incidents: AutoIncidents = Field(default_factory=lambda: AutoIncidents())
    silent_after_hours: Annotated[int, Field(ge=1)] = 24
    # Addresses or networks (CIDR) of reverse proxies in front of the center. Only a request whose
    # direct peer is one of them has its forwarded-for headers believed; empty: never, not even
    # from loopback (anyone on the host could otherwise pick the address the login throttle sees).
    trusted_proxies: list[str] = Field(default_factory=list)
    # GET /metrics answers loopback clients; anyone else needs "Authorization: Bearer <metrics_token>"
    metrics_token: Annotated[str, Field(min_length=16, max_length=256)] | None = None
    # The state database's URL (schools, staff, cases ...); None: center.db in the home. Several
    # instances of one center share one PostgreSQL database. `--db` / SECOPS_CENTER_DB win over it.
    database: str | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # ValueError names the bad entry
        return value


def load_settings(home: Path) -> CenterSettings:
    path = home / SETTINGS_FILE
    if not path.exists():
        return CenterSettings()
    data = load_yaml(path) or {}
    try:
        return CenterSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(path, line_of(data, first["loc"]), f"{where}: {first['msg']}") from None
