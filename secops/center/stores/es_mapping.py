"""The index template for the center's monthly alert indices (``{prefix}-YYYY.MM``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_KEYWORD = {"type": "keyword", "ignore_above": 1024}


def template_name(prefix: str) -> str:
    return f"{prefix}-template"


def monthly_index(prefix: str, at: datetime) -> str:
    """The index an alert of time ``at`` goes to: its UTC month."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return f"{prefix}-{at.year:04d}.{at.month:02d}"  # not strftime: called once per alert stored


def index_template(prefix: str) -> dict[str, Any]:
    """Explicit types for what the center queries; every other string is a keyword (no analysis)."""
    return {
        "index_patterns": [f"{prefix}-*"],
        "priority": 200,
        "template": {
            "settings": {
                "number_of_shards": 1,
                "number_of_replicas": 0,
                "refresh_interval": "1s",
                "mapping": {"total_fields": {"limit": 2000}, "ignore_malformed": False},
            },
            "mappings": {
                "dynamic": True,
                "date_detection": False,  # a string that looks like a date stays a keyword
                "dynamic_templates": [{"strings_as_keyword": {"match_mapping_type": "string", "mapping": _KEYWORD}}],
                "properties": {
                    "@timestamp": {"type": "date"},
                    "received_at": {"type": "date"},
                    "message": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 2048}}},
                    "tags": {"type": "keyword"},
                    "organization": {"properties": {"id": {"type": "keyword"}, "name": {"type": "keyword"}}},
                    "secops": {"properties": {"severity": {"type": "keyword"}}},
                    "center": {
                        "properties": {"title": {"type": "keyword", "ignore_above": 1024}, "id": {"type": "keyword"}}
                    },
                    "event": {
                        "properties": {
                            "severity": {"type": "long"},
                            "kind": {"type": "keyword"},
                            "category": {"type": "keyword"},
                            "action": {"type": "keyword"},
                            "created": {"type": "date"},
                        }
                    },
                    "rule": {
                        "properties": {
                            "id": {"type": "keyword"},
                            "uuid": {"type": "keyword"},
                            "name": {"type": "keyword", "ignore_above": 1024},
                            "category": {"type": "keyword"},
                            "ruleset": {"type": "keyword"},
                            "description": {"type": "text"},
                            "reference": {"type": "keyword"},
                        }
                    },
                    "host": {
                        "properties": {
                            "name": {"type": "keyword"},
                            "hostname": {"type": "keyword"},
                            "ip": {"type": "keyword"},  # keyword, not ip: a malformed address must not fail the alert
                            "mac": {"type": "keyword"},
                            "os": {"properties": {"name": {"type": "keyword"}, "type": {"type": "keyword"}}},
                        }
                    },
                },
            },
        },
        "_meta": {"managed_by": "secops center"},
    }
