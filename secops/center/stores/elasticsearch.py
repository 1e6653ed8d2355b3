"""The Elasticsearch alert store: monthly indices ``{prefix}-YYYY.MM`` under one index template.

Idempotent by design: ``_bulk`` with ``op_type: create`` and ``_id`` = the alert id, so a resent
alert answers 409 and counts as a duplicate. No refresh per batch (searches see new alerts
within the index's refresh interval). A node that is down or pushing back (429) raises
StoreUnavailable, so the API answers 503 and the sender keeps its alerts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError

from secops.center.stores.base import AlertQuery, InsertOutcome, Interval, StoredAlert, StoreUnavailable
from secops.center.stores.es_mapping import index_template, monthly_index, template_name

_FIELD = {"school": "organization.id", "severity": "secops.severity"}
_MAX_BUCKETS = 10_000
_PREVIEW = re.compile(r"\.?\s*Preview of field's value:.*$", re.S)


def _iso(value: datetime) -> str:
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def _millis(value: datetime) -> int:
    """A time as Elasticsearch sorts dates: whole milliseconds since the epoch."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return int(aware.timestamp() * 1000)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _buckets(response: Any) -> list[dict[str, Any]]:
    """The buckets of the ``by`` aggregation; none when no index exists yet."""
    aggregations = response.body.get("aggregations")
    return list(aggregations["by"]["buckets"]) if aggregations else []


def _reason(error: Any) -> str:
    """An item error without the document's values (they may hold personal data)."""
    if not isinstance(error, dict):
        return str(error)[:200]
    reason = _PREVIEW.sub("", str(error.get("reason", "")))[:300]
    return f"{error.get('type', 'error')}: {reason}"


