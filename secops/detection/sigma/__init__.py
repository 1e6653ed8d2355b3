"""The local Sigma engine: rules loaded with pySigma, compiled into shared atoms, evaluated over
columnar event batches (see ``engine.py``), correlations on top (``correlation.py``)."""

from secops.detection.sigma.engine import Engine
from secops.detection.sigma.rules import RuleSet, load_rules

__all__ = ["Engine", "RuleSet", "load_rules"]
