"""Where and as whom a workspace forwards: what the sync client and the summary sender share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from secops.protocol import signing


@dataclass(frozen=True)
class Target:
    """Where and as whom this workspace forwards."""

    center: str
    school: str
    school_name: str
    key: signing.SchoolKey
    checkin_every: timedelta = timedelta(minutes=15)  # the forwarder checks in at least this often
    center_key: str | None = None  # the center's Ed25519 public key the school pinned (ed25519:...)
    workspace: Path | None = None  # where received notices open incidents and keep attachments
