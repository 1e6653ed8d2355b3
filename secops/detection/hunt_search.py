"""Hunt windows and paging: every hit of a query in a time range, however many there are.

Paging uses ``search_after`` on ``@timestamp`` plus a unique tiebreaker, inside a point in time
when the node offers one (a consistent view while schools keep indexing; the integration-test
distribution does) with ``_shard_doc`` as tiebreaker, else directly on the index pattern with the
event's own ``secops.key``. Hits come back oldest first.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from secops.errors import SecopsError
from secops.i18n import _

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
PAGE_SIZE = 2000
KEEP_ALIVE = "2m"
_BY_TIME = {"@timestamp": {"order": "asc", "unmapped_type": "date"}}  # other indices of the pattern may lack it


def parse_when(text: str, now: datetime, *, option: str = "--since", zone: tzinfo = UTC) -> datetime:
    """``30m`` / ``24h`` / ``7d`` / ``2w`` before ``now``, or an ISO 8601 time (naive: in ``zone``,
    the workspace's when a person typed it)."""
    found = _RELATIVE.match(text)
    if found:
        return now - timedelta(**{_UNITS[found.group(2).lower()]: int(found.group(1))})
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SecopsError(
            _("{option}: {text!r} is neither a duration nor an ISO time").format(option=option, text=text),
            hint=_("e.g. 30m, 24h, 7d or 2026-11-23T08:00:00+08:00"),
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def check_indices(es: Elasticsearch, pattern: str) -> list[str]:
    """The indices ``pattern`` names, or a SecopsError when there are none."""
    from elasticsearch import ApiError, NotFoundError

    rows: Any = []
    try:
        rows = es.cat.indices(index=pattern, h="index", format="json").body
    except NotFoundError:
        pass
    except ApiError as error:
        raise SecopsError(
            _("cannot list indices {pattern!r}: {reason}").format(pattern=pattern, reason=error.error)
        ) from None
    names = sorted(str(row["index"]) for row in rows if isinstance(row, dict) and row.get("index"))
    if not names:
        raise SecopsError(
            _("no Elasticsearch index matches {pattern!r}").format(pattern=pattern),
            hint=_("index events first: secops detect index"),
        )
    return names


class QueryRefused(Exception):
    """Elasticsearch refused one query (its syntax, a field type): that rule's problem, not the hunt's."""


class Searcher:
    """Runs hunt queries over one index pattern; opens a point in time once if the node has them.

    The first page of many queries goes out in one ``_msearch`` (most rules find little or
    nothing: one round trip for dozens of rules); queries with more hits page on by themselves.
    """

    def __init__(self, es: Elasticsearch, index: str, *, page_size: int = PAGE_SIZE, batch: int = 50) -> None:
        self.es = es
        self.index = index
        self.page_size = page_size
        self.batch = batch
        self.pit: str | None = None
        self.requests = 0

    def __enter__(self) -> Searcher:
        from elasticsearch import ApiError

        try:
            self.pit = str(self.es.open_point_in_time(index=self.index, keep_alive=KEEP_ALIVE)["id"])
        except ApiError:
            self.pit = None  # no point in time here: page on the index itself
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pit is not None:
            from elasticsearch import ApiError

            with contextlib.suppress(ApiError):  # it expires by itself anyway
                self.es.close_point_in_time(id=self.pit)
            self.pit = None

    def pages(self, queries: list[tuple[list[dict[str, Any]], datetime, datetime]]) -> Iterator[Iterator[list[Any]]]:
        """For each (clauses, start, end), in order: its pages of hits, oldest first.

        A page iterator raises :class:`QueryRefused` when Elasticsearch rejected that query.
        """
        bodies = [_query(clauses, start, end) for clauses, start, end in queries]
        for first in range(0, len(bodies), self.batch):
            chunk = bodies[first : first + self.batch]
            responses = self._msearch(chunk)
            for query, response in zip(chunk, responses, strict=True):
                yield self._follow(query, response)

    def _follow(self, query: dict[str, Any], response: dict[str, Any]) -> Iterator[list[Any]]:
        while True:
            if "error" in response:
                error = response["error"]
                reason = error.get("root_cause", [error])[0] if isinstance(error, dict) else error
                kind = reason.get("type", "?") if isinstance(reason, dict) else str(reason)
                raise QueryRefused(kind)
            page = list(response["hits"]["hits"])
            yield page
            if len(page) < self.page_size:
                return
            response = self._msearch([query], after=page[-1]["sort"])[0]

    def _body(self, query: dict[str, Any], after: list[Any] | None) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query, "size": self.page_size, "track_total_hits": False}
        if after is not None:
            body["search_after"] = after
        if self.pit is not None:
            body["pit"] = {"id": self.pit, "keep_alive": KEEP_ALIVE}
            body["sort"] = [_BY_TIME, {"_shard_doc": "asc"}]
        else:
            body["sort"] = [_BY_TIME, {"secops.key": {"order": "asc", "unmapped_type": "keyword"}}]
        return body

    def _msearch(self, queries: list[dict[str, Any]], after: list[Any] | None = None) -> list[dict[str, Any]]:
        searches: list[dict[str, Any]] = []
        for query in queries:
            searches += [{} if self.pit is not None else {"index": self.index}, self._body(query, after)]
        self.requests += 1
        response = self.es.msearch(searches=searches)
        return list(response["responses"])


def _query(clauses: list[dict[str, Any]], start: datetime, end: datetime) -> dict[str, Any]:
    window = {"range": {"@timestamp": {"gte": start.isoformat(), "lt": end.isoformat()}}}
    return {"bool": {"filter": [*clauses, window]}}
