"""The sample type of the synthetic YARA samples, with the marks that keep this source inert.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass

MARK = "§"


@dataclass(frozen=True)
class Sample:
    rule: str
    hit: bool  # True: must match ``rule``; False: a near miss that must match no rule at all
    name: str  # file name it is written under
    text: str  # with MARK breaking the signature in this source file
    encoding: str = "utf-8"  # "utf-16" (with a BOM): pages IIS runs that byte-string rules miss

    @property
    def content(self) -> bytes:
        return self.text.replace(MARK, "").encode(self.encoding)


def _blob() -> str:
    """A long base64 literal of raw-deflated inert PHP (echo of a word), as packers produce."""
    body = "".join(f"echo 'line {i} {hashlib.sha256(str(i).encode()).hexdigest()}';\n" for i in range(12))
    deflated = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(deflated.compress(body.encode()) + deflated.flush()).decode()


BLOB = _blob()
