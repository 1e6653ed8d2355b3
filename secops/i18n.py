"""The one message catalog: what a person reads, in the workspace language.

Messages are written in English in the code (``_("Wrote {path}")``) and looked up at the moment they are
shown, so one process can answer in Chinese (the default) or English (``--lang en``). The catalog is
``secops/locale/zh_CN/LC_MESSAGES/secops.po`` (gettext), compiled to the ``.mo`` beside it by
``scripts/i18n.py``; a test keeps both complete and in step.
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
DOMAIN = "secops"
LOCALE_DIR = Path(__file__).parent / "locale"
_GETTEXT_LOCALES = {"zh": "zh_CN"}

# Set by the CLI for the command being run; a ContextVar so that tests running several commands in
# one process, and threads of the center, never see another command's language.
_chosen: ContextVar[str | None] = ContextVar("secops_language", default=None)


def normalize(lang: str) -> str:
    """zh, zh-CN, zh_CN.UTF-8 -> zh; en, en_US -> en; anything else is refused by the caller."""
    return lang.strip().lower().replace("_", "-").split(".")[0].split("-")[0]


def language() -> str:
    """The language being spoken: the one chosen for this command, else $SECOPS_LANG, else Chinese."""
    chosen = _chosen.get()
    if chosen:
        return chosen
    env = normalize(os.environ.get("SECOPS_LANG", ""))
    return env if env in LANGS else DEFAULT_LANG


def set_language(lang: str | None) -> None:
    """Choose the language for the rest of this command (None: back to $SECOPS_LANG or Chinese)."""
    _chosen.set(normalize(lang) if lang else None)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the block (documents built in a language other than the CLI's)."""
    token = _chosen.set(normalize(lang))
    try:
        yield
    finally:
        _chosen.reset(token)


@functools.cache
def _catalog(lang: str) -> gettext.NullTranslations:
    locale = _GETTEXT_LOCALES.get(lang)
    if locale is None:  # English is the language of the source
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True)
    except Exception:  # a damaged .mo (cut short while being replaced): speak the source language
        return gettext.NullTranslations()


def _(message: str) -> str:
    """``message`` (English, as written in the code) in the current language."""
    if not message:
        return message
    return _catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Both forms are plain catalog entries: Chinese has one form, so no plural rules are needed."""
    return _(singular if count == 1 else plural)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; ``_()`` translates it where it is shown."""
    return message
