"""``watermark detect``: which recipient's copy is this? One pass over the suspect table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secops.data.recognize import recognize_column
from secops.data.watermark import pseudonyms, tableio
from secops.data.watermark.detect import Candidate, Tally, Verdict, candidate, decide, observe_columns
from secops.data.watermark.keys import key_id
from secops.data.watermark.ledger import Release
from secops.data.watermark.prf import Selector, fingerprint
from secops.data.watermark.scheme import Scheme
from secops.data.watermark.stats import log10_tail

TOKEN_CHECKS = 20_000  # tokens checked per recipient: far more evidence than any threshold needs


@dataclass
class Trace:
    verdict: Verdict
    key_id: str
    rows: int
    releases_with_other_keys: dict[str, int]  # key id -> releases made with it
    unreadable: int  # releases whose identity columns the copy lacks

    def as_dict(self) -> dict[str, Any]:
        value = self.verdict.as_dict()
        if not self.verdict.tests:  # nothing could be tested: say why rather than "no cells"
            value["verdict"] = "wrong_key" if self.releases_with_other_keys else "no_releases"
        return {
            **value,
            "key_id": self.key_id,
            "rows": self.rows,
            "releases_with_other_keys": self.releases_with_other_keys,
            "releases_without_identity": self.unreadable,
        }


def _resolve(scheme: Scheme, header: list[str], kinds: list[str | None]) -> Scheme | None:
    """The scheme with its identity columns found in this copy: by name, else by recognised kind."""
    names = []
    for name, kind in zip(scheme.identity, scheme.identity_kinds, strict=True):
        if name in header:
            names.append(name)
        elif kind is not None and kinds.count(kind) == 1:
            names.append(header[kinds.index(kind)])
        else:
            return None
    return Scheme(tuple(names), scheme.identity_kinds, scheme.carriers, scheme.gamma, scheme.length)


def trace_table(path: Path | str, *, key: bytes, releases: list[Release]) -> Trace:
    table = tableio.read_table(path)
    header = table.header
    first, batches = tableio.peek(table)
    samples = tableio.sample_columns(first, len(header))
    kinds = [
        recognize_column(name, [str(v) for v in values if v not in (None, "")]).kind
        for name, values in zip(header, samples, strict=True)
    ]
    this_key = key_id(key)
    other_keys: dict[str, int] = defaultdict(int)
    groups: dict[tuple[Any, ...], tuple[Scheme, Selector, Tally, list[Release]]] = {}
    unreadable = 0
    for item in releases:
        if item.key_id != this_key:
            other_keys[item.key_id] += 1
            continue
        scheme = _resolve(item.scheme, header, kinds)
        if scheme is None:
            unreadable += 1
            continue
        group = groups.get(scheme.selection_key())
        if group is None:
            group = (scheme, Selector(key, scheme.gamma, scheme.length), Tally(scheme.length), [])
            groups[scheme.selection_key()] = group
        group[3].append(item)
    token_columns = [
        i for i, column in enumerate(samples) if column and sum(map(pseudonyms.is_token, column)) >= 0.9 * len(column)
    ]
    token_recipients = sorted({r.recipient for r in releases if r.key_id == this_key and r.pseudonymized})
    tokens: list[str] = []
    position = {name: i for i, name in enumerate(header)}
    rows = 0
    for batch in batches:
        rows += batch.num_rows
        for scheme, selector, tally, _ in groups.values():
            needed = [*scheme.identity, *(c.column for c in scheme.carriers if c.column in position)]
            observe_columns(selector, scheme, {name: batch.column(position[name]) for name in needed}, tally)
        if token_recipients and len(tokens) < TOKEN_CHECKS:
            for index in token_columns:
                tokens += [v for v in batch.column(index).to_pylist() if pseudonyms.is_token(v)]
    scored: list[Candidate] = []
    for scheme, _, tally, members in groups.values():
        for item in members:
            marks = fingerprint(key, item.mark_id, scheme.length)
            scored.append(candidate(item.id, item.recipient, item.mark_id, tally, marks))
    tokens = tokens[:TOKEN_CHECKS]
    for recipient in token_recipients:
        hits = pseudonyms.tag_matches(tokens, pseudonyms.recipient_key(key, recipient))
        latest = max((r for r in releases if r.recipient == recipient and r.pseudonymized), key=lambda r: r.id)
        bound = log10_tail(len(tokens), hits, pseudonyms.TAG_P)
        scored.append(Candidate(latest.id, recipient, latest.mark_id, hits, len(tokens), bound, len(tokens)))
    return Trace(decide(scored), this_key, rows, dict(other_keys), unreadable)
