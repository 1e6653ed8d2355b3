"""Inputs that expand (YAML aliases, XLSX and gzip bombs) and CSV edge cases, through the CLI.

Each bomb runs ``python -m secops`` in a child process under an address-space guard (RLIMIT_AS,
so a regression fails instead of swapping the machine) and is measured from the child's own
rusage (``os.wait4``): CPU time under ``CPU_BOUND`` seconds and peak RSS at most ``RSS_MARGIN``
above the same command on a harmless input. CPU time, unlike wall time, does not depend on what
else the machine is running. The CSV edge cases run in process: a traceback would fail the test.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

CPU_BOUND = 2.0  # seconds of CPU for a whole CLI run, Python's start and imports included
RSS_MARGIN = 100 << 20  # bytes a bomb may add to the peak RSS of a harmless run
AS_GUARD = 4 << 30  # address space of the child: the unbounded bombs need far more
WALL_TIMEOUT = 60.0  # a hung child is killed (and fails the test) after this long

RULE = """title: SQL injection probe
id: 6f6c0f8e-2f8f-4c51-9a77-1f1d1b7a0d01
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: "union select"}
  condition: sel
level: high
"""
ACCESS_LOG = '10.20.1.5 - - [10/Oct/2026:13:55:36 +0800] "GET /news?id=1 union select 1 HTTP/1.1" 200 512 "-" "curl"\n'


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    cpu: float  # user + system seconds of the child
    rss: int  # the child's peak resident set, bytes


def run_child(args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> Run:
    """``python -m secops ARGS`` in a child process, measured by its own rusage."""
    out, err = tmp_path / "child.out", tmp_path / "child.err"

    def guard() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (AS_GUARD, AS_GUARD))

    child_env = {**os.environ, "SECOPS_HOME": str(tmp_path / "home"), **(env or {})}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "secops", *args], stdout=stdout, stderr=stderr, preexec_fn=guard, env=child_env
        )
        deadline = time.monotonic() + WALL_TIMEOUT
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                pytest.fail(f"secops {' '.join(args)} still running after {WALL_TIMEOUT:.0f} s")
            time.sleep(0.01)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return Run(
        child.returncode,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,  # kilobytes on Linux
    )


def assert_bounded(bomb: Run, harmless: Run) -> None:
    assert "Traceback" not in bomb.stderr, bomb.stderr
    assert bomb.cpu < CPU_BOUND, f"{bomb.cpu:.2f} s of CPU"
    assert bomb.rss < harmless.rss + RSS_MARGIN, f"peak RSS {bomb.rss >> 20} MB, harmless run {harmless.rss >> 20} MB"


# --- crafting the bombs -------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    """1 KB of YAML that names 9^9 strings when its aliases are expanded, as a Sigma rule."""
    lines = [
        "title: laughs",
        "logsource: {category: webserver}",
        "detection:",
        '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    lines += [f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    lines += ["  sel:", f"    cs-uri-query|contains: *a{levels}", "  condition: sel"]
    return "\n".join(lines) + "\n"


LAUGHS_ANCHOR_LINE = 13  # the line of the deepest anchor in billion_laughs()


def _deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + block * count + tail, fast: full flushes make the block's compressed
    form independent of what precedes it, so it is compressed once and repeated. (data, crc, size)"""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    last = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + piece * count + last, crc, len(head) + len(block) * count + len(tail)


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """A zip of already deflated members: (name, data, crc, real size, declared size)."""
    local, central = bytearray(), bytearray()
    for name, data, crc, _real, declared in members:
        encoded = name.encode()
        offset = len(local)
        fields = (20, 0, 8, 0, 0x21, crc, len(data), declared & 0xFFFFFFFF, len(encoded))
        local += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + encoded + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": _XML + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": _XML + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


XLSX_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
XLSX_ROWS_PER_MB = (1 << 20) // len(XLSX_ROW)


def xlsx_bomb(path: Path, megabytes: int, *, declared: int | None = None) -> None:
    """An XLSX whose one sheet is a header and ``megabytes`` MiB of identical rows; ``declared``:
    the uncompressed size the zip claims for the sheet (a liar's), else the real one."""
    head = (
        _XML + f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t>'
        "</is></c></row>"
    ).encode()
    block = XLSX_ROW * XLSX_ROWS_PER_MB
    data, crc, size = _deflate_repeated(head, block, megabytes, b"</sheetData></worksheet>")
    members = []
    for name, text in _PARTS.items():
        raw = text.encode()
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        members.append((name, deflate.compress(raw) + deflate.flush(), zlib.crc32(raw), len(raw), len(raw)))
    members.append(("xl/worksheets/sheet1.xml", data, crc, size, size if declared is None else declared))
    write_zip(path, members)


