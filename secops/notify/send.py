"""``send``: a notice to every channel, with retries; one failing channel never stops the others."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secops.notify.channels import Channel

ATTEMPTS = 3


def send(
    notifiers: Sequence[Channel],
    text: str,
    event: dict[str, Any],
    workspace_dir: Path,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Send to every notifier with retries; returns {channel: "sent" | "failed: reason"}."""
    outcome: dict[str, str] = {}
    for index, notifier in enumerate(notifiers):
        name = f"{index + 1}:{notifier.name}"
        for attempt in range(ATTEMPTS):
            try:
                notifier.deliver(text, event, workspace_dir, timeout)
                outcome[name] = "sent"
                break
            except Exception as error:  # network, HTTP and SMTP errors all mean: try again
                outcome[name] = f"failed: {type(error).__name__}: {str(error)[:120]}"
                if attempt + 1 < ATTEMPTS:
                    sleep(2**attempt)
    return outcome
