"""A release's marking scheme: what the ledger must remember to find the marks again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from secops.data.watermark.cells import Carrier
from secops.data.watermark.prf import LENGTH

GAMMA = 10  # about one cell in ten of each carrier is chosen; half of those already hold the bit


@dataclass(frozen=True)
class Scheme:
    identity: tuple[str, ...]
    identity_kinds: tuple[str | None, ...]
    carriers: tuple[Carrier, ...]
    gamma: int = GAMMA
    length: int = LENGTH

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": list(self.identity),
            "identity_kinds": list(self.identity_kinds),
            "carriers": [c.as_dict() for c in self.carriers],
            "gamma": self.gamma,
            "length": self.length,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Scheme:
        return cls(
            identity=tuple(value["identity"]),
            identity_kinds=tuple(value.get("identity_kinds") or [None] * len(value["identity"])),
            carriers=tuple(Carrier(c["column"], c["kind"], int(c.get("precision", 0))) for c in value["carriers"]),
            gamma=int(value.get("gamma", GAMMA)),
            length=int(value.get("length", LENGTH)),
        )

    def selection_key(self) -> tuple[Any, ...]:
        """Releases with equal selection keys choose the same cells: one pass reads them all."""
        return (self.identity, self.carriers, self.gamma, self.length)
