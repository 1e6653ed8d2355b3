"""Synthetic samples of the family-marker and kit (capability cluster) webshell rules: hits and
near misses.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

FAMILY_SAMPLES: tuple[Sample, ...] = ()
