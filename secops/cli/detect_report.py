"""What `detect run` and `detect hunt` print: matches as they come (table, json, jsonl), the summary
per rule, and the reading and rule problems (on stderr, never with a log line's content)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.output import render_table, safe_text, say, to_json
from secops.i18n import _

if TYPE_CHECKING:
    from secops.detection.events import Match, ReadStats
    from secops.detection.sigma.engine import Engine


def shown_title(match: Match) -> str:
    """The rule's Chinese title in a Chinese session when it has one (our packs), else its own."""
    from secops.i18n import language

    return match.rule_title_zh if match.rule_title_zh and language() == "zh" else match.rule_title


_LEVEL_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}


class MatchStream:
    """Matches printed as they come, so memory stays flat however many there are: ``jsonl`` one
    line each, ``json`` one array written piece by piece (closed by ``close``, Ctrl-C included),
    ``table`` nothing until the summary, or a line each when following (``live``)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.written = 0
        self.closed = False

    def add(self, match: Match, live: bool) -> None:
        if self.fmt == "jsonl":
            click.echo(to_json(shown_match(match), indent=None))
        elif self.fmt == "json":
            click.echo(("[\n" if not self.written else ",\n") + _indented(shown_match(match)), nl=False)
        elif live:
            from secops.cli.output import shown

            when = shown(match.timestamp).strftime("%Y-%m-%d %H:%M:%S") if match.timestamp else "—"
            where = f"{Path(match.log_file).name}:{match.record}"
            click.echo(f"{when}  {match.level:<8} {safe_text(shown_title(match), 80)}  ({safe_text(where)})")
        self.written += 1

    def close(self) -> None:
        """End the JSON array (``[]`` when nothing matched); once."""
        if self.fmt == "json" and not self.closed:
            click.echo("\n]" if self.written else "[]")
        self.closed = True

    def end_started(self) -> None:
        """On the way out of a run cut short (Ctrl-C): close an array already begun, so what was
        printed stays valid JSON; print nothing when nothing was (an error says why instead)."""
        if self.written:
            self.close()


def _indented(value: dict[str, Any]) -> str:
    return "\n".join("  " + line for line in to_json(value).splitlines())


def shown_match(match: Match) -> dict[str, Any]:
    """The match as JSON with its times in the display zone (the instant unchanged)."""
    from secops.cli.output import shown

    value = match.as_dict()
    value["timestamp"] = shown(match.timestamp) if match.timestamp else None
    for member, shown_member in zip(match.members, value.get("members", []), strict=False):
        shown_member["timestamp"] = shown(member.timestamp) if member.timestamp else None
    return value


class Summary:
    """Matches counted per rule (the table), without keeping the matches themselves."""

    def __init__(self) -> None:
        self.count = 0
        self.rules: dict[str, dict[str, Any]] = {}

    def add(self, match: Match) -> None:
        self.count += 1
        row = self.rules.get(match.rule_id)
        if row is None:
            row = self.rules[match.rule_id] = {
                "level": match.level,
                "rule": shown_title(match),
                "matches": 0,
                "files": set(),
                "first": f"{Path(match.log_file).name}:{match.record}",
            }
        row["matches"] += 1
        row["files"].add(match.log_file)

    def echo(self) -> None:
        """The table on stdout; no matches is said on stderr (a pipe reads nothing)."""
        if not self.count:
            say(_("No matches."), err=True)
            return
        rows = sorted(self.rules.values(), key=lambda r: (_LEVEL_ORDER.get(r["level"], 9), -r["matches"], r["rule"]))
        headers = {
            "level": _("Level"),
            "matches": _("Matches"),
            "files": _("Files"),
            "first": _("First match"),
            "rule": _("Rule"),
        }
        columns = ["level", "matches", "files", "first", "rule"]
        click.echo(render_table([{**r, "files": len(r["files"])} for r in rows], columns, headers))
        say("\n" + _("{matches} match(es) of {rules} rule(s)").format(matches=self.count, rules=len(rows)))


def rule_error(error: object) -> None:
    click.echo(_("secops: rule error: {error}").format(error=error), err=True)


def report(engine: Engine, stats: ReadStats, count: int) -> None:
    """Reading and rule problems (always), then the counts (a status line), on stderr."""
    errors = [*engine.errors, *engine.failure_errors()]
    for error in errors:
        rule_error(error)
    for warning in engine.warnings:
        click.echo(_("secops: warning: {message}").format(message=warning), err=True)
    report_reading(stats)
    say(
        _(
            "secops: {rules} rule(s), {correlations} correlation(s), {errors} rule error(s); {files} file(s), "
            "{events} event(s), {malformed} malformed, {skipped} skipped; {matches} match(es)"
        ).format(
            rules=len(engine.rules),
            correlations=len(engine.ruleset.correlations),
            errors=len(errors),
            files=stats.files,
            events=stats.events,
            malformed=sum(stats.malformed.values()),
            skipped=len(stats.skipped),
            matches=count,
        ),
        err=True,
    )


def report_reading(stats: ReadStats) -> None:
    """Files skipped, malformed lines and unreadable times, with line numbers (never line content)."""
    for path, why in stats.skipped.items():
        click.echo(_("secops: skipped {path}: {reason}").format(path=safe_text(path), reason=safe_text(why)), err=True)
    for path, bad in stats.malformed.items():
        if bad:
            lines = ", ".join(str(n) for n in stats.malformed_lines.get(path, []))
            message = (
                _("secops: {path}: {count} malformed line(s)/record(s) skipped (first: line {lines})")
                if lines
                else _("secops: {path}: {count} malformed line(s)/record(s) skipped")
            )
            click.echo(message.format(path=safe_text(path), count=bad, lines=lines), err=True)
    for path, bad in stats.bad_times.items():
        lines = ", ".join(str(n) for n in stats.bad_time_lines.get(path, []))
        click.echo(
            _(
                "secops: {path}: {count} line(s) with a time that cannot be read (first: line {lines}); "
                "their events are kept in file order without a time"
            ).format(path=safe_text(path), count=bad, lines=lines),
            err=True,
        )


def notes(found: list[str]) -> None:
    for note in found:
        click.echo(_("secops: note: {note}").format(note=safe_text(note)), err=True)
