"""The YARA scanner on real trees: what it reports per hit, what it refuses to follow or open,
what it counts, and how the rule set is compiled, checked and cached."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from secops.detection.yara import ScanStats, load_ruleset, scan_paths
from secops.detection.yara.ruleset import RuleSet
from secops.detection.yara.samples import samples_for
from secops.detection.yara.scanner import SNIPPET_BYTES, _Outcome, _read, snippet
from secops.errors import ContentErrors, SecopsError

RULESET = load_ruleset()
CHOPPER = samples_for("china_chopper_php", hit=True)[0].content
RANSOM = samples_for("ransom_note_english", hit=True)[0].content
BENIGN = b"<?php echo 'hello'; ?>\n"


def _scan(*paths: Path, ruleset: RuleSet = RULESET, **options: object) -> tuple[list[dict[str, object]], ScanStats]:
    stats = ScanStats()
    hits = [hit.to_dict() for hit in scan_paths(paths, ruleset, stats=stats, **options)]  # type: ignore[arg-type]
    return hits, stats


def _rules_by_path(hits: list[dict[str, object]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for hit in hits:
        out.setdefault(str(hit["path"]), set()).add(str(hit["rule"]))
    return out


def test_hit_record_carries_rule_meta_strings_and_hash(tmp_path: Path) -> None:
    shell = tmp_path / "www" / "uploads" / "a.php"
    shell.parent.mkdir(parents=True)
    shell.write_bytes(b"\x00\xff junk before\n" + CHOPPER)
    (tmp_path / "www" / "index.php").write_bytes(BENIGN)

    hits, stats = _scan(tmp_path / "www")

    chopper = next(h for h in hits if h["rule"] == "china_chopper_php")
    assert chopper["path"] == str(shell)
    assert chopper["namespace"] == "webshell_chopper"
    assert chopper["tags"] == ["webshell", "php", "chopper"]
    assert chopper["meta"] == {
        "description": "China Chopper PHP one-liner: a small file that evals one POST parameter",
        "description_zh": "中国菜刀 PHP 一句话木马：小文件直接 eval/assert 一个 POST 参数",
        "severity": "critical",
        "family": "China Chopper",
        "technique": "family-marker",
        "language": "php",
        "confidence": "high",
        "reference": "https://attack.mitre.org/software/S0020/",
    }
    data = shell.read_bytes()
    assert chopper["sha256"] == hashlib.sha256(data).hexdigest()
    assert chopper["size"] == len(data)
    [string] = chopper["strings"]  # type: ignore[misc]
    assert string["identifier"] == "$one"
    assert data[string["offset"] :].startswith(CHOPPER[:20])
    assert string["snippet"] == CHOPPER.decode()[: len(string["snippet"])]
    assert stats.files_scanned == 2 and stats.files_matched == 1 and stats.hits == len(hits)
    assert stats.bytes_scanned == len(data) + len(BENIGN)


def test_snippets_are_short_and_escaped(tmp_path: Path) -> None:
    # A long match (the ransom phrase regexes allow long runs) is cut at 64 bytes.
    note = tmp_path / "note.txt"
    note.write_bytes(RANSOM.replace(b"ATTENTION!", b"\x1b[31m\x07" + b"A" * 200))
    hits, _ = _scan(note)
    for hit in hits:
        for string in hit["strings"]:  # type: ignore[attr-defined]
            assert len(string["snippet"].encode().decode("unicode_escape").encode("latin-1")) <= SNIPPET_BYTES
    assert snippet(b"\x1b[2J\\ok\xff") == "\\x1b[2J\\x5cok\\xff"
    assert snippet(b"x" * 100) == "x" * SNIPPET_BYTES


def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.php").write_bytes(CHOPPER)
    root = tmp_path / "www"
    (root / "sub").mkdir(parents=True)
    (root / "index.php").write_bytes(BENIGN)
    (root / "link.php").symlink_to(outside / "secret.php")
    (root / "sub" / "up").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling").symlink_to(tmp_path / "nowhere")

    hits, stats = _scan(root)

    assert hits == []
    assert stats.files_scanned == 1
    assert stats.skipped_symlinks == 4
    assert stats.errors == []


def test_a_root_named_through_a_link_is_scanned(tmp_path: Path) -> None:
    real = tmp_path / "srv" / "www"
    real.mkdir(parents=True)
    (real / "a.php").write_bytes(CHOPPER)
    (tmp_path / "www").symlink_to(real, target_is_directory=True)
    hits, _ = _scan(tmp_path / "www")
    assert _rules_by_path(hits) == {str(tmp_path / "www" / "a.php"): {"china_chopper_php", "php_webshell_eval_request"}}


def test_a_file_named_through_a_link_is_scanned(tmp_path: Path) -> None:
    """A root the user names may be a link to a file too (it was opened with O_NOFOLLOW and skipped)."""
    real = tmp_path / "real.php"
    real.write_bytes(samples_for("php_webshell_eval_request", hit=True)[0].content)
    (tmp_path / "shown.php").symlink_to(real)
    stats = ScanStats()
    hits = list(scan_paths([tmp_path / "shown.php"], load_ruleset(), stats=stats))
    assert [hit.rule for hit in hits] == ["php_webshell_eval_request"]
    assert (stats.files_scanned, stats.skipped_symlinks) == (1, 0)


def test_a_file_swapped_for_a_link_after_the_walk_is_not_opened(tmp_path: Path) -> None:
    (tmp_path / "real.php").write_bytes(CHOPPER)
    swapped = tmp_path / "swapped.php"
    swapped.symlink_to(tmp_path / "real.php")
    outcome = _Outcome()
    assert _read(str(swapped), 1 << 20, outcome) is None
    assert outcome.links == 1 and outcome.errors == []


def test_fifos_sockets_and_devices_are_skipped_without_opening(tmp_path: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="yx"))  # short: a socket path has a length limit
    try:
        (root / "a.php").write_bytes(CHOPPER)
        os.mkfifo(root / "pipe.php")  # opening it for reading would block forever
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(root / "s.sock"))
        special = 2
        with contextlib.suppress(PermissionError, OSError):  # root only: an endless /dev/zero clone
            os.mknod(root / "zero.php", 0o644 | stat.S_IFCHR, os.makedev(1, 5))
            special += 1
        hits, stats = _scan(root)
        server.close()
    finally:
        shutil.rmtree(root)
    assert stats.skipped_special == special
    assert stats.files_scanned == 1
    assert {h["path"] for h in hits} == {str(root / "a.php")}
    # The same checks hold after opening, for a file that changed type after the walk.
    outcome = _Outcome()
    fifo_root = Path(tempfile.mkdtemp(prefix="yx"))
    try:
        os.mkfifo(fifo_root / "p")
        assert _read(str(fifo_root / "p"), 1 << 20, outcome) is None
    finally:
        shutil.rmtree(fifo_root)
    assert outcome.special == 1


def test_files_above_the_size_limit_are_skipped_and_counted(tmp_path: Path) -> None:
    big = tmp_path / "big.php"
    with big.open("wb") as handle:
        handle.write(CHOPPER)
        handle.truncate(2 * 1024 * 1024)  # sparse: 2 MB with a webshell at the start
    exact = tmp_path / "exact.php"
    exact.write_bytes(CHOPPER + b" " * (1024 * 1024 - len(CHOPPER)))

    hits, stats = _scan(tmp_path, max_size_mb=1)
    assert stats.skipped_large == 1
    assert {h["path"] for h in hits} == {str(exact)}  # exactly at the limit is scanned

    hits, stats = _scan(tmp_path, max_size_mb=3)
    assert stats.skipped_large == 0
    # the China Chopper rule wants a small file; the generic one fires on any size
    assert _rules_by_path(hits)[str(big)] == {"php_webshell_eval_request"}

    hits, stats = _scan(big, max_size_mb=1)  # a file named as a root obeys the limit too
    assert hits == [] and stats.skipped_large == 1


@contextlib.contextmanager
def _unprivileged() -> Iterator[None]:
    """Root reads everything; as root, drop the effective uid for the block (saved uid stays 0)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_unreadable_files_and_folders_are_reported_not_fatal() -> None:
    root = Path(tempfile.mkdtemp(prefix="yara-unreadable-"))
    try:
        root.chmod(0o755)
        (root / "ok.php").write_bytes(CHOPPER)
        (root / "ok.php").chmod(0o644)
        (root / "locked.php").write_bytes(CHOPPER)
        (root / "locked.php").chmod(0o000)
        (root / "private").mkdir(mode=0o700)
        (root / "private" / "x.php").write_bytes(CHOPPER)
        (root / "private").chmod(0o000)
        with _unprivileged():
            hits, stats = _scan(root)
    finally:
        (root / "private").chmod(0o700)
        shutil.rmtree(root)
    assert {h["path"] for h in hits} == {str(root / "ok.php")}
    assert sorted(stats.errors) == [
        (str(root / "locked.php"), "Permission denied"),
        (str(root / "private"), "Permission denied"),
    ]
    assert stats.files_scanned == 1


