"""What ``secops notify test`` sends and to whom: a clearly marked test message, and the channels
a name, a type or a position picks out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from secops.errors import SecopsError
from secops.i18n import _
from secops.notify.base import Channel


def trial_message(school: str, moment: datetime, zone: tzinfo) -> str:
    """A message nobody can take for a real notice: marked as a test, naming the school and the time."""
    shown = moment.astimezone(zone).isoformat(sep=" ", timespec="seconds")  # the offset, not an ambiguous "CST"
    return _(
        "[secops test message] {school}: this notification channel works ({time}). "
        "No action is needed; real notices (incident deadlines, 等保 reminders) arrive the same way."
    ).format(school=school, time=shown)


def pick(channels: Sequence[Channel], which: str | None) -> list[tuple[int, Channel]]:
    """``(position from 1, channel)`` of every channel, or of those ``which`` names: an entry's
    ``name``, else a type (all entries of it), else a position."""
    numbered = list(enumerate(channels, start=1))
    if which is None:
        return numbered
    for chosen in (
        [(n, c) for n, c in numbered if c.settings.name == which],
        [(n, c) for n, c in numbered if c.name == which],
        [(n, c) for n, c in numbered if which.isdigit() and n == int(which)],
    ):
        if chosen:
            return chosen
    known = ", ".join(f"{n}:{c.label}" for n, c in numbered)
    raise SecopsError(
        _("no notifier {which!r} in notifiers.yaml").format(which=which),
        hint=_("choose a name, a type or a number among: {known}").format(known=known),
    )
