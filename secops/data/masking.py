"""Masking operators with Chinese conventions, and keyed pseudonyms (HMAC-SHA256 or HMAC-SM3).

Never a bare hash: IDs and phone numbers are few enough to be brute-forced from their hashes.
The same value with the same key gives the same token, so masked files still join.
"""

from __future__ import annotations

import hashlib
import hmac

from secops.data.identifiers import clean

TWO_CHAR_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "独孤",
        "南宫",
        "西门",
        "端木",
    }
)


def mask_id(value: str) -> str:
    """110***********1234: the region's first 3 and the last 4 characters stay."""
    text = clean(value)
    return text[:3] + "*" * (len(text) - 7) + text[-4:] if len(text) > 7 else "*" * len(text)


def mask_name(value: str) -> str:
    """张* / 欧阳**: the surname stays (two-character surnames known), the given name is starred."""
    text = str(value).strip()
    if len(text) <= 1:
        return text
    surname = text[:2] if text[:2] in TWO_CHAR_SURNAMES and len(text) > 2 else text[:1]
    return surname + "*" * (len(text) - len(surname))


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = clean(value)[-11:]
    return digits[:3] + "****" + digits[-4:] if len(digits) == 11 else "*" * len(digits)


def mask_bank_card(value: str) -> str:
    """6222 **** **** 1234."""
    digits = clean(value)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} {'**** ' * ((len(digits) - 8 + 3) // 4)}{digits[-4:]}".replace("  ", " ")


def mask_email(value: str) -> str:
    user, _, domain = str(value).partition("@")
    return (user[:1] + "***@" + domain) if domain else "***"


def pseudonym(value: str, key: bytes, *, algorithm: str = "sha256", length: int = 16) -> str:
    """A keyed token (HMAC-SHA256, or HMAC-SM3 for 国密), hex, ``length`` characters."""
    if algorithm not in ("sha256", "sm3"):
        raise ValueError("algorithm must be sha256 or sm3")
    if algorithm == "sm3" and "sm3" not in hashlib.algorithms_available:
        raise ValueError("SM3 is not available in this Python's OpenSSL")
    return hmac.new(key, str(value).encode("utf-8"), algorithm).hexdigest()[:length]
