"""Workspace configuration: ``secops.yaml`` in the workspace folder, loaded once at the edge.

Environment overrides: ``SECOPS_HOME`` (workspace folder), ``SECOPS_DATABASE_URL``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from secops.content.yamlload import LineDict, load_yaml
from secops.errors import ContentError, SecopsError, WorkspaceError
from secops.fsutil import write_text_atomic
from secops.i18n import _
from secops.scope import Network, parse_scope

CONFIG_FILE = "secops.yaml"
DATABASE_FILE = "secops.db"
CENTER_KEY_FILE = "center.key"  # the school's key for the provincial center, 0600
AUDIT_KEY_FILE = "audit.key"  # the key of the incident audit trail, 0600 (secops.incident.audit)
CONFIG_VERSION = 1
_SCHOOL_CODE = re.compile(r"^[0-9]{10}$")


def default_workspace() -> Path:
    return Path(os.environ.get("SECOPS_HOME") or Path.home() / ".secops")


def check_school_code(code: str) -> str:
    code = str(code).strip()
    if not _SCHOOL_CODE.match(code):
        raise ValueError(
            _(
                "school code {code!r} must be the 10-digit 学校标识码 issued by the Ministry of Education, "
                "e.g. 4111010001"
            ).format(code=code)
        )
    return code


class School(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        return check_school_code(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(_("school name must not be empty"))
        return value


class ForwardConfig(BaseModel):
    """Where `secops forward` delivers alerts; the school key is in CENTER_KEY_FILE, never here."""

    model_config = ConfigDict(extra="forbid")
    center: str
    # the forwarder checks in at least this often; the center calls it silent after twice as long
    checkin_minutes: int = Field(default=15, ge=1, le=1440)
    # the center's Ed25519 public key (secops center key show): what it sends down must be signed by it
    center_key: str | None = None

    @field_validator("center")
    @classmethod
    def _center(cls, value: str) -> str:
        return check_center_url(value)


def check_center_url(url: str) -> str:
    from urllib.parse import urlsplit

    value = str(url).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            _("center URL {url!r} must be http(s)://HOST[:PORT][/PREFIX], e.g. https://center.example:8600").format(
                url=value
            )
        )
    return value


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = CONFIG_VERSION
    school: School
    scope: list[str]
    database: str | None = None  # SQLAlchemy URL; None means SQLite in the workspace
    timezone: str = "Asia/Shanghai"
    # what people read (CLI, documents): zh or en; --lang and $SECOPS_LANG override it per command
    language: Literal["zh", "en"] = "zh"
    forward: ForwardConfig | None = None  # set by `secops forward setup`

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise ValueError(_("scope must be a list of CIDRs"))
        try:
            return [str(net) for net in parse_scope(str(v) for v in value)]
        except SecopsError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value > CONFIG_VERSION:
            raise ValueError(
                _("written by a newer secops (config version {version}); upgrade secops").format(version=value)
            )
        return value

    def networks(self) -> list[Network]:
        return parse_scope(self.scope)


@dataclass(frozen=True)
class Workspace:
    path: Path
    config: WorkspaceConfig

    @property
    def config_file(self) -> Path:
        return self.path / CONFIG_FILE

    @property
    def database_url(self) -> str:
        override = os.environ.get("SECOPS_DATABASE_URL")
        if override:
            return override
        if self.config.database:
            return self.config.database
        return f"sqlite:///{self.path / DATABASE_FILE}"


def _config_error(path: Path, data: LineDict, error: ValidationError) -> ContentError:
    from secops.content.validate import pydantic_errors

    first = pydantic_errors(path, data, error)[0]
    return ContentError(path, first.line, _("{problem}; fix it or re-run secops init").format(problem=first.message))


def load_workspace(path: Path) -> Workspace:
    """Read the workspace at ``path``; every problem is one WorkspaceError or ContentError."""
    path = Path(path).expanduser()
    config_file = path / CONFIG_FILE
    if not config_file.is_file():
        raise WorkspaceError(
            _("no secops workspace at {path} ({file} not found)").format(path=path, file=CONFIG_FILE),
            hint=_("create one: secops init --school-code CODE --school-name NAME --scope CIDR, or pass --workspace"),
        )
    data = load_yaml(config_file)
    if not isinstance(data, LineDict):
        raise ContentError(config_file, 1, _("the workspace config must be a YAML mapping; re-run secops init"))
    try:
        config = WorkspaceConfig.model_validate(dict(data))
    except ValidationError as error:
        raise _config_error(config_file, data, error) from None
    return Workspace(path=path, config=config)


def render_config(config: WorkspaceConfig) -> str:
    body = config.model_dump(exclude_none=True)
    header = "# secops workspace configuration, written by `secops init`; edit with care.\n"
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, default_flow_style=False)


def save_config(path: Path, config: WorkspaceConfig) -> None:
    write_text_atomic(path / CONFIG_FILE, render_config(config), permissions=0o600)


def build_config(code: str, name: str, scope: list[str], database: str | None = None) -> WorkspaceConfig:
    """Validate user input into a config; errors are SecopsErrors naming the bad option."""
    try:
        return WorkspaceConfig(school=School(code=code, name=name), scope=scope, database=database)
    except ValidationError as error:
        first = error.errors()[0]
        field = "--" + {"code": "school-code", "name": "school-name"}.get(str(first["loc"][-1]), str(first["loc"][0]))
        message = first["msg"].removeprefix("Value error, ")
        raise SecopsError(f"{field}: {message}") from None
