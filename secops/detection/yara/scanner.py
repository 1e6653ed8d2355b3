"""Walking trees and scanning their files with a compiled YARA rule set on every core.

Safety rules of the walk: no symbolic link is followed (anything a link points to inside a root is
walked anyway, and links out of it are how a web user would make us read /etc); FIFOs, devices and
sockets are skipped without being opened; files above the size limit are skipped; a file is opened
with O_NOFOLLOW|O_NONBLOCK and checked again after opening, so swapping it for a link or a FIFO
between the walk and the scan changes nothing. Every skip and every error is counted, never fatal.

Speed: files go to the workers in chunks (one task per file would cost more in Python than the scan
of a small PHP file). The workers are processes forked with the compiled rules where forking is
safe, so the Python work around each scan runs on every core; threads otherwise (libyara releases
the GIL while it scans, the rest takes turns).
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yara

from secops.detection.yara.ruleset import RuleSet

DEFAULT_MAX_SIZE_MB = 64
DEFAULT_TIMEOUT_S = 60  # per file; a pathological rule on a pathological file must not hang a scan
SNIPPET_BYTES = 64  # never more of a scanned file than this in the output
MAX_INSTANCES = 3  # offsets reported per string
MAX_STRINGS = 20  # string matches reported per hit
# what a hit says of its rule (None where a rule of yours has no such meta)
HIT_META = ("description", "description_zh", "severity", "family", "technique", "language", "confidence", "reference")
CHUNK_FILES = 48
CHUNK_BYTES = 8 << 20

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_PRINTABLE = {b: chr(b) for b in range(0x20, 0x7F) if b != 0x5C}

# Matched data is copied by libyara per match; it never needs to be longer than the snippet.
yara.set_config(max_match_data=SNIPPET_BYTES)


def snippet(data: bytes) -> str:
    """Matched bytes as printable ASCII with everything else escaped as \\xNN (at most 64 bytes)."""
    return "".join(_PRINTABLE.get(b) or f"\\x{b:02x}" for b in data[:SNIPPET_BYTES])


@dataclass(frozen=True)
class StringHit:
    identifier: str
    offset: int
    snippet: str


@dataclass(frozen=True)
class YaraHit:
    path: str
    rule: str
    namespace: str
    tags: list[str]
    meta: dict[str, Any]  # HIT_META: description(_zh), severity, family, technique, ... (None when absent)
    strings: list[StringHit]
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScanStats:
    """What a scan did and did not look at."""

    files_scanned: int = 0
    bytes_scanned: int = 0
    files_matched: int = 0
    hits: int = 0
    skipped_large: int = 0
    skipped_special: int = 0
    skipped_symlinks: int = 0
    skipped_rules: int = 0  # the rule files in use (they contain every signature)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): unreadable, timed out
    elapsed_s: float = 0.0

    @property
    def unreadable(self) -> int:
        return len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["errors"] = [{"path": p, "reason": r} for p, r in self.errors]
        return out


@dataclass
class _Outcome:
    hits: list[YaraHit] = field(default_factory=list)
    scanned: int = 0
    scanned_bytes: int = 0
    large: int = 0
    special: int = 0
    links: int = 0
    rules: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def walk(
    root: str, max_bytes: int, outcome: _Outcome, exclude: frozenset[tuple[int, int]] = frozenset()
) -> Iterator[tuple[str, int]]:
    """Regular files under ``root`` with their sizes; the root itself may be a link the user named.
    Files whose (device, inode) is in ``exclude`` are counted as rule files and left out."""
    if os.path.islink(root) and os.path.isfile(root):  # named by the user: scanned where it leads
        root = os.path.realpath(root)  # (files are opened with O_NOFOLLOW; a folder's link is entered as is)
    try:
        st = os.stat(root)
    except OSError as error:
        outcome.errors.append((root, _reason(error)))
        return
    if stat.S_ISREG(st.st_mode):
        if (st.st_dev, st.st_ino) in exclude:
            outcome.rules += 1
        elif st.st_size > max_bytes:
            outcome.large += 1
        else:
            yield root, st.st_size
        return
    if not stat.S_ISDIR(st.st_mode):
        outcome.special += 1
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as error:
            outcome.errors.append((folder, _reason(error)))
            continue
        subfolders: list[str] = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    outcome.links += 1
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    if (info.st_dev, info.st_ino) in exclude:
                        outcome.rules += 1
                    elif info.st_size > max_bytes:
                        outcome.large += 1
                    else:
                        yield entry.path, info.st_size
                else:
                    outcome.special += 1
            except OSError as error:
                outcome.errors.append((entry.path, _reason(error)))
        stack.extend(reversed(subfolders))  # depth first, in name order


def _read(path: str, max_bytes: int, outcome: _Outcome) -> bytes | None:
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # became a symlink after the walk
            outcome.links += 1
        else:
            outcome.errors.append((path, _reason(error)))
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            outcome.special += 1
            return None
        if st.st_size > max_bytes:
            outcome.large += 1
            return None
        parts: list[bytes] = []
        left = st.st_size
        while left > 0:  # a file that grows while we read is scanned as it was when opened
            part = os.read(fd, min(left, 16 << 20))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    except OSError as error:
        outcome.errors.append((path, _reason(error)))
        return None
    finally:
        os.close(fd)


def printable_path(path: str) -> str:
    """A file name that is not UTF-8 (bytes kept as surrogates by os.scandir) as valid text, its
    odd bytes written \\xNN: JSON lines and the database need text that encodes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _hits(path: str, data: bytes, matches: list[Any]) -> list[YaraHit]:
    digest = hashlib.sha256(data).hexdigest()
    path = printable_path(path)
    hits = []
    for match in matches:
        strings: list[StringHit] = []
        for string in match.strings:
            for instance in string.instances[:MAX_INSTANCES]:
                strings.append(StringHit(string.identifier, instance.offset, snippet(instance.matched_data)))
        strings.sort(key=lambda s: s.offset)
        meta = match.meta
        hits.append(
            YaraHit(
                path=path,
                rule=match.rule,
                namespace=match.namespace,
                tags=list(match.tags),
                meta={key: meta.get(key) for key in HIT_META},
                strings=strings[:MAX_STRINGS],
                sha256=digest,
                size=len(data),
            )
        )
    return hits


