"""``send``: a notice to every channel, with retries; one failing channel never stops the others."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secops.notify.base import Channel, DeliveryError, redact

ATTEMPTS = 3


def deliver(
    notifier: Channel,
    text: str,
    event: dict[str, Any],
    workspace_dir: Path,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Deliver through one channel, trying again (1 s, then 2 s later) while trying can help.
    None when delivered, else the last failure: one line, with the channel's secrets masked."""
    reason = ""
    for attempt in range(ATTEMPTS):
        try:
            notifier.deliver(text, event, workspace_dir, timeout)
            return None
        except DeliveryError as error:
            reason = str(error)
            if not error.retry:
                break
        except Exception as error:  # a channel's own bug still must not stop the other channels
            reason = f"{type(error).__name__}: {error}"
        if attempt + 1 < ATTEMPTS:
            sleep(2**attempt)
    return redact(" ".join(reason.split()), notifier.secrets())[:300]


def send(
    notifiers: Sequence[Channel],
    text: str,
    event: dict[str, Any],
    workspace_dir: Path,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    personal: str = "",
) -> dict[str, str]:
    """Send to every notifier with retries; returns {"N:type": "sent" | "failed: reason"}.
    ``personal`` (names, phone numbers) is appended for the channels that reach people, never for
    the local log channel: a log line must not carry personal data."""
    outcome: dict[str, str] = {}
    for index, notifier in enumerate(notifiers):
        body = text if notifier.name == "log" else text + personal
        reason = deliver(notifier, body, event, workspace_dir, timeout=timeout, sleep=sleep)
        outcome[f"{index + 1}:{notifier.name}"] = "sent" if reason is None else f"failed: {reason}"
    return outcome
