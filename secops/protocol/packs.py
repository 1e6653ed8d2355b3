"""A content pack as it travels down (the body of a signed envelope of kind ``pack``) and what a
school made of it as it travels up (``POST /api/v1/pack-status``).

A pack is named and versioned; its files are text (Sigma rules, YARA rules, indicator lists) carried
as they are, so what a school installs is byte for byte what the center validated and signed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PACK_STATUS_PATH = "/api/v1/pack-status"
FILE_KINDS = {"sigma": (".yml", ".yaml"), "yara": (".yar", ".yara"), "indicators": (".txt",)}
PACK_STATUSES = ("installed", "ignored", "refused")
STATUS_NAMES = {"installed": "已安装", "ignored": "已忽略（已有同版或更新版本）", "refused": "已拒收"}
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,49}$"
MAX_FILES = 2000


class PackFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # a bare file name: never a path, so nothing lands outside the pack's folder
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    kind: str
    text: str

    @model_validator(mode="after")
    def _suffix(self) -> PackFile:
        if self.kind not in FILE_KINDS:
            raise ValueError(f"unknown file kind {self.kind!r}")
        if not self.name.lower().endswith(FILE_KINDS[self.kind]):
            raise ValueError(f"{self.name}: a {self.kind} file ends with {' or '.join(FILE_KINDS[self.kind])}")
        return self


class PackBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    version: int = Field(ge=1, le=10**9)
    files: list[PackFile] = Field(min_length=1, max_length=MAX_FILES)

    @field_validator("files")
    @classmethod
    def _unique(cls, files: list[PackFile]) -> list[PackFile]:
        seen: set[tuple[str, str]] = set()
        for item in files:
            key = (item.kind, item.name.lower())
            if key in seen:
                raise ValueError(f"{item.kind}/{item.name} is in the pack twice")
            seen.add(key)
        return files


class PackStatus(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pack_id: str = Field(pattern=r"^[0-9A-Za-z_-]{8,64}$")  # the envelope's payload id
    status: str
    at: datetime
    version: int | None = None  # what the school has installed now, if any
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in PACK_STATUSES:
            raise ValueError(f"unknown status {value!r}")
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("a time needs a time zone")
        return value


class PackStatusBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    statuses: list[PackStatus] = Field(max_length=500)
