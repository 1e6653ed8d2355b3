"""Where a lower center relays to: ``upstream.yaml`` and ``upstream.key`` (0600) in its home.

```yaml
url: https://province.example:8600   # the upper center
code: "4111000001"                   # the code the upper center registered this center under
name: 某市教育网络安全监测中心
center_key: "ed25519:..."             # the upper center's public signing key (secops center key show there)
interval_seconds: 60                 # how often the running center relays
```
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from secops.config import check_center_url, check_school_code
from secops.errors import SecopsError
from secops.i18n import _
from secops.keyseal import UPSTREAM, read_secret_text
from secops.protocol import envelope, signing

UPSTREAM_FILE = "upstream.yaml"
UPSTREAM_KEY_FILE = "upstream.key"


class Upstream(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    code: str
    name: str = Field(min_length=1, max_length=200)
    center_key: str
    interval_seconds: int = Field(default=60, ge=5, le=3600)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_center_url(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return check_school_code(value)

    @field_validator("center_key")
    @classmethod
    def _key(cls, value: str) -> str:
        envelope.parse_public(value)
        return value.strip()


def load_upstream(home: Path) -> tuple[Upstream, signing.SchoolKey] | None:
    """The upstream settings and key, or None when this center relays nowhere."""
    path = home / UPSTREAM_FILE
    if not path.exists():
        return None
    try:
        settings = Upstream.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise SecopsError(
            _("{path} is not valid: {reason}").format(path=path, reason=str(exc).splitlines()[0]),
            hint=_("run secops center upstream setup"),
        ) from None
    key_path = home / UPSTREAM_KEY_FILE
    try:
        key = signing.parse_key(read_secret_text(key_path, UPSTREAM))
    except (OSError, ValueError) as exc:
        raise SecopsError(
            _("{path}: {reason}").format(path=key_path, reason=exc),
            hint=_("run secops center upstream setup --key-file FILE"),
        ) from None
    return settings, key


def save_upstream(home: Path, settings: Upstream, key: signing.SchoolKey) -> None:
    from secops.fsutil import write_text_atomic

    write_text_atomic(home / UPSTREAM_KEY_FILE, key.text + "\n", permissions=0o600)
    text = yaml.safe_dump(settings.model_dump(), allow_unicode=True, sort_keys=False)
    write_text_atomic(home / UPSTREAM_FILE, text, permissions=0o600)
    os.chmod(home / UPSTREAM_KEY_FILE, 0o600)
