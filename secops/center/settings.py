"""The center's settings: ``center.yaml`` in its home (optional; defaults suit a small province).

```yaml
limits:
  max_body_bytes: 5242880    # a larger request is refused with 413
  max_batch: 5000            # alerts per request
  rate_per_minute: 600       # signed requests per school per minute (429 beyond)
auto_incidents:
  enabled: true
  min_severity: high         # alerts at or above open an incident with the matching playbook
silent_after_hours: 24       # a school that sent nothing for longer is listed as silent
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from secops.content.yamlload import line_of, load_yaml
from secops.errors import ContentError

SETTINGS_FILE = "center.yaml"


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 5 * 1024 * 1024
    max_batch: Annotated[int, Field(ge=1, le=50_000)] = 5000
    rate_per_minute: Annotated[int, Field(ge=1)] = 600


class AutoIncidents(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    min_severity: Literal["low", "medium", "high", "critical"] = "high"


class CenterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limits: Limits = Field(default_factory=lambda: Limits())
    auto_incidents: AutoIncidents = Field(default_factory=lambda: AutoIncidents())
    silent_after_hours: Annotated[int, Field(ge=1)] = 24


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
