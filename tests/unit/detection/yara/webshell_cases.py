"""Generated webshell cases: techniques crossed with input paths, sinks, transforms, wrappers and
padding, assembled at run time so that no working webshell is kept in git.

Each ``gen_<language>.py`` module in this folder defines ``cases() -> Iterator[Case]``; the test
``test_webshell_techniques.py`` scans every case with the shipped rules, prints the recall per
technique and requires every hit case caught and every near miss clean. A generator's own source
must match no rule: telling tokens are written in pieces (``t("ev", "al")``) and joined here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
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


def generator_modules() -> list[Path]:
    return sorted(HERE.glob("gen_*.py"))


def all_cases() -> Iterator[Case]:
    for path in generator_modules():
        module = importlib.import_module(f"tests.unit.detection.yara.{path.stem}")
        yield from module.cases()