def _keep_scanning(_kind: int, _detail: Any) -> int:
    """libyara's warnings (a string with over a million matches) stop nothing: the rule is still
    evaluated with the matches kept, and the warning would only print noise on stderr."""
    return int(yara.CALLBACK_CONTINUE)


def _scan_chunk(rules: Any, chunk: list[tuple[str, int]], max_bytes: int, timeout: int) -> _Outcome:
    outcome = _Outcome()
    for path, _size in chunk:
        data = _read(path, max_bytes, outcome)
        if data is None:
            continue
        try:
            matches = rules.match(data=data, timeout=timeout, warnings_callback=_keep_scanning)
        except yara.TimeoutError:
            outcome.errors.append((path, f"scan timed out after {timeout} s"))
            continue
        except yara.Error as error:
            outcome.errors.append((path, f"scan failed: {error}"))
            continue
        outcome.scanned += 1
        outcome.scanned_bytes += len(data)
        if matches:
            outcome.hits += _hits(path, data, matches)
    return outcome


_worker_rules: Any = None  # in a forked scanning process: the compiled rules it was started with


def _start_worker(rules: Any) -> None:
    global _worker_rules
    _worker_rules = rules
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us


def _scan_in_worker(chunk: list[tuple[str, int]], max_bytes: int, timeout: int) -> _Outcome:
    return _scan_chunk(_worker_rules, chunk, max_bytes, timeout)


Task = Callable[[list[tuple[str, int]], int, int], _Outcome]


def _pool(rules: Any, workers: int) -> tuple[Executor, Task]:
    """Processes forked with the compiled rules where that is safe (the Python work around each scan,
    opening, reading and checking a file, then runs on every core, not in turns under the GIL);
    threads otherwise (one CPU, no fork, or other threads running, as in the scheduler's daemon)."""
    from secops.detection.readahead import usable

    if workers > 1 and usable():
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(rules,))
        return pool, _scan_in_worker
    threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="yara")
    return threads, lambda chunk, max_bytes, timeout: _scan_chunk(rules, chunk, max_bytes, timeout)


def _identities(paths: Iterable[Path]) -> frozenset[tuple[int, int]]:
    found = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        found.add((st.st_dev, st.st_ino))
    return frozenset(found)


def _chunks(files: Iterable[tuple[str, int]]) -> Iterator[list[tuple[str, int]]]:
    chunk: list[tuple[str, int]] = []
    size = 0
    for item in files:
        chunk.append(item)
        size += item[1]
        if len(chunk) >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def scan_paths(
    paths: Iterable[Path | str],
    ruleset: RuleSet,
    *,
    max_size_mb: float = DEFAULT_MAX_SIZE_MB,
    workers: int | None = None,
    timeout: int = DEFAULT_TIMEOUT_S,
    stats: ScanStats | None = None,
    progress: Callable[[ScanStats], None] | None = None,
) -> Iterator[YaraHit]:
    """Scan every regular file under ``paths``; yields hits in walk order and fills ``stats``.

    Paths are made absolute (alerts must say where a file is) but not resolved: a root that is a
    link is scanned where the user named it.
    """
    stats = stats if stats is not None else ScanStats()
    max_bytes = int(max_size_mb * 1024 * 1024)
    workers = max(1, workers or os.cpu_count() or 1)
    started = time.perf_counter()
    walked = _Outcome()  # the walk runs in this thread only
    exclude = _identities(ruleset.own_files())
    files = (item for root in paths for item in walk(os.path.abspath(root), max_bytes, walked, exclude))
    pending: deque[Future[_Outcome]] = deque()

    def collect(outcome: _Outcome) -> None:  # called in this thread only
        stats.files_scanned += outcome.scanned
        stats.bytes_scanned += outcome.scanned_bytes
        stats.skipped_large += outcome.large
        stats.skipped_special += outcome.special
        stats.skipped_symlinks += outcome.links
        stats.skipped_rules += outcome.rules
        stats.errors += outcome.errors
        stats.hits += len(outcome.hits)
        stats.files_matched += len({hit.path for hit in outcome.hits})
        if progress is not None:
            progress(stats)

    try:
        pool, task = _pool(ruleset.rules, workers)
        with pool:
            try:
                for chunk in _chunks(files):
                    pending.append(pool.submit(task, chunk, max_bytes, timeout))
                    # A bounded queue keeps memory flat on huge trees and yields hits as they come.
                    while len(pending) > workers * 4 or (pending and pending[0].done()):
                        outcome = pending.popleft().result()
                        collect(outcome)
                        yield from outcome.hits
                while pending:
                    outcome = pending.popleft().result()
                    collect(outcome)
                    yield from outcome.hits
            finally:  # a consumer that stops early (or Ctrl-C) does not wait for the queued chunks
                for future in pending:
                    future.cancel()
    finally:
        collect(walked)
        stats.elapsed_s = time.perf_counter() - started