def gz_bomb(path: Path, head: bytes, gigabytes: float) -> None:
    """A valid .gz: ``head`` (real log lines), then ``gigabytes`` GiB of zeros (ratio about 1000:1)."""
    data, crc, size = _deflate_repeated(head, bytes(1 << 20), int(gigabytes * 1024), b"")
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    path.write_bytes(header + data + struct.pack("<II", crc, size & 0xFFFFFFFF))


# --- YAML ---------------------------------------------------------------------------------------


def test_billion_laughs_rule_is_one_error_in_content_validate(tmp_path: Path) -> None:
    rules = tmp_path / "mine" / "sigma"
    rules.mkdir(parents=True)
    (rules / "good.yml").write_text(RULE, encoding="utf-8")
    harmless = run_child(["content", "validate", str(rules / "good.yml")], tmp_path)
    assert harmless.code == 0, harmless.stderr
    (rules / "bomb.yml").write_text(billion_laughs(), encoding="utf-8")
    bomb = run_child(["content", "validate", str(rules)], tmp_path)
    assert bomb.code == 1  # content validate: 1 when any file has errors (listed, one per line)
    assert f"{rules / 'bomb.yml'}:{LAUGHS_ANCHOR_LINE}: " in bomb.stdout + bomb.stderr
    assert "too many YAML aliases/anchors expansion" in bomb.stdout + bomb.stderr
    assert_bounded(bomb, harmless)


def test_billion_laughs_rule_is_skipped_by_detect_run_and_the_others_still_match(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "good.yml").write_text(RULE, encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(ACCESS_LOG, encoding="utf-8")
    harmless = run_child(["detect", "run", "--rules", str(rules), "--format", "jsonl", str(log)], tmp_path)
    assert harmless.code == 1, harmless.stderr  # one match
    (rules / "bomb.yml").write_text(billion_laughs(), encoding="utf-8")
    bomb = run_child(["detect", "run", "--rules", str(rules), "--format", "jsonl", str(log)], tmp_path)
    assert bomb.code == 1 and "union select" in bomb.stdout  # the good rule still matched
    assert f"{rules / 'bomb.yml'}:{LAUGHS_ANCHOR_LINE}: " in bomb.stderr
    assert "too many YAML aliases/anchors expansion" in bomb.stderr
    assert_bounded(bomb, harmless)
    only = run_child(["detect", "run", "--rules", str(rules / "bomb.yml"), str(log)], tmp_path)
    assert only.code == 2 and "too many YAML aliases/anchors expansion" in only.stderr
    assert_bounded(only, harmless)


@pytest.fixture
def system(run_cli: Invoke, tmp_path: Path) -> Path:
    """A workspace with the level-2 system OA; returns the workspace folder."""
    init = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]
    assert run_cli(*init).exit_code == 0
    assert run_cli("dengbao", "system", "add", "OA", "--level", "2").exit_code == 0
    return tmp_path / "ws"


def test_billion_laughs_questionnaire_is_refused_by_import(system: Path, tmp_path: Path) -> None:
    harmless_file = tmp_path / "ok.yaml"
    harmless_file.write_text("answers:\n  L2-PES1-01: 符合\n", encoding="utf-8")
    command = ["--workspace", str(system), "dengbao", "questionnaire", "import", "--system", "OA"]
    harmless = run_child([*command, str(harmless_file)], tmp_path)
    assert harmless.code == 0, harmless.stderr
    bomb_file = tmp_path / "q.yaml"
    laughs = billion_laughs().replace("detection:", "answers:\n  L2-PES1-02: 符合\nlaughs:")
    bomb_file.write_text(laughs, encoding="utf-8")
    bomb = run_child([*command, str(bomb_file)], tmp_path)
    assert bomb.code == 2
    assert f"{bomb_file}:{LAUGHS_ANCHOR_LINE + 2}: too many YAML aliases/anchors expansion" in bomb.stderr
    assert_bounded(bomb, harmless)


