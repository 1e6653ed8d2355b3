"""The local Sigma engine: rules loaded with pySigma, compiled into shared atoms, evaluated over
columnar event batches (see ``engine.py``), correlations on top (``correlation.py``).

The names below are loaded on first use: a run served from the compiled cache never needs
pySigma, and importing this package must not pull it in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secops.detection.sigma.engine import Engine
    from secops.detection.sigma.rules import load_rules
    from secops.detection.sigma.ruleset import RuleSet

__all__ = ["Engine", "RuleSet", "load_rules"]


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from secops.detection.sigma.engine import Engine

        return Engine
    if name == "RuleSet":
        from secops.detection.sigma.ruleset import RuleSet

        return RuleSet
    if name == "load_rules":
        from secops.detection.sigma.rules import load_rules

        return load_rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