def test_both_cores_give_the_same_hits_in_walk_order(tmp_path: Path) -> None:
    expected = []
    for i in range(400):
        path = tmp_path / f"d{i % 7}" / f"f{i:03d}.php"
        path.parent.mkdir(exist_ok=True)
        if i % 37 == 0:
            path.write_bytes(CHOPPER)
            expected.append(str(path))
        else:
            path.write_bytes(BENIGN * (i % 5 + 1))
    one, stats_one = _scan(tmp_path, workers=1)
    two, stats_two = _scan(tmp_path, workers=2)
    assert one == two
    assert sorted({str(h["path"]) for h in one}) == sorted(expected)
    assert [h["path"] for h in one] == sorted((h["path"] for h in one), key=lambda p: (Path(p).parent, p))
    assert stats_one.files_scanned == stats_two.files_scanned == 400


def _rule(name: str, text: str = "evil-marker-123") -> str:
    return (
        f'rule {name} {{\n  meta:\n    description = "test"\n    severity = "low"\n'
        f'  strings:\n    $a = "{text}"\n  condition:\n    $a\n}}\n'
    )


def test_a_broken_rule_file_is_skipped_and_the_rest_run(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "good.yar").write_text(_rule("good"))
    (rules / "bad.yara").write_text("rule bad {\n  condition:\n    nope\n}\n")
    (rules / "notes.txt").write_text("not a rule file")
    ruleset = load_ruleset([rules])
    assert ruleset.rule_count == 1
    [error] = ruleset.skipped
    assert (error.path, error.line) == (rules / "bad.yara", 3)
    target = tmp_path / "t.txt"
    target.write_text("x evil-marker-123 x")
    hits, _ = _scan(target, ruleset=ruleset)
    assert [(h["rule"], h["namespace"]) for h in hits] == [("good", "good")]

    (rules / "good.yar").write_text("rule good { condition: }\n")
    with pytest.raises(ContentErrors) as caught:
        load_ruleset([rules])
    assert len(caught.value.errors) == 2


