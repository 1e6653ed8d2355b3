"""The forwarder's check-in: proof of life the center can tell apart from "no alerts".

A school's forwarder sends one on every pass it makes (and a long-running one at least every
``every_seconds``), signed like the alerts, to ``POST /api/v1/heartbeat``. It says which secops
runs there, how far behind its outbox is and when detection and discovery last ran, and it
promises the next check-in within ``every_seconds``: the center calls the forwarder silent once
twice that has passed. Counts and times only, no personal data; unknown fields are refused.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

HEARTBEAT_PATH = "/api/v1/heartbeat"
HEARTBEAT_VERSION = 1
MIN_EVERY_SECONDS = 60
MAX_EVERY_SECONDS = 7 * 24 * 3600
SILENT_FACTOR = 2  # a forwarder is silent once this many promised intervals passed without a check-in


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a time needs a time zone")
    return value


class OutboxState(BaseModel):
    """The forwarder's backlog when it checked in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pending: int = Field(ge=0)  # alerts waiting to be sent (queued or not yet queued)
    rejected: int = Field(ge=0)  # alerts the center refused as invalid (never resent)
    oldest_pending_at: datetime | None = None
    last_sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=300)

    _times = field_validator("oldest_pending_at", "last_sent_at")(_aware)


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = HEARTBEAT_VERSION
    school: str = Field(pattern=r"^\d{10}$")
    sent_at: datetime  # the school's clock: the center compares it with its own
    software: str = Field(max_length=40)  # secops version
    every_seconds: int = Field(ge=MIN_EVERY_SECONDS, le=MAX_EVERY_SECONDS)
    outbox: OutboxState
    last_detection_at: datetime | None = None  # the last time detection read a log
    last_discovery_at: datetime | None = None  # the last asset discovery run that finished
    last_discovery_status: str | None = Field(default=None, max_length=20)

    @field_validator("sent_at")
    @classmethod
    def _sent_aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("sent_at needs a time zone")
        return value

    _times = field_validator("last_detection_at", "last_discovery_at")(_aware)

    @field_validator("version")
    @classmethod
    def _known(cls, value: int) -> int:
        if value != HEARTBEAT_VERSION:
            raise ValueError(f"unknown heartbeat version {value}; this center reads version {HEARTBEAT_VERSION}")
        return value
