"""Binomial tails for the false-accusation bound, in log space (bounds reach 2^-100000)."""

from __future__ import annotations

import math

_STOP = math.log(1e-18)  # a term this much smaller than the running sum no longer matters


def _log_pmf(n: int, k: int, log_p: float, log_q: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q


def _log_sum(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def log_tail(n: int, m: int, p: float = 0.5) -> float:
    """ln P[X >= m] for X ~ Binomial(n, p), exact to double precision."""
    if m <= 0:
        return 0.0
    if m > n:
        return -math.inf
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    mean = n * p
    if m > mean:  # terms fall from m upwards: sum until they stop mattering
        terms: list[float] = []
        for k in range(m, n + 1):
            term = _log_pmf(n, k, log_p, log_q)
            terms.append(term)
            if term - terms[0] < _STOP:
                break
        return min(0.0, _log_sum(terms))
    # m at or below the mean: the tail is at least about one half; 1 - P[X <= m-1], summing down
    terms = []
    for k in range(m - 1, -1, -1):
        term = _log_pmf(n, k, log_p, log_q)
        terms.append(term)
        if term - terms[0] < _STOP:
            break
    return math.log(max(1.0 - math.exp(_log_sum(terms)), 1e-300))


def log10_tail(n: int, m: int, p: float = 0.5) -> float:
    return log_tail(n, m, p) / math.log(10)


def show_bound(log10_bound: float) -> str:
    """1.2e-37 style, also for bounds far below the smallest float."""
    if log10_bound == -math.inf:
        return "0"
    if log10_bound > -300:
        return f"{10**log10_bound:.2g}"
    exponent = math.floor(log10_bound)
    return f"{10 ** (log10_bound - exponent):.2g}e{exponent}"
