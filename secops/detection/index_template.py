"""The Elasticsearch index template for secops event indices: Sigma's case-insensitive matching holds.

Sigma string matching is case-insensitive, but an Elasticsearch ``keyword`` field is matched
byte for byte: ``Image:*\\whoami.exe`` misses ``C:\\Windows\\System32\\WHOAMI.EXE`` and ES|QL has no
case-insensitive ``==``/``like`` (an open upstream issue). This template maps every string field
(dynamic template, so fields nobody listed are covered too) to a ``keyword`` with a ``lowercase``
normalizer. Elasticsearch applies the normalizer to the indexed term *and* to the terms of term,
prefix and wildcard queries (also those from ``query_string``, i.e. the Lucene the Sigma backend
emits), so Lucene and EQL queries match regardless of case. ES|QL compares against the stored doc
values, which are the normalized (lowercase) terms: queries for these indices are converted with
lowercased values (``convert_rules`` does so for ES|QL). Case is not lost: ``_source`` keeps the
original document.

Each string also gets a ``.text`` sub-field (standard analyzer) for full-text search of long
values (``raw`` lines, command lines) and for values too long for a keyword term (``ignore_above``:
a keyword term is at most 32766 bytes, so 8191 characters of UTF-8 always fit).

Limits, by construction: Sigma ``|re`` is case-sensitive and runs against lowercased terms, so a
regex with upper-case literals does not match here (write it in lower case or with ``(?i)``);
``|cased`` cannot be honoured on a normalized field. ``date_detection``/``numeric_detection`` are
off so strings such as ``2024-05-06`` or ``"0042"`` stay strings (Sigma compares them as strings),
and ``ignore_malformed`` keeps a document whose field disagrees with an earlier type (``sc-status``
``-`` after ``200``) instead of rejecting it.
"""

from __future__ import annotations

import copy
from typing import Any

INDEX_PATTERNS = ["secops-events-*"]
NORMALIZER = "secops_lowercase"
KEYWORD_MAX_CHARS = 8191  # 32766-byte Lucene term limit / 4 bytes per UTF-8 character

_KEYWORD: dict[str, Any] = {
    "type": "keyword",
    "normalizer": NORMALIZER,
    "ignore_above": KEYWORD_MAX_CHARS,
    "fields": {"text": {"type": "text"}},
}

_TEMPLATE: dict[str, Any] = {
    "index_patterns": INDEX_PATTERNS,
    "priority": 200,
    "template": {
        "settings": {
            "analysis": {"normalizer": {NORMALIZER: {"type": "custom", "char_filter": [], "filter": ["lowercase"]}}},
            "index.mapping.total_fields.limit": 10000,  # EVTX channels bring many distinct fields
            "index.mapping.ignore_malformed": True,
        },
        "mappings": {
            "date_detection": False,
            "numeric_detection": False,
            "dynamic_templates": [
                {"strings_as_lowercase_keyword": {"match_mapping_type": "string", "mapping": _KEYWORD}},
            ],
            "properties": {
                "@timestamp": {"type": "date"},
                "log_file": _KEYWORD,
                "record": {"type": "long"},
                "raw": _KEYWORD,
            },
        },
    },
    "_meta": {
        "description": "secops events: strings are keyword + lowercase normalizer (Sigma matches case-insensitively)",
        "managed_by": "secops",
    },
}


def index_template(index_patterns: list[str] | None = None) -> dict[str, Any]:
    """The composable index template body (``PUT _index_template/<name>``), a fresh copy each call."""
    template = copy.deepcopy(_TEMPLATE)
    if index_patterns:
        template["index_patterns"] = list(index_patterns)
    return template