def test_xlsx_bomb_questionnaire_is_refused_by_import(system: Path, tmp_path: Path) -> None:
    harmless_file = tmp_path / "ok.xlsx"
    xlsx_bomb(harmless_file, 1)
    command = ["--workspace", str(system), "dengbao", "questionnaire", "import", "--system", "OA"]
    harmless = run_child([*command, str(harmless_file)], tmp_path)
    assert "Traceback" not in harmless.stderr
    bomb_file = tmp_path / "q.xlsx"
    xlsx_bomb(bomb_file, 500)
    bomb = run_child([*command, str(bomb_file)], tmp_path)
    assert bomb.code == 2 and "past the 200 MB limit" in bomb.stderr, bomb.stderr
    assert_bounded(bomb, harmless)


# --- XLSX ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xlsx_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    files = {"small": folder / "small.xlsx", "bomb": folder / "bomb.xlsx", "liar": folder / "liar.xlsx"}
    xlsx_bomb(files["small"], 1)  # 21,399 rows: a real, if dull, table
    xlsx_bomb(files["bomb"], 500)  # 500 MB of sheet XML in 1.5 MB
    xlsx_bomb(files["liar"], 400, declared=1 << 20)  # says 1 MB, inflates to 400 MB
    return files


def test_xlsx_bomb_is_refused_by_data_scan_before_loading(xlsx_files: dict[str, Path], tmp_path: Path) -> None:
    assert xlsx_files["bomb"].stat().st_size < 2 << 20
    harmless = run_child(["data", "scan", "--format", "json", str(xlsx_files["small"])], tmp_path)
    assert harmless.code in (0, 1) and f'"rows": {XLSX_ROWS_PER_MB},' in harmless.stdout, harmless.stderr
    bomb = run_child(["data", "scan", str(xlsx_files["bomb"])], tmp_path)
    assert bomb.code == 2
    assert f"{xlsx_files['bomb']}: the workbook's sheets expand to 500 MB, past the 200 MB limit" in bomb.stderr
    # its ratio refuses it at any limit, so the hint is the switch that helps, not a higher limit
    assert "zip bomb" in bomb.stderr and "--max-xlsx-mb 0" in bomb.stderr and "SECOPS_MAX_XLSX_MB" in bomb.stderr
    assert "--max-xlsx-mb 500" not in bomb.stderr
    assert_bounded(bomb, harmless)
    # raising the limit past its size leaves the compression ratio, which no real sheet has
    raised = run_child(["data", "scan", "--max-xlsx-mb", "2000", str(xlsx_files["bomb"])], tmp_path)
    assert raised.code == 2 and "zip bomb" in raised.stderr and "--max-xlsx-mb 0" in raised.stderr
    assert_bounded(raised, harmless)


def test_xlsx_that_lies_about_its_size_is_measured_and_refused(xlsx_files: dict[str, Path], tmp_path: Path) -> None:
    harmless = run_child(["data", "scan", str(xlsx_files["small"])], tmp_path)
    liar = run_child(["data", "scan", str(xlsx_files["liar"])], tmp_path)
    assert liar.code == 2 and "more than the sizes the file declares" in liar.stderr, liar.stderr
    assert_bounded(liar, harmless)


def test_xlsx_limit_from_the_environment(xlsx_files: dict[str, Path], tmp_path: Path, run_cli: Invoke) -> None:
    os.environ["SECOPS_MAX_XLSX_MB"] = "0.5"
    try:
        result = run_cli("data", "scan", str(xlsx_files["small"]))
    finally:
        del os.environ["SECOPS_MAX_XLSX_MB"]
    assert result.exit_code == 2 and "past the 0.5 MB limit" in result.stderr
    assert "--max-xlsx-mb 2" in result.stderr
    assert run_cli("data", "scan", "--max-xlsx-mb", "5", str(xlsx_files["small"])).exit_code in (0, 1)


# --- gzip ---------------------------------------------------------------------------------------

SSHD = b"Oct 10 13:55:36 gw sshd[811]: Failed password for root from 10.20.1.9 port 52110 ssh2\n"


@pytest.fixture(scope="module")
def gz_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    gz_bomb(folder / "a-bomb.log.gz", SSHD * 2000, 3.0)  # 3 GiB in 3 MB: past the 2 GiB limit and 200:1
    (folder / "b-access.log").write_text(ACCESS_LOG, encoding="utf-8")
    return folder


