"""Services that answer privileged requests without authentication: Redis, MongoDB, Elasticsearch.

Each probe sends one harmless read-only request and reads the answer: True when the service
served it without credentials, False when it asked for them (or is not that service), None when
nothing could be asked (refused, timed out).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import ssl
import struct
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

READ_LIMIT = 65536
REDIS_PORTS = frozenset({6379})
MONGODB_PORTS = frozenset({27017, 27018, 27019})
ELASTICSEARCH_PORTS = frozenset({9200})


class _NoAnswer(Exception):
    """The service could not be asked: connection refused, reset or timed out."""


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((address, port), timeout=timeout)
    except OSError as exc:
        raise _NoAnswer(str(exc)) from None


def _read_until(sock: socket.socket, done: Callable[[bytes], bool]) -> bytes:
    data = b""
    while not done(data) and len(data) < READ_LIMIT:
        try:
            chunk = sock.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


# -- Redis ------------------------------------------------------------------------------------------
def resp_command(*words: str) -> bytes:
    """A command in Redis's wire format (RESP array of bulk strings)."""
    parts = [b"*%d\r\n" % len(words)]
    for word in words:
        raw = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


def redis_reply(sock: socket.socket) -> bytes:
    """One RESP reply: a status/error line or a whole bulk string."""

    def complete(data: bytes) -> bool:
        if not data.endswith(b"\r\n"):
            return False
        if data.startswith(b"$"):
            header, _, body = data.partition(b"\r\n")
            with contextlib.suppress(ValueError):
                return int(header[1:]) < 0 or len(body) >= int(header[1:]) + 2
            return True
        return True

    return _read_until(sock, complete)


def probe_redis(address: str, port: int, timeout: float) -> dict[str, Any] | None:
    """{unauthenticated, version?} or None when not reachable."""
    try:
        with _connect(address, port, timeout) as sock:
            sock.sendall(resp_command("PING"))
            answer = redis_reply(sock)
            if not answer:
                raise _NoAnswer("no reply to PING")
            if not answer.startswith(b"+PONG"):
                # -NOAUTH: a password is required; -DENIED: protected mode refuses remote clients.
                return {"unauthenticated": False}
            result: dict[str, Any] = {"unauthenticated": True}
            sock.sendall(resp_command("INFO", "server"))
            info = redis_reply(sock)
            found = re.search(rb"redis_version:([0-9A-Za-z.\-]+)", info)
            if found:
                result["version"] = found.group(1).decode()
            return result
    except _NoAnswer as exc:
        log.debug("redis %s:%d not probed: %s", address, port, exc)
        return None
    except OSError as exc:
        log.debug("redis %s:%d: %s", address, port, exc)
        return None


# -- MongoDB ----------------------------------------------------------------------------------------
OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013


def bson_document(fields: dict[str, Any]) -> bytes:
    """BSON for the few value types our commands use: int32, double, bool, string."""
    body = b""
    for key, value in fields.items():
        name = key.encode() + b"\x00"
        if isinstance(value, bool):
            body += b"\x08" + name + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            body += b"\x10" + name + struct.pack("<i", value)
        elif isinstance(value, float):
            body += b"\x01" + name + struct.pack("<d", value)
        elif isinstance(value, str):
            raw = value.encode() + b"\x00"
            body += b"\x02" + name + struct.pack("<i", len(raw)) + raw
        else:
            raise TypeError(f"unsupported BSON value {type(value).__name__}")
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


_FIXED_SIZES = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7F: 0, 0xFF: 0}


def bson_top_level(document: bytes) -> dict[str, Any]:
    """Top-level scalars of a BSON document (numbers, strings, bools); nested values skipped.

    Stops quietly at anything it cannot read: a server's answer is untrusted input.
    """
    values: dict[str, Any] = {}
    if len(document) < 5:
        return values
    end = min(struct.unpack_from("<i", document)[0], len(document)) - 1
    at = 4
    while at < end:
        kind = document[at]
        name_end = document.find(b"\x00", at + 1)
        if name_end < 0:
            break
        name = document[at + 1 : name_end].decode(errors="replace")
        at = name_end + 1
        try:
            if kind == 0x01:
                values[name] = struct.unpack_from("<d", document, at)[0]
            elif kind == 0x10:
                values[name] = struct.unpack_from("<i", document, at)[0]
            elif kind == 0x12:
                values[name] = struct.unpack_from("<q", document, at)[0]
            elif kind == 0x08:
                values[name] = document[at] == 1
            if kind in _FIXED_SIZES:
                at += _FIXED_SIZES[kind]
            elif kind in (0x02, 0x0D, 0x0E):  # string, JavaScript, symbol
                size = struct.unpack_from("<i", document, at)[0]
                if kind == 0x02:
                    values[name] = document[at + 4 : at + 4 + size - 1].decode(errors="replace")
                at += 4 + size
            elif kind in (0x03, 0x04):  # document, array
                at += struct.unpack_from("<i", document, at)[0]
            elif kind == 0x05:  # binary
                at += 5 + struct.unpack_from("<i", document, at)[0]
            elif kind == 0x0B:  # regex: two C strings
                at = document.index(b"\x00", document.index(b"\x00", at) + 1) + 1
            else:
                break
        except (struct.error, ValueError, IndexError):
            break
    return values