class ElasticsearchAlertStore:
    def __init__(self, client: Elasticsearch, *, prefix: str = "secops-alerts") -> None:
        self.client = client
        self.prefix = prefix
        self.pattern = f"{prefix}-*"
        self._template_ready = False

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "secops-alerts", timeout: float = 30.0) -> ElasticsearchAlertStore:
        client = Elasticsearch(url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)
        return cls(client, prefix=prefix)

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
        what = f"HTTP {status}" if status else type(exc).__name__
        return StoreUnavailable(f"Elasticsearch did not answer ({what})", retry_after=5 if status == 429 else 10)

    def ensure_ready(self) -> None:
        try:
            if not self._template_ready:
                self.client.indices.put_index_template(name=template_name(self.prefix), **index_template(self.prefix))
                self._template_ready = True
            else:
                self.client.cluster.health(timeout="5s")
        except (ApiError, TransportError) as exc:
            raise self._unavailable(exc) from None

    def insert(self, alerts: Sequence[StoredAlert]) -> list[InsertOutcome]:
        if not alerts:
            return []
        if not self._template_ready:  # indices created before the template would get dynamic mappings
            self.ensure_ready()
        # The NDJSON body built here with orjson: the client's own serializer took a third of the time.
        lines: list[bytes] = []
        for alert in alerts:
            action = {"create": {"_index": monthly_index(self.prefix, alert.at), "_id": alert.id}}
            center = {"title": alert.title, "id": alert.id}
            source = {**alert.doc, "received_at": _iso(alert.received_at), "center": center}
            lines.append(orjson.dumps(action))
            lines.append(orjson.dumps(source))
        lines.append(b"")
        try:
            response = self.client.bulk(
                operations=b"\n".join(lines),  # type: ignore[arg-type]  # NDJSON bytes pass through as they are
                refresh=False,
                include_source_on_error=False,
                filter_path="errors,items.*.status,items.*.error",
            )
        except (ApiError, TransportError) as exc:
            raise self._unavailable(exc) from None
        items = response.get("items", [])
        if len(items) != len(alerts):
            raise StoreUnavailable("Elasticsearch answered the bulk request incompletely", retry_after=5)
        outcomes: list[InsertOutcome] = []
        for alert, item in zip(alerts, items, strict=True):
            result = item.get("create", {})
            status = int(result.get("status", 500))
            if status in (200, 201):
                outcomes.append(InsertOutcome(alert.id, "created"))
            elif status == 409:
                outcomes.append(InsertOutcome(alert.id, "duplicate"))
            elif status in (429, 503) or status >= 500:
                # Some items may have been written: the sender resends the batch and they become duplicates.
                raise StoreUnavailable(f"Elasticsearch is falling behind (item status {status})", retry_after=5)
            else:
                outcomes.append(InsertOutcome(alert.id, "failed", _reason(result.get("error"))))
        return outcomes

    def refresh(self) -> None:
        """Make everything written so far searchable (tests, and before a report)."""
        try:
            self.client.indices.refresh(index=self.pattern, ignore_unavailable=True, allow_no_indices=True)
        except (ApiError, TransportError) as exc:
            raise self._unavailable(exc) from None

    def _query(self, query: AlertQuery) -> dict[str, Any]:
        filters: list[dict[str, Any]] = []
        if query.school:
            filters.append({"term": {"organization.id": query.school}})
        if query.severities:
            filters.append({"terms": {"secops.severity": list(query.severities)}})
        span: dict[str, str] = {}
        if query.since:
            span["gte"] = _iso(query.since)
        if query.until:
            span["lt"] = _iso(query.until)
        if span:
            filters.append({"range": {"@timestamp": span}})
        if query.received_since:
            filters.append({"range": {"received_at": {"gte": _iso(query.received_since)}}})
        if query.text:
            escaped = re.sub(r"([*?\\])", r"\\\1", query.text)
            filters.append({"wildcard": {"center.title": {"value": f"*{escaped}*"}}})
        return {"bool": {"filter": filters}}

    def _search(self, **kwargs: Any) -> Any:
        try:
            return self.client.search(index=self.pattern, ignore_unavailable=True, allow_no_indices=True, **kwargs)
        except (ApiError, TransportError) as exc:
            raise self._unavailable(exc) from None

    @staticmethod
    def _alert(hit: dict[str, Any]) -> StoredAlert:
        source = dict(hit["_source"])
        received = source.pop("received_at")
        center = source.pop("center", {})
        return StoredAlert(
            id=hit["_id"],
            school=source["organization"]["id"],
            at=_parse(source["@timestamp"]),
            received_at=_parse(received),
            severity=source["secops"]["severity"],
            title=center.get("title", ""),
            doc=source,
        )

    def search(self, query: AlertQuery) -> list[StoredAlert]:
        if query.order == "received":
            # Keyset paging on (received_at, center.id): search_after, so no 10,000-hit window limit.
            paging: dict[str, Any] = {"sort": [{"received_at": "asc"}, {"center.id": "asc"}]}
            if query.received_after:
                when, last_id = query.received_after
                paging["search_after"] = [_millis(when), last_id]
            else:
                paging["from_"] = query.offset
        else:
            paging = {"sort": [{"@timestamp": "desc"}, {"received_at": "desc"}], "from_": query.offset}
        response = self._search(query=self._query(query), size=query.limit, **paging)
        return [self._alert(hit) for hit in response["hits"]["hits"]]

    def count(self, query: AlertQuery) -> int:
        try:
            response = self.client.count(
                index=self.pattern, query=self._query(query), ignore_unavailable=True, allow_no_indices=True
            )
        except (ApiError, TransportError) as exc:
            raise self._unavailable(exc) from None
        return int(response["count"])

    def count_by(self, field: Literal["school", "severity"], query: AlertQuery) -> dict[str, int]:
        aggs = {"by": {"terms": {"field": _FIELD[field], "size": _MAX_BUCKETS}}}
        response = self._search(query=self._query(query), size=0, aggs=aggs)
        return {str(b["key"]): int(b["doc_count"]) for b in _buckets(response)}

    def histogram(self, query: AlertQuery, interval: Interval) -> list[tuple[datetime, int]]:
        aggs = {
            "by": {
                "date_histogram": {
                    "field": "@timestamp",
                    "calendar_interval": "1h" if interval == "hour" else "1d",
                    "time_zone": "UTC",
                    "min_doc_count": 1,
                }
            }
        }
        response = self._search(query=self._query(query), size=0, aggs=aggs)
        return [(datetime.fromtimestamp(b["key"] / 1000, tz=UTC), int(b["doc_count"])) for b in _buckets(response)]

    def last_received(self) -> dict[str, datetime]:
        aggs = {
            "by": {
                "terms": {"field": "organization.id", "size": _MAX_BUCKETS},
                "aggs": {"last": {"max": {"field": "received_at"}}},
            }
        }
        response = self._search(size=0, aggs=aggs)
        return {str(b["key"]): datetime.fromtimestamp(b["last"]["value"] / 1000, tz=UTC) for b in _buckets(response)}

    def get(self, alert_id: str) -> StoredAlert | None:
        response = self._search(query={"ids": {"values": [alert_id]}}, size=1)
        hits = response["hits"]["hits"]
        return self._alert(hits[0]) if hits else None

    def close(self) -> None:
        self.client.close()
