"""Events in Elasticsearch: the flattened events ``secops detect run`` sees, one document each.

``index_logs`` reads logs with the same readers as the local engine and bulk-indexes every event;
``batches_from_hits`` turns search hits back into the very ``EventBatch`` rows the reader built, so
a hunt and a local run judge the same events. A document holds the event's own fields at the top
level (Sigma's field names: pySigma's Lucene runs on them unchanged) and:

* ``@timestamp`` -- the time the reader parsed (ISO; a naive time is UTC for Elasticsearch);
* ``log_file`` + ``record`` -- the event identity, the pair a local match carries;
* ``raw`` -- the original line or record;
* ``secops.reader`` -- the reader (web, syslog, evtx, ...); ``secops.key`` -- the ``_id``;
* ``secops.keywords`` -- what a Sigma keyword (field-less) search looks at locally: the raw line
  (and its URL-decoded form for web logs), or every field value of a structured (JSON, EVTX) event.
  Indexed, not stored (``_source`` excludes it);
* ``secops.filled`` -- Windows field aliases filled in as the engine reads them (``Image`` from a
  Security event's ``NewProcessName``, ``ThreatName`` from Defender's ``Threat Name``), removed
  again when the event is rebuilt;
* ``secops.shadowed`` -- event fields whose names collide with the ones above or that
  Elasticsearch refuses (``_id``), kept unindexed (as JSON) and restored when the event is rebuilt.

Names stay flat (``subobjects: false``): syslog's ``host`` and ECS's ``host.name`` are both leaf
fields, where nested objects would make one of them a mapping conflict.

The web reader's URL-decoded columns (``c-uri@decoded``) are copied into their field (``copy_to``),
so ``c-uri:*x*`` also tries the decoded value, as the engine does. Strings are keywords with the
lowercase normalizer of :mod:`secops.detection.index_template` (Sigma matches case-insensitively).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secops.detection.events import DECODED_SUFFIX, BatchBuilder, EventBatch, ReadStats
from secops.detection.index_template import index_template
from secops.detection.readers.web import COLUMNS as WEB_COLUMNS
from secops.detection.sigma.batch import (
    FIELD_ALIASES,
    STRUCTURED,
    decode_raw,  # the engine's own decoding of raw web lines
)
from secops.detection.sigma.view import text_of
from secops.errors import SecopsError
from secops.i18n import _

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

META = "secops"
READER, KEY, KEYWORDS, FILLED, SHADOWED = (
    f"{META}.{name}" for name in ("reader", "key", "keywords", "filled", "shadowed")
)
_RESERVED = frozenset({"@timestamp", "log_file", "record", "raw", META})
# Names Elasticsearch keeps for itself: a document carrying one as a field is rejected.
_ES_METADATA = frozenset(
    {"_id", "_index", "_source", "_routing", "_ignored", "_seq_no", "_primary_term", "_version", "_tier"}
    | {"_field_names", "_doc_count", "_nested_path", "_data_stream_timestamp", "_feature", "_size", "_meta"}
)
_DECODED = [name for name in WEB_COLUMNS if name.endswith(DECODED_SUFFIX)]


def connect(url: str, *, timeout: float = 30.0) -> Elasticsearch:
    """A client for ``url`` that answered a health request, or one clear SecopsError."""
    from elasticsearch import ApiError, Elasticsearch, TransportError

    if not url.startswith(("http://", "https://")):
        raise SecopsError(_("not an Elasticsearch URL: {url!r}").format(url=url), hint=_("use http://HOST:PORT"))
    client = Elasticsearch(url, request_timeout=timeout)
    try:
        client.cluster.health(timeout="10s")
    except (TransportError, ApiError) as error:  # this distribution has no GET /: health is the probe
        raise SecopsError(
            _("Elasticsearch at {url} is not reachable: {kind}").format(url=url, kind=type(error).__name__),
            hint=_("check --es and that the node runs"),
        ) from None
    return client


def index_body() -> dict[str, Any]:
    """Settings and mappings of an events index (the secops template plus the hunt's own fields)."""
    template = index_template()["template"]
    mappings = template["mappings"]
    keyword = mappings["properties"]["raw"]
    # Flat dotted names: syslog's "host" and ECS's "host.name" can live in one index.
    mappings["subobjects"] = False
    mappings["_source"] = {"excludes": [KEYWORDS]}
    for name in (READER, KEY, KEYWORDS, FILLED):
        mappings["properties"][name] = keyword
    mappings["properties"][SHADOWED] = {"type": "keyword", "index": False, "doc_values": False}
    for name in _DECODED:
        mappings["properties"][name] = {**keyword, "copy_to": name.removesuffix(DECODED_SUFFIX)}
    return {"settings": template["settings"], "mappings": mappings}


def ensure_index(es: Elasticsearch, index: str) -> bool:
    """Create ``index`` with the events mapping unless it exists; True when it was created."""
    from elasticsearch import BadRequestError

    if es.indices.exists(index=index):
        return False
    body = index_body()
    try:
        es.indices.create(index=index, settings=body["settings"], mappings=body["mappings"])
    except BadRequestError as error:
        if error.error == "resource_already_exists_exception":  # another indexer was faster
            return False
        raise SecopsError(
            _("cannot create index {index!r}: {reason}").format(index=index, reason=error.error),
            hint=_("use a lowercase index name"),
        ) from None
    return True


def event_key(log_file: str, record: int) -> str:
    return hashlib.sha1(f"{log_file}\x00{record}".encode(), usedforsecurity=False).hexdigest()


def documents(batch: EventBatch) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``_id``, document) for each event of the batch."""
    structured = batch.source in STRUCTURED
    categories = batch.columns.get("_category")
    web = batch.source == "web" or (categories is not None and categories[0] == "webserver")
    for row in batch.rows():
        fields = batch.event(row, internal=True)
        key = event_key(batch.file_of(row), batch.records[row])
        raw = batch.raws[row]
        shadowed = {name: fields.pop(name) for name in list(fields) if _shadowed(name)}
        meta: dict[str, Any] = {READER: batch.source, KEY: key}
        if structured:
            meta[KEYWORDS] = _values_text(v for n, v in {**fields, **shadowed}.items() if not n.startswith("_"))
        else:
            meta[KEYWORDS] = _values_text([raw, decode_raw(raw)] if web else [raw])
        filled = _fill_aliases(fields)
        if filled:
            meta[FILLED] = filled
        if shadowed:
            meta[SHADOWED] = json.dumps(shadowed, ensure_ascii=False, default=str)
        timestamp = batch.timestamps[row]
        doc: dict[str, Any] = {**fields, "log_file": batch.file_of(row), "record": batch.records[row], "raw": raw}
        doc.update(meta)
        if timestamp is not None:
            doc["@timestamp"] = timestamp.isoformat()
        yield key, doc


def _values_text(values: Iterable[Any]) -> list[str]:
    """Each value as the engine's string tests see it (list items one by one), without repeats."""
    found: dict[str, None] = {}
    for value in values:
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is not None:
                found[text_of(item)] = None
    return list(found)