def mongodb_op_msg(command: dict[str, Any], request_id: int = 1) -> bytes:
    body = struct.pack("<I", 0) + b"\x00" + bson_document(command)
    return struct.pack("<iiii", 16 + len(body), request_id, 0, OP_MSG) + body


def mongodb_op_query(command: dict[str, Any], request_id: int = 1) -> bytes:
    """The legacy command form, for servers older than 3.6 that do not know OP_MSG."""
    body = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1) + bson_document(command)
    return struct.pack("<iiii", 16 + len(body), request_id, 0, OP_QUERY) + body


def mongodb_reply_document(message: bytes) -> dict[str, Any] | None:
    """The first document of an OP_MSG or OP_REPLY answer."""
    if len(message) < 16:
        return None
    opcode = struct.unpack_from("<i", message, 12)[0]
    if opcode == OP_MSG and len(message) >= 21 and message[20] == 0:
        return bson_top_level(message[21:])
    if opcode == OP_REPLY and len(message) >= 36:
        return bson_top_level(message[36:])
    return None


def _mongodb_exchange(address: str, port: int, timeout: float, request: bytes) -> dict[str, Any] | None:
    with _connect(address, port, timeout) as sock:
        sock.sendall(request)

        def complete(data: bytes) -> bool:
            return len(data) >= 4 and len(data) >= struct.unpack_from("<i", data)[0]

        return mongodb_reply_document(_read_until(sock, complete))


def probe_mongodb(address: str, port: int, timeout: float) -> dict[str, Any] | None:
    """listDatabases on admin: ok:1 without credentials means anyone can read every database."""
    command = {"listDatabases": 1, "nameOnly": True}
    try:
        reply = _mongodb_exchange(address, port, timeout, mongodb_op_msg({**command, "$db": "admin"}))
        if reply is None:
            reply = _mongodb_exchange(address, port, timeout, mongodb_op_query(command))
    except _NoAnswer as exc:
        log.debug("mongodb %s:%d not probed: %s", address, port, exc)
        return None
    except OSError as exc:
        log.debug("mongodb %s:%d: %s", address, port, exc)
        return None
    if reply is None:
        return {"unauthenticated": False}
    return {"unauthenticated": reply.get("ok") in (1, 1.0, True)}


# -- Elasticsearch ----------------------------------------------------------------------------------
def _http_get(address: str, port: int, timeout: float, *, tls: bool) -> bytes:
    host = f"[{address}]" if ":" in address else address
    request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    with _connect(address, port, timeout) as raw:
        sock: socket.socket = raw
        if tls:
            # Only whether it answers without credentials matters here, not who it is.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(raw)
        with sock:
            sock.sendall(request.encode())
            return _read_until(sock, lambda data: False)


def elasticsearch_answer(response: bytes) -> bool | None:
    """True: cluster information without credentials; False: refused or not Elasticsearch;
    None: no HTTP answer at all."""
    if not response.startswith(b"HTTP/"):
        return None
    head, _, body = response.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)
    if len(status) < 2 or status[1] != b"200":
        return False
    try:
        document = json.loads(body[body.find(b"{") :].decode(errors="replace")) if b"{" in body else {}
    except ValueError:
        return False
    return isinstance(document, dict) and ("cluster_name" in document or "cluster_uuid" in document)


def probe_elasticsearch(address: str, port: int, timeout: float) -> dict[str, Any] | None:
    for tls in (False, True):  # 8.x serves HTTPS on the same port
        try:
            answer = elasticsearch_answer(_http_get(address, port, timeout, tls=tls))
        except _NoAnswer as exc:
            log.debug("elasticsearch %s:%d not probed: %s", address, port, exc)
            return None
        except (OSError, ssl.SSLError):
            answer = None
        if answer is not None:
            return {"unauthenticated": answer}
    return {"unauthenticated": False}


# -- all of them --------------------------------------------------------------------------------------
Probe = Callable[[str, int, float], "dict[str, Any] | None"]


def candidates(services: list[dict[str, Any]]) -> list[tuple[str, int, Probe]]:
    """(service name, port, probe) for every service one of the probes speaks."""
    found: list[tuple[str, int, Probe]] = []
    for service in services:
        if service.get("proto", "tcp") != "tcp":
            continue
        port = int(service["port"])
        name = str(service.get("name") or "").lower()
        product = str(service.get("product") or "").lower()
        if name == "redis" or port in REDIS_PORTS:
            found.append(("redis", port, probe_redis))
        elif name in ("mongodb", "mongod") or "mongodb" in product or port in MONGODB_PORTS:
            found.append(("mongodb", port, probe_mongodb))
        elif name == "elasticsearch" or "elasticsearch" in product or port in ELASTICSEARCH_PORTS:
            found.append(("elasticsearch", port, probe_elasticsearch))
    return found


def probe_unauthenticated(
    address: str, services: list[dict[str, Any]], *, timeout: float
) -> list[dict[str, Any]] | None:
    """The ``unauthenticated`` fact; None when no candidate service could be asked at all."""
    found = candidates(services)
    if not found:
        return []
    entries: list[dict[str, Any]] = []
    asked = 0
    for name, port, probe in found:
        result = probe(address, port, timeout)
        if result is None:
            continue
        asked += 1
        if result["unauthenticated"]:
            entry: dict[str, Any] = {"service": name, "port": port}
            if result.get("version"):
                entry["version"] = result["version"]
            entries.append(entry)
    return entries if asked else None
