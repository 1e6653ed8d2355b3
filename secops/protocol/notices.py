"""A 通报 as it travels down (the body of a signed envelope of kind ``notice``) and a school's status
on it as it travels up (``POST /api/v1/notice-status``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

OUTBOUND_PATH = "/api/v1/outbound"
NOTICE_STATUS_PATH = "/api/v1/notice-status"
NOTICE_KINDS = {"vulnerability": "漏洞通报", "threat": "威胁预警", "indicators": "威胁指标", "policy": "工作要求"}
STATUSES = ("received", "acknowledged", "rectified", "refused")
STATUS_NAMES = {"received": "已接收", "acknowledged": "已确认", "rectified": "已整改", "refused": "已拒收"}
MAX_ATTACHMENT = 1024 * 1024


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content: str = Field(max_length=MAX_ATTACHMENT * 4 // 3 + 8)  # base64


class NoticeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=20_000)
    due_at: datetime
    attachments: list[Attachment] = Field(default_factory=list, max_length=5)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in NOTICE_KINDS:
            raise ValueError(f"unknown notice kind {value!r}")
        return value


class NoticeStatus(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notice_id: str = Field(pattern=r"^[0-9A-Za-z_-]{8,64}$")
    status: str
    at: datetime  # when it happened at the school
    summary: str | None = Field(default=None, max_length=2000)  # the rectification, no personal data
    reason: str | None = Field(default=None, max_length=500)  # why it was refused

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in STATUSES:
            raise ValueError(f"unknown status {value!r}")
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("a time needs a time zone")
        return value


class StatusBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    statuses: list[NoticeStatus] = Field(max_length=500)


class OutboundItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1)
    envelope: dict[str, object]


class OutboundPage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str
    items: list[OutboundItem]
    more: bool = False
