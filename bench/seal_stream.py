"""Sealing speed: the SM4-GCM stream (`secops.data.seal.stream`, 64 KiB chunks) against the
`openssl enc -sm4-cbc` command and against the bare `cryptography` SM4-GCM primitive, same run.

File: --mb MB of random bytes in a temporary folder under /tmp. Each step goes file to file
through the library call (buffered files, as the CLI will open them), timed with perf_counter,
best of --runs, steps interleaved so they share the same machine state.

Baselines:
- `openssl enc -sm4-cbc -K <hex> -iv <hex> -in F -out G` and its `-d` (the OpenSSL command-line
  tool, start-up included: a few ms against seconds of work). CBC has no authentication, so the
  stream pays GHASH and per-chunk set-up on top; target: stream >= 0.8x openssl both ways.
- the `cryptography` SM4-GCM primitive alone, one encryptor (one decryptor checking the tag) fed
  the in-memory bytes in 64 KiB updates, no file I/O: the ceiling of any stream built on it.
- the whole `secops data encrypt|decrypt` path (envelope: SM2-wrapped content key, the stream,
  and when encrypting the SM3 of the output for the release ledger), against the same openssl.
Every step is checked: the stream's, the envelope's and openssl's decryptions equal the input.

Run: .venv/bin/python bench/seal_stream.py [--mb 256] [--runs 3]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from secops.data.seal import envelope, sm2
from secops.data.seal.keys import OWN, Key, key_id_of
from secops.data.seal.stream import CHUNK, decrypt_stream, encrypt_stream, new_nonce_prefix

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
TARGET = 0.8
MB = 1024 * 1024


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _write_input(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = min(left, 16 * MB)
            out.write(os.urandom(block))
            left -= block


def _stream(encrypt: bool, key: bytes, prefix: bytes, source: Path, sink: Path) -> None:
    call = encrypt_stream if encrypt else decrypt_stream
    with source.open("rb") as src, sink.open("wb") as dst:
        call(key, prefix, b"bench header", src, dst)


def _openssl(encrypt: bool, key: bytes, iv: bytes, source: Path, sink: Path) -> None:
    args = [OPENSSL, "enc", "-sm4-cbc", "-K", key.hex(), "-iv", iv.hex(), "-in", str(source), "-out", str(sink)]
    if not encrypt:
        args.insert(2, "-d")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"openssl failed ({done.returncode}): {done.stderr.strip()[:500]}")


def _primitive(encrypt: bool, key: bytes, iv: bytes, data: bytes, tag: bytes) -> bytes:
    """One GCM operation over ``data`` in CHUNK-sized updates; returns the tag when encrypting."""
    mode = modes.GCM(iv) if encrypt else modes.GCM(iv, tag)
    cipher = Cipher(algorithms.SM4(key), mode)
    context = cipher.encryptor() if encrypt else cipher.decryptor()
    view = memoryview(data)
    out = bytearray(CHUNK + 15)
    for start in range(0, len(view), CHUNK):
        context.update_into(view[start : start + CHUNK], out)
    context.finalize()
    return context.tag if encrypt else tag  # type: ignore[union-attr]


def _envelope(encrypt: bool, recipient: Key, private: sm2.PrivateKey, source: Path, sink: Path) -> None:
    """What `secops data encrypt|decrypt` does to the file: the header with the SM2-wrapped content
    key, the stream, and (encrypting) the SM3 of the output for the release ledger."""
    with source.open("rb") as src, sink.open("wb") as dst:
        if encrypt:
            envelope.seal(src, dst, [recipient])
        else:
            header = envelope.read_header(src, str(source))
            envelope.unseal(src, dst, header, envelope.content_key_for(header, [(recipient, private)], None))
    if encrypt:
        envelope.sm3_file(sink)


def run(args: argparse.Namespace, base: Path) -> None:
    size = args.mb * MB
    plain, sealed, opened = base / "plain.bin", base / "sealed.bin", base / "opened.bin"
    cbc, cbc_opened = base / "cbc.bin", base / "cbc-opened.bin"
    _write_input(plain, size)
    key, prefix, iv = os.urandom(16), new_nonce_prefix(), os.urandom(16)
    gcm_iv = os.urandom(12)
    data = plain.read_bytes()
    tag = _primitive(True, key, gcm_iv, data, b"")
    data_ct = _gcm_ciphertext(key, gcm_iv, data)
    private = sm2.generate_private_key()
    public = private.public_key()
    recipient = Key("bench", key_id_of(public), OWN, public, datetime.now(UTC), None)
    enveloped, enveloped_opened = base / "plain.seal", base / "envelope-opened.bin"
    best: dict[str, float] = {}
    steps: dict[str, Callable[[], object]] = {
        "envelope encrypt": lambda: _envelope(True, recipient, private, plain, enveloped),
        "envelope decrypt": lambda: _envelope(False, recipient, private, enveloped, enveloped_opened),
        "stream encrypt": lambda: _stream(True, key, prefix, plain, sealed),
        "stream decrypt": lambda: _stream(False, key, prefix, sealed, opened),
        "openssl sm4-cbc encrypt": lambda: _openssl(True, key, iv, plain, cbc),
        "openssl sm4-cbc decrypt": lambda: _openssl(False, key, iv, cbc, cbc_opened),
        "primitive sm4-gcm encrypt": lambda: _primitive(True, key, gcm_iv, data, b""),
        "primitive sm4-gcm decrypt": lambda: _primitive(False, key, gcm_iv, data_ct, tag),
    }
    for _ in range(args.runs):
        for name, step in steps.items():
            elapsed = _timed(step)
            best[name] = min(best.get(name, elapsed), elapsed)
    matches = (filecmp.cmp(plain, other, shallow=False) for other in (opened, cbc_opened, enveloped_opened))
    if not all(matches):
        raise SystemExit("a decryption does not match the input")
    _report(args.mb, best)


def _gcm_ciphertext(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _report(mb: int, best: dict[str, float]) -> None:
    rate = {name: mb / seconds for name, seconds in best.items()}
    print(f"file: {mb} MB, chunk {CHUNK // 1024} KiB, best of runs")
    for direction in ("encrypt", "decrypt"):
        ours = rate[f"stream {direction}"]
        openssl = rate[f"openssl sm4-cbc {direction}"]
        primitive = rate[f"primitive sm4-gcm {direction}"]
        print(f"stream {direction} MB/s: {ours:.1f}")
        print(f"openssl sm4-cbc {direction} MB/s: {openssl:.1f}")
        print(f"primitive sm4-gcm {direction} MB/s: {primitive:.1f}")
        verdict = "ok" if ours / openssl >= TARGET else "BELOW TARGET"
        print(f"ratio vs openssl ({direction}): {ours / openssl:.2f} (target >= {TARGET}: {verdict})")
        print(f"ratio vs primitive ({direction}): {ours / primitive:.2f}")
        whole = rate[f"envelope {direction}"]
        verdict = "ok" if whole / openssl >= TARGET else "BELOW TARGET"
        parts = "SM2 + stream + SM3 of the output" if direction == "encrypt" else "SM2 + stream"
        print(f"secops data {direction} (envelope: {parts}) MB/s: {whole:.1f}")
        print(f"ratio envelope vs openssl ({direction}): {whole / openssl:.2f} (target >= {TARGET}: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3, help="best of N runs per step")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="secops-bench-seal-", dir="/tmp"))
    try:
        run(args, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