def _fill_aliases(fields: dict[str, Any]) -> list[str]:
    """Fill Sysmon names from their Security-log equivalents where missing, and Defender's spaced
    names (``Threat Name``) under their spaceless form (``ThreatName``), as the engine reads them."""
    from secops.detection.sigma.batch import spaced_names

    filled = []
    for bare, spaced in spaced_names(list(fields)).items():
        if fields.get(bare) is None:
            fields[bare] = fields[spaced[0]]
            filled.append(bare)
    for name, aliases in FIELD_ALIASES.items():
        if fields.get(name) is not None:
            continue
        value = next((fields[a] for a in aliases if fields.get(a) is not None), None)
        if value is not None:
            fields[name] = value
            filled.append(name)
    return filled


def _shadowed(name: str) -> bool:
    return (
        name in _RESERVED
        or name.startswith(f"{META}.")
        or name in _ES_METADATA
        or not name.strip(".")
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
    )


def batches_from_hits(hits: Iterable[dict[str, Any]]) -> list[EventBatch]:
    """The events of search hits as batches (one per log file and reader), in hit order."""
    builders: dict[tuple[str, str], BatchBuilder] = {}
    for hit in hits:
        source = dict(hit["_source"])
        log_file = source.pop("log_file")
        record = int(source.pop("record"))
        raw = source.pop("raw", "")
        stamp = source.pop("@timestamp", None)
        reader = str(source.pop(READER, None) or "jsonl")
        source.pop(KEY, None)
        source.pop(KEYWORDS, None)
        for name in source.pop(FILLED, None) or ():
            source.pop(name, None)
        shadowed = source.pop(SHADOWED, None)
        if shadowed:
            source.update(json.loads(shadowed))
        builder = builders.get((log_file, reader))
        if builder is None:
            builder = builders[log_file, reader] = BatchBuilder(reader, log_file)
        builder.add(record, datetime.fromisoformat(stamp) if stamp else None, raw, source)
    return [builder.batch for builder in builders.values()]


@dataclass
class IndexOutcome:
    """What indexing did: events sent, documents Elasticsearch refused (with the first reasons)."""

    index: str
    indexed: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    stats: ReadStats = field(default_factory=ReadStats)


def index_logs(
    es: Elasticsearch,
    paths: Iterable[Path | str],
    index: str,
    *,
    log_format: str | None = None,
    chunk_size: int = 1000,
    zone: tzinfo = UTC,
) -> IndexOutcome:
    """Read logs with the engine's readers and index every event into ``index`` (idempotent ``_id``);
    zone-less log times are wall times in ``zone``."""
    from elasticsearch import helpers

    from secops.detection.readers import read_paths

    ensure_index(es, index)
    outcome = IndexOutcome(index)

    def actions() -> Iterator[dict[str, Any]]:
        for batch in read_paths([Path(p) for p in paths], log_format=log_format, stats=outcome.stats, zone=zone):
            for key, doc in documents(batch):
                yield {"_index": index, "_id": key, "_source": doc}

    for ok, item in helpers.streaming_bulk(
        es, actions(), chunk_size=chunk_size, raise_on_error=False, raise_on_exception=False, max_retries=2
    ):
        if ok:
            outcome.indexed += 1
            continue
        outcome.rejected += 1
        if len(outcome.reasons) < 5:  # the reason's type only: event values stay out of messages
            detail: dict[str, Any] = next(iter(item.values()), {})
            error = detail.get("error")
            outcome.reasons.append(error.get("type", "?") if isinstance(error, dict) else str(error)[:80])
    es.indices.refresh(index=index)
    return outcome
