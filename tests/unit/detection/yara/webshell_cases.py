"""Generated webshell cases: techniques crossed with input paths, sinks, transforms, wrappers and
padding, assembled at run time so that no working webshell is kept in git.

Each ``gen_<language>.py`` module in this folder defines ``cases() -> Iterator[Case]``; the test
``test_webshell_techniques.py`` scans every case with the shipped rules, prints the recall per
technique and requires every hit case caught and every near miss clean. A generator's own source
must match no rule: telling tokens are written in pieces (``t("ev", "al")``) and joined here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    technique: str  # the technique class the report counts under, e.g. "php.variable-call"
    variant: str  # what was crossed, e.g. "input=session sink=system transform=split3 wrapper=gif"
    language: str  # php, asp, aspx, jsp
    name: str  # file name, with the extension a server would run it under
    content: bytes
    hit: bool = True  # False: a benign near miss that must match no rule


def t(*pieces: str) -> str:
    """A telling token written in pieces in the generator's source (``t("sys", "tem")``)."""
    return "".join(pieces)


def crossed(
    make: Callable[[str, str, str, str, bool], Case],
    inputs: Sequence[str],
    sinks: Sequence[str],
    transforms: Sequence[str],
    wrappers: Sequence[str],
    *,
    half_wrappers: bool = False,
    shift: int = 2,
) -> Iterator[Case]:
    """Every (input, sink), (sink, transform) and (input, transform) pair once, the other axes
    (wrapper, padding) turning over a counter: ``make(input, sink, transform, wrapper, padded)``.
    ``half_wrappers``: each (sink, transform) pair under every other wrapper only."""
    k = 0
    for i in inputs:  # every (input, sink) pair
        for s in sinks:
            yield make(i, s, transforms[k % len(transforms)], wrappers[k % len(wrappers)], k % 4 == 0)
            k += 1
    for s in sinks:  # every (sink, transform) pair, over the wrappers and both paddings
        for tr in transforms:
            for w_index, wrapper in enumerate(wrappers):
                if half_wrappers and (w_index + k) % 2:
                    continue
                padded = (k // 2) % 2 == 0 if half_wrappers else k % 2 == 0
                yield make(inputs[k % len(inputs)], s, tr, wrapper, padded)
                k += 1
    for i in inputs:  # every (input, transform) pair
        for tr in transforms:
            yield make(i, sinks[k % len(sinks)], tr, wrappers[(k + shift) % len(wrappers)], k % 3 == 0)
            k += 1


def generator_modules() -> list[Path]:
    return sorted(HERE.glob("gen_*.py"))


def all_cases() -> Iterator[Case]:
    for path in generator_modules():
        module = importlib.import_module(f"tests.unit.detection.yara.{path.stem}")
        yield from module.cases()
