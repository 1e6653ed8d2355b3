"""Which reader a file needs, from its first bytes and first non-empty lines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from secops.detection.readers.syslog import Clock, parse_line
from secops.detection.readers.web import LINE, _split
from secops.detection.readers.windows import EVTX_MAGIC

SAMPLE_LINES = 20
_CLOCK = Clock(0.0)
# Bytes text logs are made of (UTF-8 and legacy 8-bit text included, control characters excluded).
_TEXT_BYTES = bytes({7, 8, 9, 10, 12, 13, 27, 29} | set(range(0x20, 0x100)) - {0x7F})


def classify(line: str) -> str | None:
    """The format one line looks like, or None."""
    text = line.strip()
    if not text:
        return None
    if text[0] == "{":
        try:
            return "jsonl" if isinstance(json.loads(text), dict) else None
        except (ValueError, RecursionError):
            return None
    if text.startswith(("type=", "node=")) and "msg=audit(" in text:
        return "auditd"
    if _split(line) is not None or LINE.match(line):
        return "web"
    if parse_line(line, _CLOCK) is not None:  # an unreadable time still says syslog: read, and count it
        return "syslog"
    return None


def detect(head: bytes, lines: Iterable[str | None]) -> tuple[str | None, str]:
    """(format, why not) from the file's first bytes and lines: a majority of the sampled lines must
    agree, so a stray line does not decide and binary files are not mistaken for logs."""
    if head.startswith(EVTX_MAGIC):
        return "evtx", ""
    sample = head[:4096]
    if len(sample.translate(None, _TEXT_BYTES)) * 20 > len(sample):  # > 5% control bytes: not text
        return None, "binary file, not a log format secops reads"
    votes: Counter[str] = Counter()
    sampled = 0
    for line in lines:
        if line is None:  # an over-long first line
            sampled += 1
        elif line.strip():
            sampled += 1
            kind = classify(line)
            if kind:
                votes[kind] += 1
        if sampled >= SAMPLE_LINES:
            break
    if not sampled:
        return None, "empty"
    if votes:
        kind, count = votes.most_common(1)[0]
        if count * 2 >= sampled:
            return kind, ""
    return None, "log format not recognised (give --log-format evtx|jsonl|syslog|web|auditd)"