def test_no_rule_files_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SecopsError, match="no YARA rule files"):
        load_ruleset([tmp_path])
    with pytest.raises(SecopsError, match="not found"):
        load_ruleset([tmp_path / "missing"])


def test_same_named_files_get_distinct_namespaces(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "web.yar").write_text(_rule("same"))
    ruleset = load_ruleset([tmp_path])
    target = tmp_path / "t.txt"
    target.write_text("evil-marker-123")
    hits, _ = _scan(target, ruleset=ruleset)
    assert sorted(str(h["namespace"]) for h in hits) == ["b.web", "web"]


def test_compiled_rules_are_cached_by_content(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yar").write_text(_rule("first"))
    cache = tmp_path / "cache"
    first = load_ruleset([rules], cache_dir=cache)
    again = load_ruleset([rules], cache_dir=cache)
    assert (first.cached, again.cached) == (False, True)
    assert first.digest == again.digest and list(cache.glob("*.yarc")) == [cache / f"{first.digest}.yarc"]

    (rules / "r.yar").write_text(_rule("second"))
    changed = load_ruleset([rules], cache_dir=cache)
    assert not changed.cached and changed.digest != first.digest
    assert [r.identifier for r in changed.rules] == ["second"]

    (cache / f"{changed.digest}.yarc").write_bytes(b"garbage")  # a damaged cache is compiled again
    repaired = load_ruleset([rules], cache_dir=cache)
    assert not repaired.cached and [r.identifier for r in repaired.rules] == ["second"]
    assert load_ruleset([rules], cache_dir=cache).cached

    # The cached set is left out of scans like the rule files themselves.
    target = tmp_path / "t.txt"
    target.write_text("evil-marker-123")
    hits, stats = _scan(tmp_path, ruleset=repaired)
    assert [h["path"] for h in hits] == [str(target)]
    assert stats.skipped_rules == 3  # the rule file, the cache in use and an older one


def test_a_string_with_a_million_matches_is_no_warning_and_the_rules_still_run(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    flood = tmp_path / "flood.php"
    flood.write_bytes(b"<%" * 1_100_000 + b"\n" + CHOPPER)  # "<%" is a string of the JSP/ASPX rules
    hits, stats = _scan(flood)
    assert "php_webshell_eval_request" in _rules_by_path(hits)[str(flood)]
    assert stats.errors == []
    assert [str(w.message) for w in recwarn] == []


def test_a_file_name_that_is_not_utf8_is_reported_as_valid_text(tmp_path: Path) -> None:
    with open(os.path.join(os.fsencode(tmp_path), b"\xff\xfe.php"), "wb") as handle:
        handle.write(CHOPPER)
    hits, _ = _scan(tmp_path)
    assert {h["path"] for h in hits} == {f"{tmp_path}/\\xff\\xfe.php"}
    json.dumps(hits, ensure_ascii=False).encode("utf-8")  # encodes: fit for JSON lines and the store
