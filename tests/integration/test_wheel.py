"""The wheel carries every content folder: build it, install it (not editable) into a fresh
virtualenv, and run `secops` from outside the checkout."""

import json
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "setup.cfg",
    "setup.py",
    "pyproject.toml",
    "README.md",
    "secops",
    "rules",
    "scanners",
    "playbooks",
    "reports",
]


@pytest.mark.slow
def test_wheel_installs_with_all_content(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("secops-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], check=True
    )
    # Dependencies come from this test run's environment, appended after the fresh site-packages,
    # so `import secops` can only find the wheel's copy.
    deps = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (purelib / "zz_test_deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secops = env_dir / "bin" / "secops"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(secops), "--workspace", str(tmp_path / "ws"), *args],
            cwd=outside,
            capture_output=True,
            text=True,
            check=False,
        )

    located = subprocess.run(
        [str(python), "-c", "import secops; print(secops.__file__)"],
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(located).is_relative_to(purelib), located

    listing = run("content", "list", "--format", "json")
    assert listing.returncode == 0, listing.stderr
    folders = {Path(row["folder"]) for row in json.loads(listing.stdout)}
    assert all(folder.is_relative_to(purelib) for folder in folders), folders
    for folder in ("rules", "scanners", "playbooks", "reports"):
        assert (purelib / "secops" / folder).is_dir(), f"{folder}/ is missing from the wheel"
    assert (purelib / "secops" / "py.typed").is_file()
    assert (purelib / "secops" / "discovery" / "collect" / "linux.sh").is_file()
    assert (purelib / "secops" / "discovery" / "probes" / "weak_credentials.txt").is_file()

    validated = run("content", "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert (
        run("init", "--school-code", "4111010001", "--school-name", "测试中学", "--scope", "10.20.0.0/16").returncode
        == 0
    )
    built = run("report", "build", "workspace", "--lang", "zh", "-o", str(tmp_path / "w.html"))
    assert built.returncode == 0, built.stderr
    assert "工作区概况报告" in (tmp_path / "w.html").read_text(encoding="utf-8")

    # the message catalog and the API docs' assets ship too: the installed CLI speaks Chinese
    assert (purelib / "secops" / "locale" / "zh_CN" / "LC_MESSAGES" / "secops.mo").is_file()
    assert (purelib / "secops" / "center" / "apidocs" / "static" / "swagger-ui-bundle.js").is_file()
    assert (purelib / "secops" / "reports" / "fonts").is_dir()
    chinese = subprocess.run(
        [str(secops), "--lang", "zh", "--help"], cwd=outside, capture_output=True, text=True, check=False
    )
    assert chinese.returncode == 0 and "用法:" in chinese.stdout and "选项" in chinese.stdout
