"""Where the center keeps alerts: SQLite for a county or a small province, Elasticsearch at scale."""

from secops.center.stores.base import AlertQuery, AlertStore, InsertOutcome, StoredAlert, StoreUnavailable

__all__ = ["AlertQuery", "AlertStore", "InsertOutcome", "StoreUnavailable", "StoredAlert"]
