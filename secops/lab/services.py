"""Serves every host's banner ports from one process, binding each socket inside its host's
network namespace (setns through libc), so 250 hosts do not need 250 interpreters.

Run: python3 services.py SPEC.json   (a list of {"netns", "address", "port", "kind", "banner"?})
Prints "ready" once every socket listens.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import selectors
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def enter(netns: str) -> None:
    fd = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    finally:
        os.close(fd)


def mysql_greeting(version: bytes) -> bytes:
    body = (
        b"\x0a"
        + version
        + b"\x00"
        + struct.pack("<I", 8)
        + b"abcdefgh\x00"
        + struct.pack("<H", 0xF7FF)
        + b"\x21"
        + struct.pack("<H", 2)
        + struct.pack("<H", 0x81FF)
        + b"\x15"
        + b"\x00" * 10
        + b"ijklmnopqrst\x00"
        + b"mysql_native_password\x00"
    )
    return struct.pack("<I", len(body))[:3] + b"\x00" + body


GREETINGS = {
    "ssh": b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
    "ftp": b"220 (vsFTPd 3.0.3)\r\n",
    "telnet": b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27",
    "mysql": mysql_greeting(b"5.7.44-log"),
    "vnc": b"RFB 003.008\n",
}
HTTP = (
    b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: 40\r\n"
    b"Connection: close\r\n\r\n<html><title>campus</title>hello</html>"
)
REDIS_INFO = b"# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\n"
SMB = (
    b"\x00\x00\x00\x55\xffSMBr\x00\x00\x00\x00\x88\x01\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x00\xff\xfe\x00\x00\x00\x00\x11\x07\x00\x03\x32\x00\x01\x00\x04\x41\x00\x00\x00\x00\x01\x00\x00"
    b"\x00\x00\x00\xfc\xe3\x01\x80" + b"\x00" * 30
)


def reply(kind: str, request: bytes) -> bytes | None:
    """What a service answers to a client's bytes (None: say nothing, keep listening)."""
    if kind == "http":
        return HTTP if request else None
    if kind == "redis":
        text = request.lower()
        if b"info" in text:
            return b"$%d\r\n%s\r\n" % (len(REDIS_INFO), REDIS_INFO)
        if b"ping" in text:
            return b"+PONG\r\n"
        return b"-ERR unknown command\r\n" if request else None
    if kind == "smb":
        return SMB if request else None
    return None


def main() -> None:
    """Bind every listed socket in its namespace, say "ready", then serve until killed."""
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    selector = selectors.DefaultSelector()
    for entry in spec:
        enter(entry["netns"])
        family = socket.AF_INET6 if ":" in entry["address"] else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((entry["address"], entry["port"]))
        listener.listen(64)
        listener.setblocking(False)
        banner = entry.get("banner")
        greeting = bytes.fromhex(banner) if banner else GREETINGS.get(entry["kind"], b"")
        selector.register(listener, selectors.EVENT_READ, ("listen", entry["kind"], greeting))
    _libc.setns(home, CLONE_NEWNET)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            role, kind, greeting = key.data
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            if role == "listen":
                try:
                    client, _ = sock.accept()
                except OSError:
                    continue
                client.setblocking(False)
                try:
                    if greeting:
                        client.sendall(greeting)
                except OSError:
                    client.close()
                    continue
                selector.register(client, selectors.EVENT_READ, ("client", kind, greeting))
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            answer = reply(kind, data) if data else None
            if answer:
                with contextlib.suppress(OSError):
                    sock.sendall(answer)
            if not data or kind in ("http", "smb"):
                selector.unregister(sock)
                sock.close()


if __name__ == "__main__":
    main()
