"""Per-recipient keyed pseudonyms that trace even a single leaked row, with no distortion.

A token is 12 hex characters from ``masking.pseudonym`` under the recipient's key
(HMAC(data key, recipient)), so one recipient's files still join, plus a 4-hex tag (HMAC of the
body under the same key). Any other key verifies a tag with probability 2^-16, so a handful of
tokens is enough evidence: P[Binomial(n, 2^-16) >= matches] is the false-accusation bound.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from typing import Any

from secops.data.mask_kernels import pseudonym
from secops.data.watermark.prf import subkey

TAG_P = 1 / 65536
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
# identifier kinds replaced in masked-and-marked output
KINDS = frozenset({"id_card", "xueji", "mobile", "bank_card", "passport", "travel_permit", "email", "name"})


def recipient_key(key: bytes, recipient: str) -> bytes:
    return hmac.digest(subkey(key, "pseudonym"), recipient.encode("utf-8"), "sha256")


def _tag(recipient_key: bytes, body: str) -> str:
    return hmac.new(recipient_key, b"tag\0" + body.encode("ascii"), "sha256").hexdigest()[:4]


def token(value: Any, recipient_key: bytes) -> Any:
    """The value's token; empty cells stay empty."""
    if value is None or str(value).strip() == "":
        return value
    body = pseudonym(str(value).strip(), recipient_key, length=12)
    return body + _tag(recipient_key, body)


def is_token(value: Any) -> bool:
    return isinstance(value, str) and bool(_TOKEN.match(value))


def tag_matches(values: Iterable[str], recipient_key: bytes) -> int:
    """How many tokens carry this recipient's tag."""
    return sum(1 for value in values if _tag(recipient_key, value[:12]) == value[12:])
