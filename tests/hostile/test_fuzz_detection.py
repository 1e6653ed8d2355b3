"""Property-based fuzzing of the log readers and the Sigma loader/compiler/engine (issue 17).

Properties: no exception escapes; every non-blank line is either an event or counted as malformed,
and the malformed line numbers kept are real lines of the file; a rule problem is a ContentError
naming the rule file and a line inside it, ``secops content validate`` reports exactly the errors the
engine does, and the engine matches a batch of hostile values without raising.

Inputs are random bytes and random mutations of real samples: the reader fixtures, the shipped
pack's sample logs (tests/content/sigma_samples), the shipped rules (rules/sigma) and, when present,
the SigmaHQ corpus in ../shared/data/sigmahq. CI runs a bounded number of examples with a fixed seed;
``SECOPS_FUZZ_EXAMPLES=N`` (scripts/fuzz.sh) runs N examples per property with random seeds.
"""

from __future__ import annotations

import copy
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import read_file
from secops.detection.readers._files import MAX_LINE_BYTES, iter_lines
from secops.detection.readers.auditd import read_auditd
from secops.detection.readers.jsonl import read_jsonl
from secops.detection.readers.syslog import read_syslog
from secops.detection.readers.web import read_web
from secops.detection.sigma.content import check_rule_file
from secops.detection.sigma.engine import Engine
from secops.detection.sigma.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "unit" / "detection" / "fixtures" / "logs"
SAMPLES = ROOT / "tests" / "content" / "sigma_samples"
SHIPPED_RULES = ROOT / "rules" / "sigma"
SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", ROOT.parent / "shared" / "data" / "sigmahq"))

