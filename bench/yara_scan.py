"""YARA scanning speed: `secops yara scan` against the `yara` command-line tool (Debian's yara),
same rules (rules/yara, one namespace per file), same tree, same run.

Tree: WordPress from Debian's package (apt-get download + dpkg-deb -x) plus generated web files
(PHP, JS, HTML, text of 200 B to 64 KB, some with eval-like code) and the synthetic hit samples,
at least --files regular files in all. Both tools scan it end to end as commands, runs
interleaved: secops with its workspace (compiled rules cached), yara with -r -N (no symlinks,
like secops) -s -e, once with its default threads and once with -p 2 (this machine's cores).
Figures: files/s of the median run, with start-up and without it (start-up: the same command over
an empty folder, subtracted); the targets are secops >= 0.9x the faster yara with start-up and
>= 1.0x without. Both must report the same (rule, file) pairs.
Run: .venv/bin/python bench/yara_scan.py [--files 2500] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from secops.detection.yara import ScanStats, load_ruleset, scan_paths
from secops.detection.yara.ruleset import default_rules_dir
from secops.detection.yara.samples import write_samples

SECOPS = [sys.executable, "-m", "secops"]
YARA = shutil.which("yara") or "/usr/bin/yara"
MAX_SIZE = 64 * 1024 * 1024

PHP_LINES = (
    "$rows = $db->get_results($wpdb->prepare('SELECT * FROM t WHERE id = %d', $id));",
    "echo esc_html( $title ) . '<br>';",
    "$value = isset( $_POST['name'] ) ? sanitize_text_field( wp_unslash( $_POST['name'] ) ) : '';",
    "$data = json_decode( base64_decode( $token ), true );",
    "preg_replace_callback( '/\\{(\\w+)\\}/', function ( $m ) use ( $vars ) { return $vars[ $m[1] ]; }, $tpl );",
    "$html = $template->render( array( 'items' => $items, 'page' => (int) $_GET['page'] ) );",
    "if ( ! current_user_can( 'manage_options' ) ) { wp_die( __( 'Sorry.' ) ); }",
    "$parser->eval( $expression ); // a method, not PHP's eval",
    "exec( 'convert ' . escapeshellarg( $src ) . ' ' . escapeshellarg( $dst ) );",
    "$key = substr( hash( 'sha256', $secret ), 0, 32 );",
)
JS_LINES = (
    "var re = /(\\d+)-(\\d+)/; var m = re.exec(text);",
    "const fn = new Function('a', 'b', 'return a + b');",
    "$.ajax({ url: '/api/news', data: { page: page } }).done(render);",
    "document.querySelectorAll('.item').forEach(el => el.classList.toggle('open'));",
    "setTimeout(function () { window.eval && console.log('ready'); }, 100);",
)
TEXT_WORDS = ("school", "class", "student", "teacher", "news", "notice", "exam", "schedule", "library", "files", "data")


def _generated(rng: random.Random, index: int) -> tuple[str, bytes]:
    kind = rng.choice(("php", "php", "php", "js", "html", "txt"))
    size = int(2 ** rng.uniform(7.6, 16))  # about 200 B to 64 KB, most of them small
    if kind == "php":
        lines = ["<?php", f"// module {index}"]
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(rng.choice(PHP_LINES))
    elif kind == "js":
        lines = [f"/* bundle {index} */"]
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(rng.choice(JS_LINES))
    else:
        lines = ["<html><body>"] if kind == "html" else []
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(" ".join(rng.choice(TEXT_WORDS) for _ in range(12)))
    return f"gen/{index % 50:02d}/{index // 50:03d}/f{index}.{kind}", "\n".join(lines).encode()


def _wordpress(tree: Path) -> bool:
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        return False
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run(["apt-get", "download", "wordpress"], cwd=work, capture_output=True, check=False)
        debs = list(Path(work).glob("wordpress_*.deb"))
        if done.returncode != 0 or not debs:
            return False
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tree / "wordpress")], check=True)
    return True


def build_tree(tree: Path, files: int) -> tuple[int, bool]:
    wordpress = _wordpress(tree)
    write_samples(tree / "samples", misses=False)
    count = sum(1 for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    rng = random.Random(5)
    index = 0
    while count < files:
        relative, content = _generated(rng, index)
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        index += 1
        count += 1
    return count, wordpress


def _timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return elapsed, done.stdout


def _secops_pairs(stdout: str) -> set[tuple[str, str]]:
    return {(hit["rule"], hit["path"]) for hit in map(json.loads, stdout.splitlines())}


def _yara_pairs(stdout: str) -> set[tuple[str, str]]:
    pairs = set()
    for line in stdout.splitlines():
        if line.startswith("0x"):
            continue  # a matched string
        name, _, path = line.partition(" ")
        pairs.add((name.partition(":")[2], path))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2500, help="regular files in the tree (at least)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not Path(YARA).exists():
        raise SystemExit("the yara CLI is missing: apt-get install yara")

    rule_files = sorted(default_rules_dir().glob("*.yar"))
    yara_rules = [f"{path.stem}:{path}" for path in rule_files]
    with tempfile.TemporaryDirectory(prefix="yara-bench-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        count, wordpress = build_tree(tree, args.files)
        workspace = Path(tmp) / "ws"
        workspace.mkdir()  # an existing workspace folder holds the compiled-rules cache
        size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
        version = subprocess.run([YARA, "-v"], capture_output=True, text=True, check=False).stdout.strip()
        source = "WordPress from Debian" if wordpress else "WordPress unavailable"
        print(
            f"tree: {count:,} files, {size / 1e6:,.1f} MB ({source} + generated + hit samples); "
            f"{len(rule_files)} rule files; yara {version}; {os.cpu_count()} cores"
        )

        commands = {
            "secops yara scan": [*SECOPS, "-w", str(workspace), "yara", "scan", str(tree), "--format", "jsonl"],
            "yara -r (default threads)": [YARA, "-r", "-N", "-s", "-e", "-z", str(MAX_SIZE), *yara_rules, str(tree)],
            "yara -r -p 2": [YARA, "-r", "-N", "-s", "-e", "-z", str(MAX_SIZE), "-p", "2", *yara_rules, str(tree)],
        }
        empty = Path(tmp) / "empty"
        empty.mkdir()
        times: dict[str, list[float]] = {name: [] for name in commands}
        starts: dict[str, list[float]] = {name: [] for name in commands}
        outputs: dict[str, str] = {}
        for name, command in commands.items():  # warm-up: page cache, compiled-rules cache
            _, outputs[name] = _timed(command)
        for _ in range(args.runs):
            for name, command in commands.items():
                elapsed, _ = _timed(command)
                times[name].append(elapsed)
                # start-up: the same command over an empty folder (interpreter, imports, rules)
                started, _ = _timed([str(empty) if part == str(tree) else part for part in command])
                starts[name].append(started)

        ours = _secops_pairs(outputs["secops yara scan"])
        theirs = _yara_pairs(outputs["yara -r -p 2"])
        assert ours == theirs, f"different findings: only secops {ours - theirs}, only yara {theirs - ours}"

        stats = ScanStats()
        started = time.perf_counter()
        list(scan_paths([tree], load_ruleset(), stats=stats))
        library = time.perf_counter() - started

        medians = {name: statistics.median(values) for name, values in times.items()}
        start = {name: statistics.median(values) for name, values in starts.items()}
        scan = {name: max(medians[name] - start[name], 1e-6) for name in commands}
        yaras = [name for name in commands if name.startswith("yara")]
        best_yara, best_scan = min(medians[name] for name in yaras), min(scan[name] for name in yaras)
        print(f"findings: {len(ours)} (rule, file) pairs, identical in both tools")
        print(
            f"{'command':<28} {'median s':>9} {'best s':>8} {'start s':>8} {'files/s':>9} {'vs yara':>8}"
            f" {'scan files/s':>13} {'vs yara':>8}"
        )
        for name, values in times.items():
            median = medians[name]
            print(
                f"{name:<28} {median:>9.3f} {min(values):>8.3f} {start[name]:>8.3f} {count / median:>9,.0f}"
                f" {best_yara / median:>7.2f}x {count / scan[name]:>13,.0f} {best_scan / scan[name]:>7.2f}x"
            )
        in_process = stats.files_scanned / library
        print(f"{'(secops library, in-process)':<28} {library:>9.3f} {'':>8} {'':>8} {in_process:>9,.0f}")
        ours_name = "secops yara scan"
        ratio, scan_ratio = best_yara / medians[ours_name], best_scan / scan[ours_name]
        print(
            f"secops / faster yara, files/s: {ratio:.2f}x with start-up (target >= 0.9x:"
            f" {'met' if ratio >= 0.9 else 'NOT met'}), {scan_ratio:.2f}x without (target >= 1.0x:"
            f" {'met' if scan_ratio >= 1.0 else 'NOT met'}); start-up = the same command over an empty folder"
        )


if __name__ == "__main__":
    main()