def test_gz_bomb_is_skipped_and_the_other_logs_are_read(gz_logs: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rule.yml"
    rules.write_text(RULE, encoding="utf-8")
    command = ["detect", "run", "--rules", str(rules), "--format", "jsonl"]
    harmless = run_child([*command, str(gz_logs / "b-access.log")], tmp_path)
    assert harmless.code == 1
    bomb = run_child([*command, str(gz_logs)], tmp_path)
    assert bomb.code == 1 and "union select" in bomb.stdout  # the access log after the bomb was read
    assert f"skipped {gz_logs / 'a-bomb.log.gz'}: partly read" in bomb.stderr
    assert "a gzip bomb?" in bomb.stderr and "SECOPS_MAX_GZ_RATIO" in bomb.stderr
    assert_bounded(bomb, harmless)


def test_gz_size_limit_from_the_environment(gz_logs: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rule.yml"
    rules.write_text(RULE, encoding="utf-8")
    command = ["detect", "run", "--rules", str(rules), "--format", "jsonl", str(gz_logs)]
    harmless = run_child([*command[:-1], str(gz_logs / "b-access.log")], tmp_path)
    bomb = run_child(command, tmp_path, {"SECOPS_MAX_GZ_MB": "16", "SECOPS_MAX_GZ_RATIO": "0"})
    assert bomb.code == 1 and "union select" in bomb.stdout
    assert "inflated past the 16 MB limit for one .gz log" in bomb.stderr and "SECOPS_MAX_GZ_MB=32" in bomb.stderr
    assert "1 skipped" in bomb.stderr
    assert_bounded(bomb, harmless)


# --- CSV edge cases -----------------------------------------------------------------------------

SECRET = "张三丰"  # a cell value: no message may show it

CSV_CASES = {
    "utf16_cut": (("姓名,学号\n" + SECRET + ",001\n").encode("utf-16")[:-1], "ends in the middle of a character"),
    "bare_cr_header": (f"姓名,学号\r电话\n{SECRET},1,2\n".encode(), "line 1 (character 6): a carriage return"),
    "nul_bytes": (f"姓名,学号\n{SECRET}\0,1\n".encode(), "line 2 (byte 23): NUL bytes"),
    "utf16_without_bom": (f"name,id\n{SECRET},1\n".encode("utf-16-le"), "UTF-16 without its byte order mark"),
    "bad_utf8_late": (
        b"name,id\n" + b"a,1\n" * 300_000 + SECRET.encode()[:-1] + b",2\n",
        "line 300,002 (byte 1,200,014): bytes not valid UTF-8",
    ),
    "bad_gbk": ("姓名,学号\n张三,1\n".encode("gb18030") + b"\x81\x20,2\n", "line 3 (byte 17) is not valid GB18030"),
    "bad_utf16": (b"\xff\xfe" + "name,id\n".encode("utf-16-le") + b"\x00\xd8A\x00\n\x00", "line 2 (byte 18)"),
    "no_line_end": (b"name," + b"x" * (100 << 10), "no line end in the first 64 KiB"),
    "huge_cell": (b'name,id\n"' + b"A" * (40 << 20) + b'",1\n', "longer than 16 MiB"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_edge_case_is_one_clear_error(case: str, run_cli: Invoke, tmp_path: Path) -> None:
    data, expected = CSV_CASES[case]
    path = tmp_path / "名单.csv"
    path.write_bytes(data)
    result = run_cli("data", "scan", str(path))  # in process: an exception would fail the test
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.startswith(f"secops: error: {path}: ") and expected in result.stderr, result.stderr
    assert SECRET not in result.stderr and "AAAA" not in result.stderr


def test_csv_cases_that_are_fine_stay_fine(run_cli: Invoke, tmp_path: Path) -> None:
    readable = {
        "cr_only.csv": b"name,id\rA,1\rB,2\r",  # old Mac line ends
        "quoted_cr.csv": b'"na\rme",id\nA,1\n',  # a line break inside a quoted header cell
        "ragged_big.csv": b"name,id\n" + b"A" * (200 << 10) + b",1,2\nB,2\n",  # past csv's 128 KiB cell limit
    }
    for name, data in readable.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run_cli("data", "scan", "--format", "json", str(path))
        assert result.exit_code in (0, 1) and '"rows": 2' in result.stdout, (name, result.stderr)