LARGE = os.environ.get("SECOPS_FUZZ_EXAMPLES")
EXAMPLES = int(LARGE or 100)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared CI machine is slow now and then; the file's total is what is bounded
    derandomize=not LARGE,  # CI: the same examples every run; scripts/fuzz.sh: new ones each run
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FEW = settings(FUZZ, max_examples=max(5, EXAMPLES // 4))  # the slow ones: EVTX parsing, pySigma loading


def _lines(paths: list[Path]) -> list[bytes]:
    found = []
    for path in paths:
        found += [line for line in path.read_bytes().splitlines() if line.strip()]
    return found


def _samples(pattern: str) -> list[Path]:
    return sorted(SAMPLES.glob(pattern))


WEB = _lines([FIXTURES / "nginx" / "access.log", *(FIXTURES / "apache").iterdir(), *_samples("web_*/*.log")])
SYSLOG = _lines(
    [*(p for p in (FIXTURES / "linux").iterdir() if p.suffix != ".gz"), *_samples("lnx_[!a]*/*.log")]
)  # fmt: skip
AUDIT = _lines([FIXTURES / "audit" / "audit.log", *_samples("lnx_auditd_*/*.log")])
JSONL = [
    *_lines([FIXTURES / "json" / "events.jsonl"]),
    b'{"Event": {"System": {"EventID": {"#text": "4688", "#attributes": {"Qualifiers": ""}},'
    b' "Channel": "Security", "Provider": {"#attributes": {"Name": "x"}},'
    b' "TimeCreated": {"#attributes": {"SystemTime": "2024-01-01T00:00:00Z"}}},'
    b' "EventData": {"Data": [{"#attributes": {"Name": "CommandLine"}, "#text": "cmd /c whoami"}, "x"]}}}',
    b'{"winlog": {"channel": "Security", "event_id": 4625, "event_data": {"TargetUserName": "a"}},'
    b' "@timestamp": 1.7e9}',
]
EVTX = FIXTURES / "evtx" / "Security_short_selected.evtx"

# What the trial and earlier fuzzing found readers choke on.
HOSTILE = [
    "²", "٣", "０", "\x00", "\ufeff", "\u2028", "\r", "\t", " ", '"', "\\", "\\x22", "[", "]", "{", "}", ":", "-",
    "9" * 20, "9" * 5000, "1e999", "NaN", "Infinity", "-1", "0x" + "f" * 300, "\ud800", "%00", "%", "'",
    "msg=audit(", "type=", "<999>", "<²>", "[²]", "message repeated 3 times: [ ", "\x1d", "=" * 3,
]  # fmt: skip
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x1f\x8b", b"\n", b"\r\n"]


@st.composite
def mutated(draw: st.DrawFn, lines: list[bytes]) -> bytes:
    """A real line with a few random edits: hostile text or bytes inserted, spans cut or repeated,
    digit runs replaced."""
    data = bytearray(draw(st.sampled_from(lines)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            data[at:at] = draw(st.sampled_from(HOSTILE)).encode("utf-8", "surrogatepass")
        elif choice == 1:
            data[at:at] = draw(st.sampled_from(BAD_BYTES))
        elif choice == 2:
            end = draw(st.integers(at, min(len(data), at + 40)))
            del data[at:end]
        elif choice == 3:
            end = draw(st.integers(at, min(len(data), at + 40)))
            data[at:at] = data[at:end] * draw(st.integers(1, 3))
        elif choice == 4:
            data[at:at] = draw(st.text(max_size=8)).encode("utf-8", "surrogatepass")
        else:  # a digit replaced by hostile digits: counts, years, ports, pids
            digits = [i for i, byte in enumerate(data) if 48 <= byte <= 57]
            if digits:
                i = draw(st.sampled_from(digits))
                data[i : i + 1] = draw(st.sampled_from(["²", "٣", "9" * 25, "-", ""])).encode()
    return bytes(data)


def log_bytes(lines: list[bytes], *extra: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Whole files: a few mutated and intact real lines, or random bytes, joined by newlines."""
    line = st.one_of(mutated(lines), st.sampled_from(lines), st.binary(max_size=200), *extra)
    return st.lists(line, min_size=1, max_size=8).map(lambda parts: b"\n".join(parts) + b"\n")


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: json.loads reads them
    st.text(max_size=12),
    st.sampled_from([10**30, -(10**300), 1e308, "9" * 25, "0x" + "f" * 300, "\ud800", "2024-02-30T00:00:00"]),
    st.sampled_from(HOSTILE),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
FIELDS = [
    "@timestamp", "timestamp", "time", "TimeCreated", "EventID", "Channel", "CommandLine", "Image", "_product",
    "_service", "_category", "winlog", "Event", "EventData", "System", "#attributes", "#text", "Data", "Name",
]  # fmt: skip


@st.composite
def json_line(draw: st.DrawFn) -> bytes:
    """One JSON line shaped like the events the reader knows (ECS, Winlogbeat, evtx_dump) with hostile
    values where names, ids and times belong; or nesting past the limits."""
    depth = draw(st.sampled_from([0, 0, 0, 63, 65, 2000, 100_000]))
    if depth:
        return b'{"a": ' * depth + b"1" + b"}" * depth
    value = draw(st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=6))
    if draw(st.booleans()):
        system = draw(st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5))
        value["Event"] = {"System": system, "EventData": draw(JSON)}
    return json.dumps(value).encode()


Reader = Callable[[Path, Iterator[tuple[int, str | None]], ReadStats], Iterator[EventBatch]]
READERS: dict[str, tuple[Reader, list[bytes]]] = {
    "web": (lambda path, lines, stats: read_web(path, lines, 3, stats), WEB),
    "syslog": (lambda path, lines, stats: read_syslog(path, lines, 3, stats, 1.7e9, UTC), SYSLOG),
    "auditd": (lambda path, lines, stats: read_auditd(path, lines, 3, stats), AUDIT),
    "jsonl": (lambda path, lines, stats: read_jsonl(path, lines, 3, stats, UTC), JSONL),
}


def check_accounting(data: bytes, stats: ReadStats, batches: list[EventBatch], log_file: str) -> None:
    """Every non-blank line is an event or a malformed line; the line numbers kept are real ones."""
    numbered = list(iter_lines(io.BytesIO(data)))
    readable = {n for n, text in numbered if text is None or text.strip()}
    records = [record for batch in batches for record in batch.records]
    assert len(records) == len(set(records)) and set(records) <= readable
    assert stats.events == len(records) if stats.events else True
    assert len(records) + stats.malformed.get(log_file, 0) == len(readable)
    first = stats.malformed_lines.get(log_file, [])
    assert first == sorted(first) and len(first) == min(5, stats.malformed.get(log_file, 0))
    assert set(first) <= readable - set(records)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_each_reader_counts_what_it_cannot_read(kind: str) -> None:
    reader, lines = READERS[kind]

    @FUZZ
    @given(log_bytes(lines, json_line()) if kind == "jsonl" else log_bytes(lines))
    def check(data: bytes) -> None:
        stats = ReadStats()
        path = Path(f"/fuzz/{kind}.log")
        batches = list(reader(path, iter_lines(io.BytesIO(data)), stats))
        check_accounting(data, stats, batches, str(path))

    check()


_SHIPPED: list[Engine] = []


def shipped_engine() -> Engine:
    if not _SHIPPED:
        _SHIPPED.append(Engine(load_rules([SHIPPED_RULES])))
    return _SHIPPED[0]


@pytest.mark.parametrize("kind", sorted(READERS))
def test_the_engine_matches_whatever_a_reader_gives(kind: str) -> None:
    """The shipped pack over fuzzed reader output: no rule ever fails on what a reader produced."""
    reader, lines = READERS[kind]
    engine = shipped_engine()

    @FUZZ
    @given(log_bytes(lines, json_line()) if kind == "jsonl" else log_bytes(lines))
    def check(data: bytes) -> None:
        batches = list(reader(Path(f"/fuzz/{kind}.log"), iter_lines(io.BytesIO(data)), ReadStats()))
        list(engine.run_batches(batches))
        assert not engine.failures, engine.failure_errors()

    check()


def test_format_detection_and_reading_any_file() -> None:
    """Through read_file (format detection, gzip magic, line splitting): nothing escapes, and what
    was read is accounted for."""
    every = WEB + SYSLOG + AUDIT + JSONL

    @FUZZ
    @given(st.one_of(log_bytes(every), st.binary(max_size=2000)), st.sampled_from([None, "web", "syslog", "jsonl"]))
    def check(data: bytes, forced: str | None) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "fuzz.log")
            path.write_bytes(data)
            stats = ReadStats()
            batches = list(read_file(path, forced, 3, stats))
            if str(path) in stats.formats and not data.startswith(b"\x1f\x8b") and stats.formats[str(path)] != "evtx":
                check_accounting(data, stats, batches, str(path))
            else:
                assert not batches or stats.events

    check()


def test_over_long_lines_are_counted_not_held() -> None:
    stats = ReadStats()
    data = WEB[0] + b"\n" + b"x" * (MAX_LINE_BYTES + 10) + b"\n" + WEB[0] + b"\n"
    batches = list(read_web(Path("/fuzz/web.log"), iter_lines(io.BytesIO(data)), 10, stats))
    assert [b.records for b in batches] == [[1, 3]]
    assert stats.malformed_lines["/fuzz/web.log"] == [2]


def test_evtx_with_corrupted_bytes() -> None:
    original = EVTX.read_bytes()

    @FEW
    @given(st.lists(st.tuples(st.integers(0, len(original) - 1), st.binary(min_size=1, max_size=16)), max_size=6))
    def check(edits: list[tuple[int, bytes]]) -> None:
        data = bytearray(original)
        for at, chunk in edits:
            data[at : at + len(chunk)] = chunk
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "fuzz.evtx")
            path.write_bytes(bytes(data))
            stats = ReadStats()
            events = sum(batch.size for batch in read_file(path, None, 50, stats))
            assert events == stats.events
            assert str(path) in stats.formats or str(path) in stats.skipped

    check()


# --- Sigma rules ----------------------------------------------------------------------------------

RULE_VALUES: list[Any] = [
    None, 0, 1, -1, 10**30, 1.5, float("nan"), True, "", "*", "?", "\\", "%p%", "a" * 300, "\x00", "é²",
    "sel", "1 of them", "all of sel*", "not sel", "sel and (", "sel |", "sel or nope", "them",
    [], {}, [None], [1, "a"], [[1]], {"a": None}, {"a": [1]},
    {"x|contains": None}, {"x|re": 5}, {"x|re": "("}, {"x|cidr": "300.0.0.0/8"}, {"x|gt": "a"},
    {"x|base64offset|contains": 5}, {"x|windash": None}, {"x|fieldref": 1}, {"x|exists": "maybe"},
    {"x|expand": "%p%"}, {"x|containz": "a"}, {"x|re|i|m|s": "a"}, {"x|minute": "a"}, {"x|all": None},
    {"x|utf16le|base64": 5}, {5: "a"}, {None: "a"}, {"x": {"y": "z"}},
]  # fmt: skip
KEYS = ["x|contains", "x|re", "x|all", "CommandLine|endswith", "|re", "x|", "5", "condition", "tags", "level"]


def _rule_files() -> list[Path]:
    return sorted(SHIPPED_RULES.rglob("*.yml"))


def _sigmahq_files() -> list[Path]:
    rules = SIGMAHQ / "rules"
    return sorted(rules.rglob("*.yml"))[::7] if rules.is_dir() else []  # a spread, not all 3,000


@st.composite
def mutated_rule(draw: st.DrawFn, files: list[Path]) -> Any:
    """A real rule file's YAML documents with a few nodes replaced, deleted or renamed."""
    documents = list(yaml.safe_load_all(draw(st.sampled_from(files)).read_text(encoding="utf-8")))
    for _ in range(draw(st.integers(1, 3))):
        node = draw(st.sampled_from(documents))
        while isinstance(node, dict | list) and node and draw(st.booleans()):  # walk down a random path
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            child = node[draw(st.sampled_from(keys))]
            if not isinstance(child, dict | list) or not child:
                break
            node = child
        if not isinstance(node, dict | list) or not node:
            continue
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        action = draw(st.integers(0, 3))
        if action == 0 or isinstance(node, list):
            node[key] = copy.deepcopy(draw(st.sampled_from(RULE_VALUES)))
        elif action == 1:
            del node[key]
        elif action == 2:
            node[draw(st.sampled_from(KEYS))] = node.pop(key)
        else:
            modifier = draw(st.sampled_from(["re", "contains", "cidr", "gt", "bogus", "all", "base64"]))
            node[f"{key}|{modifier}"] = node.pop(key)
    return documents


@st.composite
def mutated_text(draw: st.DrawFn, files: list[Path]) -> str:
    """A real rule file's text with characters inserted or cut (indentation, quotes, tabs...)."""
    text = draw(st.sampled_from(files)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = (
                text[:at]
                + draw(st.sampled_from(["\t", ":", "- ", "'", '"', "|", "{", "[", "&a", "*a", "\n  ", "1"]))
                + text[at:]
            )
        else:
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
    return text


def hostile_batch() -> EventBatch:
    """Events whose values the readers can produce (and some they cannot), for every logsource."""
    values: list[Any] = [
        "a", "", "\x00", "0x" + "f" * 400, "9" * 4000, 10**30, float("nan"), float("inf"), -1, True, None,
        [1, "a", None], {"k": [1]}, ("t",), "2024-02-30T00:00:00", "::1", "300.1.1.1", "é²",
    ]  # fmt: skip
    rows = len(values)
    columns: dict[str, list[Any]] = {
        name: values[i:] + values[:i]
        for i, name in enumerate(["x", "CommandLine", "Image", "EventID", "cs-uri-query", "c-ip", "user", "src_ip"])
    }
    columns["_product"] = (["windows", "linux"] * rows)[:rows]
    columns["_service"] = ([("security",), ("sshd", "auth")] * rows)[:rows]
    columns["_category"] = (["process_creation", "webserver"] * rows)[:rows]
    return EventBatch("jsonl", "/fuzz/events.jsonl", list(range(1, rows + 1)), [None] * rows, ["raw"] * rows, columns)


def check_rule(text: str) -> None:
    """Load, compile, match, correlate: only ContentErrors at the file and a line of it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "sigma", "fuzz.yml")
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        engine = Engine(load_rules([path]))
        list(engine.run_batches([hostile_batch()]))
        lines = max(1, text.count("\n") + 1)
        for error in [*engine.errors, *engine.failure_errors()]:
            assert error.path == path
            assert error.line is None or 1 <= error.line <= lines, str(error)
        assert [str(e) for e in check_rule_file(path)] == [str(e) for e in engine.errors]


def _dump(documents: list[Any]) -> str:
    return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False)


def test_mutated_shipped_rules() -> None:
    @FEW
    @given(mutated_rule(_rule_files()))
    def check(documents: list[Any]) -> None:
        check_rule(_dump(documents))

    check()


def test_mutated_rule_text() -> None:
    @FEW
    @given(mutated_text(_rule_files()))
    def check(text: str) -> None:
        check_rule(text)

    check()


@pytest.mark.parametrize("corpus", ["shipped", "sigmahq"])
def test_every_rule_over_hostile_values(corpus: str) -> None:
    """Every rule of a whole corpus over values of every type: none fails while matching."""
    if corpus == "sigmahq" and not (SIGMAHQ / "rules").is_dir():
        pytest.skip(f"the SigmaHQ corpus is not at {SIGMAHQ} (set SECOPS_SIGMAHQ to run its rules too)")
    engine = shipped_engine() if corpus == "shipped" else Engine(load_rules([SIGMAHQ / "rules"]))
    list(engine.run_batches([hostile_batch()]))
    assert not engine.failures, engine.failure_errors()


def test_mutated_sigmahq_rules() -> None:
    files = _sigmahq_files()
    if not files:
        pytest.skip(f"the SigmaHQ corpus is not at {SIGMAHQ} (set SECOPS_SIGMAHQ to fuzz its rules too)")

    @FEW
    @given(mutated_rule(files))
    def check(documents: list[Any]) -> None:
        check_rule(_dump(documents))

    check()
